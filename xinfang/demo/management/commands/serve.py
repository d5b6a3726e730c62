import os

from django.core.management.base import BaseCommand


class Command(BaseCommand):
    help = (
        "启动网页服务。默认：单进程（waitress），并在同一进程内运行后台任务；"
        "--processes N：生产方式，N 个 gunicorn 进程（gthread），后台任务另行运行 xinfang worker"
    )

    def add_arguments(self, parser):
        parser.add_argument("--host", default=os.environ.get("HOST", "127.0.0.1"))
        parser.add_argument("--port", type=int, default=int(os.environ.get("PORT", "8000")))
        parser.add_argument("--threads", type=int, default=8, help="每个进程的线程数")
        parser.add_argument(
            "--processes",
            type=int,
            default=0,
            help="进程数（gunicorn）；0 为演示方式（waitress 单进程）",
        )
        parser.add_argument("--no-worker", action="store_true", help="不在本进程运行后台任务")

    def handle(self, *args, host, port, threads, processes, no_worker, **options):
        if processes > 0:
            from xinfang.lib.gunicorn_app import run

            self.stdout.write(
                f"信访工作平台已启动：http://{host}:{port}/  {processes} 个进程 × {threads} 线程；"
                "后台任务请运行 xinfang worker"
            )
            run(bind=f"{host}:{port}", processes=processes, threads=threads)
            return
        from django.contrib.staticfiles.handlers import StaticFilesHandler
        from django.core.wsgi import get_wsgi_application
        from waitress import serve

        from xinfang.alerts.worker import start_in_thread

        if not no_worker:
            start_in_thread()
        self.stdout.write(f"信访工作平台已启动：http://{host}:{port}/  （Ctrl+C 退出）")
        serve(
            StaticFilesHandler(get_wsgi_application()),
            host=host,
            port=port,
            threads=threads,
            ident="xinfang",
            clear_untrusted_proxy_headers=True,
        )

import os

from django.core.management.base import BaseCommand


class Command(BaseCommand):
    help = "启动网页服务（waitress），并在同一进程内运行后台任务"

    def add_arguments(self, parser):
        parser.add_argument("--host", default=os.environ.get("HOST", "127.0.0.1"))
        parser.add_argument("--port", type=int, default=int(os.environ.get("PORT", "8000")))
        parser.add_argument("--threads", type=int, default=8)
        parser.add_argument("--no-worker", action="store_true", help="不在本进程运行后台任务")

    def handle(self, *args, host, port, threads, no_worker, **options):
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

from django.core.management.base import BaseCommand

from xinfang.alerts.worker import loop, run_once


class Command(BaseCommand):
    help = "后台任务：期限预警、期满终结、提醒与通知发送（可多进程同时运行）"

    def add_arguments(self, parser):
        parser.add_argument("--once", action="store_true", help="只运行一轮后退出")
        parser.add_argument("--interval", type=float, default=30.0, help="两轮之间的秒数")

    def handle(self, *args, once=False, interval=30.0, **options):
        if once:
            self.stdout.write(str(run_once()))
            return
        loop(interval=interval)

"""xinfang stats_rollup [--rebuild | --days N | (incremental)]"""

import time
from datetime import timedelta

from django.core.management.base import BaseCommand
from django.utils import timezone

from xinfang.stats import rollup


class Command(BaseCommand):
    help = "汇总每日统计表：--rebuild 全量重建；--days N 重算最近 N 天；默认按事件水位增量更新"

    def add_arguments(self, parser):
        parser.add_argument("--rebuild", action="store_true")
        parser.add_argument("--days", type=int, default=0)

    def handle(self, *args, rebuild, days, **options):
        started = time.perf_counter()
        if rebuild:
            rows = rollup.rebuild(progress=lambda lo, hi, n: self.stdout.write(f"{lo:%Y-%m} … {n} 行"))
            self.stdout.write(f"重建完成：{rows} 行，用时 {time.perf_counter() - started:.1f} 秒")
        elif days:
            today = timezone.localdate()
            rows = rollup.store(today - timedelta(days=days - 1), today)
            self.stdout.write(f"已重算最近 {days} 天：{rows} 行")
        else:
            total = 0
            while (n := rollup.refresh()) > 0:
                total += n
            self.stdout.write(f"增量更新：处理事件 {total} 条，用时 {time.perf_counter() - started:.1f} 秒")

"""Fill the petition search table (see xinfang/inbox/search.py).

xinfang search_index            # index petitions that have no search row yet
xinfang search_index --rebuild  # re-index every petition
"""

from __future__ import annotations

import time

from django.core.management.base import BaseCommand
from django.db import connection, transaction

from xinfang.inbox.models import PetitionSearch
from xinfang.inbox.search import index_petitions
from xinfang.petitions.models import Petition

BATCH = 2000


class Command(BaseCommand):
    help = "建立或重建信访事项全文检索索引"

    def add_arguments(self, parser):
        parser.add_argument("--rebuild", action="store_true", help="删除并重建全部索引")
        parser.add_argument("--bigrams-only", action="store_true", help="只建二元字索引（快，检索结果相同）")

    def handle(self, *args, rebuild: bool = False, bigrams_only: bool = False, **options):
        started = time.monotonic()
        if rebuild:
            PetitionSearch.objects.all().delete()
            if connection.vendor == "sqlite":
                with connection.cursor() as cursor:
                    cursor.execute(
                        "INSERT INTO inbox_petitionsearch_fts(inbox_petitionsearch_fts) VALUES ('rebuild')"
                    )
        petitions = Petition.objects.filter(search_row__isnull=True).only(
            "id", "case_number", "title", "content"
        )
        total, last = 0, 0
        while True:
            batch = list(petitions.filter(pk__gt=last).order_by("pk")[:BATCH])
            if not batch:
                break
            with transaction.atomic():
                total += index_petitions(batch, words=not bigrams_only)
            last = batch[-1].pk
            if total % 50_000 < BATCH:
                self.stdout.write(f"已索引 {total} 件")
        if connection.vendor == "postgresql":
            with connection.cursor() as cursor:
                cursor.execute("ANALYZE inbox_petitionsearch")
        self.stdout.write(
            self.style.SUCCESS(f"检索索引完成：{total} 件，用时 {time.monotonic() - started:.0f} 秒")
        )

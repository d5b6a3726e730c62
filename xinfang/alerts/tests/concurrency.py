"""Run a function in several threads at once, each with its own database connection."""

from __future__ import annotations

import threading
from collections import defaultdict

import pytest
from django.db import connection

postgres_only = pytest.mark.skipif(
    connection.vendor != "postgresql", reason="concurrent workers need PostgreSQL (SQLite has one writer)"
)


def run_concurrently(work, n: int = 3) -> list:
    """Start ``work(i)`` in ``n`` threads released together; returns their results (re-raises errors)."""
    start = threading.Barrier(n)
    results: list = [None] * n
    errors: list = []

    def target(i: int) -> None:
        try:
            start.wait(timeout=30)
            results[i] = work(i)
        except BaseException as exc:  # noqa: BLE001 - reported to the test below
            errors.append(exc)
        finally:
            connection.close()

    threads = [threading.Thread(target=target, args=(i,)) for i in range(n)]
    for t in threads:
        t.start()
    for t in threads:
        t.join(timeout=300)
    if errors:
        raise errors[0]
    return results


def stored_rollup() -> dict:
    """DailyStat rows summed per (date, unit), zero measures left out."""
    from xinfang.stats.models import MEASURES, DailyStat

    out: dict = defaultdict(lambda: defaultdict(int))
    for row in DailyStat.objects.values("date", "unit_id", *MEASURES):
        for name in MEASURES:
            if row[name]:
                out[(row["date"], row["unit_id"])][name] += row[name]
    return {k: dict(v) for k, v in out.items() if v}


def recounted_rollup(start, end) -> dict:
    from xinfang.stats import rollup

    result = rollup.compute(start, end)
    return {k: {m: n for m, n in v.items() if n} for k, v in result.stats.items() if any(v.values())}

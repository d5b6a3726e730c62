"""Statistics speed at scale: the rollup build, then dashboard and report computations.

    DATABASE_URL=sqlite:////tmp/xinfang-bench.sqlite3 .venv/bin/python bench/stats.py --petitions 1000000

Uses the configured database (SQLite by default, PostgreSQL with DATABASE_URL).  When it holds
fewer petitions than asked, it migrates and tops it up with `xinfang generate` (the demo
generator).  Then: the full rollup rebuild (timed once), one incremental pass, and each
computation `--repeat` times; prints JSON lines with p50/p95 in milliseconds.
Target: every dashboard/report figure ≤ 500 ms at 1,000,000 petitions.

With several bureaus (a city installation, issue 14) it also times, for the top bureau (the city
leader: every district, the league of districts) and for each lower bureau (its own area only),
the dashboard of the month and of the year, the traffic lights of the area and the annual report.
"""

from __future__ import annotations

import argparse
import json
import os
import statistics
import sys
import time
from datetime import timedelta
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "xinfang.settings")


def timed(fn, repeat: int) -> dict:
    samples = []
    for _ in range(repeat):
        started = time.perf_counter()
        fn()
        samples.append((time.perf_counter() - started) * 1000)
    samples.sort()
    p95 = samples[min(len(samples) - 1, round(0.95 * (len(samples) - 1)))]
    return {"p50_ms": round(statistics.median(samples), 1), "p95_ms": round(p95, 1), "runs": repeat}


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--petitions", type=int, default=1_000_000)
    parser.add_argument("--repeat", type=int, default=7)
    parser.add_argument("--skip-rebuild", action="store_true")
    args = parser.parse_args()

    import django

    django.setup()
    from django.core.management import call_command
    from django.db import connection
    from django.utils import timezone

    call_command("migrate", verbosity=0)
    from xinfang.petitions.models import Petition
    from xinfang.stats import dashboard, reports, rollup
    from xinfang.units.models import Unit, UnitKind

    have = Petition.objects.count()
    if have < args.petitions:
        try:
            started = time.perf_counter()
            call_command("generate", petitions=args.petitions - have)
            print(
                json.dumps(
                    {"generated": args.petitions - have, "seconds": round(time.perf_counter() - started, 1)}
                )
            )
        except Exception as exc:  # noqa: BLE001 - the generator is another app's; say why and stop
            print(json.dumps({"skipped": f"cannot generate petitions: {exc}"}, ensure_ascii=False))
            return
    total = Petition.objects.count()
    print(json.dumps({"database": connection.vendor, "petitions": total}))
    if not args.skip_rebuild:
        started = time.perf_counter()
        rows = rollup.rebuild()
        print(
            json.dumps({"rollup_rebuild": {"seconds": round(time.perf_counter() - started, 1), "rows": rows}})
        )
    started = time.perf_counter()
    events = rollup.refresh()
    print(
        json.dumps(
            {
                "rollup_incremental_pass": {
                    "ms": round((time.perf_counter() - started) * 1000, 1),
                    "events": events,
                }
            }
        )
    )

    today = timezone.localdate()
    month_start = today.replace(day=1)
    year_start = today.replace(month=1, day=1)
    last_year = today.year - 1
    town = Unit.objects.filter(kind=UnitKind.TERRITORIAL).order_by("path").first()
    cases = {
        "dashboard_bureau_month": lambda: dashboard.figures(month_start, today, None, with_backlog=False),
        "dashboard_bureau_year": lambda: dashboard.figures(year_start, today, None, with_backlog=False),
        "dashboard_bureau_365d": lambda: dashboard.figures(
            today - timedelta(days=364), today, None, with_backlog=False
        ),
        "dashboard_unit_month": lambda: dashboard.figures(month_start, today, town, with_backlog=False),
        "dashboard_unit_year": lambda: dashboard.figures(year_start, today, town, with_backlog=False),
        "traffic_lights_bureau": lambda: dashboard.traffic_lights(None),
        "today_live_delta": lambda: rollup.compute(today, today),
        "annual_report_data": lambda: reports.annual_report(last_year),
        "monthly_report_data": lambda: reports.monthly_report(month_start),
    }
    cases.update(_bureau_cases(today, month_start, year_start, last_year))
    for name, fn in cases.items():
        print(json.dumps({name: timed(fn, args.repeat)}))


def _bureau_cases(today, month_start, year_start, last_year) -> dict:
    """Per-bureau figures of a city installation (nothing with one bureau)."""
    from xinfang.alerts.lights import traffic_lights
    from xinfang.stats import areas, dashboard, reports
    from xinfang.units import bureaus

    found = bureaus.all_bureaus()
    if len(found) < 2:
        return {}
    top = next(b for b in found if bureaus.covers_everything(b))
    print(
        json.dumps(
            {"bureaus": {b.name: "top" if b == top else b.case_prefix for b in found}}, ensure_ascii=False
        )
    )
    cases = {}
    for b in found:
        tag = "city" if b == top else f"bureau{b.pk}"
        cases[f"dashboard_{tag}_month"] = lambda b=b: dashboard.figures(
            month_start, today, bureau=b, with_backlog=False
        )
        cases[f"dashboard_{tag}_year"] = lambda b=b: dashboard.figures(
            year_start, today, bureau=b, with_backlog=False
        )
        cases[f"dashboard_{tag}_365d"] = lambda b=b: dashboard.figures(
            today - timedelta(days=364), today, bureau=b, with_backlog=False
        )
        cases[f"traffic_lights_{tag}"] = lambda b=b: traffic_lights(areas.unit_ids(b), held_at_desk=b != top)
        cases[f"annual_report_data_{tag}"] = lambda b=b: reports.annual_report(last_year, bureau=b)
    return cases


if __name__ == "__main__":
    main()

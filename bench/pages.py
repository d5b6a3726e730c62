"""Benchmark: server time of the main staff pages on the configured database.

Meant for a database filled with ``xinfang generate --petitions 1000000`` followed by
``xinfang search_index`` (the generator bulk-loads rows, bypassing the search signal).
Runs Django's test client in this process (no network, no server): logs in a registrar,
a handler and a unit leader with force_login, requests each page ``--repeat`` times after
one warm-up request, and prints one JSON line per page (p50/p95 ms, rows shown, status)
and a summary line with the petition count and the database vendor.

    DATABASE_URL=postgres://postgres@127.0.0.1:5432/xinfang .venv/bin/python bench/pages.py --repeat 20
    .venv/bin/python bench/pages.py --fill 500      # small demo: make_world + 500 make_petition first

Target: ≤ 200 ms per list page at 1,000,000 petitions.

``--exports`` times the Excel export of the whole 全部 list of the bureau leader (issue 16), each
variant in a fresh process so that its peak RSS is its own: *after*, the request (which queues the
job) and the worker writing the file (``inbox.jobs.run``); *before*, with ``--before-tree DIR``
(an unpacked older revision, e.g. ``git archive main | tar -x -C DIR``), the request of that code,
which wrote the file itself.  It prints one JSON line per variant and one with the ratios.

A city installation (issue 14: the demo generator spreads petitions over 连云港市信访局,
海州区, 连云区 and 赣榆区): ``--bureau 连云区信访局`` takes the personas of that bureau's
area (its registrar and leader, the busiest handler and unit leader under it);
``--bureau all`` runs the pages once per bureau, the city's first, and summarises each.
"""

from __future__ import annotations

import argparse
import json
import os
import statistics
import subprocess
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "xinfang.settings")

import django  # noqa: E402

django.setup()

from django.conf import settings  # noqa: E402
from django.db import connection  # noqa: E402
from django.db.models import Q  # noqa: E402
from django.test import Client  # noqa: E402
from django.test.utils import override_settings  # noqa: E402

from xinfang.accounts.models import Role, User  # noqa: E402
from xinfang.petitions.models import Petition  # noqa: E402

PAGES = {
    "registrar": [
        "/",
        "/inbox/?view=to_route",
        "/inbox/?view=all",
        "/inbox/?view=overdue",
        "/inbox/?view=due_soon",
        "/inbox/?view=reviews",
        "/inbox/?view=all&sort=case_number",
        "/inbox/?view=all&sort=-case_number",
        "/inbox/?view=all&q=物业",
        "/inbox/?view=all&q=停车费",
        "/inbox/?view=all&q=拖欠工资&due=overdue",
        "/inbox/?view=all&flag=urgent&channel=visit",
        "/inbox/?view=all&status=closed&sort=received_at",
        "{petition}",
    ],
    "handler": [
        "/",
        "/inbox/?view=to_accept",
        "/inbox/?view=handling",
        "/inbox/?view=due_soon",
        "/inbox/?view=overdue",
        "/inbox/?view=all",
        "/inbox/?view=all&q=物业",
        "/inbox/?view=all&sort=case_number",
        "{petition}",
    ],
    "unit_leader": [
        "/",
        "/inbox/?view=opinion_approval",
        "/inbox/?view=handling",
        "/inbox/?view=all",
        "/inbox/?view=all&sort=-current_due",
        # Hot spots in the viewer's own scope (not the bureau's shared entry), cold.
        "/stats/hotspots/?start={two_years_ago}&end={today}",
    ],
    # Statistics pages (issue 6: ≤ 500 ms): the bureau leader's dashboards, warnings and reports.
    "bureau_leader": [
        "/stats/",
        "/stats/?start={year_start}",
        "/stats/hotspots/",
        "/stats/reports/",
        "/alerts/",
        # Issue 16: hot spots for any period and the monthly pick, timed cold (cache cleared
        # before every request: the first load is what a leader waits for), and the export.
        "/stats/hotspots/?start={two_years_ago}&end={today}",
        "/stats/hotspots/?start={year_start}&end={half_year}",
        "/stats/monthly-pick/?month={last_month}",
        "/inbox/export.xlsx?view=all",
    ],
}
COLD = ("/stats/hotspots/", "/stats/monthly-pick/")


def fill(n: int) -> None:
    """A small database for trying the bench: the test world and `n` registered petitions."""
    from xinfang.petitions import actions
    from xinfang.testing import make_petition, make_world
    from xinfang.units.models import Unit

    if Unit.objects.exists():
        raise SystemExit("--fill needs an empty (migrated) database: it creates the test world")
    world = make_world()
    titles = [
        "小区物业乱收停车费",
        "工地夜间施工噪音扰民",
        "拖欠农民工工资",
        "路灯长期不亮",
        "自来水发黄有异味",
    ]
    for i in range(n):
        p = make_petition(
            world, title=titles[i % len(titles)], content=f"{titles[i % len(titles)]}，请尽快处理。第{i}件"
        )
        if i % 3:
            actions.petition_classify(
                actor=world.registrar, petition=p, petition_class="claim", claim_route=6
            )
            p.refresh_from_db()
            actions.petition_transfer(
                actor=world.registrar, petition=p, unit=[world.town_a, world.town_b][i % 2]
            )
            if i % 3 == 2:
                p.refresh_from_db()
                actions.petition_accept(actor=[world.handler_a, world.handler_b][i % 2], petition=p)


def persona(role: str, bureau=None) -> User | None:
    """The user of `role` whose unit has the most petitions (a realistic, busy inbox);
    with `bureau`, a user of that bureau (registrar, leader) or of a unit in its area
    that belongs to it (not to a lower bureau)."""
    from django.db.models import Count

    from xinfang.units import bureaus

    users = (
        User.objects.filter(role=role, is_active=True, unit__isnull=False)
        .select_related("unit")
        .order_by("pk")
    )
    if role in (Role.REGISTRAR, Role.BUREAU_LEADER):
        return users.filter(unit=bureau).first() if bureau else users.filter(unit__kind="bureau").first()
    handled = Petition.objects.exclude(handling_unit=None)
    if bureau is not None:
        own = [u for u in bureaus.area_unit_ids(bureau) if _bureau_of(u) == bureau.pk]
        handled = handled.filter(handling_unit_id__in=own)
        users = users.filter(unit_id__in=own)
    busy = handled.values("handling_unit").annotate(n=Count("id")).order_by("-n")
    for row in busy[:20]:
        user = users.filter(unit_id=row["handling_unit"]).first()
        if user is not None:
            return user
    return users.first()


def _bureau_of(unit_id: int) -> int | None:
    from xinfang.units import bureaus
    from xinfang.units.models import Unit

    found = bureaus.bureau_for(Unit.objects.get(pk=unit_id))
    return found.pk if found else None


def chosen_bureaus(name: str) -> list:
    """``--bureau``: none (the first bureau's personas, as before), one by name or code, or all."""
    from xinfang.units import bureaus
    from xinfang.units.models import Unit, UnitKind

    if not name:
        return [None]
    if name == "all":
        return bureaus.all_bureaus()
    found = Unit.objects.filter(kind=UnitKind.BUREAU).filter(Q(name=name) | Q(code=name)).first()
    if found is None:
        raise SystemExit(f"no bureau named {name!r}")
    return [found]


def dates() -> dict[str, str]:
    from datetime import timedelta

    from django.utils import timezone

    today = timezone.localdate()
    year_start = today.replace(month=1, day=1)
    last_month = (today.replace(day=1) - timedelta(days=1)).strftime("%Y-%m")
    return {
        "{today}": today.isoformat(),
        "{year_start}": year_start.isoformat(),
        "{half_year}": year_start.replace(month=6, day=30).isoformat(),
        "{two_years_ago}": (today - timedelta(days=730)).isoformat(),
        "{last_month}": last_month,
    }


def measure(client: Client, url: str, repeat: int) -> dict:
    from django.core.cache import cache

    cold = url.startswith(COLD)
    client.get(url)  # warm-up: jieba, templates (and for cold pages, nothing cached is used)
    times, status, rows, size = [], None, None, None
    for _ in range(repeat):
        if cold:
            cache.clear()
        started = time.perf_counter()
        response = client.get(url)
        if response.streaming:  # exports: time the whole file, not the first chunk
            size = sum(len(chunk) for chunk in response.streaming_content)
        times.append((time.perf_counter() - started) * 1000)
        status = response.status_code
        if response.context is not None and "rows" in response.context:
            rows = len(response.context["rows"])
    times.sort()
    p95 = times[min(len(times) - 1, max(0, round(0.95 * len(times)) - 1))]
    return {
        "p50_ms": round(statistics.median(times), 1),
        "p95_ms": round(p95, 1),
        "status": status,
        "rows": rows,
        **({"bytes": size} if size is not None else {}),
    }


EXPORT_URL = "/inbox/export.xlsx?view=all"

# Run as `python -c PROBE <mode> <user id>` in a fresh process, from either tree (it uses only the
# test client, and the worker's jobs module in the "worker" mode).  ru_maxrss is in KiB on Linux.
PROBE = """
import json, os, resource, sys, time
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "xinfang.settings")
import django
django.setup()
from django.test import Client
from django.test.utils import override_settings
from xinfang.accounts.models import User

mode, user_id, url = sys.argv[1], int(sys.argv[2]), sys.argv[3]
user = User.objects.get(pk=user_id)
with override_settings(ALLOWED_HOSTS=["testserver"], DEBUG=False, SECURE_SSL_REDIRECT=False):
    client = Client()
    client.force_login(user)
    client.get("/inbox/?view=all")  # warm-up: imports, templates, translations
    warm = client.get(url + "&q=%E6%97%A0%E6%AD%A4%E5%86%85%E5%AE%B9zz")  # an empty export: openpyxl
    if warm.streaming:
        b"".join(warm.streaming_content)
    base = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
    started = time.perf_counter()
    response = client.get(url)
    size = None
    if response.streaming:  # the whole file, kept on disk to count its rows afterwards
        import tempfile
        body = tempfile.TemporaryFile()
        size = sum(body.write(chunk) for chunk in response.streaming_content)
    out = {"request_s": round(time.perf_counter() - started, 2), "status": response.status_code}
    rows = None
    if mode == "worker":
        from xinfang.inbox import jobs
        from xinfang.inbox.models import ExportJob

        job = ExportJob.objects.filter(owner=user).latest("pk")
        started = time.perf_counter()
        assert jobs.run(job.pk), "the job was not written"
        job.refresh_from_db()
        out["worker_s"] = round(time.perf_counter() - started, 2)
        size, rows = job.size, job.rows
        jobs.path_of(job).unlink()
        job.delete()
    peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
    if mode != "worker" and size:
        from openpyxl import load_workbook
        body.seek(0)
        rows = sum(1 for _ in load_workbook(body, read_only=True).active.iter_rows(values_only=True)) - 1
    out.update({"bytes": size, "rows": rows, "base_rss_mb": round(base / 1024, 1),
                "peak_rss_mb": round(peak / 1024, 1), "rss_growth_mb": round((peak - base) / 1024, 1)})
    print(json.dumps(out))
"""


def probe(mode: str, user, tree: Path) -> dict:
    env = {**os.environ, "PYTHONPATH": str(tree)}
    done = subprocess.run(
        [sys.executable, "-c", PROBE, mode, str(user.pk), EXPORT_URL],
        cwd=tree,
        env=env,
        capture_output=True,
        text=True,
        check=False,
    )
    if done.returncode != 0:
        raise SystemExit(f"export probe ({mode}) failed:\n{done.stderr[-3000:]}")
    return json.loads(done.stdout.strip().splitlines()[-1])


def measure_exports(before_tree: str) -> None:
    from xinfang.inbox import export

    user = persona(Role.BUREAU_LEADER)
    here = Path(__file__).resolve().parents[1]
    total = Petition.objects.count()
    results = {}
    if before_tree:
        results["before"] = probe("request", user, Path(before_tree).resolve())
        results["before"]["rows_note"] = f"the old export stopped at {export_cap(before_tree)} rows"
    results["after"] = probe("worker", user, here)
    for name, result in results.items():
        print(json.dumps({"export": name, "petitions": total, "page": EXPORT_URL, **result}), flush=True)
    if "before" in results:
        before, after = results["before"], results["after"]
        print(
            json.dumps(
                {
                    "export_ratio": True,
                    "petitions": total,
                    "request_time_before_over_after": round(before["request_s"] / after["request_s"], 1),
                    "generation_time_before_over_after": round(before["request_s"] / after["worker_s"], 2),
                    # The old export stopped at 50,000 rows: per row is the fair comparison above that.
                    "ms_per_row_before": round(1000 * before["request_s"] / max(before["rows"] or 1, 1), 3),
                    "ms_per_row_after": round(1000 * after["worker_s"] / max(after["rows"] or 1, 1), 3),
                    "ms_per_row_before_over_after": round(
                        (before["request_s"] / max(before["rows"] or 1, 1))
                        / (after["worker_s"] / max(after["rows"] or 1, 1)),
                        2,
                    ),
                    "rss_growth_before_over_after": round(
                        before["rss_growth_mb"] / max(after["rss_growth_mb"], 0.1), 1
                    ),
                    "peak_rss_before_over_after": round(before["peak_rss_mb"] / after["peak_rss_mb"], 2),
                    "rows_before": before.get("rows"),
                    "rows_after": after["rows"],
                    "max_rows_after": export.max_rows(),
                }
            ),
            flush=True,
        )


def export_cap(tree: str) -> str:
    """The row cap of the older export module (read from its source, it is not importable here)."""
    source = (Path(tree) / "xinfang" / "inbox" / "export.py").read_text(encoding="utf-8")
    line = next((ln for ln in source.splitlines() if ln.startswith("MAX_ROWS")), "MAX_ROWS = ?")
    return line.split("=", 1)[1].strip()


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--repeat", type=int, default=10)
    parser.add_argument(
        "--fill", type=int, default=0, help="fill an empty database with the test world first"
    )
    parser.add_argument(
        "--replicate-to", type=int, default=0, help="copy existing petitions up to N rows first"
    )
    parser.add_argument("--only", default="", help="time only pages whose URL contains this text")
    parser.add_argument("--exports", action="store_true", help="time the large export only (see above)")
    parser.add_argument("--before-tree", default="", help="with --exports: an older tree to compare with")
    parser.add_argument("--bureau", default="", help="personas of this bureau (name or code), or 'all'")
    parser.add_argument(
        "--as",
        dest="usernames",
        action="append",
        default=[],
        metavar="PERSONA=USERNAME",
        help="time a persona's pages as this user (e.g. bureau_leader=city_leader in a city installation)",
    )
    args = parser.parse_args()
    chosen = dict(pair.split("=", 1) for pair in args.usernames)
    if args.replicate_to:
        from replicate import replicate  # bench/replicate.py: every table of the matters

        print(json.dumps({"replicated": replicate(args.replicate_to)}), flush=True)
    if args.fill:
        fill(args.fill)
    total = Petition.objects.count()
    if total == 0:
        print(
            "skipped: no petitions in the configured database; run `xinfang generate --petitions N` "
            "and `xinfang search_index` first (or --fill N on an empty database)."
        )
        return
    if args.exports:
        measure_exports(args.before_tree)
        return
    sample = Petition.objects.order_by("-pk").values_list("pk", flat=True).first()
    if not args.only or "hotspots" in args.only or "monthly" in args.only:
        from xinfang.stats import topics

        started = time.perf_counter()
        assigned = topics.assign_pending()
        print(
            json.dumps({"hot_topics_assigned": assigned, "seconds": round(time.perf_counter() - started, 1)}),
            flush=True,
        )
    for bureau in chosen_bureaus(args.bureau):
        results = run_pages(args, bureau, sample, chosen)
        lists = [r for r in results if r["page"].startswith("/inbox/")]
        stats_pages = [r for r in results if r["persona"] == "bureau_leader"]
        print(
            json.dumps(
                {
                    "summary": True,
                    "bureau": bureau.name if bureau else None,
                    "petitions": total,
                    "vendor": connection.vendor,
                    "database": settings.DATABASES["default"]["NAME"],
                    "repeat": args.repeat,
                    "inbox_pages": len(lists),
                    "inbox_max_p50_ms": max((r["p50_ms"] for r in lists), default=None),
                    "inbox_max_p95_ms": max((r["p95_ms"] for r in lists), default=None),
                    "inbox_over_200ms": [r["page"] for r in lists if r["p50_ms"] > 200],
                    "leader_max_p50_ms": max((r["p50_ms"] for r in stats_pages), default=None),
                },
                ensure_ascii=False,
            ),
            flush=True,
        )


def run_pages(args, bureau, sample, chosen: dict) -> list[dict]:
    results = []
    with override_settings(ALLOWED_HOSTS=["testserver"], DEBUG=False, SECURE_SSL_REDIRECT=False):
        for role_name, urls in PAGES.items():
            user = (
                User.objects.filter(username=chosen[role_name]).first()
                if role_name in chosen
                else persona(role_name, bureau)
            )
            if user is None:
                print(json.dumps({"persona": role_name, "skipped": "no such user"}, ensure_ascii=False))
                continue
            client = Client()
            client.force_login(user)
            for url in urls:
                if args.only and args.only not in url:
                    continue
                for placeholder, value in dates().items():
                    url = url.replace(placeholder, value)
                if url == "{petition}":
                    from xinfang.petitions.access import visible_petitions

                    pk = (
                        visible_petitions(user).order_by("-pk").values_list("pk", flat=True).first() or sample
                    )
                    url = f"/petitions/{pk}/"
                result = {
                    "persona": role_name,
                    "user": user.username,
                    "unit": str(user.unit),
                    "page": url,
                    **measure(client, url, args.repeat),
                }
                results.append(result)
                print(json.dumps(result, ensure_ascii=False), flush=True)
    return results


if __name__ == "__main__":
    main()

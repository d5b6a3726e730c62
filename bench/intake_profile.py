"""Where the CPU of one API intake goes: N intakes in one process through Django's test client.

Each POST /api/v1/petitions carries an Idempotency-Key and a body from bench/intake.py. Prints one
JSON line: the statements of one intake, CPU milliseconds per intake of this process (Django, ninja,
the ORM, psycopg) and of its PostgreSQL backend (from /proc; PostgreSQL on this host only), and
wall milliseconds; with ``--top K``, the K functions of this repository with the largest cumulative
CPU under cProfile (whose own overhead inflates every figure in that list about four times: read
them as shares). ``--triage`` then drains the triage queue in the same process, as a worker does,
and adds its statements, CPU (process and backend) and wall milliseconds per petition. ``--tree DIR``
runs the same in another checkout (an older commit) in a child process, on the same database, for a
before/after ratio in one session.

    DATABASE_URL=postgres://… XINFANG_SECRET_KEY=… XINFANG_DATA_KEY=… \\
        .venv/bin/python bench/intake_profile.py --user bench_registrar -n 200 --tree /tmp/intake_before

The user must be allowed to register (a registrar of a bureau). The petitions are committed.
"""

from __future__ import annotations

import argparse
import cProfile
import json
import os
import pstats
import random
import subprocess
import sys
import time
import uuid
from pathlib import Path

BENCH = Path(__file__).resolve().parent


def profile_here(args) -> dict:
    root = Path(args.root).resolve() if args.root else BENCH.parent
    sys.path[:0] = [str(root), str(BENCH)]
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "xinfang.settings")
    import django

    django.setup()
    import intake  # bench/intake.py: the bodies
    from django.db import connection
    from django.test import Client
    from django.test.utils import CaptureQueriesContext

    from xinfang.accounts.models import ApiToken, User

    user = User.objects.get(username=args.user)
    token = ApiToken.issue(user, "bench/intake_profile.py")[1]
    client = Client(HTTP_AUTHORIZATION=f"Bearer {token}", HTTP_HOST="127.0.0.1")
    units = client.get("/api/v1/units").json()
    towns = [u["id"] for u in units if u["kind"] == "territorial" and u["level"] in {"town", "community"}]
    rng = random.Random(args.seed)
    bodies = [intake.make_body(rng, towns, []) for _ in range(args.n + 11)]

    def post(body: dict) -> None:
        response = client.post(
            "/api/v1/petitions",
            data=json.dumps(body, ensure_ascii=False),
            content_type="application/json",
            HTTP_IDEMPOTENCY_KEY=str(uuid.uuid4()),
        )
        assert response.status_code == 201, (response.status_code, response.content[:300])

    for body in bodies[:10]:  # warm-up: imports, caches, the connection
        post(body)
    with CaptureQueriesContext(connection) as queries:
        post(bodies[10])
    statements = len(queries.captured_queries)  # now: the next request clears the log
    with connection.cursor() as cursor:
        cursor.execute("SELECT pg_backend_pid()" if connection.vendor == "postgresql" else "SELECT 0")
        backend = cursor.fetchone()[0]

    def backend_cpu() -> float:
        if not backend:
            return 0.0
        fields = Path(f"/proc/{backend}/stat").read_text().rsplit(")", 1)[1].split()
        return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")

    measured = bodies[11:]
    db0, cpu0, wall0 = backend_cpu(), time.process_time(), time.perf_counter()
    for body in measured:
        post(body)
    n = len(measured)
    result = {
        "benchmark": "api_intake_profile",
        "tree": str(root),
        "n": n,
        "statements_per_intake": statements,
        "client_cpu_ms_per_intake": round((time.process_time() - cpu0) * 1000 / n, 2),
        "db_backend_cpu_ms_per_intake": round((backend_cpu() - db0) * 1000 / n, 2),
        "wall_ms_per_intake": round((time.perf_counter() - wall0) * 1000 / n, 2),
        "database": connection.vendor,
        "load_average_1min": round(os.getloadavg()[0], 2),
    }
    if args.triage:
        result.update(drain_triage(connection, backend_cpu))
    if args.top:
        profiler = cProfile.Profile(time.process_time)
        sample = [intake.make_body(rng, towns, []) for _ in range(min(n, 100))]
        profiler.enable()
        for body in sample:
            post(body)
        profiler.disable()
        stats = pstats.Stats(profiler).stats
        mine = [
            (cumulative, f"{Path(file).relative_to(root)}:{line}({name})")
            for (file, line, name), (_, _, _, cumulative, _) in stats.items()
            if file.startswith(str(root / "xinfang"))
        ]
        result["top_profiled_cpu_ms_per_intake"] = {
            where: round(cumulative * 1000 / len(sample), 2)
            for cumulative, where in sorted(mine, reverse=True)[: args.top]
        }
    return result


def drain_triage(connection, backend_cpu) -> dict:
    """The worker's side: drain the triage queue (these intakes and any earlier) in this process."""
    from django.test.utils import CaptureQueriesContext

    from xinfang.triage import queue

    queue.drain(limit=5)  # warm-up: the models, the index snapshot
    with CaptureQueriesContext(connection) as queries:
        counted = queue.drain(limit=20)
    statements = len(queries.captured_queries)
    db0, cpu0, wall0 = backend_cpu(), time.process_time(), time.perf_counter()
    done = 0
    while batch := queue.drain(limit=50):
        done += batch
    if not done:
        return {"triage_n": 0}
    return {
        "triage_n": done,
        "triage_statements_per_petition": round(statements / max(counted, 1), 1),
        "triage_cpu_ms_per_petition": round((time.process_time() - cpu0) * 1000 / done, 2),
        "triage_db_backend_cpu_ms_per_petition": round((backend_cpu() - db0) * 1000 / done, 2),
        "triage_wall_ms_per_petition": round((time.perf_counter() - wall0) * 1000 / done, 2),
    }


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--user", required=True, help="a registrar's username")
    parser.add_argument("-n", type=int, default=200)
    parser.add_argument("--seed", type=int, default=11)
    parser.add_argument("--top", type=int, default=0, help="also list the K costliest functions (cProfile)")
    parser.add_argument(
        "--triage", action="store_true", help="then drain the triage queue as the worker does"
    )
    parser.add_argument("--tree", help="another checkout to measure first, in a child process")
    parser.add_argument("--root", help=argparse.SUPPRESS)  # the checkout a child process measures
    args = parser.parse_args()
    if args.tree:
        tree = Path(args.tree).resolve()
        command = [sys.executable, __file__, "--user", args.user, "-n", str(args.n), "--seed", str(args.seed)]
        command += ["--top", str(args.top), "--root", str(tree)] + (["--triage"] if args.triage else [])
        subprocess.run(command, cwd=tree, env=dict(os.environ, PYTHONPATH=str(tree)), check=True)
    print(json.dumps(profile_here(args), ensure_ascii=False), flush=True)


if __name__ == "__main__":
    main()

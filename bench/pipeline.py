"""Intake and triage together: petitions registered through the API and triaged by a worker.

For each source tree given (``--tree`` more than once: an older checkout first, this one after; the
trees alternate for ``--rounds``), on one PostgreSQL database: start ``xinfang serve --processes P``
and ``--workers`` ``xinfang worker`` processes of that tree, post N petitions from C clients (bench/intake.py's bodies,
each with an Idempotency-Key), then wait until every one of them has its triage record. Prints one
JSON line per run:

- intake: requests a second, latency p50 / p95;
- pipeline: petitions a second from the first request to the last triage stored (what the machine
  sustains with triage keeping up), and the triage lag of each petition (record computed − registered);
- CPU milliseconds per petition of the web processes, of the worker and of their database backends.

    DATABASE_URL=postgres://… XINFANG_SECRET_KEY=… XINFANG_DATA_KEY=… XINFANG_DEBUG=0 \\
        .venv/bin/python bench/pipeline.py --user registrar --tree /tmp/before --tree . -n 1200 -c 16

The database needs a bureau registrar (``--user``); trained models and an index snapshot in
``XINFANG_VAR_DIR`` make the worker's triage what a bureau runs.
"""

from __future__ import annotations

import argparse
import json
import os
import random
import subprocess
import sys
import time
from pathlib import Path

BENCH = Path(__file__).resolve().parent
sys.path.insert(0, str(BENCH))

import intake  # noqa: E402  (bodies, the load, the server of a tree, CPU readings)


class Worker(intake.TreeProcess):
    """``xinfang worker`` of one tree."""

    def __init__(self, label: str, tree: Path, log_dir: Path, interval: float) -> None:
        command = ["worker", "--interval", str(interval)]
        super().__init__(label, tree, f"xf_pipeline_worker_{label}", command, log_dir)


def _cpu_of(workers: list[Worker], connection) -> tuple[dict[int, float], dict[int, float]]:
    processes: dict[int, float] = {}
    backends: dict[int, float] = {}
    for worker in workers:
        mine, theirs = worker.cpu(connection)
        processes.update(mine)
        backends.update(theirs)
    return processes, backends


def wait_triaged(first_pk: int, n: int, timeout: float) -> float:
    """Seconds on the monotonic clock when the run's ``n`` petitions all have a triage record."""
    from django.db import connection

    from xinfang.triage.models import TriageRecord

    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        done = TriageRecord.objects.filter(petition_id__gt=first_pk).count()
        connection.close()  # a fresh snapshot next time, no transaction left open
        if done >= n:
            return time.monotonic()
        time.sleep(0.25)
    raise SystemExit(f"triage did not finish within {timeout} s")


def lags(first_pk: int) -> list[float]:
    from django.db.models import F

    from xinfang.triage.models import TriageRecord

    rows = TriageRecord.objects.filter(petition_id__gt=first_pk).annotate(
        registered=F("petition__registered_at")
    )
    return [(r.computed_at - r.registered).total_seconds() for r in rows]


def one_run(args, label: str, tree: Path, token: str, bodies: list[dict], log_dir: Path) -> dict:
    from django.db import connection

    from xinfang.petitions.models import Petition

    server = intake.Server(label, tree, args.port, args.processes, args.threads, log_dir)
    workers = [Worker(f"{label}_{k}", tree, log_dir, args.worker_interval) for k in range(args.workers)]
    try:
        client = server.wait_ready(token)
        warm_pk = Petition.objects.order_by("-pk").values_list("pk", flat=True).first() or 0
        for body in bodies[:10]:  # warm both up: imports, models, the index snapshot
            client.call("POST", "/petitions", body, {"Idempotency-Key": os.urandom(16).hex()})
        wait_triaged(warm_pk, 10, args.timeout)
        time.sleep(args.settle)
        first_pk = Petition.objects.order_by("-pk").values_list("pk", flat=True).first() or 0
        cpu_before = server.cpu(connection), _cpu_of(workers, connection)
        started = time.monotonic()
        result = intake.run_load(client, bodies[10:], args.concurrency)
        triaged = wait_triaged(first_pk, len(bodies) - 10 - result["errors"], args.timeout)
        cpu_after = server.cpu(connection), _cpu_of(workers, connection)
        lag = lags(first_pk)
    finally:
        server.stop()
        for worker in workers:
            worker.stop()
    n = result["n"]
    spent = [
        intake.cpu_spent(before[k], after[k]) * 1000 / n
        for before, after in zip(cpu_before, cpu_after, strict=True)
        for k in (0, 1)
    ]
    return {
        "benchmark": "intake_pipeline",
        "tree": label,
        "n": n,
        "errors": result["errors"],
        "concurrency": args.concurrency,
        "workers": args.workers,
        "intake_req_s": result["throughput_req_s"],
        "intake_latency_ms_p50": result["latency_ms_p50"],
        "intake_latency_ms_p95": result["latency_ms_p95"],
        "pipeline_petitions_s": round(n / (triaged - started), 1),
        "triage_lag_s_p50": round(intake.percentile(lag, 50), 1),
        "triage_lag_s_p95": round(intake.percentile(lag, 95), 1),
        "triage_lag_s_max": round(max(lag), 1) if lag else 0.0,
        "cpu_ms_per_petition": {
            "web": round(spent[0], 1),
            "web_db": round(spent[1], 1),
            "worker": round(spent[2], 1),
            "worker_db": round(spent[3], 1),
        },
        "load_average": intake.load_average(),
    }


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--user", required=True, help="a registrar of a bureau")
    parser.add_argument(
        "--tree", action="append", required=True, help="a source tree (repeat: before, after)"
    )
    parser.add_argument("-n", type=int, default=1200)
    parser.add_argument("-c", "--concurrency", type=int, default=16)
    parser.add_argument("--rounds", type=int, default=1, help="runs per tree, alternating")
    parser.add_argument("--processes", type=int, default=2)
    parser.add_argument("--workers", type=int, default=1, help="xinfang worker processes")
    parser.add_argument(
        "--worker-interval",
        type=float,
        default=30.0,
        help="seconds between the workers' periodic passes (a database with a backlog of deadline "
        "warnings: set it above a run's length and --settle past the first pass)",
    )
    parser.add_argument("--threads", type=int, default=8)
    parser.add_argument("--port", type=int, default=8730)
    parser.add_argument("--settle", type=float, default=5.0, help="seconds after the warm-up")
    parser.add_argument("--timeout", type=float, default=1800.0)
    parser.add_argument("--seed", type=int, default=2026)
    parser.add_argument("--log-dir", default="/tmp/xf_pipeline")
    args = parser.parse_args()
    if not os.environ.get("DATABASE_URL", "").startswith("postgres"):
        raise SystemExit("set DATABASE_URL to a PostgreSQL database (the CPU of its backends is read)")
    token, _ = intake.make_token(args.user)
    log_dir = Path(args.log_dir)
    log_dir.mkdir(parents=True, exist_ok=True)
    probe = intake.Server("probe", Path(args.tree[-1]).resolve(), args.port, 1, 2, log_dir)
    try:
        towns, leaves = intake.reference(probe.wait_ready(token))
    finally:
        probe.stop()
    trees = [Path(t).resolve() for t in args.tree]
    # One pass of the periodic jobs first (rollups, detectors, the sweep), so the first run does
    # not pay for bringing them up to date.
    subprocess.run([sys.executable, "-m", "xinfang.cli", "worker", "--once"], cwd=trees[-1], check=True)
    order = []
    for round_ in range(args.rounds):
        order += trees if round_ % 2 == 0 else trees[::-1]
    for number, tree in enumerate(order):
        rng = random.Random(args.seed + number)
        bodies = [intake.make_body(rng, towns, leaves) for _ in range(args.n + 10)]
        label = f"{trees.index(tree)}_{tree.name}_{number}"
        print(json.dumps(one_run(args, label, tree, token, bodies, log_dir), ensure_ascii=False), flush=True)


if __name__ == "__main__":
    main()

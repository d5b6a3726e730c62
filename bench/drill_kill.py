"""Kill drill: intakes survive kill -9 of the web processes, of a worker, and a PostgreSQL
restart; afterwards every stored petition gets its triage, notifications and deadline warnings.

--mode api (default): API intakes with Idempotency-Keys, retried with the same key.
--mode portal: the public form with its one-time submission token, retried with the same
token, and double-submitted (drill_portal.py).

Needs a PostgreSQL database of its own that it fills (default h_ops_drill: dropped and recreated),
XINFANG_SECRET_KEY / XINFANG_DATA_KEY in the environment (production mode) and root for
`pg_ctlcluster` (skip that step with --no-pg-restart).  Prints one JSON line: acknowledged,
stored, duplicated, lost, retries, and the follow-up counts.

    .venv/bin/python bench/drill_kill.py --clients 8 --per-client 40
    .venv/bin/python bench/drill_kill.py --mode portal --clients 8 --per-client 25
"""

from __future__ import annotations

import argparse
import json
import os
import random
import signal
import subprocess
import sys
import threading
import time
import urllib.request
import uuid
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT / "bench"))
sys.path.insert(0, str(ROOT))

from intake import Client, make_body  # noqa: E402

PY = sys.executable


def sh(*args, env, check=True, **kw):
    return subprocess.run(
        [PY, "-m", "xinfang.cli", *args], env=env, check=check, capture_output=True, text=True, **kw
    )


def start(args_list, env, log: Path) -> subprocess.Popen:
    # A process group of its own, so kill -9 reaches gunicorn's master and its workers.
    return subprocess.Popen(
        [PY, "-m", "xinfang.cli", *args_list],
        env=env,
        stdout=open(log, "ab"),
        stderr=subprocess.STDOUT,
        start_new_session=True,
    )


def kill9(proc: subprocess.Popen) -> None:
    try:
        os.killpg(proc.pid, signal.SIGKILL)
    except ProcessLookupError:
        pass
    proc.wait()


def wait_up(url: str, seconds: float = 120) -> float:
    started = time.monotonic()
    while time.monotonic() - started < seconds:
        try:
            with urllib.request.urlopen(url + "/login/", timeout=5) as r:
                if r.status == 200:
                    return time.monotonic() - started
        except OSError:
            pass
        time.sleep(0.5)
    raise SystemExit("server did not come up")


# "Today" as the application counts it (settings.TIME_ZONE): psql's current_date is the server's, which
# after 16:00 UTC is a day behind the bureau's and counted fewer overdue deadlines than warnings.
TODAY = "(now() AT TIME ZONE 'Asia/Shanghai')::date"


def psql(db: str, sql: str) -> str:
    out = subprocess.run(
        ["psql", "-h", "127.0.0.1", "-U", "postgres", "-d", db, "-tAc", sql], capture_output=True, text=True
    )
    return out.stdout.strip()


def database_outage(db: str, seconds: float) -> None:
    """What a restart does to the drill's database alone: every session cut, no new one for a while."""
    psql("postgres", f'ALTER DATABASE "{db}" ALLOW_CONNECTIONS false')
    try:
        psql(
            "postgres",
            f"SELECT count(pg_terminate_backend(pid)) FROM pg_stat_activity WHERE datname = '{db}'",
        )
        time.sleep(seconds)
    finally:
        psql("postgres", f'ALTER DATABASE "{db}" ALLOW_CONNECTIONS true')


def api_clients(args, url: str, token: str, marker: str):
    """Threads posting API intakes with Idempotency-Keys; (acknowledged key → id, threads, [retries])."""
    client = Client(url, token, timeout=15)
    _, units = client.call("GET", "/units")
    towns = [u["id"] for u in units if u["kind"] == "territorial" and u["level"] in {"town", "community"}]
    acknowledged: dict[str, int] = {}
    retries = [0]
    lock = threading.Lock()

    def client_thread(n: int) -> None:
        rng = random.Random(n)
        for i in range(args.per_client):
            key = f"{marker}-{n}-{i}"
            body = make_body(rng, towns, [])
            body["content"] += f"（{key}）"
            deadline = time.monotonic() + 300
            while time.monotonic() < deadline:
                try:
                    status, answer = client.call("POST", "/petitions", body, {"Idempotency-Key": key})
                except Exception:  # noqa: BLE001 - refused, reset, timed out: not acknowledged
                    status, answer = 0, None
                if status in (200, 201):
                    with lock:
                        acknowledged[key] = answer["id"]
                    break
                with lock:
                    retries[0] += 1
                time.sleep(0.5)  # unacknowledged: retry with the same key

    threads = [threading.Thread(target=client_thread, args=(n,)) for n in range(args.clients)]
    return acknowledged, threads, retries


def portal_clients(args, env: dict, url: str, marker: str):
    """The portal's citizens (drill_portal.py); the captcha needs this process's settings."""
    os.environ.update({k: env[k] for k in ("DATABASE_URL", "XINFANG_DEBUG", "XINFANG_VAR_DIR")})
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "xinfang.settings")
    import django

    django.setup()
    from drill_portal import PortalClients

    return PortalClients(url=url, db=args.db, clients=args.clients, per_client=args.per_client, marker=marker)


def drill(args, env: dict, url: str, token: str, serve: list[str], logs: Path, procs: dict) -> dict:
    """Clients, kills and restarts, then the counts (procs: the running processes, replaced on restart)."""
    wait_up(url)

    total = args.clients * args.per_client
    marker = f"drill{uuid.uuid4().hex[:8]}"  # ASCII: it is part of the Idempotency-Key header
    if args.mode == "portal":
        runner = portal_clients(args, env, url, marker)
        acknowledged, threads = runner.acknowledged, runner.threads()
    else:
        acknowledged, threads, api_retries = api_clients(args, url, token, marker)
    for t in threads:
        t.start()
    timeline = []

    def at_fraction(f: float) -> None:
        while len(acknowledged) < total * f and any(t.is_alive() for t in threads):  # noqa: ASYNC110
            time.sleep(0.05)

    at_fraction(0.25)
    kill9(procs["web"])
    timeline.append(("web killed -9", len(acknowledged)))
    procs["web"] = start(serve, env, logs / "web.log")
    timeline.append(("web back after s", round(wait_up(url), 1)))
    at_fraction(0.45)
    kill9(procs["worker0"])
    timeline.append(("worker 0 killed -9", len(acknowledged)))
    procs["worker0"] = start(["worker", "--interval", "5"], env, logs / "worker0.log")
    if not args.no_pg_restart:
        at_fraction(0.65)
        if args.pg_outage is not None:
            timeline.append(("postgresql outage of the drill database", len(acknowledged)))
            database_outage(args.db, args.pg_outage)
        else:
            timeline.append(("postgresql restart", len(acknowledged)))
            subprocess.run(["pg_ctlcluster", args.pg_version, "main", "restart"], check=True)
    for t in threads:
        t.join()

    # Follow-up work after the restarts: wait for the triage queue and the outbox to drain.
    db = args.db
    like = f"%（{marker}-%"
    mine = f"FROM petitions_petition p WHERE p.content LIKE '{like}'"
    waited = 0.0
    while waited < 300:
        pending = int(
            psql(
                db,
                f"SELECT count(*) FROM triage_triagepending q JOIN petitions_petition p ON p.id = q.petition_id WHERE p.content LIKE '{like}'",
            )
            or 0
        )
        unsent = int(
            psql(
                db,
                f"SELECT count(*) FROM notifications_notification n JOIN petitions_petition p ON p.id = n.petition_id WHERE p.content LIKE '{like}' AND n.status <> 'sent'",
            )
            or 0
        )
        unacknowledged = int(
            psql(
                db,
                f"SELECT count(*) {mine} AND NOT EXISTS (SELECT 1 FROM notifications_notification n WHERE n.petition_id = p.id AND n.template = 'registered') AND EXISTS (SELECT 1 FROM petitions_petitionpetitioner pp JOIN petitions_petitioner r ON r.id = pp.petitioner_id WHERE pp.petition_id = p.id AND (r.phone_hash <> '' OR r.email <> ''))",
            )
            or 0
        )
        if pending == 0 and unsent == 0 and unacknowledged == 0:
            break
        time.sleep(2)
        waited += 2
    stored = int(psql(db, f"SELECT count(*) {mine}"))
    distinct = int(
        psql(db, f"SELECT count(DISTINCT substring(p.content from '（({marker}-[0-9]+-[0-9]+)）')) {mine}")
    )
    # The API acknowledges with the petition's id, the portal with its case number.
    column = "p.case_number" if args.mode == "portal" else "p.id"
    acknowledged_refs = {str(v) for v in acknowledged.values()}
    stored_refs = set(psql(db, f"SELECT {column} {mine}").split())
    result = {
        "benchmark": "drill_kill",
        "mode": args.mode,
        "clients": args.clients,
        "requests": total,
        "acknowledged": len(acknowledged),
        "stored": stored,
        "duplicated": stored - distinct,
        "lost": len(acknowledged_refs - stored_refs),
        **({"retries": api_retries[0]} if args.mode == "api" else runner.counts),
        "timeline": timeline,
        "triage_records": int(
            psql(
                db,
                f"SELECT count(*) {mine} AND EXISTS (SELECT 1 FROM triage_triagerecord r WHERE r.petition_id = p.id)",
            )
        ),
        "triage_pending_after_s": [pending, waited],
        "reachable_petitions": int(
            psql(
                db,
                f"SELECT count(*) {mine} AND EXISTS (SELECT 1 FROM petitions_petitionpetitioner pp JOIN petitions_petitioner r ON r.id = pp.petitioner_id WHERE pp.petition_id = p.id AND (r.phone_hash <> '' OR r.email <> ''))",
            )
        ),
        "with_registered_notification": int(
            psql(
                db,
                f"SELECT count(*) {mine} AND EXISTS (SELECT 1 FROM notifications_notification n WHERE n.petition_id = p.id AND n.template = 'registered')",
            )
        ),
        "notifications_sent": int(
            psql(
                db,
                f"SELECT count(*) FROM notifications_notification n JOIN petitions_petition p ON p.id = n.petition_id WHERE p.content LIKE '{like}' AND n.status = 'sent'",
            )
        ),
        "with_deadline": int(
            psql(
                db,
                f"SELECT count(*) {mine} AND EXISTS (SELECT 1 FROM petitions_deadline d WHERE d.petition_id = p.id)",
            )
        ),
        "overdue_route_deadlines": int(
            psql(
                db,
                f"SELECT count(*) FROM petitions_deadline d JOIN petitions_petition p ON p.id = d.petition_id WHERE p.content LIKE '{like}' AND d.met_at IS NULL AND NOT d.cancelled AND d.due < {TODAY}",
            )
        ),
        "overdue_warnings": int(
            psql(
                db,
                f"SELECT count(*) FROM alerts_alert a JOIN petitions_petition p ON p.id = a.petition_id WHERE p.content LIKE '{like}' AND a.kind = 'overdue'",
            )
        ),
    }
    return result


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--mode", choices=["api", "portal"], default="api")
    parser.add_argument("--db", default="h_ops_drill")
    parser.add_argument("--port", type=int, default=18730)
    parser.add_argument("--clients", type=int, default=8)
    parser.add_argument("--per-client", type=int, default=40)
    parser.add_argument("--processes", type=int, default=2)
    parser.add_argument("--pg-version", default="15")
    parser.add_argument("--no-pg-restart", action="store_true")
    parser.add_argument(
        "--pg-outage",
        type=float,
        metavar="SECONDS",
        help="instead of restarting the cluster (which cuts every database on it), cut only the drill's "
        "database: refuse new connections, terminate its sessions, and let them back after SECONDS",
    )
    parser.add_argument("--logs", default="/tmp/xinfang-drill")
    args = parser.parse_args()

    logs = Path(args.logs)
    logs.mkdir(parents=True, exist_ok=True)
    env = {
        **os.environ,
        "DATABASE_URL": f"postgres://postgres@127.0.0.1:5432/{args.db}",
        "XINFANG_DEBUG": "0",
        "XINFANG_VAR_DIR": str(logs / "var"),
        "PYTHONPATH": str(ROOT),
        # Repair messages lost with a killed request after 30 s instead of 5 min.
        "XINFANG_NOTIFICATION_REPAIR_SECONDS": "30",
        # Plain HTTP on the loopback: no redirect to https.
        "XINFANG_SSL_REDIRECT": os.environ.get("XINFANG_SSL_REDIRECT", "0"),
    }
    psql("postgres", f'DROP DATABASE IF EXISTS "{args.db}" WITH (FORCE)')
    psql("postgres", f'CREATE DATABASE "{args.db}"')
    sh("generate", "--petitions", "300", env=env)
    token = (
        sh("token", "create", "--user", "registrar", "--name", "drill", env=env)
        .stdout.strip()
        .splitlines()[-1]
    )
    url = f"http://127.0.0.1:{args.port}"
    serve = ["serve", "--port", str(args.port), "--processes", str(args.processes), "--threads", "4"]
    procs = {"web": start(serve, env, logs / "web.log")}
    procs.update(
        {f"worker{i}": start(["worker", "--interval", "5"], env, logs / f"worker{i}.log") for i in range(2)}
    )
    try:
        result = drill(args, env, url, token, serve, logs, procs)
    finally:
        for proc in procs.values():
            kill9(proc)
    print(json.dumps(result, ensure_ascii=False), flush=True)


if __name__ == "__main__":
    main()

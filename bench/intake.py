"""Benchmark: register N petitions through the JSON API of a running server.

Each request is POST /api/v1/petitions with a varied, realistic Chinese body and
its own Idempotency-Key, sent from --concurrency threads (urllib only).  Prints
one JSON line: n, errors, latency percentiles (ms), throughput, wall seconds and
the database vendor.  See bench/README.md.

    .venv/bin/python bench/intake.py --make-token registrar -n 500
    .venv/bin/python bench/intake.py --token xf_... --url http://127.0.0.1:8000 -n 10000 --concurrency 8

``--compare BEFORE_TREE`` (PostgreSQL) starts two servers itself, one of BEFORE_TREE (an older
checkout, e.g. ``git worktree add --detach /tmp/intake_before main``) and one of this tree, on the
same database, and alternates the runs between them (before, after, after, before … per
concurrency in ``--concurrency-list``); besides the latencies it reports the CPU milliseconds per
intake of the server processes and of their PostgreSQL backends, read from /proc.
"""

from __future__ import annotations

import argparse
import json
import os
import random
import statistics
import subprocess
import sys
import threading
import time
import urllib.error
import urllib.request
import uuid
from concurrent.futures import ThreadPoolExecutor
from datetime import date, datetime, timedelta
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from xinfang.lib.idcard import id_check_digit  # noqa: E402  (stdlib + cryptography only, no Django)

SURNAMES = (
    "王李张刘陈杨黄赵吴周徐孙马朱胡郭何高林罗郑梁谢宋唐许韩冯邓曹彭曾肖田董袁潘于蒋蔡余杜叶程苏魏吕丁任沈姚卢"
)
GIVEN = "伟芳娜秀英敏静丽强磊军洋勇艳杰娟涛明超秀兰霞平刚桂英华建国志红玉兰春梅海燕文斌小龙晓东雪梅永刚德胜"
PLACES = [
    "朝阳小区",
    "幸福路",
    "新海花园",
    "海连中路",
    "苍梧小区",
    "巨龙北路",
    "通灌南路",
    "盐河巷",
    "陇海步行街",
    "郁洲南路",
    "凤凰新城",
    "解放东路",
    "瀛洲路",
    "新浦公园北侧",
    "花果山大道",
    "孔望山路",
]
AREA_CODES = ["320706", "320705", "320703", "320707", "320722", "320723", "320724"]

# (title template, request, facts) per theme: {place} and {n} are filled in.
THEMES = [
    (
        "{place}物业擅自提高停车费",
        "要求物业公司退还多收的停车费并公示收费标准",
        "{place}物业公司未经业主大会同意，将月租车位费由{n}0元提高到{n}50元，多次协商无果。",
    ),
    (
        "{place}施工夜间噪音扰民",
        "要求依法查处夜间违规施工",
        "{place}附近工地连续{n}天夜间施工至凌晨，严重影响周边居民休息，拨打热线未解决。",
    ),
    (
        "拖欠农民工工资{n}万元",
        "要求督促建设单位支付拖欠的工资",
        "本人与工友{n}人在{place}项目务工，包工头以工程款未结算为由拖欠工资至今。",
    ),
    (
        "{place}老旧小区加装电梯受阻",
        "要求协调加装电梯事宜",
        "{place}{n}号楼多数业主同意加装电梯，但低层住户反对，街道协调{n}次未果。",
    ),
    (
        "{place}道路破损积水",
        "要求尽快维修道路和排水设施",
        "{place}路段路面塌陷{n}处，雨天积水深达半米，行人车辆通行困难，存在安全隐患。",
    ),
    (
        "对{place}征收补偿标准有异议",
        "要求重新评估房屋补偿价格",
        "本人房屋位于{place}征收范围，评估价格明显低于周边同类房屋市场价{n}成以上。",
    ),
    (
        "建议增设{place}公交站点",
        "建议在{place}增设公交站点并延长运营时间",
        "{place}周边新建小区入住居民{n}千余户，最近的公交站步行需{n}0分钟，出行不便。",
    ),
    (
        "{place}餐饮店油烟污染",
        "要求督促商户安装油烟净化设施",
        "{place}沿街{n}家餐饮店油烟直排，居民无法开窗，向有关部门反映后仍未整改。",
    ),
    (
        "反映{place}学校违规收费",
        "要求退还违规收取的费用",
        "{place}某校以资料费名义向每名学生收取{n}00元，未出具正规票据。",
    ),
    (
        "{place}供暖温度不达标",
        "要求供热企业保障室温达标",
        "入冬以来{place}小区室内温度长期低于{n}度，多次报修供热公司未予处理。",
    ),
]
CHANNELS = ["visit"] * 3 + ["letter"] * 2 + ["phone"] * 2 + ["online"] * 4 + ["fax"]
ONLINE_SOURCES = ["portal", "wechat", "app", "hotline_12345", "weibo"]
CLASSES = ["claim"] * 5 + ["suggestion"] * 2 + ["accusation", ""]


def person_name(rng: random.Random) -> str:
    return rng.choice(SURNAMES) + "".join(rng.choice(GIVEN) for _ in range(rng.choice([1, 2, 2])))


def id_number(rng: random.Random) -> str:
    born = date(1950, 1, 1) + timedelta(days=rng.randrange(365 * 55))
    first17 = f"{rng.choice(AREA_CODES)}{born:%Y%m%d}{rng.randrange(1000):03d}"
    return first17 + id_check_digit(first17)


def petitioner(rng: random.Random, representative: bool = False) -> dict:
    place = rng.choice(PLACES)
    return {
        "name": person_name(rng),
        "id_number": id_number(rng) if rng.random() < 0.8 else "",
        "phone": f"1{rng.choice('3456789')}{rng.randrange(10**9):09d}",
        "address": f"连云港市海州区{place}{rng.randrange(1, 40)}号{rng.randrange(1, 30)}0{rng.randrange(1, 5)}室",
        "is_representative": representative,
    }


def make_body(rng: random.Random, towns: list[int], categories: list[int]) -> dict:
    title, request, facts = rng.choice(THEMES)
    place, n = rng.choice(PLACES), rng.randrange(2, 9)
    channel = rng.choice(CHANNELS)
    people = [petitioner(rng)]
    if rng.random() < 0.1:  # a group visit: six people, two of them chosen as representatives
        people = [petitioner(rng, representative=i < 2) for i in range(6)]
    received = datetime.now() - timedelta(minutes=rng.randrange(10, 60 * 24 * 30))
    facts_text = facts.format(place=place, n=n)
    body = {
        "channel": channel,
        "source": rng.choice(ONLINE_SOURCES) if channel == "online" else "",
        "received_at": received.replace(microsecond=0).isoformat(),
        "title": title.format(place=place, n=n),
        "request": request.format(place=place, n=n),
        "facts_reasons": facts_text,
        "content": f"{facts_text}{request.format(place=place, n=n)}，请有关部门依法处理。",
        "place_address": f"连云港市海州区{place}",
        "petition_class": rng.choice(CLASSES),
        "is_urgent": rng.random() < 0.03,
        "petitioners": people,
        "head_count": len(people) + (rng.randrange(0, 20) if len(people) > 1 else 0),
    }
    if towns and rng.random() < 0.8:
        body["town_id"] = rng.choice(towns)
    if categories and rng.random() < 0.7:
        body["category_id"] = rng.choice(categories)
    return body


class Client:
    def __init__(self, url: str, token: str, timeout: float = 60.0) -> None:
        self.base = url.rstrip("/") + "/api/v1"
        self.headers = {"Authorization": f"Bearer {token}", "Content-Type": "application/json"}
        self.timeout = timeout

    def call(self, method: str, path: str, body: dict | None = None, headers: dict | None = None):
        data = json.dumps(body, ensure_ascii=False).encode() if body is not None else None
        request = urllib.request.Request(
            self.base + path, data=data, method=method, headers={**self.headers, **(headers or {})}
        )
        try:
            with urllib.request.urlopen(request, timeout=self.timeout) as response:
                return response.status, json.loads(response.read() or b"null")
        except urllib.error.HTTPError as exc:
            payload = exc.read()
            try:
                return exc.code, json.loads(payload)
            except ValueError:
                return exc.code, {"error": payload[:200].decode(errors="replace")}


def make_token(username: str) -> tuple[str, str]:
    """A new API token for USERNAME, created through Django with the configured
    database (DATABASE_URL / XINFANG_VAR_DIR); returns (token, database vendor)."""
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "xinfang.settings")
    import django

    django.setup()
    from django.db import connection

    from xinfang.accounts.models import ApiToken, User

    user = User.objects.filter(username=username).first()
    if user is None:
        raise SystemExit(f"no such user: {username}")
    return ApiToken.issue(user, "bench/intake.py")[1], connection.vendor


def vendor_from_env() -> str:
    url = os.environ.get("DATABASE_URL", "")
    if not url:
        return "sqlite (assumed: DATABASE_URL not set)"
    scheme = url.split(":", 1)[0]
    return "postgresql" if scheme.startswith("postgres") else scheme


def percentile(values: list[float], q: float) -> float:
    if not values:
        return 0.0
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, max(0, round(q / 100 * len(ordered)) - 1))]


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--url", default="http://127.0.0.1:8000")
    auth = parser.add_mutually_exclusive_group(required=True)
    auth.add_argument("--token", help="an API token (xf_...)")
    auth.add_argument("--make-token", metavar="USERNAME", help="create a token for USERNAME through Django")
    parser.add_argument("-n", type=int, default=10_000, help="number of petitions (default 10000)")
    parser.add_argument("--concurrency", type=int, default=4, help="threads (default 4)")
    parser.add_argument("--seed", type=int, default=2026)
    parser.add_argument(
        "--compare", metavar="BEFORE_TREE", help="run an older tree and this one side by side"
    )
    parser.add_argument("--concurrency-list", default="1,8", help="with --compare (default 1,8)")
    parser.add_argument("--rounds", type=int, default=2, help="with --compare: runs per tree and concurrency")
    parser.add_argument("--processes", type=int, default=2, help="with --compare: gunicorn processes")
    parser.add_argument("--threads", type=int, default=8, help="with --compare: threads per process")
    parser.add_argument("--port-base", type=int, default=8710, help="with --compare: before, after on +0, +1")
    parser.add_argument("--log-dir", default="/tmp/xf_intake_compare", help="with --compare: server logs")
    args = parser.parse_args()

    if args.make_token:
        token, vendor = make_token(args.make_token)
    else:
        token, vendor = args.token, vendor_from_env()
    if args.compare:
        if not args.make_token:
            raise SystemExit("--compare needs --make-token USERNAME")
        compare(args, token)
        return
    client = Client(args.url, token)
    try:
        client.call("GET", "/units")
    except OSError as exc:
        raise SystemExit(f"server not reachable at {args.url}: {exc}") from None
    towns, leaves = reference(client)
    rng = random.Random(args.seed)
    bodies = [make_body(rng, towns, leaves) for _ in range(args.n)]
    result = run_load(client, bodies, args.concurrency)
    print(
        json.dumps({"benchmark": "api_intake", **result, "database": vendor}, ensure_ascii=False), flush=True
    )


def reference(client: Client) -> tuple[list[int], list[int]]:
    """The towns and leaf categories the bodies may name."""
    status, units = client.call("GET", "/units")
    if status != 200:
        raise SystemExit(f"GET /units answered {status}: {units}")
    towns = [u["id"] for u in units if u["kind"] == "territorial" and u["level"] in {"town", "community"}]
    _, categories = client.call("GET", "/categories")
    leaves = {c["id"] for c in categories} - {c["parent_id"] for c in categories}
    return towns, sorted(leaves)


def run_load(client: Client, bodies: list[dict], concurrency: int) -> dict:
    """POST every body from `concurrency` threads; the figures of the run."""
    latencies: list[float] = []
    failures: dict[str, int] = {}
    lock = threading.Lock()

    def send(body: dict) -> None:
        started = time.perf_counter()
        try:
            status, answer = client.call("POST", "/petitions", body, {"Idempotency-Key": str(uuid.uuid4())})
        except OSError as exc:
            status, answer = 0, {"error": type(exc).__name__}
        elapsed = (time.perf_counter() - started) * 1000
        with lock:
            latencies.append(elapsed)
            if status != 201:
                key = f"{status} {answer.get('error') if isinstance(answer, dict) else answer}"
                failures[key] = failures.get(key, 0) + 1

    started = time.perf_counter()
    with ThreadPoolExecutor(max_workers=concurrency) as pool:
        list(pool.map(send, bodies))
    wall = time.perf_counter() - started
    return {
        "n": len(bodies),
        "errors": sum(failures.values()),
        "error_kinds": failures,
        "concurrency": concurrency,
        "latency_ms_p50": round(percentile(latencies, 50), 1),
        "latency_ms_p95": round(percentile(latencies, 95), 1),
        "latency_ms_p99": round(percentile(latencies, 99), 1),
        "latency_ms_mean": round(statistics.fmean(latencies), 1) if latencies else 0.0,
        "throughput_req_s": round(len(bodies) / wall, 1) if wall else 0.0,
        "wall_seconds": round(wall, 2),
    }


# --- --compare: the older tree and this one, side by side on one database -------------------


def cpu_seconds(pid: int) -> float:
    """utime + stime of one process (all its threads), from /proc; 0 when it is gone."""
    try:
        fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    except OSError:
        return 0.0
    return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")


def process_tree(root: int) -> list[int]:
    """`root` and its descendants (gunicorn's master and its workers)."""
    children: dict[int, list[int]] = {}
    for entry in Path("/proc").iterdir():
        if entry.name.isdigit():
            try:
                ppid = int((entry / "stat").read_text().rsplit(")", 1)[1].split()[1])
            except (OSError, IndexError, ValueError):
                continue
            children.setdefault(ppid, []).append(int(entry.name))
    found, todo = [], [root]
    while todo:
        pid = todo.pop()
        found.append(pid)
        todo.extend(children.get(pid, []))
    return found


class TreeProcess:
    """``python -m xinfang.cli COMMAND`` of one source tree, whose database connections carry an
    application_name of their own (to find their backends)."""

    def __init__(self, label: str, tree: Path, app_name: str, command: list[str], log_dir: Path) -> None:
        self.label, self.tree, self.app_name = label, tree, app_name
        url = os.environ["DATABASE_URL"]
        env = dict(
            os.environ,
            PYTHONPATH=str(tree),
            DATABASE_URL=url + ("&" if "?" in url else "?") + f"application_name={app_name}",
        )
        self.log = open(log_dir / f"{command[0]}_{label}.log", "w")  # noqa: SIM115 - closed in stop()
        self.process = subprocess.Popen(
            [sys.executable, "-m", "xinfang.cli", *command],
            cwd=tree,
            env=env,
            stdout=self.log,
            stderr=subprocess.STDOUT,
        )

    def backends(self, connection) -> list[int]:
        with connection.cursor() as cursor:
            cursor.execute("SELECT pid FROM pg_stat_activity WHERE application_name = %s", [self.app_name])
            return [row[0] for row in cursor.fetchall()]

    def cpu(self, connection) -> tuple[dict[int, float], dict[int, float]]:
        """CPU seconds of the processes and of their database backends, by pid."""
        return (
            {pid: cpu_seconds(pid) for pid in process_tree(self.process.pid)},
            {pid: cpu_seconds(pid) for pid in self.backends(connection)},
        )

    def stop(self) -> None:
        self.process.terminate()
        try:
            self.process.wait(timeout=30)
        except subprocess.TimeoutExpired:
            self.process.kill()
        self.log.close()


class Server(TreeProcess):
    """`xinfang serve --processes P` of one source tree, on its own port."""

    def __init__(
        self, label: str, tree: Path, port: int, processes: int, threads: int, log_dir: Path
    ) -> None:
        command = ["serve", "--processes", str(processes), "--threads", str(threads)]
        super().__init__(
            label, tree, f"xf_intake_{label}", command + ["--port", str(port), "--no-worker"], log_dir
        )
        self.port = port

    def wait_ready(self, token: str, timeout: float = 120) -> Client:
        client = Client(f"http://127.0.0.1:{self.port}", token)
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            if self.process.poll() is not None:
                raise SystemExit(f"the {self.label} server exited; see {self.log.name}")
            try:
                if client.call("GET", "/units")[0] == 200:
                    return client
            except OSError:
                pass
            time.sleep(0.5)
        raise SystemExit(f"the {self.label} server did not answer within {timeout} s")


def cpu_spent(before: dict[int, float], after: dict[int, float]) -> float:
    """Seconds spent between two readings (a process born in between counts from zero)."""
    return sum(max(0.0, seconds - before.get(pid, 0.0)) for pid, seconds in after.items())


def load_average() -> float:
    return round(os.getloadavg()[0], 2)


def compare(args, token: str) -> None:
    from django.db import connection

    if connection.vendor != "postgresql":
        raise SystemExit("--compare needs PostgreSQL (DATABASE_URL)")
    log_dir = Path(args.log_dir)
    log_dir.mkdir(parents=True, exist_ok=True)
    trees = {"before": Path(args.compare).resolve(), "after": ROOT}
    servers = {
        label: Server(label, tree, args.port_base + i, args.processes, args.threads, log_dir)
        for i, (label, tree) in enumerate(trees.items())
    }
    try:
        clients = {label: server.wait_ready(token) for label, server in servers.items()}
        towns, leaves = reference(clients["after"])
        rng = random.Random(args.seed)
        results: dict[tuple[str, int], list[dict]] = {}
        for concurrency in [int(c) for c in args.concurrency_list.split(",")]:
            n = args.n if concurrency > 1 else max(1, args.n // 2)
            # Warm both servers up (imports, connections, first queries) outside the figures.
            for client in clients.values():
                run_load(client, [make_body(rng, towns, leaves) for _ in range(2 * concurrency)], concurrency)
            order = ["before", "after", "after", "before"] * ((args.rounds + 1) // 2)
            for label in order[: 2 * args.rounds]:
                server, bodies = servers[label], [make_body(rng, towns, leaves) for _ in range(n)]
                start_cpu, load_start = server.cpu(connection), load_average()
                figures = run_load(clients[label], bodies, concurrency)
                end_cpu = server.cpu(connection)
                figures.update(
                    tree=label,
                    server_cpu_ms_per_intake=round(cpu_spent(start_cpu[0], end_cpu[0]) * 1000 / n, 2),
                    db_backend_cpu_ms_per_intake=round(cpu_spent(start_cpu[1], end_cpu[1]) * 1000 / n, 2),
                    load_average_1min=[load_start, load_average()],
                )
                print(
                    json.dumps({"benchmark": "api_intake_compare", **figures}, ensure_ascii=False), flush=True
                )
                results.setdefault((label, concurrency), []).append(figures)
        summary = []
        for concurrency in sorted({c for _, c in results}):
            row = {"concurrency": concurrency}
            for label in ("before", "after"):
                runs = results[(label, concurrency)]
                for key in (
                    "latency_ms_p50",
                    "latency_ms_p95",
                    "throughput_req_s",
                    "server_cpu_ms_per_intake",
                    "db_backend_cpu_ms_per_intake",
                ):
                    row[f"{label}_{key}"] = round(statistics.fmean(r[key] for r in runs), 2)
                row[f"{label}_errors"] = sum(r["errors"] for r in runs)
            row["throughput_ratio"] = round(row["after_throughput_req_s"] / row["before_throughput_req_s"], 2)
            row["p95_ratio"] = round(row["after_latency_ms_p95"] / row["before_latency_ms_p95"], 2)
            summary.append(row)
        print(json.dumps({"benchmark": "api_intake_compare_summary", "runs": summary}, ensure_ascii=False))
    finally:
        for server in servers.values():
            server.stop()


if __name__ == "__main__":
    main()

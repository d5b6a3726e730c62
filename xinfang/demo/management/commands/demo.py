import random

from django.core.management import call_command
from django.core.management.base import BaseCommand
from django.db import connection
from django.db.models import Q

from xinfang.accounts.models import User
from xinfang.demo.generator import Generator
from xinfang.demo.reference import DEMO_PASSWORD, ensure_accounts, ensure_reference
from xinfang.lib.optional import optional_callable
from xinfang.petitions.models import Petition
from xinfang.units import bureaus
from xinfang.units.models import Unit, UnitKind

# Apps that add their own demo rows: module with populate(rng, petitions_qs, users_by_role, units).
MECHANISM_DEMOS = [
    "xinfang.reception.demo",
    "xinfang.ownership.demo",
    "xinfang.commitments.demo",
    "xinfang.hearings.demo",
    "xinfang.supervision.demo",
]
# Post-load jobs (search index, statistics rollup, triage models): "module:function".
AFTER_LOAD = [
    "xinfang.triage.jobs:train_from_database",
    "xinfang.stats.rollup:rebuild",
    "xinfang.stats.topics:assign_pending",
]


def _maybe(path: str):
    return optional_callable(path, default_name="populate")


class Command(BaseCommand):
    help = "演示：建库、生成演示数据（首次）、打印账号并启动服务"

    def add_arguments(self, parser):
        parser.add_argument("--petitions", type=int, default=20000)
        parser.add_argument("--no-serve", action="store_true")
        parser.add_argument("--port", type=int, default=None)

    def handle(self, *args, petitions, no_serve, port, **options):
        call_command("migrate", verbosity=0, interactive=False)
        ref = ensure_reference()
        accounts = ensure_accounts(ref)
        if not Petition.objects.exists():
            self.stdout.write(f"首次运行：生成两年的演示数据（{petitions} 件），约需几分钟……")
            result = Generator(n=petitions, seed=2026, progress=self._progress).run()
            self._populate(ref)
            for path in AFTER_LOAD:
                job = _maybe(path)
                if job is not None:
                    self.stdout.write(f"  {path} …")
                    job()
            with connection.cursor() as cursor:
                cursor.execute("ANALYZE")
            self.stdout.write(f"演示数据已生成：{result['petitions']} 件，用时 {result['seconds']} 秒")
            self._samples = result["samples"]
        else:
            self._samples = []
        self._print_accounts(accounts)
        if not no_serve:
            call_command("serve", **({"port": port} if port else {}))

    def _progress(self, done, total, secs):
        if done == total or done % 5000 == 0:
            self.stdout.write(f"  {done}/{total}")

    def _populate(self, ref):
        """The mechanisms' demo rows (joint reception, hearings …) live in 海州区: its
        matters, its staff (and the hearing members) and its units."""
        rng = random.Random(7)
        area = ref.district.path
        users_by_role: dict[str, list[User]] = {}
        staff = User.objects.select_related("unit").filter(
            Q(unit__path__startswith=area) | Q(unit__isnull=True)
        )
        for user in staff.order_by("pk"):
            users_by_role.setdefault(user.role, []).append(user)
        petitions = Petition.objects.filter(bureau__path__startswith=area)
        for module in MECHANISM_DEMOS:
            populate = _maybe(module)
            if populate is not None:
                self.stdout.write(f"  {module} …")
                populate(rng, petitions, users_by_role, ref.haizhou_units())

    def _print_accounts(self, accounts):
        """The named accounts, bureau by bureau (the city's first, in the tree's order)."""
        self.stdout.write(f"\n演示账号（密码均为 {DEMO_PASSWORD}）：")
        groups: dict[str, list] = {}
        for account in accounts:
            groups.setdefault(account.bureau, []).append(account)
        order = {b.name: i for i, b in enumerate(bureaus.all_bureaus())}
        for bureau in sorted(groups, key=lambda name: order.get(name, len(order))):
            prefix = (
                Unit.objects.filter(name=bureau, kind=UnitKind.BUREAU)
                .values_list("case_prefix", flat=True)
                .first()
            )
            heading = f"{bureau}（案号前缀 {prefix}）" if prefix else ("其他" if bureau == "—" else bureau)
            self.stdout.write(f"【{heading}】")
            for account in groups[bureau]:
                self.stdout.write(f"  {account.username:<24} {account.role:<8} {account.unit}")
        self.stdout.write("  管理后台：/admin/（admin 账号）   网上信访：/portal/")
        for case_number, code in self._samples:
            self.stdout.write(f"  网上查询示例：信访件编号 {case_number}  查询码 {code}")
        self.stdout.write("")

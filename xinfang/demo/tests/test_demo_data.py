"""The demo data path on a small scale, without serving: `demo --petitions 600
--no-serve` must leave every mechanism populated and print one account per
role (issue 5).  The command runs once per test, on an empty database."""

from __future__ import annotations

import io

import pytest
from django.core.management import call_command

from xinfang.accounts.models import Role
from xinfang.petitions.choices import Stage, Status

pytestmark = pytest.mark.django_db(transaction=True)

# Statuses the demo lifecycle (xinfang/demo/lifecycle.py) produces.
GENERATED_STATUSES = {
    Status.REGISTERED,
    Status.ROUTED,
    Status.HANDLING,
    Status.OPINION_DRAFTED,
    Status.OPINION_ISSUED,
    Status.CLOSED,
    Status.DIVERTED,
    Status.REJECTED,
}


def _run_demo() -> str:
    out = io.StringIO()
    call_command("demo", petitions=2500, no_serve=True, stdout=out)
    return out.getvalue()


def _account_rows(output: str) -> list[list[str]]:
    """The rows printed under 演示账号: [username, role label, unit], bureau by bureau
    (each group under a 【bureau】 heading)."""
    lines = output.split("演示账号", 1)[1].splitlines()[1:]
    rows = []
    for line in lines:
        if line.startswith("【"):
            continue
        parts = line.split()
        if len(parts) != 3 or line.strip().startswith(("管理后台", "网上查询")):
            break
        rows.append(parts)
    return rows


def _account_groups(output: str) -> dict[str, dict[str, list[str]]]:
    """The printed accounts by bureau heading: {bureau: {username: [username, role, unit]}}."""
    groups: dict[str, dict[str, list[str]]] = {}
    current = None
    for line in output.split("演示账号", 1)[1].splitlines()[1:]:
        if line.startswith("【"):
            current = groups.setdefault(line.strip("【】").split("（")[0], {})
            continue
        parts = line.split()
        if len(parts) != 3 or current is None:
            break
        current[parts[0]] = parts
    return groups


def test_demo_populates_every_mechanism_and_prints_one_account_per_role():
    from xinfang.commitments.models import Commitment, FollowUp
    from xinfang.hearings.models import Hearing, HearingMember, PanelSeat
    from xinfang.ownership.models import BacklogCase, CaseOwnership
    from xinfang.petitions.models import EventAction, Petition, PetitionEvent
    from xinfang.reception.models import (
        JointHandling,
        JointMode,
        JointParticipant,
        JointReceptionSession,
        JointThreadPost,
        LeaderBooking,
        ReceptionVisit,
    )
    from xinfang.supervision.models import SupervisionNotice

    output = _run_demo()
    assert Petition.objects.count() == 2500

    # Joint reception sessions with visits; online joint cases with three units and a thread.
    assert JointReceptionSession.objects.exists()
    assert ReceptionVisit.objects.exists()
    online = JointHandling.objects.filter(mode=JointMode.ONLINE)
    assert online.exists()
    assert JointParticipant.objects.filter(joint__in=online, role="lead").exists()
    assert JointParticipant.objects.filter(joint__in=online, role="cooperating").exists()
    assert JointThreadPost.objects.filter(joint__in=online).exists()
    assert LeaderBooking.objects.exists()
    # Leader ownership and backlog cases with their owners.
    assert CaseOwnership.objects.exists()
    assert BacklogCase.objects.filter(owner__isnull=False).exists()
    # Hearings with a roster and a panel.
    assert HearingMember.objects.exists()
    # The hearing_member account is the panel member it is linked to (not 何代表 linked to 王建国).
    from xinfang.accounts.models import User

    account = User.objects.get(username="hearing_member")
    assert HearingMember.objects.get(user=account).name == account.display_name
    # The hot topics are assigned, so the hot-spot pages answer from the first visit.
    from xinfang.stats.models import HotTopicMember

    assert HotTopicMember.objects.count() == 2500
    assert Hearing.objects.exists()
    assert PanelSeat.objects.filter(status="selected").exists()
    # Commitments and their follow-ups; supervision notices.
    assert Commitment.objects.exists()
    assert FollowUp.objects.exists()
    assert SupervisionNotice.objects.exists()
    # The mechanisms leave their steps on the petitions' timelines.
    mechanisms = set(
        PetitionEvent.objects.filter(action=EventAction.MECHANISM).values_list("data__mechanism", flat=True)
    )
    assert {"joint_handling", "hearing"} <= mechanisms, mechanisms

    # Petitions: the lifecycle's statuses, overdue ones, reviews and re-reviews,
    # collective visits and repeat petitioners.
    statuses = set(Petition.objects.values_list("status", flat=True))
    assert GENERATED_STATUSES <= statuses, GENERATED_STATUSES - statuses
    assert Petition.objects.overdue().exists()
    assert Petition.objects.filter(stage=Stage.REVIEW).exists()
    assert Petition.objects.filter(stage=Stage.REREVIEW).exists()
    assert Petition.objects.filter(is_collective=True).exists()
    assert Petition.objects.filter(is_repeat=True).exists()

    # The printed accounts: every role at least once.
    rows = _account_rows(output)
    printed_roles = {role for _username, role, _unit in rows}
    assert {str(role.label) for role in Role} <= printed_roles, rows
    # … grouped by bureau, with the accounts the README and issue 14 name.
    groups = _account_groups(output)
    assert list(groups) == ["连云港市信访局", "海州区信访局", "连云区信访局", "赣榆区信访局", "其他"], groups
    assert "registrar" in groups["海州区信访局"]
    assert "city_registrar" in groups["连云港市信访局"]
    assert "lianyun_registrar" in groups["连云区信访局"]
    for bureau in ("连云港市信访局", "海州区信访局", "连云区信访局", "赣榆区信访局"):
        printed = {role for _username, role, _unit in groups[bureau].values()}
        assert {
            str(r.label) for r in (Role.REGISTRAR, Role.BUREAU_LEADER, Role.SUPERVISOR, Role.ADMIN)
        } <= printed
        assert {str(r.label) for r in (Role.HANDLER, Role.UNIT_LEADER)} <= printed, bureau
    # The mechanisms' rows stay in 海州区, whose staff work them.
    haizhou = Petition.objects.filter(bureau__name="海州区信访局")
    assert JointHandling.objects.exclude(petition__in=haizhou).count() == 0
    assert "网上查询示例" in output

    # Petitions in every status the workflow knows.
    statuses = set(Petition.objects.values_list("status", flat=True))
    assert set(Status.values) <= statuses, sorted(set(Status.values) - statuses)

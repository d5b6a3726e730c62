"""Issue 13 §18: ownership (领导包案), backlog and reminder lists show only matters the viewer may open."""

from datetime import timedelta

import pytest
from django.utils import timezone

from xinfang.api.tests.conftest import Caller
from xinfang.ownership import actions
from xinfang.ownership.models import Reminder
from xinfang.petitions.models import Recusal
from xinfang.reception.tests.helpers import handling_petition

pytestmark = pytest.mark.django_db


# A unit leader who steps aside loses sight of the matter.  A bureau leader keeps oversight after a
# recusal (issue 13 §2: recusal never removes oversight; actions/rules.py and access.keeps_oversight),
# so only the right to act goes: that is tested with the rules (petitions/tests/test_rules_defects.py).
@pytest.mark.parametrize("owner", ["leader_a"])
def test_owner_recused_from_the_matter_no_longer_sees_its_number(world, client, owner):
    leader = getattr(world, owner)
    petition = handling_petition(world, title="包案回避事项")
    ownership = actions.ownership_assign(
        actor=world.registrar,
        petition=petition,
        leader=leader,
        plan="面对面听取诉求",
        report_interval_days=14,
        milestones=[],
    )
    actions.backlog_create(
        actor=world.registrar,
        petition=petition,
        source="city",
        owner=leader,
        target_date=timezone.localdate() + timedelta(days=60),
    )
    Reminder.objects.create(
        recipient=leader,
        key=f"t-{owner}",
        kind="report",
        text=f"请报送{petition.case_number}进展",
        petition=petition,
    )
    pages = ["/ownership/mine/", "/ownership/backlog/", "/ownership/reminders/"]
    client.force_login(leader)
    api = Caller(leader)
    for url in pages:
        assert petition.case_number in client.get(url, follow=True).content.decode(), url
    assert petition.case_number in api.get("/ownership/ownerships").content.decode()
    assert petition.case_number in api.get("/ownership/backlog").content.decode()

    Recusal.objects.create(petition=petition, user=leader, reason="利害关系", created_by=world.registrar)
    for url in pages:
        assert petition.case_number not in client.get(url, follow=True).content.decode(), url
    assert client.get(f"/ownership/leader/{leader.pk}/").content.decode().count(petition.case_number) == 0
    assert client.get(f"/ownership/{ownership.pk}/").status_code == 404
    assert petition.case_number not in api.get("/ownership/ownerships").content.decode()
    assert petition.case_number not in api.get("/ownership/backlog").content.decode()
    assert api.get(f"/ownership/ownerships/{ownership.pk}").status_code == 404

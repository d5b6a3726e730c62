"""Issue 13 §4: a panel member recused from the petition (Art. 28③) no longer sees its hearing,
on the page, in the lists or through the API."""

import pytest

from xinfang.api.tests.conftest import Caller
from xinfang.hearings import actions
from xinfang.petitions.models import Recusal

from .helpers import make_roster, rereview_petition, schedule

pytestmark = pytest.mark.django_db


def test_member_recused_from_the_petition_loses_the_hearing(world, client):
    members = make_roster(world, 3)
    petition = rereview_petition(world, title="回避听证员的听证事项")
    hearing = schedule(world, petition)
    actions.hearing_select_panel(actor=world.bureau_leader, hearing=hearing, members=members)
    api = Caller(world.hearing_member)
    client.force_login(world.hearing_member)
    assert client.get(f"/hearings/{hearing.pk}/").status_code == 200
    assert api.get(f"/hearings/{hearing.pk}").status_code == 200

    Recusal.objects.create(
        petition=petition, user=world.hearing_member, reason="与信访人系亲属", created_by=world.bureau_leader
    )
    assert client.get(f"/hearings/{hearing.pk}/").status_code == 404
    assert "回避听证员的听证事项" not in client.get("/hearings/mine/").content.decode()
    assert api.get(f"/hearings/{hearing.pk}").status_code == 404
    listed = api.get("/hearings/")
    assert listed.status_code == 200 and all(h["id"] != hearing.pk for h in listed.json())

from datetime import timedelta

import pytest
from django.utils import timezone
from ninja.testing import TestClient

from xinfang.hearings.api import router

from .helpers import make_roster, rereview_petition

pytestmark = pytest.mark.django_db


@pytest.fixture
def api():
    return TestClient(router)


def test_hearing_round_trip(world, api):
    petition = rereview_petition(world)
    members = make_roster(world, 4)
    members[3].related_units.set([world.city])
    when = (timezone.now() + timedelta(days=2)).isoformat()
    lead = world.bureau_leader
    r = api.post(
        "/",
        json={"petition_id": petition.pk, "scheduled_at": when, "place": "听证室", "host_id": lead.pk},
        user=lead,
    )
    assert r.status_code == 201, r.json()
    hid = r.json()["id"]
    r = api.post(f"/{hid}/panel", json={"member_ids": [m.pk for m in members]}, user=lead)
    seats = {s["member_id"]: s for s in r.json()["seats"]}
    assert (
        seats[members[3].pk]["status"] == "recused"
        and "连云港市人民政府" in seats[members[3].pk]["recusal_reason"]
    )
    today = timezone.localdate().isoformat()
    r = api.post(f"/{hid}/hold", json={"held_on": today}, user=lead)
    assert r.json()["clock_paused"] is True
    r = api.post(
        f"/{hid}/opinions", json={"opinion": "support", "reasoning": "事实清楚"}, user=world.hearing_member
    )
    assert r.status_code == 200
    for m in members[1:3]:
        api.post(
            f"/{hid}/opinions", json={"member_id": m.pk, "opinion": "support", "reasoning": "同意"}, user=lead
        )
    r = api.post(f"/{hid}/conclude", json={"concluded_on": today, "conclusion_text": "予以支持"}, user=lead)
    assert r.json()["conclusion"] == "support" and r.json()["votes"] == {"support": 3}
    assert api.post(f"/{hid}/publish", user=lead).status_code == 200
    assert len(api.get("/published").json()) == 1


def test_api_errors_are_chinese_json(world, api):
    petition = rereview_petition(world)
    r = api.post(
        "/",
        json={
            "petition_id": petition.pk,
            "scheduled_at": timezone.now().isoformat(),
            "place": "听证室",
            "host_id": world.bureau_leader.pk,
        },
        user=world.supervisor,
    )
    assert r.status_code == 403 and r.json()["error"] == "forbidden"
    r = api.post(
        "/",
        json={
            "petition_id": petition.pk,
            "scheduled_at": timezone.now().isoformat(),
            "place": "",
            "host_id": world.bureau_leader.pk,
        },
        user=world.bureau_leader,
    )
    assert r.status_code == 400 and "place" in r.json()["fields"]
    assert api.get("/").status_code == 401
    r = api.get("/99999", user=world.hearing_member)
    assert r.status_code == 404 and r.json()["error"] == "not_found"

from datetime import timedelta

import pytest
from django.utils import timezone
from ninja.testing import TestClient

from xinfang.reception.api import router
from xinfang.testing import advance, make_petition


@pytest.mark.django_db
def test_joint_api_round_trip(world):
    client = TestClient(router)
    petition = advance(make_petition(world), world, to="handling")
    due = (timezone.localdate() + timedelta(days=5)).isoformat()

    response = client.post(
        "/joint",
        json={
            "petition_id": petition.pk,
            "lead": {"unit_id": world.town_a.pk, "due": due},
            "cooperating": [{"unit_id": world.housing.pk, "due": due, "task": "核查收费"}],
        },
        user=world.registrar,
    )
    assert response.status_code == 201, response.content
    joint_id = response.json()["id"]

    for user, part in ((world.handler_a, "牵头核实"), (world.housing_handler, "核查备案")):
        for kind in ("part", "position"):
            r = client.post(f"/joint/{joint_id}/posts", json={"kind": kind, "text": part}, user=user)
            assert r.status_code == 201, r.content
    r = client.post(f"/joint/{joint_id}/answer", json={"text": "综合答复"}, user=world.handler_a)
    assert r.status_code == 200 and r.json()["status"] == "answer_drafted"
    assert {p["unit_id"] for p in r.json()["answer_parts"]} == {world.town_a.pk, world.housing.pk}

    got = client.get(f"/joint/{joint_id}", user=world.housing_handler).json()
    assert len(got["posts"]) == 4 and got["participants"][0]["role"] == "lead"
    r = client.post(f"/joint/{joint_id}/close", json={"outcome": "handed_to_lead"}, user=world.registrar)
    assert r.json()["status"] == "closed"


@pytest.mark.django_db
def test_joint_api_errors_use_the_project_error_body(world):
    client = TestClient(router)
    petition = advance(make_petition(world), world, to="handling")
    due = timezone.localdate().isoformat()
    body = {"petition_id": petition.pk, "lead": {"unit_id": world.town_a.pk, "due": due}, "cooperating": []}
    r = client.post("/joint", json=body, user=world.registrar)
    assert r.status_code == 400
    assert r.json()["error"] == "invalid" and "cooperating" in r.json()["fields"]
    assert client.post("/joint", json=body, user=world.handler_a).status_code == 403
    assert client.get("/joint/999", user=world.registrar).status_code == 404
    assert client.get("/joint").status_code == 401


@pytest.mark.django_db
def test_session_api_round_trip(world):
    client = TestClient(router)
    petition = make_petition(world)
    r = client.post(
        "/sessions",
        json={
            "date": timezone.localdate().isoformat(),
            "unit_ids": [world.town_a.pk],
            "staff_ids": [world.handler_a.pk],
        },
        user=world.registrar,
    )
    assert r.status_code == 201
    session_id = r.json()["id"]
    r = client.post(
        f"/sessions/{session_id}/visits", json={"case_number": petition.case_number}, user=world.registrar
    )
    assert r.status_code == 201
    r = client.post(
        f"/visits/{r.json()['id']}/outcome",
        json={"outcome": "resolved_on_spot", "note": "当场解答"},
        user=world.registrar,
    )
    assert r.json()["outcome"] == "resolved_on_spot"
    listed = client.get("/sessions", user=world.handler_a).json()
    assert [s["id"] for s in listed] == [session_id]
    assert client.get("/sessions", user=world.pl_handler).json() == []

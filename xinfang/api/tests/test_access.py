"""Each persona sees through the API exactly what access.py lets them see."""

import pytest

from xinfang.audit.models import AuditAction, AuditLog
from xinfang.petitions import actions
from xinfang.petitions.models import Petition
from xinfang.testing import VALID_ID, make_petition

pytestmark = pytest.mark.django_db


@pytest.fixture
def cases(world):
    """P1 claim at town_a; P2 accusation against the bureau itself, at the
    discipline unit; P3 registered only; P4 claim at housing; P5 accusation
    naming discipline_handler personally."""
    p1 = make_petition(world, title="P1 停车费", petition_class="claim")
    actions.petition_transfer(actor=world.registrar, petition=p1, unit=world.town_a)
    p2 = make_petition(
        world, title="P2 检举信访局", petition_class="accusation", respondent_unit_id=world.bureau.pk
    )
    actions.petition_transfer(actor=world.registrar, petition=p2, unit=world.discipline)
    p3 = make_petition(world, title="P3 待转送")
    p4 = make_petition(world, title="P4 房屋漏水", petition_class="claim")
    actions.petition_transfer(actor=world.registrar, petition=p4, unit=world.housing)
    p5 = make_petition(world, title="P5 检举纪委干部", petition_class="accusation")
    Petition.objects.filter(pk=p5.pk).update(respondent_user=world.discipline_handler)
    actions.petition_transfer(actor=world.registrar, petition=p5, unit=world.discipline)
    return {"P1": p1, "P2": p2, "P3": p3, "P4": p4, "P5": p5}


EXPECTED = {
    "registrar": {"P1", "P3", "P4", "P5"},
    "bureau_leader": {"P1", "P3", "P4", "P5"},
    "supervisor": {"P1", "P3", "P4", "P5"},
    "admin": {"P1", "P3", "P4", "P5"},
    "handler_a": {"P1"},
    "leader_a": {"P1"},
    "community_handler": set(),
    "handler_b": set(),
    "housing_handler": {"P4"},
    "discipline_handler": {"P2"},
    "discipline_leader": {"P2", "P5"},
    "hearing_member": set(),
    "outsider": set(),
}


def visible_titles(caller) -> set[str]:
    response = caller.get("/petitions")
    assert response.status_code == 200
    return {item["title"].split()[0] for item in response.json()["items"]}


@pytest.mark.parametrize("persona", sorted(EXPECTED))
def test_each_role_sees_its_own_list_and_details(world, api, cases, persona):
    caller = api(getattr(world, persona))
    assert visible_titles(caller) == EXPECTED[persona]
    for name, petition in cases.items():
        detail = caller.get(f"/petitions/{petition.pk}")
        events = caller.get(f"/petitions/{petition.pk}/events")
        if name in EXPECTED[persona]:
            assert detail.status_code == 200
            assert detail.json()["case_number"] == petition.case_number
            assert events.status_code == 200
        else:
            assert detail.status_code == 404
            assert detail.json() == {
                "error": "not_found",
                "message": "信访事项不存在或无权查看",
                "fields": {},
            }
            assert events.status_code == 404


def test_hidden_petitions_cannot_be_acted_on(world, api, cases):
    # The bureau may not route an accusation against itself, nor even learn it exists.
    response = api(world.registrar).post(f"/petitions/{cases['P2'].pk}/notes", {"text": "看看"})
    assert response.status_code == 404
    response = api(world.handler_b).post(f"/petitions/{cases['P1'].pk}/accept", {})
    assert response.status_code == 404


def test_a_recused_user_loses_sight_of_the_petition(world, api, cases):
    p1 = cases["P1"]
    response = api(world.leader_a).post(
        f"/petitions/{p1.pk}/recuse", {"user_id": world.handler_a.pk, "reason": "信访人系其近亲属"}
    )
    assert response.status_code == 200
    assert response.json()["created"]["type"] == "recusal"
    assert visible_titles(api(world.handler_a)) == set()
    assert api(world.handler_a).get(f"/petitions/{p1.pk}").status_code == 404
    assert visible_titles(api(world.leader_a)) == {"P1"}


def test_filters_narrow_the_list(world, api, cases):
    caller = api(world.registrar)
    assert visible_titles(caller) == {"P1", "P3", "P4", "P5"}
    assert caller.get("/petitions", unit_id=world.housing.pk).json()["count"] == 1
    assert caller.get("/petitions", status="registered").json()["count"] == 1
    assert caller.get("/petitions", status=["registered", "routed"]).json()["count"] == 4
    assert caller.get("/petitions", petition_class="claim").json()["count"] == 2
    assert caller.get("/petitions", q="房屋").json()["count"] == 1
    assert caller.get("/petitions", due_state="overdue").json()["count"] == 0
    assert caller.get("/petitions", due_state="on_time").json()["count"] == 4
    page = caller.get("/petitions", limit=2, page=2, ordering="case_number").json()
    assert page["offset"] == 2 and page["count"] == 4
    assert [i["title"][:2] for i in page["items"]] == ["P4", "P5"]


def test_lookup_and_reveal_are_audited_and_scoped(world, api, cases):
    registrar = api(world.registrar)
    found = registrar.get("/petitioners/lookup", id_number=VALID_ID)
    assert found.status_code == 200
    assert found["Cache-Control"] == "no-store"
    (match,) = found.json()["items"]
    assert match["id_number_masked"] == "320***********1236"
    assert VALID_ID not in found.content.decode()
    assert {p["title"][:2] for p in match["petitions"]} == {"P1", "P3", "P4", "P5"}
    assert AuditLog.objects.filter(user=world.registrar, action=AuditAction.LOOKUP).count() == 1

    revealed = registrar.post(f"/petitioners/{match['id']}/reveal", {"field": "phone"})
    assert revealed.status_code == 200
    assert revealed.json() == {"petitioner_id": match["id"], "field": "phone", "value": "13812345678"}
    assert AuditLog.objects.filter(user=world.registrar, action=AuditAction.VIEW_PHONE).count() == 1

    # A unit that handles none of this person's petitions finds nothing and may reveal nothing.
    assert api(world.handler_b).get("/petitioners/lookup", phone="13812345678").json()["items"] == []
    refused = api(world.handler_b).post(f"/petitioners/{match['id']}/reveal", {"field": "id_number"})
    assert refused.status_code == 403
    assert refused.json()["error"] == "forbidden"
    assert not AuditLog.objects.filter(user=world.handler_b, action=AuditAction.VIEW_ID_NUMBER).exists()


def test_lookup_needs_exactly_one_key(world, api):
    response = api(world.registrar).get("/petitioners/lookup")
    assert response.status_code == 400
    assert set(response.json()["fields"]) == {"id_number", "phone"}
    bad_field = api(world.registrar).post("/petitioners/1/reveal", {"field": "password"})
    assert bad_field.status_code == 400
    assert bad_field.json()["fields"]["field"].startswith("取值不正确")

"""The approval step through the API: 审批意见 and edits on approval, the
return, and the handler's extension request decided by the unit leader."""

import pytest

from xinfang.calendars.rules import DeadlineRule
from xinfang.petitions.actions.extension_requests import ALREADY_PENDING, NONE_PENDING
from xinfang.petitions.deadlines import open_deadline_for
from xinfang.petitions.models import EventAction
from xinfang.testing import advance, make_petition

pytestmark = pytest.mark.django_db


def test_approve_opinion_with_remarks_and_an_edit(world, api):
    petition = advance(make_petition(world), world, to="drafted")
    path = f"/petitions/{petition.pk}/approve-opinion"
    refused = api(world.handler_a).post(path, {"remarks": "同意"})
    assert refused.status_code == 403
    response = api(world.leader_a).post(
        path, {"remarks": "同意出具", "legal_basis": "《物业管理条例》第四十一条"}
    )
    assert response.status_code == 200, response.content
    assert response.json()["petition"]["status"]["value"] == "opinion_issued"
    event = petition.events.get(action=EventAction.ISSUE_OPINION)
    assert event.data["remarks"] == "同意出具"
    assert [e["field"] for e in event.data["edits"]] == ["legal_basis"]
    assert petition.opinions.get().legal_basis == "《物业管理条例》第四十一条"
    history = api(world.leader_a).get(f"/petitions/{petition.pk}/events").json()
    issued = next(e for e in history if e["action"] == "issue_opinion")
    assert issued["data"]["remarks"] == "同意出具"


def test_return_opinion_keeps_the_draft(world, api):
    petition = advance(make_petition(world), world, to="drafted")
    response = api(world.leader_a).post(f"/petitions/{petition.pk}/return-opinion", {"reason": "请补充依据"})
    assert response.status_code == 200, response.content
    event = petition.events.get(action=EventAction.RETURN_OPINION)
    assert event.reason == "请补充依据" and event.data["draft"]["opinion_text"] == "不予支持"


def test_request_and_approve_an_extension(world, api):
    petition = advance(make_petition(world), world, to="handling")
    due = open_deadline_for(petition, DeadlineRule.CONCLUDE).due
    request_path = f"/petitions/{petition.pk}/request-extension"
    assert api(world.leader_a).post(request_path, {"days": 10, "reason": "需要鉴定"}).status_code == 403
    assert api(world.handler_a).post(request_path, {"days": 31, "reason": "需要鉴定"}).status_code == 400
    response = api(world.handler_a).post(request_path, {"days": 10, "reason": "需要鉴定"})
    assert response.status_code == 200, response.content
    assert response.json()["created"]["type"] == "extensionrequest"
    again = api(world.handler_a).post(request_path, {"days": 10, "reason": "再次申请"})
    assert again.status_code == 409 and again.json()["message"] == ALREADY_PENDING
    decide_path = f"/petitions/{petition.pk}/decide-extension"
    assert api(world.handler_a).post(decide_path, {"approve": True}).status_code == 403
    response = api(world.leader_a).post(decide_path, {"approve": True, "remarks": "同意"})
    assert response.status_code == 200, response.content
    assert open_deadline_for(petition, DeadlineRule.CONCLUDE).due > due
    petition.refresh_from_db()
    assert petition.is_extended
    none = api(world.leader_a).post(decide_path, {"approve": False, "remarks": "不同意"})
    assert none.status_code == 409 and none.json()["message"] == NONE_PENDING


def test_refusing_an_extension_needs_remarks(world, api):
    petition = advance(make_petition(world), world, to="handling")
    api(world.handler_a).post(
        f"/petitions/{petition.pk}/request-extension", {"days": 10, "reason": "需要鉴定"}
    )
    path = f"/petitions/{petition.pk}/decide-extension"
    empty = api(world.leader_a).post(path, {"approve": False})
    assert empty.status_code == 400 and "remarks" in empty.json()["fields"]
    assert api(world.leader_a).post(path, {"approve": False, "remarks": "期限内可办结"}).status_code == 200
    petition.refresh_from_db()
    assert not petition.is_extended

"""The approval step on the pages: a returned draft comes back pre-filled with
the leader's reason above it; 审批意见 and edits on approval; the handler's
extension request and the leader's decision."""

import pytest

from xinfang.calendars.rules import DeadlineRule
from xinfang.petitions import actions as a
from xinfang.petitions.deadlines import open_deadline_for
from xinfang.petitions.models import EventAction, ExtensionRequestStatus
from xinfang.testing import advance, make_petition

pytestmark = pytest.mark.django_db


def test_a_returned_draft_is_prefilled_with_the_leaders_reason(world, login):
    petition = advance(make_petition(world), world, to="drafted")
    a.petition_return_opinion(actor=world.leader_a, petition=petition, reason="法律依据引用有误，请核对条款")
    page = login(world.handler_a).get(f"/petitions/{petition.pk}/opinion/")
    assert page.status_code == 200
    text = page.text
    assert 'id="returned-opinion"' in text and "法律依据引用有误，请核对条款" in text
    assert text.index("法律依据引用有误") < text.index("act/draft_opinion/")
    form = page.context["form"]
    assert form.initial["opinion_text"] == "不予支持"
    assert form.initial["legal_basis"] == "《物业管理条例》第四十条"
    assert form.initial["findings"] == "经查收费符合备案标准"
    assert form.initial["outcome"] == "not_support"
    assert "《物业管理条例》第四十条</textarea>" in text


def test_a_first_draft_shows_no_return(world, login):
    petition = advance(make_petition(world), world, to="handling")
    page = login(world.handler_a).get(f"/petitions/{petition.pk}/opinion/")
    assert 'id="returned-opinion"' not in page.text
    assert not page.context["form"].initial.get("opinion_text")


def test_the_leader_approves_with_remarks_and_an_edit_on_the_page(world, login):
    petition = advance(make_petition(world), world, to="drafted")
    client = login(world.leader_a)
    page = client.get(f"/petitions/{petition.pk}/")
    assert 'id="action-approve_opinion"' in page.text and "不予支持</textarea>" in page.text
    response = client.post(
        f"/petitions/{petition.pk}/act/approve_opinion/",
        {"remarks": "同意，已补充告知复查权利", "opinion_text": "不予支持。如不服，可申请复查。"},
        follow=True,
    )
    assert response.status_code == 200
    event = petition.events.get(action=EventAction.ISSUE_OPINION)
    assert event.data["remarks"] == "同意，已补充告知复查权利"
    assert [e["field"] for e in event.data["edits"]] == ["opinion_text"]
    history = response.text
    assert "同意，已补充告知复查权利" in history and "审批时修改了" in history


def test_an_emptied_field_is_refused_on_the_page(world, login):
    petition = advance(make_petition(world), world, to="drafted")
    response = login(world.leader_a).post(
        f"/petitions/{petition.pk}/act/approve_opinion/", {"remarks": "", "legal_basis": ""}
    )
    assert response.status_code == 400
    petition.refresh_from_db()
    assert petition.status == "opinion_drafted"


def test_the_return_reason_is_the_approval_remark(world, login):
    petition = advance(make_petition(world), world, to="drafted")
    client = login(world.leader_a)
    assert "审批意见（退回理由）" in client.get(f"/petitions/{petition.pk}/").text
    client.post(f"/petitions/{petition.pk}/act/return_opinion/", {"reason": "请补充调查"})
    petition.refresh_from_db()
    assert petition.status == "handling"


def test_request_and_decide_an_extension_on_the_page(world, login):
    petition = advance(make_petition(world), world, to="handling")
    due = open_deadline_for(petition, DeadlineRule.CONCLUDE).due
    handler = login(world.handler_a)
    assert 'id="action-request_extension"' in handler.get(f"/petitions/{petition.pk}/").text
    handler.post(f"/petitions/{petition.pk}/act/request_extension/", {"days": 15, "reason": "需要鉴定"})
    assert petition.extension_requests.get().status == ExtensionRequestStatus.PENDING
    leader = login(world.leader_a)
    page = leader.get(f"/petitions/{petition.pk}/")
    assert 'id="action-decide_extension"' in page.text and "新海承办人申请延长15日" in page.text
    assert 'id="action-extend"' not in page.text  # the request is decided first
    response = leader.post(
        f"/petitions/{petition.pk}/act/decide_extension/", {"approve": "1", "remarks": "同意"}, follow=True
    )
    assert response.status_code == 200
    assert open_deadline_for(petition, DeadlineRule.CONCLUDE).due > due
    assert "审批延期申请" in response.text and "同意延期" in response.text


def test_refusing_without_remarks_shows_the_field_error(world, login):
    petition = advance(make_petition(world), world, to="handling")
    a.petition_request_extension(actor=world.handler_a, petition=petition, days=15, reason="需要鉴定")
    response = login(world.leader_a).post(f"/petitions/{petition.pk}/act/decide_extension/", {"approve": "0"})
    assert response.status_code == 400 and "不同意延期的，请填写审批意见" in response.text
    assert petition.extension_requests.get().status == ExtensionRequestStatus.PENDING


def _request_rows(page) -> list[str]:
    import re

    table = re.search(r'<table class="list" id="extension-requests".*?</table>', page.text, re.S)
    assert table, "no extension requests on the page"
    return re.findall(r'<tr class="extension-request-(\w+)">', table.group(0))


def test_requests_are_listed_with_their_state_and_a_lapsed_one_as_lapsed(world, login):
    from datetime import timedelta

    from django.utils import timezone

    petition = advance(make_petition(world), world, to="handling")
    a.petition_request_extension(actor=world.handler_a, petition=petition, days=15, reason="需要鉴定")
    a.petition_decide_extension(
        actor=world.leader_a, petition=petition, approve=False, remarks="期限内可办结"
    )
    a.petition_request_extension(actor=world.handler_a, petition=petition, days=20, reason="鉴定机构排期")
    leader = login(world.leader_a)
    page = leader.get(f"/petitions/{petition.pk}/")
    assert _request_rows(page) == ["refused", "pending"]
    assert "期限内可办结" in page.text and "鉴定机构排期" in page.text
    assert ">待审批</span>" in page.text
    assert {p.pk for p in leader.get("/inbox/?view=extension_approval").context["rows"]} == {petition.pk}
    # The period ends before the leader decides (its last day was yesterday):
    # the request shows as lapsed, everywhere.
    deadline = open_deadline_for(petition, DeadlineRule.CONCLUDE)
    deadline.due = timezone.localdate() - timedelta(days=1)
    deadline.save(update_fields=["due"])
    page = leader.get(f"/petitions/{petition.pk}/")
    assert _request_rows(page) == ["refused", "lapsed"]
    assert ">已失效</span>" in page.text and ">待审批</span>" not in page.text
    assert 'id="action-decide_extension"' not in page.text
    assert leader.get("/inbox/?view=extension_approval").context["rows"] == []
    response = leader.post(f"/petitions/{petition.pk}/act/decide_extension/", {"approve": "1"})
    assert response.status_code in (400, 409) and "该延期申请已失效" in response.content.decode()


def test_the_leaders_inbox_lists_the_requests_waiting_in_their_unit_only(world, login):
    mine = advance(make_petition(world), world, to="handling")
    a.petition_request_extension(actor=world.handler_a, petition=mine, days=15, reason="需要鉴定")
    not_asked = advance(make_petition(world), world, to="handling")
    issued = advance(make_petition(world), world, to="handling")
    a.petition_request_extension(actor=world.handler_a, petition=issued, days=15, reason="需要鉴定")
    advance(issued, world, to="issued")  # the opinion went out before the decision: lapsed
    leader = login(world.leader_a)
    rows = leader.get("/inbox/?view=extension_approval").context["rows"]
    assert [p.pk for p in rows] == [mine.pk]
    assert not_asked.pk not in {p.pk for p in rows}
    home = leader.get("/")
    tile = next(t for t in home.context["tiles"] if t["view"] == "extension_approval")
    assert tile["count"] == 1 and tile["url"].endswith("view=extension_approval")
    other = login(world.leader_b).get("/inbox/?view=extension_approval").context["rows"]
    assert mine.pk not in {p.pk for p in other}

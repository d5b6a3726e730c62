"""The petition page: access, reveal, attachments, notes and the action round trips."""

from __future__ import annotations

import json

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile

from xinfang.audit.models import AuditAction, AuditLog
from xinfang.calendars.rules import DeadlineRule
from xinfang.calendars.service import compute_due
from xinfang.petitions.actions import attachment_add
from xinfang.petitions.choices import Status
from xinfang.petitions.models import Petition
from xinfang.testing import VALID_ID, advance, make_petition

pytestmark = pytest.mark.django_db


def messages_of(response) -> list[str]:
    return [str(m) for m in response.context["messages"]] if response.context else []


def test_page_shows_facts_people_timeline_and_deadlines(world, login):
    petition = advance(make_petition(world), world, to="routed")
    response = login(world.handler_a).get(f"/petitions/{petition.pk}/")
    assert response.status_code == 200
    body = response.text
    assert petition.case_number in body and "张三" in body
    assert "320***********1236" in body and VALID_ID not in body and "13812345678" not in body
    assert "转送" in body and "公开" in body
    assert "书面告知信访人" in body and 'class="light on_time"' in body
    assert 'id="action-accept"' in body and 'id="action-transfer"' not in body


def test_page_lists_the_petitioners_other_visible_petitions(world, login):
    first = make_petition(world, title="第一次反映")
    second = make_petition(world, title="第二次反映")
    body = login(world.registrar).get(f"/petitions/{second.pk}/").text
    assert first.case_number in body
    # Town B sees neither, so no history leaks through the second one either.
    assert login(world.handler_b).get(f"/petitions/{second.pk}/").status_code == 404


def test_accused_unit_gets_404_on_an_accusation(world, login):
    petition = make_petition(
        world, title="举报街道干部", petition_class="accusation", respondent_unit_id=world.town_a.pk
    )
    from xinfang.petitions.actions import petition_transfer

    petition_transfer(actor=world.registrar, petition=petition, unit=world.discipline)
    assert login(world.leader_a).get(f"/petitions/{petition.pk}/").status_code == 404
    assert login(world.community_handler).get(f"/petitions/{petition.pk}/").status_code == 404
    assert login(world.discipline_handler).get(f"/petitions/{petition.pk}/").status_code == 200


def test_reveal_returns_value_and_writes_audit_row(world, login):
    petition = advance(make_petition(world), world, to="routed")
    person = petition.petitioners.get()
    client = login(world.handler_a)
    url = f"/petitions/{petition.pk}/reveal/{person.pk}/id_number/"
    assert client.get(url).status_code == 405
    response = client.post(url)
    assert response.status_code == 200
    assert json.loads(response.content) == {"field": "id_number", "value": VALID_ID}
    assert response["Cache-Control"] == "no-store"
    log = AuditLog.objects.get(action=AuditAction.VIEW_ID_NUMBER)
    assert log.user == world.handler_a and log.object_id == str(person.pk)
    assert client.post(f"/petitions/{petition.pk}/reveal/{person.pk}/password/").status_code == 404


def test_reveal_refused_for_a_unit_that_cannot_see_the_petition(world, login):
    petition = advance(make_petition(world), world, to="routed")
    person = petition.petitioners.get()
    for user in (world.handler_b, world.housing_handler, world.outsider, world.hearing_member):
        response = login(user).post(f"/petitions/{petition.pk}/reveal/{person.pk}/phone/")
        assert response.status_code == 404
        assert "13812345678" not in response.content.decode()
    assert not AuditLog.objects.filter(action=AuditAction.VIEW_PHONE).exists()


def test_reveal_of_a_petitioner_not_on_this_petition_is_refused(world, login):
    visible = advance(make_petition(world), world, to="routed")
    from xinfang.petitions.actions import PetitionerInput

    other = make_petition(world, petitioners=[PetitionerInput(name="赵六", id_number="320706199002151235")])
    stranger = other.petitioners.get()
    response = login(world.handler_a).post(f"/petitions/{visible.pk}/reveal/{stranger.pk}/id_number/")
    assert response.status_code == 404
    assert not AuditLog.objects.filter(action=AuditAction.VIEW_ID_NUMBER).exists()


def test_attachment_download_checks_access(world, login):
    petition = advance(make_petition(world), world, to="routed")
    upload = SimpleUploadedFile("材料.pdf", b"%PDF-1.4 test", content_type="application/pdf")
    attachment = attachment_add(petition=petition, upload=upload, actor=world.registrar)
    url = f"/petitions/{petition.pk}/attachments/{attachment.pk}/"
    response = login(world.handler_a).get(url)
    assert response.status_code == 200
    assert response["Content-Disposition"].startswith("attachment")
    assert b"".join(response.streaming_content) == b"%PDF-1.4 test"
    for user in (world.handler_b, world.outsider, world.hearing_member):
        assert login(user).get(url).status_code == 404
    other = make_petition(world)
    assert (
        login(world.registrar).get(f"/petitions/{other.pk}/attachments/{attachment.pk}/").status_code == 404
    )
    assert attachment.file.url not in login(world.handler_a).get(f"/petitions/{petition.pk}/").text


def test_internal_note_is_added_and_shown_to_staff(world, login):
    petition = make_petition(world)
    client = login(world.registrar)
    response = client.post(
        f"/petitions/{petition.pk}/act/note/", {"text": "信访人情绪激动，注意接待方式"}, follow=True
    )
    assert "已添加内部备注" in messages_of(response)
    assert "信访人情绪激动" in response.text
    assert petition.notes.count() == 1


def test_transfer_round_trip(world, login):
    petition = make_petition(world)
    client = login(world.registrar)
    response = client.post(
        f"/petitions/{petition.pk}/act/transfer/",
        {"unit": world.town_a.pk, "assign": "on", "report_days": "20", "reason": "属地处理"},
        follow=True,
    )
    assert response.redirect_chain[-1][0] == f"/petitions/{petition.pk}/"
    assert "已转送" in messages_of(response)
    petition.refresh_from_db()
    assert (
        petition.status == Status.ROUTED and petition.handling_unit == world.town_a and petition.is_assignment
    )


def test_transfer_refuses_bad_input_without_500(world, login):
    petition = make_petition(world)
    client = login(world.registrar)
    response = client.post(f"/petitions/{petition.pk}/act/transfer/", {"unit": "abc"})
    assert response.status_code == 400
    assert response.context["actions"][0]["open"] or any(a["open"] for a in response.context["actions"])
    response = client.post(f"/petitions/{petition.pk}/act/transfer/", {"unit": world.bureau.pk})
    assert response.status_code == 400
    petition_litigation = make_petition(world, is_litigation=True)
    response = client.post(f"/petitions/{petition_litigation.pk}/act/transfer/", {"unit": world.town_a.pk})
    assert response.status_code == 400
    assert "涉法涉诉事项应当转送同级政法部门" in response.text
    assert "请选择政法部门" in response.text
    assert client.get(f"/petitions/{petition.pk}/act/transfer/").status_code == 405
    assert client.post(f"/petitions/{petition.pk}/act/launch_rockets/").status_code == 404
    petition.refresh_from_db()
    assert petition.status == Status.REGISTERED


def test_action_refused_by_role_shows_chinese_message(world, login):
    petition = advance(make_petition(world), world, to="routed")
    response = login(world.handler_a).post(f"/petitions/{petition.pk}/act/reopen/", {"reason": "试试"})
    assert response.status_code == 403
    assert "您无权执行此操作" in response.text or "只有信访部门工作人员可以执行此操作" in response.text
    assert login(world.handler_b).post(f"/petitions/{petition.pk}/act/accept/", {}).status_code == 404


def test_accept_round_trip(world, login):
    petition = advance(make_petition(world), world, to="routed")
    response = login(world.handler_a).post(
        f"/petitions/{petition.pk}/act/accept/", {"reason": ""}, follow=True
    )
    assert "已受理，办理期限开始计算" in messages_of(response)
    petition.refresh_from_db()
    assert petition.status == Status.HANDLING and petition.handler == world.handler_a


def test_extend_round_trip_and_limit(world, login):
    petition = advance(make_petition(world), world, to="handling")
    client = login(world.leader_a)
    url = f"/petitions/{petition.pk}/act/extend/"
    response = client.post(url, {"days": "45", "reason": "情况复杂"})
    assert response.status_code == 400
    assert not Petition.objects.get(pk=petition.pk).is_extended
    response = client.post(url, {"days": "20", "reason": ""})
    assert response.status_code == 400 and "必填" in response.text
    due_before = Petition.objects.get(pk=petition.pk).deadlines.get(rule="conclude").due
    response = client.post(url, {"days": "30", "reason": "需要会同住建部门调查"}, follow=True)
    assert "已延长办理期限" in messages_of(response)
    petition.refresh_from_db()
    assert petition.is_extended
    # Art. 34: the 30 days count from the 60-day period's own last day, before the rest-day rule
    # moved it, so the new due date is less than 30 days after the old one when the old one had
    # been moved (a 60th day on a Saturday: CI failed on 2026-12-08).
    conclude = petition.deadlines.get(rule="conclude")
    end = compute_due(conclude.rule, conclude.start, days=conclude.days, roll_forward=False).date
    assert conclude.due > due_before
    assert conclude.due == compute_due(DeadlineRule.EXTEND, end, days=30).date
    assert (conclude.due - end).days >= 30
    again = client.post(url, {"days": "5", "reason": "再延"})
    assert again.status_code == 409 and "办理期限只能延长一次" in again.text


def test_draft_and_approve_opinion_round_trip(world, login):
    petition = advance(make_petition(world), world, to="handling")
    client = login(world.handler_a)
    page = client.get(f"/petitions/{petition.pk}/opinion/")
    assert page.status_code == 200 and "信访处理意见书" in page.text
    url = f"/petitions/{petition.pk}/act/draft_opinion/"
    incomplete = client.post(
        url,
        {"outcome": "support", "request": "退费", "facts_reasons": "", "opinion_text": "", "legal_basis": ""},
    )
    assert incomplete.status_code == 400
    assert "此项为必填项" in incomplete.text or "这个字段是必填项" in incomplete.text
    response = client.post(
        url,
        {
            "outcome": "support",
            "request": "退还多收停车费",
            "facts_reasons": "经查物业未备案",
            "findings": "经查物业未备案",
            "opinion_text": "责令退还",
            "legal_basis": "《价格法》第十三条",
        },
        follow=True,
    )
    assert "意见书已提交审批" in messages_of(response)
    assert Petition.objects.get(pk=petition.pk).status == Status.OPINION_DRAFTED
    # A handler cannot approve; the unit leader can.
    assert login(world.handler_a).post(f"/petitions/{petition.pk}/act/approve_opinion/").status_code == 403
    response = login(world.leader_a).post(f"/petitions/{petition.pk}/act/approve_opinion/", follow=True)
    assert "意见书已出具" in messages_of(response)
    petition.refresh_from_db()
    assert petition.status == Status.OPINION_ISSUED and petition.opinions.get().approved_by == world.leader_a


def test_reject_round_trip_with_earlier_case_number(world, login):
    earlier = advance(make_petition(world, title="早先的同一事项"), world, to="handling")
    petition = make_petition(world)
    client = login(world.registrar)
    url = f"/petitions/{petition.pk}/act/reject/"
    missing = client.post(
        url, {"reason_code": "same_matter_below", "reason": "已在办理", "earlier": "海信〔1999〕1号"}
    )
    assert missing.status_code == 400 and "未找到该编号的信访事项" in missing.text
    response = client.post(
        url,
        {
            "reason_code": "same_matter_below",
            "reason": "同一事项正在新海街道办理",
            "earlier": earlier.case_number,
        },
        follow=True,
    )
    assert "已作出不予受理决定" in messages_of(response)
    petition.refresh_from_db()
    assert petition.status == Status.REJECTED
    assert petition.links_out.get().to_petition == earlier
    assert earlier.case_number in response.text


def test_home_page_for_each_persona(world, login):
    advance(make_petition(world), world, to="routed")
    for user in (world.registrar, world.handler_a, world.leader_a, world.supervisor, world.hearing_member):
        response = login(user).get("/")
        assert response.status_code == 200, user
    body = login(world.handler_a).get("/").text
    assert "待受理" in body and "待转送" not in body
    assert "/desk/" in body
    registrar_home = login(world.registrar).get("/")
    tiles = {t["view"]: t["count"] for t in registrar_home.context["tiles"]}
    assert tiles["to_route"] == 0 and "to_accept" not in tiles
    nav = [item["name"] for item in registrar_home.context["nav_items"]]
    assert "home" in nav and "desk" in nav
    assert "desk" not in [i["name"] for i in login(world.supervisor).get("/").context["nav_items"]]


def test_action_posts_need_a_csrf_token(world):
    from django.test import Client

    petition = make_petition(world)
    client = Client(enforce_csrf_checks=True)
    client.force_login(world.registrar)
    response = client.post(f"/petitions/{petition.pk}/act/note/", {"text": "无令牌"})
    assert response.status_code == 403
    assert petition.notes.count() == 0

"""A petition's whole life through the API, and the refusals on the way."""

import pytest
from django.utils import timezone

from xinfang.accounts.models import Role
from xinfang.documents.models import IssuedDocument
from xinfang.petitions.models import Deadline, InternalNote, Opinion, Petition
from xinfang.testing import advance, hold_rereview_hearing, make_petition, make_user

from .conftest import intake_body

pytestmark = pytest.mark.django_db

OPINION = {
    "outcome": "not_support",
    "request": "退还停车费",
    "facts_reasons": "经查收费符合备案标准",
    "findings": "经查收费符合备案标准",
    "opinion_text": "不予支持",
    "legal_basis": "《物业管理条例》第四十条",
}


def ok(response, status: int = 200) -> dict:
    assert response.status_code == status, response.content.decode()
    return response.json()


def test_full_lifecycle_through_the_api(world, api):
    registrar, handler, leader = api(world.registrar), api(world.handler_a), api(world.leader_a)
    pid = ok(registrar.post("/petitions", intake_body(petition_class="claim")), 201)["id"]
    path = f"/petitions/{pid}"

    routed = ok(registrar.post(f"{path}/transfer", {"unit_id": world.town_a.pk, "reason": "属地管理"}))
    assert routed["petition"]["status"]["value"] == "routed"
    assert routed["petition"]["handling_unit"]["name"] == "新海街道"
    # A claim handled under Art. 31(6): only those get the 60-day period, an extension and an opinion.
    ok(handler.post(f"{path}/classify", {"petition_class": "claim", "claim_route": 6}))

    accepted = ok(handler.post(f"{path}/accept", {"documents": ["新海受〔2026〕1号"]}))["petition"]
    assert accepted["status"]["value"] == "handling" and accepted["current_due_rule"] == "conclude"
    due_before = Deadline.objects.get(petition_id=pid, rule="conclude").due

    extended = ok(leader.post(f"{path}/extend", {"days": 15, "reason": "需要调取物价部门备案材料"}))[
        "petition"
    ]
    assert extended["flags"]["is_extended"] is True
    assert Deadline.objects.get(petition_id=pid, rule="conclude").due > due_before

    drafted = ok(handler.post(f"{path}/draft-opinion", OPINION))
    assert drafted["petition"]["status"]["value"] == "opinion_drafted"
    assert drafted["created"] == {"type": "opinion", "id": Opinion.objects.get(petition_id=pid).pk}

    issued = ok(leader.post(f"{path}/approve-opinion", {"documents": ["新海意〔2026〕1号"]}))["petition"]
    assert issued["status"]["value"] == "opinion_issued"

    evaluation = ok(registrar.post(f"{path}/evaluate", {"stage": "handling", "rating": "dissatisfied"}))
    assert evaluation["created"]["type"] == "evaluation"

    # Art. 35: the window counts from receipt, so the request waits for the recorded delivery.
    early = registrar.post(f"{path}/request-review", {"reason": "对处理意见不服"})
    assert early.status_code == 409 and "尚未登记送达" in early.json()["message"]
    opinion_doc = IssuedDocument.objects.get(petition_id=pid, kind="handling_opinion")
    delivered = ok(
        leader.post(
            f"{path}/deliver", {"document_id": opinion_doc.pk, "method": "direct", "signed_by": "张三"}
        )
    )
    assert delivered["created"]["type"] == "delivery"
    review = ok(registrar.post(f"{path}/request-review", {"reason": "对处理意见不服"}))["petition"]
    assert review["stage"]["value"] == "review"
    assert review["status"]["value"] == "handling"
    assert review["handling_unit"]["name"] == "海州区人民政府"

    timeline = ok(registrar.get(f"{path}/events"))
    assert [e["action"] for e in timeline] == [
        "register",
        "transfer",
        "classify",
        "accept",
        "extend",
        "draft_opinion",
        "issue_opinion",
        "evaluate",
        "deliver",
        "request_review",
    ]
    assert timeline[4]["reason"] == "需要调取物价部门备案材料"
    assert timeline[4]["actor"]["name"] == "新海街道负责人"

    deadlines = {d["rule"]: d for d in ok(registrar.get(f"{path}/deadlines"))}
    assert deadlines["conclude"]["extension_days"] == 15
    assert deadlines["conclude"]["state"] == "met" and deadlines["conclude"]["light"] == "grey"
    assert deadlines["review_answer"]["state"] == "on_time"
    assert deadlines["review_answer"]["article"] == "《信访工作条例》第三十五条"


def test_refused_transitions_answer_403_or_409_in_chinese(world, api):
    petition = make_petition(world, petition_class="claim")
    path = f"/petitions/{petition.pk}"
    # Route (6) of Art. 31: the matters the Art. 34 extension applies to.
    ok(api(world.registrar).post(f"{path}/classify", {"petition_class": "claim", "claim_route": 6}))

    not_bureau = api(world.supervisor).post(f"{path}/transfer", {"unit_id": world.town_a.pk})
    assert not_bureau.status_code == 403
    assert not_bureau.json() == {"error": "forbidden", "message": "您无权执行此操作", "fields": {}}

    ok(api(world.registrar).post(f"{path}/transfer", {"unit_id": world.town_a.pk}))
    twice = api(world.registrar).post(f"{path}/transfer", {"unit_id": world.town_b.pk})
    assert twice.status_code == 409
    assert twice.json()["message"] == "当前状态为“已转送待受理”，不能执行此操作"

    ok(api(world.handler_a).post(f"{path}/accept", {}))
    accepted_twice = api(world.handler_a).post(f"{path}/accept", {})
    assert accepted_twice.status_code == 409
    assert accepted_twice.json() == {
        "error": "wrong_state",
        "message": "当前状态为“办理中”，不能执行此操作",
        "fields": {},
    }
    no_opinion = api(world.leader_a).post(f"{path}/approve-opinion", {})
    assert no_opinion.status_code == 409
    assert no_opinion.json()["message"] == "没有待审批的意见"
    handler_extends = api(world.handler_a).post(f"{path}/extend", {"days": 10, "reason": "情况复杂"})
    assert handler_extends.status_code == 403
    too_long = api(world.leader_a).post(f"{path}/extend", {"days": 31, "reason": "情况复杂"})
    assert too_long.status_code == 400
    assert too_long.json()["fields"] == {"days": "不能大于30"}
    ok(api(world.leader_a).post(f"{path}/extend", {"days": 10, "reason": "情况复杂"}))
    again = api(world.leader_a).post(f"{path}/extend", {"days": 5, "reason": "仍需调查"})
    assert again.status_code == 409
    assert again.json()["message"] == "办理期限只能延长一次"


def test_business_refusals_carry_field_messages(world, api):
    unclassified = make_petition(world)
    ok(api(world.registrar).post(f"/petitions/{unclassified.pk}/transfer", {"unit_id": world.town_a.pk}))
    response = api(world.handler_a).post(f"/petitions/{unclassified.pk}/accept", {})
    assert response.status_code == 400
    assert response.json()["fields"] == {"petition_class": "必填"}

    accusation = make_petition(world, petition_class="accusation")
    response = api(world.registrar).post(f"/petitions/{accusation.pk}/transfer", {"unit_id": world.town_a.pk})
    assert response.status_code == 400
    assert "纪检监察机关" in response.json()["message"]
    assert response.json()["fields"] == {"unit": "请选择纪检监察机关"}

    response = api(world.registrar).post(f"/petitions/{accusation.pk}/transfer", {"unit_id": 987654})
    assert response.status_code == 400
    assert response.json()["fields"] == {"unit_id": "所选单位不存在"}

    # Reopening is declared for closed matters: an empty reason on one is a field error.
    closed = make_petition(world, title="已撤回的事项")
    ok(api(world.registrar).post(f"/petitions/{closed.pk}/withdraw", {"reason": "问题已解决"}))
    response = api(world.registrar).post(f"/petitions/{closed.pk}/reopen", {"reason": "  "})
    assert response.status_code == 400
    assert response.json()["fields"] == {"reason": "此项为必填项"}


def test_other_petitions_are_named_by_id_or_case_number(world, api):
    open_matter = make_petition(world, title="先登记的事项")
    repeat = make_petition(world, title="重复提交")
    registrar = api(world.registrar)
    missing = registrar.post(f"/petitions/{repeat.pk}/merge", {"into": "海信〔1999〕99999号"})
    assert missing.status_code == 400
    assert missing.json()["fields"] == {"into": "所指信访事项不存在或无权查看"}
    for odd in ["²", "99999999999999999999", 0, 123456]:
        assert registrar.post(f"/petitions/{repeat.pk}/merge", {"into": odd}).status_code == 400, odd
    merged = ok(registrar.post(f"/petitions/{repeat.pk}/merge", {"into": open_matter.case_number}))
    assert merged["petition"]["status"]["value"] == "merged"

    by_id = make_petition(world, title="按编号引用")
    assert (
        ok(registrar.post(f"/petitions/{by_id.pk}/merge", {"into": str(open_matter.pk)}))["petition"][
            "status"
        ]["value"]
        == "merged"
    )

    third = make_petition(world, title="第三件")
    rejected = ok(
        registrar.post(
            f"/petitions/{third.pk}/reject",
            {"reason_code": "not_a_petition", "reason": "属于咨询", "earlier": None},
        )
    )
    assert rejected["petition"]["status"]["value"] == "rejected"
    reopened = ok(
        api(world.bureau_leader).post(f"/petitions/{third.pk}/reopen", {"reason": "信访人补充材料"})
    )
    assert reopened["petition"]["status"]["value"] == "registered"


def test_assignment_objection_notice_and_report(world, api):
    petition = make_petition(world, petition_class="suggestion")
    path = f"/petitions/{petition.pk}"
    assigned = ok(
        api(world.bureau_leader).post(f"{path}/assign", {"unit_id": world.housing.pk, "report_days": 20})
    )
    assert assigned["petition"]["flags"]["is_assignment"] is True
    ok(api(world.housing_handler).post(f"{path}/object", {"reason": "不属于住建职责"}))
    ok(api(world.registrar).post(f"{path}/decide-objection", {"uphold": False, "reason": "属于住建职责"}))
    ok(api(world.housing_handler).post(f"{path}/notify", {"text": "已收到"}))
    ok(api(world.housing_handler).post(f"{path}/accept", {}))
    ok(api(world.housing_handler).post(f"{path}/report", {"text": "已答复信访人"}))
    closed = ok(api(world.housing_handler).post(f"{path}/conclude", {"result": "采纳建议"}))["petition"]
    assert closed["status"]["value"] == "closed"
    note = ok(api(world.housing_handler).post(f"{path}/notes", {"text": "已电话回访"}))
    assert note["created"] == {"type": "internalnote", "id": InternalNote.objects.get().pk}


def test_clock_pause_and_resume_in_rereview(world, api):
    petition = advance(make_petition(world), world, to="rereview")
    leader = api(make_user("city_leader", Role.UNIT_LEADER, world.city))  # the re-reviewing body
    path = f"/petitions/{petition.pk}"
    today = timezone.localdate().isoformat()
    # Art. 36②: only a hearing stops the clock.  Without one the API refuses.
    assert leader.post(f"{path}/pause-clock", {"start": today, "reason": "组织听证"}).status_code == 409
    hold_rereview_hearing(world, petition)  # holding the hearing pauses the clock
    ok(leader.post(f"{path}/resume-clock", {"end": today}))
    ok(leader.post(f"{path}/pause-clock", {"start": today, "reason": "听证继续"}))
    paused = ok(leader.get(f"{path}/deadlines"))
    assert any(d["state"] == "paused" for d in paused)
    resumed = ok(leader.post(f"{path}/resume-clock", {"end": today}))
    assert resumed["created"]["type"] == "deadlinepause"
    bad_date = leader.post(f"{path}/resume-clock", {"end": "2026-02-30"})
    assert bad_date.status_code == 400
    assert bad_date.json()["fields"] == {"end": "日期格式不正确，应为 YYYY-MM-DD"}


def test_withdraw_and_divert(world, api):
    withdrawn = make_petition(world)
    result = ok(api(world.registrar).post(f"/petitions/{withdrawn.pk}/withdraw", {"reason": "问题已解决"}))
    assert result["petition"]["status"]["value"] == "withdrawn"
    claim = advance(make_petition(world, petition_class="claim"), world, to="handling")
    diverted = ok(
        api(world.handler_a).post(f"/petitions/{claim.pk}/divert", {"claim_route": 1, "reason": "应诉讼"})
    )
    assert diverted["petition"]["status"]["value"] == "diverted"
    assert Petition.objects.get(pk=claim.pk).claim_route == 1

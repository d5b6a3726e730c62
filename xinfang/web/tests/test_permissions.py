"""The walk: every declared action (actions/rules.py) × every persona × every
state.  For each combination the petition page offers the action exactly when
the API accepts it, and a refusal carries the declaration's own status and
Chinese message.  Each API call runs in a savepoint that is rolled back, so
the fixture stays as built."""

from __future__ import annotations

import pytest
from django.db import transaction
from django.utils import timezone

from xinfang.accounts.models import Role
from xinfang.api.tests.conftest import Caller
from xinfang.documents.delivery import pending_posts, servable_documents
from xinfang.documents.models import Delivery, IssuedDocument
from xinfang.petitions import actions as a
from xinfang.petitions.actions.management import undoable_recusals
from xinfang.petitions.actions.rules import REGISTRY
from xinfang.petitions.models import Petition
from xinfang.testing import advance, make_petition, make_user
from xinfang.web.permissions import ACTIONS, available_actions, evaluable_stages

from .states import STATES, build, district_staff

pytestmark = pytest.mark.django_db

PERSONAS = [
    "registrar",
    "bureau_leader",
    "supervisor",
    "admin",
    "handler_a",
    "leader_a",
    "community_handler",
    "handler_b",
    "housing_handler",
    "discipline_handler",
    "discipline_leader",
    "hearing_member",
    "outsider",
]
# Staff who stepped aside from every petition of the walk (Art. 28③).
RECUSED = ["recused_registrar", "recused_leader_a", "recused_bureau_leader"]

API_PATH = {
    "decide_objection": "decide-objection",
    "send_up": "send-up",
    "refuse_final": "refuse-final",
    "draft_opinion": "draft-opinion",
    "return_opinion": "return-opinion",
    "approve_opinion": "approve-opinion",
    "request_extension": "request-extension",
    "decide_extension": "decide-extension",
    "request_review": "request-review",
    "request_rereview": "request-rereview",
    "pause_clock": "pause-clock",
    "resume_clock": "resume-clock",
    "note": "notes",
    "convert_to_normal": "convert-to-normal",
    "send_document": "send-document",
    "confirm_receipt": "confirm-receipt",
    "raise_dispute": "raise-dispute",
    "decide_dispute": "decide-dispute",
    "record_implementation": "record-implementation",
    "start_settlement": "start-settlement",
    "end_settlement": "end-settlement",
}

WALKED = {"combinations": 0}


class Rollback(Exception):
    pass


def body_for(name: str, petition: Petition, user, world, extra) -> dict:
    """Valid arguments, so that a refusal can only come from the declaration."""
    today = timezone.localdate().isoformat()
    earlier = (
        extra["final_discipline"] if petition.handling_unit_id == world.discipline.pk else extra["final"]
    )
    # Built lazily: only the body asked for (the document and delivery lookups cost a query each).
    bodies = {
        "classify": lambda: {
            "petition_class": petition.petition_class or "claim",
            "claim_route": petition.claim_route,
        },
        "transfer": lambda: {
            "unit_id": world.discipline.pk if petition.petition_class == "accusation" else world.town_b.pk
        },
        "decide_objection": lambda: {"uphold": True, "reason": "异议成立"},
        "object": lambda: {"reason": "不属于本单位职责"},
        "notify": lambda: {"text": "已书面告知"},
        "accept": lambda: {},
        "reject": lambda: {"reason_code": "not_a_petition", "reason": "不属于信访事项"},
        "refuse_final": lambda: {"earlier": earlier.case_number, "reason": "同一事实和理由已复核终结"},
        "divert": lambda: {"claim_route": 1, "reason": "请依法向人民法院起诉"},
        "extend": lambda: {"days": 15, "reason": "情况复杂"},
        "request_extension": lambda: {"days": 20, "reason": "需要补充调查"},
        "decide_extension": lambda: {"approve": True, "remarks": "同意"},
        "convert_to_normal": lambda: {"reason": "情况复杂，需要调查"},
        "draft_opinion": lambda: {
            "outcome": "explain",
            "request": "退还停车费",
            "facts_reasons": "经查属实",
            "findings": "经查属实",
            "opinion_text": "予以解释",
            "legal_basis": "《物业管理条例》",
        },
        "return_opinion": lambda: {"reason": "事实不清"},
        "approve_opinion": lambda: {},
        "conclude": lambda: {"result": "已答复并采纳建议"},
        "report": lambda: {"text": "已办结，报告如下"},
        "request_review": lambda: {"reason": "对处理意见不服"},
        "request_rereview": lambda: {"reason": "对复查意见不服"},
        "evaluate": lambda: {
            "stage": (evaluable_stages(petition) or ["acceptance"])[0],
            "rating": "satisfied",
        },
        "pause_clock": lambda: {"start": today, "reason": "举行听证"},
        "resume_clock": lambda: {"end": today},
        "merge": lambda: {"into": extra["target"].case_number, "reason": "同一事项"},
        "withdraw": lambda: {"reason": "问题已解决"},
        "send_up": lambda: {"reason": "属于市级职权"},
        "reopen": lambda: {"reason": "发现新情况"},
        "recuse": lambda: {"user_id": user.pk, "reason": "与本人有利害关系"},
        "unrecuse": lambda: {"user_id": recusal_to_undo(user, petition, extra), "reason": "回避理由消除"},
        "note": lambda: {"text": "内部备注"},
        "deliver": lambda: {
            "document_id": document_id(user, petition),
            "method": "direct",
            "signed_by": "张三",
        },
        "send_document": lambda: {
            "document_id": document_id(user, petition),
            "method": "post",
            "tracking_number": "EMS2",
        },
        "confirm_receipt": lambda: {
            "delivery_id": delivery_id(user, petition),
            "at": today,
            "signed_by": "张三",
        },
        "raise_dispute": lambda: {"unit_ids": [world.housing.pk], "reason": "涉及住建部门职责"},
        "decide_dispute": lambda: {
            "unit_id": petition.handling_unit_id or world.town_a.pk,
            "decision": "由原单位受理",
        },
        "record_implementation": lambda: {"result": "已退还停车费"},
        "start_settlement": lambda: {
            "kind": "mediation",
            "other_party": "幸福物业公司",
            "petitioner_consents": True,
            "other_party_consents": True,
        },
        "settle": lambda: {"terms": "物业公司退还多收费用"},
        "end_settlement": lambda: {"reason": "对方不同意"},
    }
    return bodies[name]()


def recusal_to_undo(user, petition: Petition, extra) -> int:
    undo = undoable_recusals(user, petition) if user.is_authenticated else []
    return undo[0].user_id if undo else extra["recused"].pk


MISSING = 999_999_999  # no such row: the declaration must refuse before it is looked up


def document_id(user, petition: Petition) -> int:
    """A document the user may serve, else any of the petition's (the rule decides)."""
    mine = servable_documents(user, petition) if user.is_authenticated else []
    any_ = IssuedDocument.objects.filter(petition=petition).order_by("pk").first()
    return (mine[0] if mine else any_).pk if (mine or any_) else MISSING


def delivery_id(user, petition: Petition) -> int:
    mine = pending_posts(user, petition) if user.is_authenticated else []
    any_ = Delivery.objects.filter(petition=petition).order_by("pk").first()
    return (mine[0] if mine else any_).pk if (mine or any_) else MISSING


def api_outcome(caller: Caller, petition: Petition, name: str, body: dict):
    """(status, json) of the API call, rolled back."""
    path = f"/petitions/{petition.pk}/{API_PATH.get(name, name)}"
    try:
        with transaction.atomic():
            response = caller.post(path, body)
            raise Rollback
    except Rollback:
        pass
    return response.status_code, response.json()


def recused_staff(world) -> dict:
    return {
        "recused_registrar": make_user("recused_registrar", Role.REGISTRAR, world.bureau, "回避的登记员"),
        "recused_leader_a": make_user("recused_leader_a", Role.UNIT_LEADER, world.town_a, "回避的街道负责人"),
        "recused_bureau_leader": make_user("recused_bl", Role.BUREAU_LEADER, world.bureau, "回避的局领导"),
    }


def recuse_all(world, petition, recused: dict) -> None:
    """The bureau leader decides two recusals (Art. 28③); the other leader declares their own."""
    for key in ("recused_registrar", "recused_leader_a"):
        a.petition_recuse(actor=world.bureau_leader, petition=petition, user=recused[key], reason="亲属关系")
    own = recused["recused_bureau_leader"]
    a.petition_recuse(actor=own, petition=petition, user=own, reason="本人申请回避")


@pytest.mark.walk
@pytest.mark.parametrize("state", STATES)
def test_page_offers_exactly_what_the_api_accepts(world, state, client):
    staff = district_staff(world)
    recused = recused_staff(world)
    # Earlier matters the unit can see (refuse_final names one), and a merge target.
    final = make_petition(world, actor=world.handler_a, title="早已复核终结的事项", petition_class="claim")
    # Only an Art. 31(6) claim gets the opinions that end in re-review.
    a.petition_classify(actor=world.handler_a, petition=final, petition_class="claim", claim_route=6)
    final = advance(final, world, to="final")
    final_discipline = make_petition(world, actor=world.discipline_handler, title="纪委直接收到并已终结")
    final_discipline.is_final = True
    final_discipline.save(update_fields=["is_final"])
    extra = {
        "final": final,
        "final_discipline": final_discipline,
        "target": make_petition(world, title="正在办理的同一事项"),
        "recused": recused["recused_registrar"],
    }
    petition = build(world, state)
    recuse_all(world, petition, recused)
    users = {name: getattr(world, name) for name in PERSONAS} | staff | recused
    callers = {persona: Caller(user) for persona, user in users.items()}  # tokens outside the rollbacks
    problems = []
    for persona, user in users.items():
        petition = Petition.objects.get(pk=petition.pk)
        listed = available_actions(user, petition)
        client.force_login(user)
        page = client.get(f"/petitions/{petition.pk}/")
        offered = [n for n in ACTIONS if f'id="action-{n}"' in page.text] if page.status_code == 200 else []
        if offered != listed:
            problems.append(f"{state}/{persona}: page shows {offered}, rules say {listed}")
        for name in ACTIONS:
            WALKED["combinations"] += 1
            petition = Petition.objects.get(pk=petition.pk)
            status, answer = api_outcome(
                callers[persona], petition, name, body_for(name, petition, user, world, extra)
            )
            accepted = status == 200
            if name in offered and not accepted:
                problems.append(f"{state}/{persona}: {name} offered but API says {status} {answer}")
            elif name not in offered and accepted:
                problems.append(f"{state}/{persona}: {name} not offered but API accepted it")
            elif not accepted and page.status_code == 200:
                refusal = REGISTRY[name].check(user, petition)
                if refusal is None or (status, answer["message"]) != (
                    {"wrong_state": 409}.get(refusal.code, refusal.status_code),
                    refusal.message,
                ):
                    problems.append(f"{state}/{persona}: {name} API {status} {answer}, declared {refusal!r}")
            elif not accepted and status != 404:
                problems.append(f"{state}/{persona}: {name} on a hidden petition answered {status}")
    assert not problems, "\n".join(problems)
    print(f"\n{state}: walked {len(users)} personas × {len(ACTIONS)} actions")


def test_walk_covers_every_declared_action_and_persona():
    """The walk above enumerates the declarations themselves."""
    assert set(ACTIONS) == set(REGISTRY)
    total = len(STATES) * (len(PERSONAS) + 2 + len(RECUSED)) * len(ACTIONS)
    assert total == 24 * 18 * 39  # 16848 (action, persona, state) combinations


def test_every_state_offers_someone_a_step(world):
    """Guards the walk against vacuous passes: the main path is offered to the right people."""
    staff = district_staff(world)
    expect = {
        "registered": ("registrar", "transfer"),
        "routed": ("handler_a", "accept"),
        "objected": ("bureau_leader", "decide_objection"),
        "handling": ("leader_a", "extend"),
        "extension_requested": ("leader_a", "decide_extension"),
        "drafted": ("leader_a", "approve_opinion"),
        "issued": ("registrar", "request_review"),
        "review": ("district_handler", "draft_opinion"),
        "rereview_paused": ("registrar", "resume_clock"),
        "rejected": ("bureau_leader", "reopen"),
        "direct_routed": ("leader_a", "reject"),
        "accusation_routed": ("discipline_handler", "accept"),
        "accusation_handling": ("discipline_handler", "conclude"),
        "handling_simple": ("leader_a", "convert_to_normal"),
        "issued_undelivered": ("leader_a", "deliver"),
        "posted": ("handler_a", "confirm_receipt"),
        "disputed": ("district_leader", "decide_dispute"),  # the common superior (Art. 24)
        "settling": ("leader_a", "settle"),
        "supported": ("handler_a", "record_implementation"),
    }
    users = {name: getattr(world, name) for name in PERSONAS} | staff
    for state, (persona, action) in expect.items():
        petition = build(world, state)
        assert action in available_actions(users[persona], petition), (state, persona)
    assert "request_extension" in available_actions(world.handler_a, build(world, "handling"))
    routed = build(world, "routed")
    assert "transfer" not in available_actions(world.handler_a, routed)
    assert available_actions(world.handler_b, routed) == []
    accusation = build(world, "accusation_routed")
    assert available_actions(world.handler_a, accusation) == []

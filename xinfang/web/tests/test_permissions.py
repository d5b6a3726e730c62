"""available_actions agrees with the actions themselves: for every persona and
state, a listed action succeeds and an unlisted one is refused; the petition
page shows exactly the listed actions."""

from __future__ import annotations

import pytest
from django.db import transaction
from django.utils import timezone

from xinfang.documents.delivery import pending_posts, servable_documents
from xinfang.petitions.errors import ActionError
from xinfang.petitions.models import Petition
from xinfang.testing import advance, make_petition
from xinfang.web.permissions import ACTIONS, available_actions, evaluable_stages, perform

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
    "hearing_member",
    "outsider",
]


class Rollback(Exception):
    pass


def params_for(name: str, petition: Petition, user, world, extra) -> dict:
    opinion = {
        "outcome": "explain",
        "request": "退还停车费",
        "facts_reasons": "经查属实",
        "findings": "经查属实",
        "opinion_text": "予以解释",
        "legal_basis": "《物业管理条例》",
    }
    return {
        "classify": {"petition_class": "claim", "claim_route": 6},
        "transfer": {"unit": world.town_b},
        "decide_objection": {"uphold": True, "reason": "异议成立"},
        "object": {"reason": "不属于本单位职责"},
        "notify": {"text": "已书面告知"},
        "accept": {"simple": False},
        "reject": {"reason_code": "not_a_petition", "reason": "不属于信访事项"},
        "refuse_final": {"earlier": extra["final"], "reason": "同一事实和理由已复核终结"},
        "divert": {"claim_route": 1, "reason": "请依法向人民法院起诉"},
        "extend": {"days": 15, "reason": "情况复杂"},
        "convert_to_normal": {"reason": "情况复杂，需要调查"},
        "draft_opinion": opinion,
        "return_opinion": {"reason": "事实不清"},
        "approve_opinion": {},
        "conclude": {"result": "已答复并采纳建议"},
        "report": {"text": "已办结，报告如下"},
        "request_review": {"reason": "对处理意见不服"},
        "request_rereview": {"reason": "对复查意见不服"},
        "evaluate": {"stage": (evaluable_stages(petition) or ["acceptance"])[0], "rating": "satisfied"},
        "pause_clock": {"start": timezone.localdate(), "reason": "举行听证"},
        "resume_clock": {"end": timezone.localdate()},
        "merge": {"into": extra["target"], "reason": "同一事项"},
        "withdraw": {"reason": "问题已解决"},
        "reopen": {"reason": "发现新情况"},
        "recuse": {"user": user, "reason": "与本人有利害关系"},
        "note": {"text": "内部备注"},
        "deliver": {
            "document": first(servable_documents(user, petition)),
            "method": "direct",
            "signed_by": "张三",
        },
        "send_document": {
            "document": first(servable_documents(user, petition)),
            "method": "post",
            "tracking_number": "EMS2",
        },
        "confirm_receipt": {
            "delivery": first(pending_posts(user, petition)),
            "at": timezone.localdate(),
            "signed_by": "张三",
        },
        "raise_dispute": {"units": [world.housing], "reason": "涉及住建部门职责"},
        "decide_dispute": {"unit": petition.handling_unit, "decision": "由原单位受理"},
        "record_implementation": {"result": "已退还停车费"},
        "start_settlement": {
            "kind": "mediation",
            "other_party": "幸福物业公司",
            "petitioner_consents": True,
            "other_party_consents": True,
        },
        "settle": {"terms": "物业公司退还多收费用"},
        "end_settlement": {"reason": "对方不同意"},
    }[name]


def first(rows):
    return rows[0] if rows else None


def outcome(user, pk: int, name: str, world, extra):
    """None when the action succeeded, else the ActionError it raised (always rolled back)."""
    petition = Petition.objects.get(pk=pk)
    try:
        with transaction.atomic():
            perform(user, petition, name, **params_for(name, petition, user, world, extra))
            raise Rollback
    except Rollback:
        return None
    except ActionError as exc:
        return exc


@pytest.mark.parametrize("state", STATES)
def test_available_actions_match_the_actions(world, state, client):
    staff = district_staff(world)
    petition = build(world, state)
    extra = {
        "final": advance(make_petition(world, title="早已复核终结的事项"), world, to="final"),
        "target": make_petition(world, title="正在办理的同一事项"),
    }
    users = {name: getattr(world, name) for name in PERSONAS} | staff
    problems = []
    for persona, user in users.items():
        petition = Petition.objects.get(pk=petition.pk)
        listed = available_actions(user, petition)
        for name in ACTIONS:
            error = outcome(user, petition.pk, name, world, extra)
            if name in listed and error is not None:
                problems.append(f"{state}/{persona}: {name} listed but refused: {error.code} {error.message}")
            if name not in listed and error is None:
                problems.append(f"{state}/{persona}: {name} not listed but succeeded")
        # The page offers exactly the listed actions.
        client.force_login(user)
        response = client.get(f"/petitions/{petition.pk}/")
        if not listed:
            if response.status_code != 404 and any(f'id="action-{n}"' in response.text for n in ACTIONS):
                problems.append(f"{state}/{persona}: page shows actions to a user with none")
            continue
        assert response.status_code == 200, (state, persona)
        shown = [n for n in ACTIONS if f'id="action-{n}"' in response.text]
        if shown != listed:
            problems.append(f"{state}/{persona}: page shows {shown}, expected {listed}")
    assert not problems, "\n".join(problems)


def test_every_state_offers_someone_a_step(world):
    """Guards the table above against vacuous passes: the main path is offered to the right people."""
    staff = district_staff(world)
    expect = {
        "registered": ("registrar", "transfer"),
        "routed": ("handler_a", "accept"),
        "objected": ("bureau_leader", "decide_objection"),
        "handling": ("leader_a", "extend"),
        "drafted": ("leader_a", "approve_opinion"),
        "issued": ("registrar", "request_review"),
        "review": ("district_handler", "draft_opinion"),
        "rereview_paused": ("registrar", "resume_clock"),
        "rejected": ("bureau_leader", "reopen"),
        "handling_simple": ("leader_a", "convert_to_normal"),
    }
    users = {name: getattr(world, name) for name in PERSONAS} | staff
    for state, (persona, action) in expect.items():
        petition = build(world, state)
        assert action in available_actions(users[persona], petition), (state, persona)
    routed = build(world, "routed")
    assert "transfer" not in available_actions(world.handler_a, routed)
    assert available_actions(world.handler_b, routed) == []

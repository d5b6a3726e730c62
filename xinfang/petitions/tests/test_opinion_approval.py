"""The leader's approval of a draft opinion (Art. 32): a returned draft is
kept for the handler, and the leader's 审批意见 and edits are recorded."""

import pytest

from xinfang.petitions import actions as a
from xinfang.petitions.actions.approval import returned_draft
from xinfang.petitions.actions.rules import REGISTRY
from xinfang.petitions.choices import Status
from xinfang.petitions.errors import ActionError, Forbidden, WrongState
from xinfang.petitions.models import EventAction
from xinfang.testing import advance, make_petition

pytestmark = pytest.mark.django_db

DRAFT = {
    "outcome": "not_support",
    "request": "退还停车费",
    "facts_reasons": "物业公司擅自提高停车费",
    "findings": "经查收费符合备案标准",
    "opinion_text": "不予支持",
    "legal_basis": "《物业管理条例》第四十条",
}


def _drafted(world):
    return advance(make_petition(world), world, to="drafted")


def test_return_keeps_the_draft_and_the_leaders_reason(world):
    petition = _drafted(world)
    a.petition_return_opinion(actor=world.leader_a, petition=petition, reason="依据引用不准确")
    petition.refresh_from_db()
    returned = returned_draft(petition)
    assert returned is not None and returned.actor == world.leader_a
    assert returned.reason == "依据引用不准确"
    assert returned.data["draft"] == DRAFT
    assert not petition.opinions.exists()  # never issued: it leaves the opinions


def test_a_new_draft_or_a_later_stage_ends_the_returned_draft(world):
    petition = _drafted(world)
    a.petition_return_opinion(actor=world.leader_a, petition=petition, reason="请补充调查")
    a.petition_draft_opinion(actor=world.handler_a, petition=petition, **DRAFT)
    petition.refresh_from_db()
    assert returned_draft(petition) is None  # at 意见待审批, nothing to redraft
    a.petition_approve_opinion(actor=world.leader_a, petition=petition)
    review = advance(petition, world, to="review")
    assert review.status == Status.HANDLING and returned_draft(review) is None


def test_approval_records_remarks_and_the_leaders_edits(world):
    petition = _drafted(world)
    opinion = a.petition_approve_opinion(
        actor=world.leader_a,
        petition=petition,
        remarks="同意，措辞已调整",
        opinion_text="不予支持，并告知可申请复查",
        legal_basis=DRAFT["legal_basis"],  # unchanged: not an edit
        outcome="explain",
    )
    assert opinion.opinion_text == "不予支持，并告知可申请复查" and opinion.outcome == "explain"
    event = petition.events.get(action=EventAction.ISSUE_OPINION)
    assert event.actor == world.leader_a
    assert event.data["remarks"] == "同意，措辞已调整"
    assert event.data["outcome"] == "explain"
    assert [(e["field"], e["before"], e["after"]) for e in event.data["edits"]] == [
        ("outcome", "不予支持", "解释说明"),
        ("opinion_text", "不予支持", "不予支持，并告知可申请复查"),
    ]
    # The issued document prints the edited text.
    document = petition.documents.get(kind="handling_opinion")
    assert "不予支持，并告知可申请复查" in document.body_text


def test_approval_without_remarks_or_edits_records_neither(world):
    petition = _drafted(world)
    a.petition_approve_opinion(actor=world.leader_a, petition=petition)
    event = petition.events.get(action=EventAction.ISSUE_OPINION)
    assert "remarks" not in event.data and "edits" not in event.data


def test_an_emptied_field_is_refused_and_nothing_is_issued(world):
    petition = _drafted(world)
    with pytest.raises(ActionError) as refused:
        a.petition_approve_opinion(actor=world.leader_a, petition=petition, legal_basis="  ")
    assert "legal_basis" in refused.value.fields
    petition.refresh_from_db()
    assert petition.status == Status.OPINION_DRAFTED


@pytest.mark.parametrize("name", ["approve_opinion", "return_opinion"])
def test_only_the_handling_units_leader_approves_or_returns(world, name):
    petition = _drafted(world)
    rule = REGISTRY[name]
    assert rule.check(world.leader_a, petition) is None
    for other in (world.handler_a, world.leader_b, world.registrar, world.supervisor):
        assert isinstance(rule.check(other, petition), Forbidden), other
    handling = advance(make_petition(world), world, to="handling")
    assert isinstance(rule.check(world.leader_a, handling), WrongState)

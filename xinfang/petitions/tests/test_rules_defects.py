"""Who-may rules that pages hid but actions let through (issues 11, 12 and 13),
now refused by each action's declaration (actions/rules.py), on every way in."""

from __future__ import annotations

import pytest

from xinfang.api.tests.conftest import Caller
from xinfang.documents.kinds import DocumentKind
from xinfang.petitions import actions as a
from xinfang.petitions.access import get_petition_for, visible_petitions
from xinfang.petitions.actions.rules import RECUSED_MESSAGE, REGISTRY
from xinfang.petitions.choices import RejectionReason, Status
from xinfang.petitions.errors import ActionError, Forbidden, WrongState
from xinfang.petitions.models import Evaluation, EventAction, Recusal
from xinfang.testing import advance, deliver_opinion, make_petition
from xinfang.web.permissions import available_actions

pytestmark = pytest.mark.django_db


def api(user) -> Caller:
    return Caller(user)


# ---------------------------------------------------------------- Art. 28③: a recused actor acts on nothing


def test_art28_recused_registrar_cannot_transfer(world):
    """Issue 12 #12: the page hid the button, petition_transfer let him transfer."""
    petition = make_petition(world, petition_class="claim")
    a.petition_recuse(actor=world.bureau_leader, petition=petition, user=world.registrar, reason="近亲属")
    with pytest.raises(Forbidden) as refused:
        a.petition_transfer(actor=world.registrar, petition=petition, unit=world.town_a)
    assert refused.value.message == RECUSED_MESSAGE
    petition.refresh_from_db()
    assert petition.status == Status.REGISTERED


def test_art28_every_declared_action_refuses_a_recused_actor(world):
    """The recusal check is part of every declaration, not of each page."""
    petition = make_petition(world, petition_class="claim")
    a.petition_recuse(actor=world.bureau_leader, petition=petition, user=world.registrar, reason="近亲属")
    for name, rule in REGISTRY.items():
        refusal = rule.check(world.registrar, petition)
        if rule.recused_may:
            continue
        assert isinstance(refusal, Forbidden) and refusal.message == RECUSED_MESSAGE, name


def test_art28_recused_bureau_leader_keeps_oversight_but_cannot_act(world):
    petition = make_petition(world, petition_class="claim")
    a.petition_recuse(
        actor=world.bureau_leader, petition=petition, user=world.bureau_leader, reason="本人申请"
    )
    assert get_petition_for(world.bureau_leader, petition.pk) == petition
    response = api(world.bureau_leader).post(
        f"/petitions/{petition.pk}/transfer", {"unit_id": world.town_a.pk}
    )
    assert response.status_code == 403
    assert response.json()["message"] == RECUSED_MESSAGE
    # Only the withdrawal of their own declaration is offered.
    assert available_actions(world.bureau_leader, petition) == ["unrecuse"]


# ---------------------------------------------------------------- Art. 23③: transferred matters are objected to


def test_art23_unit_cannot_reject_a_transferred_matter(world):
    """Issue 12 #1: the unit's 不予受理 on a matter the bureau transferred skipped the objection."""
    petition = advance(make_petition(world), world, to="routed")
    assert "reject" not in available_actions(world.leader_a, petition)
    with pytest.raises(WrongState) as refused:
        a.petition_reject(
            actor=world.leader_a,
            petition=petition,
            reason_code=RejectionReason.OUTSIDE_POWERS,
            reason="不属于本街道职权",
            competent_body="区市场监督管理局",
        )
    assert "第二十三条第三款" in refused.value.message
    response = api(world.leader_a).post(
        f"/petitions/{petition.pk}/reject",
        {"reason_code": "outside_powers", "reason": "不属于", "competent_body": "区市场监督管理局"},
    )
    assert response.status_code == 409
    assert response.json()["message"] == refused.value.message
    # The route that remains: the objection within 5 working days.
    assert "object" in available_actions(world.leader_a, petition)


def test_art23_direct_refusal_names_the_competent_body_and_cites_23_1(world):
    petition = make_petition(world, actor=world.handler_a, title="街道直接收到的事项")
    assert "reject" in available_actions(world.leader_a, petition)
    with pytest.raises(ActionError) as missing:
        a.petition_reject(
            actor=world.leader_a, petition=petition, reason_code="outside_powers", reason="不属于本街道职权"
        )
    assert missing.value.fields == {"competent_body": "请填写有权处理的机关、单位"}
    a.petition_reject(
        actor=world.leader_a,
        petition=petition,
        reason_code="outside_powers",
        reason="不属于本街道职权",
        competent_body="区市场监督管理局",
    )
    notice = petition.documents.get(kind=DocumentKind.REJECTION_NOTICE)
    assert "请您向区市场监督管理局提出" in notice.body_text
    assert "第二十三条第一款" in notice.body_text


# ---------------------------------------------------------------- Art. 19③: only a body above refuses


def test_art19_peer_unit_cannot_refuse_a_matter_handled_next_door(world):
    """Issue 12 #8: a peer street office refused because town_a handles the same matter."""
    earlier = advance(make_petition(world), world, to="handling")
    petition = make_petition(world, actor=world.handler_b, title="同一事项又向幸福路街道提出")
    with pytest.raises(ActionError) as refused:
        a.petition_reject(
            actor=world.leader_b,
            petition=petition,
            reason_code=RejectionReason.SAME_MATTER_BELOW,
            reason="同一事项正在办理",
            earlier=earlier,
        )
    assert "第十九条第三款" in refused.value.message and "earlier" in refused.value.fields
    petition.refresh_from_db()
    assert petition.status == Status.ROUTED


def test_art19_the_bureau_above_refuses_a_matter_handled_below(world):
    earlier = advance(make_petition(world), world, to="handling")
    petition = make_petition(world, title="同一事项又向区信访局提出")
    a.petition_reject(
        actor=world.registrar,
        petition=petition,
        reason_code=RejectionReason.SAME_MATTER_BELOW,
        reason="同一事项正在办理",
        earlier=earlier,
    )
    assert petition.status == Status.REJECTED


# ---------------------------------------------------------------- recusal authority (issue 13 #2)


def test_unit_leader_cannot_recuse_the_supervisor_or_the_bureau_leader(world):
    petition = advance(make_petition(world), world, to="routed")
    for target in (world.supervisor, world.bureau_leader):
        response = api(world.leader_a).post(
            f"/petitions/{petition.pk}/recuse", {"user_id": target.pk, "reason": "有利害关系"}
        )
        assert response.status_code == 403, target
        assert "第二十八条" in response.json()["message"]
        assert visible_petitions(target).filter(pk=petition.pk).exists()
    assert not Recusal.objects.filter(petition=petition).exists()


def test_supervisor_cannot_recuse_the_unit_leader(world):
    petition = advance(make_petition(world), world, to="routed")
    with pytest.raises(Forbidden):
        a.petition_recuse(actor=world.supervisor, petition=petition, user=world.leader_a, reason="有利害关系")


def test_recusal_by_own_leader_or_the_bureau_above(world):
    petition = advance(make_petition(world), world, to="routed")
    a.petition_recuse(actor=world.leader_a, petition=petition, user=world.handler_a, reason="亲属")
    a.petition_recuse(actor=world.bureau_leader, petition=petition, user=world.leader_a, reason="亲属")
    assert set(petition.recusals.values_list("user_id", flat=True)) == {world.handler_a.pk, world.leader_a.pk}
    with pytest.raises(Forbidden):  # a subordinate never decides a superior's recusal
        a.petition_recuse(
            actor=world.community_handler, petition=petition, user=world.bureau_leader, reason="x"
        )


def test_recusal_never_removes_oversight(world):
    petition = advance(make_petition(world), world, to="routed")
    a.petition_recuse(actor=world.bureau_leader, petition=petition, user=world.supervisor, reason="近亲属")
    assert get_petition_for(world.supervisor, petition.pk) == petition


def test_recusal_is_undone_by_the_same_authority_with_an_event(world):
    petition = advance(make_petition(world), world, to="routed")
    a.petition_recuse(actor=world.leader_a, petition=petition, user=world.handler_a, reason="亲属")
    assert not visible_petitions(world.handler_a).filter(pk=petition.pk).exists()
    refused = api(world.registrar).post(
        f"/petitions/{petition.pk}/unrecuse", {"user_id": world.handler_a.pk, "reason": "误登记"}
    )
    assert refused.status_code == 409  # the registrar is no superior: nothing to withdraw
    assert "unrecuse" in available_actions(world.leader_a, petition)
    response = api(world.leader_a).post(
        f"/petitions/{petition.pk}/unrecuse", {"user_id": world.handler_a.pk, "reason": "利害关系已消除"}
    )
    assert response.status_code == 200, response.json()
    assert visible_petitions(world.handler_a).filter(pk=petition.pk).exists()
    event = petition.events.get(action=EventAction.UNRECUSE)
    assert event.actor == world.leader_a and event.data["user_id"] == world.handler_a.pk


def test_recusal_form_offers_only_people_the_user_may_decide_for(world, client):
    petition = advance(make_petition(world), world, to="routed")
    client.force_login(world.leader_a)
    page = client.get(f"/petitions/{petition.pk}/").text
    form = page[page.index('id="action-recuse"') : page.index('id="action-note"')]
    assert "新海承办人" in form and "社区承办人" in form
    assert "督查专员" not in form and "李局长" not in form


# ---------------------------------------------------------------- supervisors never act (issue 13 #12)


def test_supervisor_cannot_record_an_evaluation(world):
    petition = advance(make_petition(world), world, to="handling")
    response = api(world.supervisor).post(
        f"/petitions/{petition.pk}/evaluate", {"stage": "acceptance", "rating": "dissatisfied"}
    )
    assert response.status_code == 403
    assert not Evaluation.objects.filter(petition=petition).exists()
    ok = api(world.registrar).post(
        f"/petitions/{petition.pk}/evaluate", {"stage": "acceptance", "rating": "satisfied"}
    )
    assert ok.status_code == 200


def test_supervisor_is_offered_no_step(world):
    for to in ("routed", "handling", "issued"):
        petition = advance(make_petition(world), world, to=to)
        assert set(available_actions(world.supervisor, petition)) <= {"recuse"}, to


def test_the_petitioner_still_acts_on_the_portal_path(world):
    petition = advance(make_petition(world), world, to="issued")
    deliver_opinion(petition, world)  # the review window runs from receipt (Arts. 35–36)
    a.petition_evaluate(petition=petition, stage="acceptance", rating="satisfied")
    a.petition_request_review(petition=petition, reason="不服")
    petition.refresh_from_db()
    assert petition.stage == "review"
    with pytest.raises(WrongState):
        a.petition_request_review(petition=petition, reason="再次")

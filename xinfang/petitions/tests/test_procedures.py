"""Arts. 24, 32 (last paragraph) and 33 through the actions."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.utils import timezone

from xinfang.accounts.models import Role
from xinfang.alerts.deadlines import warn_deadlines
from xinfang.alerts.models import Alert
from xinfang.calendars.rules import DeadlineRule
from xinfang.calendars.service import compute_due
from xinfang.documents.models import IssuedDocument
from xinfang.petitions import actions as a
from xinfang.petitions.actions.jurisdiction import common_superior
from xinfang.petitions.errors import ActionError, Forbidden, WrongState
from xinfang.petitions.models import Deadline, Implementation, Settlement
from xinfang.testing import advance, deliver_opinion, make_petition, make_unit, make_user
from xinfang.units.models import UnitKind, UnitLevel

pytestmark = pytest.mark.django_db

SUPPORT = {
    "outcome": "support",
    "request": "退还停车费",
    "facts_reasons": "经查收费标准未经备案",
    "findings": "物业公司收费标准未向价格主管部门备案",
    "opinion_text": "责成物业公司退还多收费用",
    "legal_basis": "《物业管理条例》第四十条",
}


def open_rule(petition, rule):
    return Deadline.objects.open().filter(petition=petition, rule=rule).first()


# ---------------------------------------------------------------- Art. 24


def test_art24_common_superior_of_disputing_units(world):
    assert common_superior([world.town_a, world.housing]) == world.district
    assert common_superior([world.community_a, world.town_b]) == world.district
    assert common_superior([world.community_a, world.town_a]) == world.district
    other_city = make_unit(
        "盐城市人民政府", "320900", parent=None, level=UnitLevel.CITY, kind=UnitKind.LEADERSHIP
    )
    assert common_superior([world.town_a, other_city]) is None


def test_art24_dispute_decided_by_common_superior_with_deadline(world, settings):
    settings.JURISDICTION_DECISION_DAYS = 10
    petition = advance(make_petition(world), world, to="routed")
    dispute = a.petition_raise_dispute(
        actor=world.handler_a, petition=petition, units=[world.housing], reason="停车收费属住建部门监管"
    )
    assert dispute.decider == world.district
    assert set(dispute.units.all()) == {world.town_a, world.housing}
    deadline = open_rule(petition, DeadlineRule.JURISDICTION)
    assert (deadline.days, deadline.due) == (
        10,
        compute_due(DeadlineRule.JURISDICTION, timezone.localdate(), days=10).date,
    )
    with pytest.raises(WrongState):
        a.petition_raise_dispute(
            actor=world.handler_a, petition=petition, units=[world.town_b], reason="再次"
        )
    # Neither disputing unit decides, nor a leader below the superior.
    for actor in (world.leader_a, world.housing_leader, world.handler_a):
        with pytest.raises(Forbidden):
            a.petition_decide_dispute(
                actor=actor, petition=petition, unit=world.housing, decision="由住建局受理"
            )
    district_leader = make_user("district_leader", Role.UNIT_LEADER, world.district, "区政府负责人")
    with pytest.raises(ActionError) as err:
        a.petition_decide_dispute(actor=district_leader, petition=petition, unit=world.city, decision="x")
    assert "unit" in err.value.fields
    a.petition_decide_dispute(
        actor=district_leader, petition=petition, unit=world.housing, decision="由住建局受理"
    )
    petition.refresh_from_db()
    assert petition.handling_unit == world.housing and petition.status == "routed"
    assert open_rule(petition, DeadlineRule.JURISDICTION) is None
    assert open_rule(petition, DeadlineRule.OBJECT) is None
    assert open_rule(petition, DeadlineRule.NOTIFY).start == timezone.localdate()
    steps = [e.data["step"] for e in petition.events.filter(action="jurisdiction")]
    assert steps == ["raised", "decided"]
    a.petition_accept(actor=world.housing_handler, petition=petition)


def test_art24_bureau_leader_records_the_decision_of_the_government_it_serves(world):
    petition = advance(make_petition(world), world, to="routed")
    a.petition_raise_dispute(
        actor=world.registrar, petition=petition, units=[world.town_b], reason="地址在两街道交界"
    )
    a.petition_decide_dispute(
        actor=world.bureau_leader, petition=petition, unit=world.town_a, decision="仍由新海街道受理"
    )
    petition.refresh_from_db()
    assert petition.handling_unit == world.town_a
    assert petition.jurisdiction_disputes.get().decided_unit == world.town_a


def test_art24_without_common_superior_the_joint_conference_coordinates(world):
    other_city = make_unit(
        "盐城市人民政府", "320900", parent=None, level=UnitLevel.CITY, kind=UnitKind.LEADERSHIP
    )
    petition = advance(make_petition(world), world, to="routed")
    dispute = a.petition_raise_dispute(
        actor=world.handler_a, petition=petition, units=[other_city], reason="跨市事项"
    )
    assert dispute.decider is None and dispute.by_joint_conference
    assert petition.events.get(action="jurisdiction").data["decider"] == "信访工作联席会议"
    with pytest.raises(Forbidden):
        a.petition_decide_dispute(actor=world.leader_a, petition=petition, unit=world.town_a, decision="x")
    a.petition_decide_dispute(
        actor=world.bureau_leader, petition=petition, unit=world.town_a, decision="联席会议协调"
    )


def test_art24_dispute_needs_another_unit_and_a_matter_not_yet_accepted(world):
    petition = advance(make_petition(world), world, to="routed")
    with pytest.raises(ActionError):
        a.petition_raise_dispute(actor=world.handler_a, petition=petition, units=[world.town_a], reason="x")
    with pytest.raises(ActionError):
        a.petition_raise_dispute(actor=world.handler_a, petition=petition, units=[world.bureau], reason="x")
    with pytest.raises(Forbidden):
        a.petition_raise_dispute(actor=world.handler_b, petition=petition, units=[world.town_b], reason="x")
    handling = advance(make_petition(world), world, to="handling")
    with pytest.raises(WrongState):
        a.petition_raise_dispute(actor=world.handler_a, petition=handling, units=[world.town_b], reason="x")


def test_art24_overdue_decision_is_warned(world):
    petition = advance(make_petition(world), world, to="routed")
    a.petition_raise_dispute(actor=world.handler_a, petition=petition, units=[world.housing], reason="争议")
    Deadline.objects.filter(petition=petition, rule=DeadlineRule.JURISDICTION).update(
        due=timezone.localdate() - timedelta(days=1)
    )
    warn_deadlines()
    assert Alert.objects.filter(kind="overdue", petition=petition, data__rule="jurisdiction").exists()


# ---------------------------------------------------------------- Art. 32


def supported(world):
    petition = advance(make_petition(world), world, to="handling")
    a.petition_draft_opinion(actor=world.handler_a, petition=petition, **SUPPORT)
    a.petition_approve_opinion(actor=world.leader_a, petition=petition)
    return petition


def test_art32_supported_opinion_gets_an_implementation_check(world, settings):
    settings.IMPLEMENTATION_DAYS = 20
    petition = supported(world)
    check = Implementation.objects.get(petition=petition)
    assert check.unit == world.town_a and check.is_open
    deadline = open_rule(petition, DeadlineRule.IMPLEMENT)
    assert (deadline.days, deadline.due) == (
        20,
        compute_due(DeadlineRule.IMPLEMENT, timezone.localdate(), days=20).date,
    )
    not_supported = advance(make_petition(world), world, to="issued")
    assert not Implementation.objects.filter(petition=not_supported).exists()


def test_art32_implementation_recorded_by_the_supporting_unit(world):
    petition = supported(world)
    with pytest.raises(Forbidden):
        a.petition_record_implementation(actor=world.handler_b, petition=petition, result="已落实")
    with pytest.raises(ActionError):
        a.petition_record_implementation(actor=world.handler_a, petition=petition, result="")
    a.petition_record_implementation(
        actor=world.handler_a, petition=petition, result="物业公司已退还多收费用"
    )
    check = Implementation.objects.get(petition=petition)
    assert check.done_by == world.handler_a and not check.is_open
    assert open_rule(petition, DeadlineRule.IMPLEMENT) is None
    assert [e.data["step"] for e in petition.events.filter(action="implement")] == ["opened", "done"]
    with pytest.raises(WrongState):
        a.petition_record_implementation(actor=world.handler_a, petition=petition, result="再次")


def test_art32_implementation_supervised_after_the_matter_closes(world):
    petition = supported(world)
    deliver_opinion(petition, world)
    Deadline.objects.filter(petition=petition, rule=DeadlineRule.REVIEW_REQUEST).update(
        due=timezone.localdate() - timedelta(days=1)
    )
    assert a.petition_close_after_window(petition=petition)
    petition.refresh_from_db()
    assert petition.status == "closed"
    deadline = open_rule(petition, DeadlineRule.IMPLEMENT)
    assert deadline is not None
    Deadline.objects.filter(pk=deadline.pk).update(due=timezone.localdate() - timedelta(days=1))
    warn_deadlines()
    assert Alert.objects.filter(kind="overdue", petition=petition, data__rule="implement").exists()
    a.petition_record_implementation(actor=world.registrar, petition=petition, result="经督查已落实")


def test_art32_a_later_opinion_replaces_the_check(world):
    petition = supported(world)
    deliver_opinion(petition, world)
    a.petition_request_review(petition=petition, reason="要求赔偿")
    advance(petition, world, to="review_issued")
    first = Implementation.objects.get(petition=petition)
    assert first.superseded_at is not None
    assert open_rule(petition, DeadlineRule.IMPLEMENT) is None


# ---------------------------------------------------------------- Art. 33


def start(world, petition, **overrides):
    values = {
        "kind": "mediation",
        "other_party": "幸福物业公司",
        "petitioner_consents": True,
        "other_party_consents": True,
    }
    return a.petition_start_settlement(actor=world.handler_a, petition=petition, **{**values, **overrides})


def test_art33_mediation_needs_consent(world):
    petition = advance(make_petition(world), world, to="handling")
    with pytest.raises(ActionError) as err:
        start(world, petition, other_party_consents=False)
    assert "other_party_consents" in err.value.fields
    with pytest.raises(ActionError) as err:
        start(world, petition, kind="settlement", petitioner_consents=False)
    assert "petitioner_consents" in err.value.fields
    assert not Settlement.objects.exists()
    settlement = start(world, petition)
    assert settlement.consent_date == timezone.localdate()
    assert petition.events.get(action="settlement").data["step"] == "started"


def test_art33_only_for_claims_being_handled(world):
    suggestion = make_petition(world, title="建议增设公交站点")
    a.petition_classify(actor=world.registrar, petition=suggestion, petition_class="suggestion")
    advance(suggestion, world, to="handling")
    with pytest.raises(ActionError):
        start(world, suggestion)
    routed = advance(make_petition(world), world, to="routed")
    with pytest.raises(ActionError):
        start(world, routed)


def test_art33_mediation_agreement_is_issued_and_ends_the_handling(world):
    petition = advance(make_petition(world), world, to="handling")
    start(world, petition)
    with pytest.raises(Forbidden):
        a.petition_settle(actor=world.handler_a, petition=petition, terms="退还多收费用")
    settlement = a.petition_settle(
        actor=world.leader_a, petition=petition, terms="物业公司于4月30日前退还多收费用"
    )
    petition.refresh_from_db()
    assert petition.status == "closed" and petition.closed_at is not None
    document = settlement.document
    assert document.kind == "mediation_agreement" and document.title == "调解协议书"
    assert "幸福物业公司" in document.body_text and "4月30日前退还" in document.body_text
    assert "第三十三条" in document.body_text
    event = petition.events.get(action="settlement", data__step="agreed")
    assert event.data["outcome"] == "mediation" and event.documents == [document.number]
    assert open_rule(petition, DeadlineRule.CONCLUDE) is None
    # An agreement is served on the petitioner like any other document.
    assert IssuedDocument.objects.get(pk=document.pk).needs_delivery


def test_art33_settlement_agreement_document(world):
    petition = advance(make_petition(world), world, to="handling")
    start(world, petition, kind="settlement")
    settlement = a.petition_settle(actor=world.leader_a, petition=petition, terms="双方自愿和解")
    assert settlement.document.kind == "settlement_agreement" and settlement.document.title == "和解协议书"


def test_art33_failed_mediation_returns_to_normal_handling(world):
    petition = advance(make_petition(world), world, to="handling")
    start(world, petition)
    with pytest.raises(WrongState):
        start(world, petition)
    a.petition_end_settlement(actor=world.handler_a, petition=petition, reason="对方不同意退费")
    petition.refresh_from_db()
    assert petition.status == "handling"
    with pytest.raises(WrongState):
        a.petition_settle(actor=world.leader_a, petition=petition, terms="x")
    a.petition_draft_opinion(actor=world.handler_a, petition=petition, **SUPPORT)

"""Every transition, allowed and refused (by role and by state)."""

from datetime import timedelta

import pytest
from django.utils import timezone

from xinfang.petitions import actions as a
from xinfang.petitions.choices import RejectionReason, Stage, Status
from xinfang.petitions.errors import ActionError, DeadlinePassed, Forbidden, WrongState
from xinfang.petitions.models import Deadline, PetitionEvent, PetitionLink
from xinfang.testing import advance, deliver_opinion, make_petition, make_unit

pytestmark = pytest.mark.django_db

OPINION = {
    "outcome": "support",
    "request": "退还停车费",
    "facts_reasons": "经查属实",
    "findings": "经查属实",
    "opinion_text": "予以支持",
    "legal_basis": "《物业管理条例》",
}


def last_event(petition):
    return PetitionEvent.objects.filter(petition=petition).order_by("-pk").first()


def test_register_at_bureau_waits_for_routing_with_15_day_deadline(world):
    petition = make_petition(world)
    assert petition.status == Status.REGISTERED
    deadline = Deadline.objects.get(petition=petition)
    assert deadline.rule == "route" and deadline.days == 15
    assert last_event(petition).action == "register"
    assert len(petition.query_code) == 8 and petition.check_query_code(petition.query_code)


def test_register_at_a_unit_is_received_directly_and_must_notify(world):
    petition = make_petition(world, actor=world.handler_a)
    assert petition.status == Status.ROUTED
    assert petition.handling_unit == world.town_a
    assert Deadline.objects.get(petition=petition).rule == "notify"


def test_register_refused_for_hearing_member_and_supervisor(world):
    for actor in (world.hearing_member, world.supervisor):
        with pytest.raises(Forbidden):
            make_petition(world, actor=actor)


def test_register_validates_with_chinese_field_errors(world):
    from xinfang.petitions.actions import PetitionerInput

    with pytest.raises(ActionError) as err:
        make_petition(world, title="", petitioners=[PetitionerInput(name="李四", id_number="123")])
    assert err.value.fields["title"] == "请填写标题"
    assert "身份证" in err.value.fields["petitioners.0.id_number"]


def test_collective_visit_allows_at_most_five_representatives(world):
    from xinfang.petitions.actions import PetitionerInput

    six = [PetitionerInput(name=f"代表{i}", is_representative=True) for i in range(6)]
    with pytest.raises(ActionError) as err:
        make_petition(world, petitioners=six, head_count=40)
    assert "不得超过5人" in err.value.fields["petitioners"]
    five = [PetitionerInput(name=f"代表{i}", is_representative=True) for i in range(5)]
    petition = make_petition(world, petitioners=five, head_count=40)
    assert petition.is_collective and petition.head_count == 40


def test_transfer_by_bureau_opens_notify_and_objection_deadlines(world):
    petition = make_petition(world)
    a.petition_transfer(actor=world.registrar, petition=petition, unit=world.town_a)
    assert petition.status == Status.ROUTED and petition.handling_unit == world.town_a
    rules = set(Deadline.objects.open().filter(petition=petition).values_list("rule", flat=True))
    assert rules == {"notify", "object"}
    assert Deadline.objects.get(petition=petition, rule="route").met_at is not None


def test_assign_adds_a_report_deadline(world):
    petition = make_petition(world)
    a.petition_transfer(
        actor=world.registrar, petition=petition, unit=world.housing, assign=True, report_days=20
    )
    assert petition.is_assignment
    report = Deadline.objects.get(petition=petition, rule="assign_report")
    assert report.days == 20
    assert last_event(petition).action == "assign"


@pytest.mark.parametrize("persona", ["handler_a", "leader_a", "supervisor", "hearing_member", "outsider"])
def test_transfer_refused_outside_the_bureau(world, persona):
    petition = make_petition(world)
    with pytest.raises(Forbidden):
        a.petition_transfer(actor=getattr(world, persona), petition=petition, unit=world.town_a)
    petition.refresh_from_db()
    assert petition.status == Status.REGISTERED


def test_transfer_refused_twice(world):
    petition = make_petition(world)
    a.petition_transfer(actor=world.registrar, petition=petition, unit=world.town_a)
    with pytest.raises(WrongState):
        a.petition_transfer(actor=world.registrar, petition=petition, unit=world.town_b)


def test_accusation_only_to_discipline_and_never_to_the_accused(world):
    petition = make_petition(world, petition_class="accusation", respondent_unit_id=world.town_a.pk)
    with pytest.raises(ActionError):
        a.petition_transfer(actor=world.registrar, petition=petition, unit=world.town_a)
    with pytest.raises(ActionError):
        a.petition_transfer(actor=world.registrar, petition=petition, unit=world.housing)
    a.petition_transfer(actor=world.registrar, petition=petition, unit=world.discipline)
    assert petition.handling_unit == world.discipline


def test_art22_30_accusation_against_a_government_goes_to_its_discipline_body_only(world):
    """The 区纪委监委 sits under the accused 海州区人民政府 in the tree, yet it is the
    body Art. 22 names; the accused government and its other units never get the
    materials (Art. 30), a discipline group inside one of its departments included."""
    group = make_unit(
        "区住建局派驻纪检组",
        "320706-ZJ-JW",
        parent=world.housing,
        level=world.housing.level,
        kind="discipline",
    )
    petition = make_petition(world, petition_class="accusation", respondent_unit_id=world.district.pk)
    for unit in (world.district, world.housing, group):
        with pytest.raises(ActionError):
            a.petition_transfer(actor=world.registrar, petition=petition, unit=unit)
    with pytest.raises(ActionError) as err:
        a.petition_transfer(actor=world.registrar, petition=petition, unit=group)
    assert "被检举单位" in err.value.message
    a.petition_transfer(actor=world.registrar, petition=petition, unit=world.discipline)
    assert petition.handling_unit == world.discipline


def test_litigation_matter_goes_to_political_legal_unit(world):
    petition = make_petition(world, is_litigation=True, petition_class="claim")
    with pytest.raises(ActionError) as err:
        a.petition_transfer(actor=world.registrar, petition=petition, unit=world.town_a)
    assert "政法" in err.value.message
    a.petition_transfer(actor=world.registrar, petition=petition, unit=world.political_legal)


def test_objection_within_five_working_days_then_bureau_takes_it_back(world):
    petition = advance(make_petition(world), world, to="routed")
    with pytest.raises(Forbidden):
        a.petition_object(actor=world.handler_b, petition=petition, reason="不归我们")
    a.petition_object(actor=world.handler_a, petition=petition, reason="属于住建局职责")
    assert petition.status == Status.OBJECTED
    a.petition_decide_objection(actor=world.registrar, petition=petition, uphold=True, reason="核实同意")
    assert petition.status == Status.REGISTERED and petition.handling_unit is None
    assert Deadline.objects.open().filter(petition=petition, rule="route").exists()
    a.petition_transfer(actor=world.registrar, petition=petition, unit=world.housing)
    assert petition.handling_unit == world.housing


def test_objection_dismissed_keeps_the_unit(world):
    petition = advance(make_petition(world), world, to="routed")
    a.petition_object(actor=world.handler_a, petition=petition, reason="不归我们")
    with pytest.raises(Forbidden):
        a.petition_decide_objection(actor=world.handler_a, petition=petition, uphold=False, reason="x")
    a.petition_decide_objection(
        actor=world.bureau_leader, petition=petition, uphold=False, reason="属于属地职责"
    )
    assert petition.status == Status.ROUTED and petition.handling_unit == world.town_a


def test_objection_refused_after_five_working_days(world):
    petition = advance(make_petition(world), world, to="routed")
    Deadline.objects.filter(petition=petition, rule="object").update(
        due=timezone.localdate() - timedelta(days=1)
    )
    with pytest.raises(DeadlinePassed):
        a.petition_object(actor=world.handler_a, petition=petition, reason="不归我们")


def test_objection_requires_a_reason(world):
    petition = advance(make_petition(world), world, to="routed")
    with pytest.raises(ActionError) as err:
        a.petition_object(actor=world.handler_a, petition=petition, reason="  ")
    assert err.value.fields == {"reason": "此项为必填项"}


def test_notify_stops_the_notice_clock_once(world):
    petition = advance(make_petition(world), world, to="routed")
    a.petition_notify(actor=world.handler_a, petition=petition)
    assert Deadline.objects.get(petition=petition, rule="notify").met_at is not None
    with pytest.raises(ActionError):
        a.petition_notify(actor=world.handler_a, petition=petition)


def test_accept_starts_60_day_clock(world):
    petition = advance(make_petition(world), world, to="routed")
    with pytest.raises(Forbidden):
        a.petition_accept(actor=world.handler_b, petition=petition)
    a.petition_accept(actor=world.handler_a, petition=petition)
    conclude = Deadline.objects.get(petition=petition, rule="conclude")
    assert conclude.days == 60 and petition.status == Status.HANDLING


def test_accept_needs_a_class(world):
    petition = make_petition(world)
    a.petition_transfer(actor=world.registrar, petition=petition, unit=world.town_a)
    with pytest.raises(ActionError):
        a.petition_accept(actor=world.handler_a, petition=petition)


def test_simple_procedure_only_for_first_time_matters(world):
    first = advance(make_petition(world), world, to="routed")
    a.petition_accept(actor=world.handler_a, petition=first, simple=True)
    assert Deadline.objects.get(petition=first, rule="simple").working_days
    again = advance(
        make_petition(world, received_at=timezone.now() + timedelta(seconds=1)), world, to="routed"
    )
    again.category = first.category
    with pytest.raises(ActionError):
        a.petition_accept(actor=world.handler_a, petition=again, simple=True)


def test_reject_same_matter_below_art_19_needs_an_open_earlier_matter(world):
    earlier = advance(make_petition(world), world, to="handling")
    petition = make_petition(world)
    with pytest.raises(ActionError):
        a.petition_reject(
            actor=world.registrar,
            petition=petition,
            reason_code=RejectionReason.SAME_MATTER_BELOW,
            reason="同一事项",
        )
    a.petition_reject(
        actor=world.registrar,
        petition=petition,
        reason_code=RejectionReason.SAME_MATTER_BELOW,
        reason="同一事项正在办理",
        earlier=earlier,
    )
    assert petition.status == Status.REJECTED
    assert PetitionLink.objects.filter(from_petition=petition, to_petition=earlier).exists()
    assert not Deadline.objects.open().filter(petition=petition).exists()


def test_reject_at_unit_needs_the_unit_leader(world):
    # Received directly at the street office (Art. 23①); a transferred matter
    # cannot be refused by the unit at all (test_rules_defects).
    petition = make_petition(world, actor=world.handler_a)
    with pytest.raises(Forbidden):
        a.petition_reject(
            actor=world.handler_a,
            petition=petition,
            reason_code="outside_powers",
            reason="不属于",
            competent_body="区市场监督管理局",
        )
    a.petition_reject(
        actor=world.leader_a,
        petition=petition,
        reason_code="outside_powers",
        reason="不属于",
        competent_body="区市场监督管理局",
    )
    assert petition.status == Status.REJECTED


def test_refuse_final_only_after_rereview(world):
    earlier = advance(make_petition(world), world, to="issued")
    petition = make_petition(world)
    with pytest.raises(ActionError):
        a.petition_refuse_final(
            actor=world.registrar, petition=petition, earlier=earlier, reason="同一事实和理由"
        )
    final = advance(make_petition(world), world, to="final")
    a.petition_refuse_final(actor=world.registrar, petition=petition, earlier=final, reason="同一事实和理由")
    assert petition.status == Status.REFUSED_FINAL


def test_divert_routes_one_to_four_close_the_matter(world):
    petition = advance(make_petition(world), world, to="handling")
    with pytest.raises(ActionError):
        a.petition_divert(actor=world.handler_a, petition=petition, claim_route=6, reason="x")
    a.petition_divert(actor=world.handler_a, petition=petition, claim_route=2, reason="应通过劳动仲裁解决")
    assert petition.status == Status.DIVERTED and petition.closed_at


def test_divert_refused_for_suggestions(world):
    petition = make_petition(world, petition_class="suggestion")
    advance(petition, world, to="handling")
    with pytest.raises(ActionError):
        a.petition_divert(actor=world.handler_a, petition=petition, claim_route=1, reason="x")


def test_extension_once_at_most_30_days_by_the_unit_leader(world):
    petition = advance(make_petition(world), world, to="handling")
    conclude = Deadline.objects.get(petition=petition, rule="conclude")
    with pytest.raises(Forbidden):
        a.petition_extend(actor=world.handler_a, petition=petition, days=30, reason="情况复杂")
    with pytest.raises(ActionError):
        a.petition_extend(actor=world.leader_a, petition=petition, days=31, reason="情况复杂")
    a.petition_extend(actor=world.leader_a, petition=petition, days=30, reason="情况复杂")
    conclude.refresh_from_db()
    assert conclude.extension_days == 30 and petition.is_extended
    assert (conclude.due - conclude.start).days >= 90
    with pytest.raises(WrongState):
        a.petition_extend(actor=world.leader_a, petition=petition, days=10, reason="再延")


def test_opinion_drafted_returned_and_approved_by_leader(world):
    petition = advance(make_petition(world), world, to="handling")
    with pytest.raises(ActionError) as err:
        a.petition_draft_opinion(actor=world.handler_a, petition=petition, **{**OPINION, "legal_basis": ""})
    assert "legal_basis" in err.value.fields
    a.petition_draft_opinion(actor=world.handler_a, petition=petition, **OPINION)
    assert petition.status == Status.OPINION_DRAFTED
    with pytest.raises(Forbidden):
        a.petition_approve_opinion(actor=world.handler_a, petition=petition)
    a.petition_return_opinion(actor=world.leader_a, petition=petition, reason="事实部分需补充")
    assert petition.status == Status.HANDLING
    a.petition_draft_opinion(actor=world.handler_a, petition=petition, **OPINION)
    opinion = a.petition_approve_opinion(actor=world.leader_a, petition=petition)
    # Issued, not yet delivered: the review window counts from receipt (Art. 35).
    assert petition.status == Status.OPINION_ISSUED and opinion.delivered_at is None
    assert not Deadline.objects.filter(petition=petition, rule="review_request").exists()
    deliver_opinion(petition, world)
    opinion.refresh_from_db()
    assert opinion.delivered_at
    assert Deadline.objects.open().filter(petition=petition, rule="review_request").exists()


def test_conclude_for_suggestions_and_accusations_not_for_claims(world):
    claim = advance(make_petition(world), world, to="handling")
    with pytest.raises(ActionError):
        a.petition_conclude(actor=world.handler_a, petition=claim, result="已答复")
    suggestion = make_petition(world, petition_class="suggestion")
    advance(suggestion, world, to="handling")
    a.petition_conclude(actor=world.handler_a, petition=suggestion, result="建议已采纳")
    assert suggestion.status == Status.CLOSED


def test_evaluation_after_opinion_once(world):
    petition = advance(make_petition(world), world, to="handling")
    with pytest.raises(WrongState):
        a.petition_evaluate(petition=petition, stage="handling", rating="satisfied")
    a.petition_evaluate(petition=petition, stage="acceptance", rating="satisfied")
    advance(petition, world, to="issued")
    a.petition_evaluate(petition=petition, stage="handling", rating="dissatisfied", comment="不满意")
    with pytest.raises(WrongState):
        a.petition_evaluate(petition=petition, stage="handling", rating="satisfied")
    with pytest.raises(ActionError):
        a.petition_evaluate(petition=petition, stage="acceptance", rating="great")


def test_review_goes_one_level_up_within_30_days(world):
    petition = advance(make_petition(world), world, to="review")
    assert petition.stage == Stage.REVIEW and petition.handling_unit == world.district
    assert Deadline.objects.get(petition=petition, rule="review_answer").days == 30


def test_review_refused_after_30_days(world):
    petition = advance(make_petition(world), world, to="issued")
    deliver_opinion(petition, world)
    Deadline.objects.filter(petition=petition, rule="review_request").update(
        due=timezone.localdate() - timedelta(days=1)
    )
    with pytest.raises(DeadlinePassed):
        a.petition_request_review(petition=petition, reason="不服")


def test_rereview_then_final_and_closed(world):
    petition = advance(make_petition(world), world, to="rereview")
    assert petition.handling_unit == world.city and petition.stage == Stage.REREVIEW
    with pytest.raises(WrongState):
        a.petition_request_review(petition=petition, reason="再次不服")
    advance(petition, world, to="final")
    assert petition.status == Status.CLOSED and petition.is_final


def test_close_after_window_by_worker(world):
    petition = advance(make_petition(world), world, to="issued")
    assert not a.petition_close_after_window(petition=petition)
    deliver_opinion(petition, world)
    Deadline.objects.filter(petition=petition, rule="review_request").update(
        due=timezone.localdate() - timedelta(days=1)
    )
    assert a.petition_close_after_window(petition=petition)
    petition.refresh_from_db()
    assert petition.status == Status.CLOSED and not petition.is_final


def test_merge_into_open_matter(world):
    open_matter = advance(make_petition(world), world, to="handling")
    from xinfang.petitions.actions import PetitionerInput

    repeat = make_petition(world, petitioners=[PetitionerInput(name="李四", phone="13900001111")])
    with pytest.raises(Forbidden):
        a.petition_merge(actor=world.handler_a, petition=repeat, into=open_matter)
    a.petition_merge(actor=world.registrar, petition=repeat, into=open_matter, reason="重复反映")
    assert repeat.status == Status.MERGED
    assert open_matter.petitioners.filter(name="李四").exists()
    closed = advance(make_petition(world), world, to="final")
    third = make_petition(world)
    with pytest.raises(ActionError):
        a.petition_merge(actor=world.registrar, petition=third, into=closed)


def test_withdraw_and_reopen(world):
    petition = advance(make_petition(world), world, to="handling")
    a.petition_withdraw(petition=petition, reason="问题已自行解决")
    assert petition.status == Status.WITHDRAWN
    with pytest.raises(WrongState):
        a.petition_withdraw(petition=petition, reason="again")
    with pytest.raises(Forbidden):
        a.petition_reopen(actor=world.handler_a, petition=petition, reason="x")
    a.petition_reopen(actor=world.bureau_leader, petition=petition, reason="信访人反映问题未解决")
    assert petition.status == Status.HANDLING
    assert Deadline.objects.open().filter(petition=petition, rule="conclude").exists()


def test_reopen_refused_for_open_matters(world):
    petition = make_petition(world)
    with pytest.raises(WrongState):
        a.petition_reopen(actor=world.bureau_leader, petition=petition, reason="x")


def test_recusal_blocks_the_member(world):
    petition = advance(make_petition(world), world, to="routed")
    a.petition_recuse(actor=world.leader_a, petition=petition, user=world.handler_a, reason="与信访人系亲属")
    with pytest.raises(Forbidden):
        a.petition_accept(actor=world.handler_a, petition=petition)
    with pytest.raises(Forbidden):
        a.petition_recuse(actor=world.handler_b, petition=petition, user=world.leader_a, reason="x")


def test_report_only_for_assignments(world):
    petition = advance(make_petition(world), world, to="handling")
    with pytest.raises(ActionError):
        a.petition_report(actor=world.handler_a, petition=petition, text="已办结")


def test_concurrent_transitions_only_one_wins(world):
    # Received directly, so the unit may both accept and refuse it (Art. 23①).
    petition = make_petition(world, actor=world.handler_a, petition_class="claim")
    stale = type(petition).objects.get(pk=petition.pk)
    a.petition_accept(actor=world.handler_a, petition=petition)
    with pytest.raises(WrongState) as lost:
        a.petition_reject(
            actor=world.leader_a,
            petition=stale,
            reason_code="outside_powers",
            reason="不属于",
            competent_body="区市场监督管理局",
        )
    assert lost.value.message == "该事项已被他人处理，请刷新后重试"


def test_every_transition_writes_an_event(world):
    petition = advance(make_petition(world), world, to="final")
    events = list(petition.events.order_by("pk").values_list("action", "from_status", "to_status"))
    assert events[0] == ("register", "", "registered")
    assert ("issue_opinion", "opinion_drafted", "closed") == events[-1]
    assert all(e[1] != e[2] for e in events if e[0] not in {"register", "classify", "extend", "deliver"})

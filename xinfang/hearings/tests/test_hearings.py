from datetime import date, timedelta

import pytest
from django.utils import timezone

from xinfang.hearings import actions
from xinfang.hearings.models import HearingStatus, Party, SeatStatus, tally
from xinfang.petitions.actions import PetitionerInput
from xinfang.petitions.deadlines import open_deadline_for, recompute, refresh_current_due
from xinfang.petitions.errors import ActionError, Forbidden, WrongState
from xinfang.petitions.models import EventAction, Petition
from xinfang.testing import VALID_ID, advance, make_petition

from .helpers import city_leader, make_roster, rereview_petition, schedule

pytestmark = pytest.mark.django_db


def _hold_and_conclude(world, hearing, members, opinions, *, held_on=None, concluded_on=None):
    held_on = held_on or timezone.localdate()
    actions.hearing_hold(actor=world.bureau_leader, hearing=hearing, held_on=held_on)
    for member, opinion in zip(members, opinions, strict=False):
        actions.hearing_record_opinion(
            actor=world.bureau_leader,
            hearing=hearing,
            member=member,
            opinion=opinion,
            reasoning=f"{member.name}的理由",
        )
    return actions.hearing_conclude(
        actor=world.bureau_leader,
        hearing=hearing,
        concluded_on=concluded_on or held_on,
        conclusion_text="经听证，维持复查意见。",
    )


def test_member_declaring_handling_unit_ancestor_is_recused_automatically(world):
    petition = rereview_petition(world)  # re-review at the city government
    members = make_roster(world, 4)
    members[1].related_units.set([world.city])
    hearing = schedule(world, petition)
    result = actions.hearing_select_panel(actor=world.bureau_leader, hearing=hearing, members=members)
    assert result.seated_count == 3
    seat = hearing.seats.get(member=members[1])
    assert seat.status == SeatStatus.RECUSED and seat.recusal_automatic
    assert "连云港市人民政府" in seat.recusal_reason
    event = petition.events.filter(action=EventAction.MECHANISM, data__step="panel_selected").get()
    assert event.data["recused"][0]["member"] == members[1].name


def test_member_related_to_petitioner_or_respondent_is_recused(world):
    petition = make_petition(world, respondent_person="刘某某")
    petition = advance(petition, world, to="handling")
    members = make_roster(world, 5)
    members[0].related_people = "张三"
    members[0].save()
    members[2].related_people = "王五、刘某某"
    members[2].save()
    members[3].related_units.set([world.housing])  # unrelated unit: no conflict
    hearing = schedule(world, petition, actor=world.handler_a)
    result = actions.hearing_select_panel(actor=world.handler_a, hearing=hearing, members=members)
    recused = {s.member_id: s.recusal_reason for s in result.recused}
    assert set(recused) == {members[0].pk, members[2].pk}
    assert "张三" in recused[members[0].pk] and "刘某某" in recused[members[2].pk]
    assert result.seated_count == 3


def test_panel_needs_at_least_three_members(world):
    petition = rereview_petition(world)
    members = make_roster(world, 3)
    hearing = schedule(world, petition)
    with pytest.raises(ActionError) as err:
        actions.hearing_select_panel(actor=world.bureau_leader, hearing=hearing, members=members[:2])
    assert "members" in err.value.fields
    members[2].related_units.set([world.city])
    actions.hearing_select_panel(actor=world.bureau_leader, hearing=hearing, members=members)
    # One conflict left two seated: the hearing cannot be held.
    with pytest.raises(ActionError):
        actions.hearing_hold(actor=world.bureau_leader, hearing=hearing, held_on=timezone.localdate())


def test_member_may_declare_recusal(world):
    petition = rereview_petition(world)
    members = make_roster(world, 4)
    hearing = schedule(world, petition)
    actions.hearing_select_panel(actor=world.bureau_leader, hearing=hearing, members=members)
    seat = hearing.seats.get(member=members[0])  # linked to world.hearing_member
    actions.hearing_recuse_member(actor=world.hearing_member, seat=seat, reason="与信访人系同学")
    seat.refresh_from_db()
    assert seat.status == SeatStatus.RECUSED and not seat.recusal_automatic
    other = hearing.seats.get(member=members[1])
    with pytest.raises(Forbidden):
        actions.hearing_recuse_member(actor=world.hearing_member, seat=other, reason="代他人申请")


def test_hearing_on_rereview_moves_due_date_by_exactly_the_hearing_days(world):
    petition = rereview_petition(world)
    deadline = open_deadline_for(petition, "rereview_answer")
    # A fixed start keeps the arithmetic clear of weekends and holidays:
    # 2024-05-13 + 30 日 = 2024-06-12 (Wednesday).
    type(deadline).objects.filter(pk=deadline.pk).update(start=date(2024, 5, 13))
    deadline.refresh_from_db()
    recompute(deadline)
    refresh_current_due(petition)
    before = deadline.due
    assert before == date(2024, 6, 12)
    members = make_roster(world, 3)
    hearing = schedule(world, petition)
    actions.hearing_select_panel(actor=world.bureau_leader, hearing=hearing, members=members)
    actions.hearing_hold(actor=world.bureau_leader, hearing=hearing, held_on=date(2024, 5, 20))
    petition.refresh_from_db()
    # While paused the clock drives no traffic light and no overdue list.
    assert petition.current_due is None and petition.due_state() is None
    assert not Petition.objects.overdue(today=date(2030, 1, 1)).filter(pk=petition.pk).exists()
    for member in members:
        actions.hearing_record_opinion(
            actor=world.bureau_leader,
            hearing=hearing,
            member=member,
            opinion="not_support",
            reasoning="请求缺乏事实根据",
        )
    actions.hearing_conclude(
        actor=world.bureau_leader,
        hearing=hearing,
        concluded_on=date(2024, 5, 21),
        conclusion_text="维持复查意见",
    )
    deadline.refresh_from_db()
    petition.refresh_from_db()
    hearing_days = (date(2024, 5, 21) - date(2024, 5, 20)).days + 1
    assert deadline.due - before == timedelta(days=hearing_days)
    assert petition.current_due == deadline.due == date(2024, 6, 14)
    actions_seen = list(petition.events.values_list("action", flat=True))
    assert EventAction.PAUSE in actions_seen and EventAction.RESUME in actions_seen


def test_hearing_outside_rereview_does_not_pause_the_clock(world):
    petition = advance(make_petition(world), world, to="handling")
    due = petition.current_due
    members = make_roster(world, 3)
    hearing = schedule(world, petition, actor=world.handler_a)
    actions.hearing_select_panel(actor=world.handler_a, hearing=hearing, members=members)
    actions.hearing_hold(actor=world.handler_a, hearing=hearing, held_on=timezone.localdate())
    petition.refresh_from_db()
    assert hearing.pause is None and petition.current_due == due


def test_majority_conclusion_keeps_dissent(world):
    petition = rereview_petition(world)
    members = make_roster(world, 5)
    hearing = schedule(world, petition)
    actions.hearing_select_panel(actor=world.bureau_leader, hearing=hearing, members=members)
    hearing = _hold_and_conclude(
        world, hearing, members, ["not_support", "not_support", "explain", "not_support", "support"]
    )
    assert hearing.status == HearingStatus.CONCLUDED
    assert hearing.conclusion == "not_support"
    assert hearing.votes == {"not_support": 3, "explain": 1, "support": 1}
    assert members[2].name in hearing.dissent and members[4].name in hearing.dissent
    assert members[0].name not in hearing.dissent
    event = petition.events.filter(data__mechanism="hearing", data__step="concluded").get()
    assert event.data["conclusion"] == "not_support"


def test_conclusion_needs_every_present_member_and_a_majority(world):
    assert tally(["support", "explain", "not_support"])[0] == ""
    petition = rereview_petition(world)
    members = make_roster(world, 3)
    hearing = schedule(world, petition)
    actions.hearing_select_panel(actor=world.bureau_leader, hearing=hearing, members=members)
    actions.hearing_hold(actor=world.bureau_leader, hearing=hearing, held_on=timezone.localdate())
    actions.hearing_record_opinion(
        actor=world.hearing_member, hearing=hearing, member=members[0], opinion="support", reasoning="理由一"
    )
    with pytest.raises(ActionError, match="未发表意见"):
        actions.hearing_conclude(
            actor=world.bureau_leader,
            hearing=hearing,
            concluded_on=timezone.localdate(),
            conclusion_text="结论",
        )
    for member, opinion in zip(members[1:], ["explain", "not_support"], strict=True):
        actions.hearing_record_opinion(
            actor=world.bureau_leader, hearing=hearing, member=member, opinion=opinion, reasoning="理由"
        )
    with pytest.raises(ActionError) as err:
        actions.hearing_conclude(
            actor=world.bureau_leader,
            hearing=hearing,
            concluded_on=timezone.localdate(),
            conclusion_text="结论",
        )
    assert err.value.code == "no_majority"
    # A member cannot record another member's opinion.
    with pytest.raises(Forbidden):
        actions.hearing_record_opinion(
            actor=world.hearing_member,
            hearing=hearing,
            member=members[1],
            opinion="support",
            reasoning="代填",
        )


def test_notices_go_to_every_party_once(world):
    petition = rereview_petition(world)
    members = make_roster(world, 3)
    hearing = schedule(world, petition)
    actions.hearing_select_panel(actor=world.bureau_leader, hearing=hearing, members=members)
    created = actions.hearing_notify(actor=world.bureau_leader, hearing=hearing, method="delivered")
    parties = sorted(n.party for n in created)
    assert parties == sorted([Party.PETITIONER, Party.UNIT, Party.MEMBER, Party.MEMBER, Party.MEMBER])
    assert "区信访局听证室" in created[0].text
    assert actions.hearing_notify(actor=world.bureau_leader, hearing=hearing, method="sms") == []


def test_publication_masks_names_ids_and_phones(world):
    petitioners = [
        PetitionerInput(name="张三丰", id_number=VALID_ID, phone="13812345678", address="朝阳小区")
    ]
    petition = rereview_petition(world, petitioners=petitioners, respondent_person="刘大海")
    members = make_roster(world, 3)
    hearing = schedule(world, petition)
    actions.hearing_select_panel(actor=world.bureau_leader, hearing=hearing, members=members)
    actions.hearing_hold(actor=world.bureau_leader, hearing=hearing, held_on=timezone.localdate())
    for member in members:
        actions.hearing_record_opinion(
            actor=world.bureau_leader, hearing=hearing, member=member, opinion="explain", reasoning="理由"
        )
    text = (
        f"信访人张三丰（身份证号{VALID_ID}，电话138 1234 5678，座机0518-85801234）反映刘大海收费问题，"
        "经听证，对其作出解释说明。"
    )
    actions.hearing_conclude(
        actor=world.bureau_leader, hearing=hearing, concluded_on=timezone.localdate(), conclusion_text=text
    )
    with pytest.raises(Forbidden):
        actions.hearing_publish(actor=world.supervisor, hearing=hearing)
    published = actions.hearing_publish(actor=world.bureau_leader, hearing=hearing)
    body = published.title + published.masked_text
    for secret in ["张三丰", "刘大海", VALID_ID, "138 1234 5678", "85801234"]:
        assert secret not in body
    assert "张**" in body and "刘**" in body and "[身份证号已隐去]" in body and "[电话已隐去]" in body
    with pytest.raises(WrongState):
        actions.hearing_publish(actor=world.bureau_leader, hearing=hearing)


def test_supervisor_and_hearing_member_cannot_organise_hearings(world):
    petition = rereview_petition(world)
    for actor in (world.supervisor, world.hearing_member, world.handler_b):
        with pytest.raises(Forbidden):
            schedule(world, petition, actor=actor)


def test_city_unit_leader_organises_its_rereview_hearing(world):
    petition = rereview_petition(world)
    leader = city_leader(world)
    hearing = schedule(world, petition, actor=leader)
    assert hearing.stage == "rereview"


def test_cancelling_a_held_hearing_resumes_the_clock(world):
    petition = rereview_petition(world)
    members = make_roster(world, 3)
    hearing = schedule(world, petition)
    actions.hearing_select_panel(actor=world.bureau_leader, hearing=hearing, members=members)
    actions.hearing_hold(actor=world.bureau_leader, hearing=hearing, held_on=timezone.localdate())
    actions.hearing_cancel(actor=world.bureau_leader, hearing=hearing, reason="信访人撤回听证申请")
    petition.refresh_from_db()
    assert hearing.status == HearingStatus.CANCELLED and petition.current_due is not None


def test_second_open_hearing_is_refused(world):
    petition = rereview_petition(world)
    schedule(world, petition)
    with pytest.raises(WrongState):
        schedule(world, petition)

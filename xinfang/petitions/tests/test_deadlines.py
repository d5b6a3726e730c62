"""Deadlines of petitions through the workflow: statutory periods with real
holidays, extension, hearing pause, provisional dates recomputed."""

from datetime import date, datetime
from zoneinfo import ZoneInfo

import pytest
from django.test import TestCase

from xinfang.calendars.actions import schedule_load
from xinfang.calendars.schedule_csv import ScheduleRow
from xinfang.petitions import actions as a
from xinfang.petitions.models import Deadline
from xinfang.testing import advance, hold_rereview_hearing, make_petition

pytestmark = pytest.mark.django_db
SHANGHAI = ZoneInfo("Asia/Shanghai")


def at(y, m, d, h=10):
    return datetime(y, m, d, h, tzinfo=SHANGHAI)


def test_route_deadline_over_national_day_week(world, freezer_at):
    # Received 20 Sep 2025; day 15 is 5 Oct, inside the 1–8 Oct holiday → 9 Oct.
    freezer_at(at(2025, 9, 20))
    petition = make_petition(world, received_at=at(2025, 9, 20))
    assert Deadline.objects.get(petition=petition, rule="route").due == date(2025, 10, 9)
    assert petition.current_due == date(2025, 10, 9)


def test_objection_working_days_over_spring_festival_2026(world, freezer_at):
    # Routed Fri 13 Feb 2026; 14 Feb is a make-up working day, 15–23 Feb holiday.
    freezer_at(at(2026, 2, 13))
    petition = make_petition(world, received_at=at(2026, 2, 12))
    advance(petition, world, to="routed")
    objection = Deadline.objects.get(petition=petition, rule="object")
    # 14 Feb (make-up), 24, 25, 26, 27 Feb = 5 working days.
    assert objection.due == date(2026, 2, 27)


def test_conclusion_due_on_a_weekend_moves_to_monday(world, freezer_at):
    # Accepted Wed 7 Jan 2026 + 60 日 = Sun 8 Mar 2026 → Mon 9 Mar.
    freezer_at(at(2026, 1, 7))
    petition = advance(make_petition(world, received_at=at(2026, 1, 5)), world, to="handling")
    assert Deadline.objects.get(petition=petition, rule="conclude").due == date(2026, 3, 9)


def test_extension_adds_thirty_days_from_the_original_period_end(world, freezer_at):
    freezer_at(at(2026, 1, 7))
    petition = advance(make_petition(world, received_at=at(2026, 1, 5)), world, to="handling")
    a.petition_extend(actor=world.leader_a, petition=petition, days=30, reason="情况复杂")
    # 7 Jan + 60 日 = 8 Mar, a Sunday (alone the period would end on Mon 9 Mar);
    # the extension adds to the period itself: 8 Mar + 30 日 = 7 Apr (Tuesday), 90 日 in all.
    # (It asserted 8 Apr before: 30 日 counted from the rolled-forward 9 Mar.)
    assert Deadline.objects.get(petition=petition, rule="conclude").due == date(2026, 4, 7)
    petition.refresh_from_db()
    assert petition.current_due == date(2026, 4, 7)


def test_december_deadline_is_provisional_then_recomputed_when_2027_is_loaded(world, freezer_at):
    freezer_at(at(2026, 12, 20))
    petition = advance(make_petition(world, received_at=at(2026, 12, 18)), world, to="handling")
    conclude = Deadline.objects.get(petition=petition, rule="conclude")
    # 20 Dec 2026 + 60 日 = 18 Feb 2027 (Thursday) from weekends alone: provisional.
    assert (conclude.due, conclude.provisional) == (date(2027, 2, 18), True)
    petition.refresh_from_db()
    assert petition.current_due_provisional
    # The 2027 schedule arrives: say Spring Festival is 6–14 Feb 2027 with no make-up days
    # and 17–19 Feb are holidays too → the due date moves to 22 Feb (Monday).
    rows = [
        ScheduleRow(date(2027, 2, d), False, "春节") for d in (6, 7, 8, 9, 10, 11, 12, 13, 14, 17, 18, 19)
    ]
    with TestCase.captureOnCommitCallbacks(execute=True):  # the signal is sent on commit
        schedule_load(year=2027, rows=rows, source="测试")
    conclude.refresh_from_db()
    petition.refresh_from_db()
    assert (conclude.due, conclude.provisional) == (date(2027, 2, 22), False)
    assert (petition.current_due, petition.current_due_provisional) == (date(2027, 2, 22), False)


def test_hearing_pause_shifts_the_rereview_due_date(world, freezer_at):
    freezer_at(at(2026, 3, 2))
    petition = advance(make_petition(world, received_at=at(2026, 1, 5)), world, to="rereview")
    answer = Deadline.objects.get(petition=petition, rule="rereview_answer")
    before = answer.due
    # The clock stops for a hearing only (Art. 36②): holding it on 10 Mar pauses it.
    freezer_at(at(2026, 3, 10))
    hold_rereview_hearing(world, petition, held_on=date(2026, 3, 10))
    petition.refresh_from_db()
    assert petition.current_due is None or petition.current_due_rule != "rereview_answer"
    freezer_at(at(2026, 3, 14))
    a.petition_resume_clock(actor=world.bureau_leader, petition=petition, end=date(2026, 3, 14))
    answer.refresh_from_db()
    # 2 Mar + 30 日 = 1 Apr; five hearing days not counted → 6 Apr, a 清明 holiday → 7 Apr.
    assert before == date(2026, 4, 1)
    assert answer.due == date(2026, 4, 7)
    petition.refresh_from_db()
    assert petition.current_due == answer.due


def test_pause_only_during_rereview(world):
    petition = advance(make_petition(world), world, to="handling")
    from xinfang.petitions.errors import WrongState

    with pytest.raises(WrongState):
        a.petition_pause_clock(
            actor=world.bureau_leader, petition=petition, start=date.today(), reason="听证"
        )


def test_traffic_light_queries(world, freezer_at):
    freezer_at(at(2026, 3, 2))
    on_time = make_petition(world, received_at=at(2026, 3, 1))
    type(on_time).objects.filter(pk=on_time.pk).update(current_due=date(2026, 3, 20))
    soon = make_petition(world, received_at=at(2026, 3, 1))
    type(soon).objects.filter(pk=soon.pk).update(current_due=date(2026, 3, 4))
    late = make_petition(world, received_at=at(2026, 3, 1))
    type(late).objects.filter(pk=late.pk).update(current_due=date(2026, 3, 1))
    manager = type(on_time).objects
    assert set(manager.overdue().values_list("pk", flat=True)) == {late.pk}
    assert set(manager.due_soon().values_list("pk", flat=True)) == {soon.pk}
    assert set(manager.on_time().values_list("pk", flat=True)) == {on_time.pk}
    late.refresh_from_db()
    assert late.due_state() == "overdue"

"""The installation calendar: DB schedules over chinesecalendar, the year boundary, the cache."""

from datetime import date

import pytest
from django.core.management import call_command

from xinfang.calendars import service
from xinfang.calendars.actions import schedule_load
from xinfang.calendars.models import CalendarDay, HolidaySchedule
from xinfang.calendars.rules import DeadlineRule
from xinfang.calendars.schedule_csv import ScheduleRow
from xinfang.calendars.service import compute_due, get_calendar
from xinfang.calendars.signals import schedule_loaded
from xinfang.lib.deadlines import DueDate, LibraryCalendar

pytestmark = pytest.mark.django_db

SCHEDULE_2027 = "date,is_workday,name\n2027-01-01,0,元旦\n2027-01-09,1,调休上班\n2027-02-06,0,春节\n"


def test_2027_is_unknown_to_the_installed_package():
    # The December tests below need a year the package does not know.
    assert LibraryCalendar().knows_year(2026) and not LibraryCalendar().knows_year(2027)


def test_db_schedule_beats_the_library_for_a_known_year():
    assert compute_due(DeadlineRule.ROUTE, date(2026, 2, 1)).date == date(2026, 2, 24)
    schedule_load(
        year=2026,
        rows=[
            ScheduleRow(date(2026, 1, 1), False, "元旦"),
            ScheduleRow(date(2026, 3, 17), False, "测试假日"),
        ],
    )
    calendar = get_calendar()
    assert calendar.is_workday(date(2026, 2, 16))  # the library's Spring Festival no longer applies
    assert compute_due(DeadlineRule.ROUTE, date(2026, 2, 1)) == DueDate(date(2026, 2, 16), provisional=False)
    assert compute_due(DeadlineRule.ROUTE, date(2026, 3, 2)).date == date(2026, 3, 18)


def test_december_deadline_is_provisional_until_the_next_schedule_is_loaded(
    csv_file, django_capture_on_commit_callbacks
):
    simple = compute_due(DeadlineRule.SIMPLE, date(2026, 12, 24))
    route = compute_due(DeadlineRule.ROUTE, date(2026, 12, 25))
    # Weekends only: 1 Jan 2027 counts as a working day; 9 Jan is a Saturday → Mon 11 Jan.
    assert simple == DueDate(date(2027, 1, 7), provisional=True)
    assert route == DueDate(date(2027, 1, 11), provisional=True)

    recomputed = {}

    def recompute(sender, year, **kwargs):
        recomputed[year] = (
            compute_due(DeadlineRule.SIMPLE, date(2026, 12, 24)),
            compute_due(DeadlineRule.ROUTE, date(2026, 12, 25)),
        )

    schedule_loaded.connect(recompute)
    try:
        with django_capture_on_commit_callbacks(execute=True):
            call_command("calendar", "load", "--year", "2027", "--file", str(csv_file(SCHEDULE_2027)))
    finally:
        schedule_loaded.disconnect(recompute)

    assert recomputed == {
        2027: (DueDate(date(2027, 1, 8), provisional=False), DueDate(date(2027, 1, 9), provisional=False))
    }


def test_schedule_loaded_waits_for_commit(csv_file, django_capture_on_commit_callbacks):
    received = []
    schedule_loaded.connect(lambda sender, year, **kw: received.append(year), weak=False, dispatch_uid="t1")
    try:
        with django_capture_on_commit_callbacks(execute=False) as callbacks:
            call_command("calendar", "load", "--year", "2027", "--file", str(csv_file(SCHEDULE_2027)))
        assert received == []
        for callback in callbacks:
            callback()
        assert received == [2027]
    finally:
        schedule_loaded.disconnect(dispatch_uid="t1")


def test_other_processes_pick_up_a_schedule_within_the_check_interval(monkeypatch):
    clock = [1000.0]
    monkeypatch.setattr(service.time, "monotonic", lambda: clock[0])
    before = get_calendar()
    assert not before.knows_year(2027)
    # Another process writes the schedule: no signal reaches this one.
    schedule = HolidaySchedule.objects.bulk_create([HolidaySchedule(year=2027, source="测试")])[0]
    CalendarDay.objects.bulk_create([CalendarDay(schedule=schedule, date=date(2027, 1, 1), is_workday=False)])
    clock[0] += service.CHECK_SECONDS / 2
    assert get_calendar() is before
    clock[0] += service.CHECK_SECONDS
    after = get_calendar()
    assert after.knows_year(2027) and not after.is_workday(date(2027, 1, 1))


def test_editing_a_day_moves_the_version_stamp(monkeypatch):
    clock = [1000.0]
    monkeypatch.setattr(service.time, "monotonic", lambda: clock[0])
    schedule_load(year=2027, rows=[ScheduleRow(date(2027, 1, 1), False, "元旦")])
    service.invalidate_calendar()
    assert not get_calendar().is_workday(date(2027, 1, 1))
    stamp = service._stamp()
    day = CalendarDay.objects.get(date=date(2027, 1, 1))
    day.is_workday = True
    day.name = "改为上班"
    day.save()
    assert service._stamp() != stamp
    assert get_calendar().is_workday(date(2027, 1, 1))

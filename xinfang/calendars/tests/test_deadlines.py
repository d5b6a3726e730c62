"""The pure deadline engine (xinfang.lib.deadlines), against the real chinesecalendar data."""

from datetime import date

import chinese_calendar
import pytest

from xinfang.lib.deadlines import (
    CompositeCalendar,
    DueDate,
    LibraryCalendar,
    WeekendOnlyCalendar,
    WorkCalendar,
    add_period,
    days_left,
    working_days_between,
)

LIB = LibraryCalendar()
CAL = CompositeCalendar(library=LIB)
WEEKENDS = WeekendOnlyCalendar()


def calendar_days(start, n, cal=CAL, pauses=()):
    return add_period(start, n, working_days=False, calendar=cal, pauses=pauses)


def working(start, n, cal=CAL, pauses=()):
    return add_period(start, n, working_days=True, calendar=cal, pauses=pauses)


def test_fixture_dates_match_installed_chinesecalendar():
    # The tests below rely on these official arrangements; check them against the package, not memory.
    national_day_2025 = {d for d in chinese_calendar.holidays if date(2025, 9, 1) <= d <= date(2025, 10, 31)}
    assert national_day_2025 == {date(2025, 10, d) for d in range(1, 9)}
    assert {d for d in chinese_calendar.workdays if d.year == 2025 and d.month in (9, 10)} == {
        date(2025, 9, 28),
        date(2025, 10, 11),
    }
    spring_2026 = {d for d in chinese_calendar.holidays if date(2026, 2, 1) <= d <= date(2026, 2, 28)}
    assert spring_2026 == {date(2026, 2, d) for d in range(15, 24)}
    assert {d for d in chinese_calendar.workdays if d.year == 2026 and d.month == 2} == {
        date(2026, 2, 14),
        date(2026, 2, 28),
    }
    assert date(2025, 5, 5) in chinese_calendar.holidays and date(2025, 5, 6) not in chinese_calendar.holidays


def test_library_range_is_read_from_the_package():
    years = {d.year for d in chinese_calendar.holidays}
    assert LIB.years == frozenset(years)
    assert LIB.knows_year(max(years)) and not LIB.knows_year(max(years) + 1)
    assert LIB.knows_year(2004) and not LIB.knows_year(2003)


def test_calendars_satisfy_the_protocol():
    assert (
        isinstance(WEEKENDS, WorkCalendar) and isinstance(CAL, WorkCalendar) and isinstance(LIB, WorkCalendar)
    )


def test_start_day_is_not_counted():
    assert calendar_days(date(2025, 3, 3), 15) == DueDate(date(2025, 3, 18), provisional=False)


def test_calendar_period_ending_on_a_weekend_moves_to_monday():
    assert calendar_days(date(2025, 3, 7), 15).date == date(2025, 3, 24)  # 22 March is a Saturday


def test_calendar_period_ending_on_a_holiday_moves_past_it():
    assert calendar_days(date(2025, 4, 20), 15).date == date(2025, 5, 6)  # 5 May: Labour Day


def test_national_day_2025_calendar_days():
    # 15 日 from 18 Sep ends on 3 Oct, inside the 1–8 Oct holiday: the first working day is Thu 9 Oct.
    assert calendar_days(date(2025, 9, 18), 15).date == date(2025, 10, 9)
    # Ending on Sat 11 Oct, a make-up working day: no extension.
    assert calendar_days(date(2025, 9, 26), 15).date == date(2025, 10, 11)
    # Ending on Sun 28 Sep, a make-up working day.
    assert calendar_days(date(2025, 9, 13), 15).date == date(2025, 9, 28)


def test_national_day_2025_working_days():
    # From Fri 26 Sep: Sun 28 Sep (make-up) 1, Mon 29 2, Tue 30 3, 1–8 Oct off, Thu 9 4, Fri 10 5.
    assert working(date(2025, 9, 26), 5) == DueDate(date(2025, 10, 10), provisional=False)
    assert working(date(2025, 9, 26), 5, cal=WEEKENDS).date == date(2025, 10, 3)
    # Sat 11 Oct is a make-up working day and counts.
    assert working(date(2025, 10, 8), 3).date == date(2025, 10, 11)


def test_spring_festival_2026_calendar_days():
    assert calendar_days(date(2026, 2, 1), 15).date == date(2026, 2, 24)  # 16 Feb is in the 15–23 Feb holiday
    assert calendar_days(date(2026, 1, 30), 15).date == date(
        2026, 2, 14
    )  # Sat 14 Feb is a make-up working day
    assert calendar_days(date(2026, 2, 13), 15).date == date(
        2026, 2, 28
    )  # Sat 28 Feb is a make-up working day


def test_spring_festival_2026_working_days():
    # Tue 10 – Fri 13 (4), Sat 14 make-up (5), 15–23 off, Tue 24 – Fri 27 (9), Sat 28 make-up (10).
    assert working(date(2026, 2, 9), 10).date == date(2026, 2, 28)
    assert working(date(2026, 2, 9), 10, cal=WEEKENDS).date == date(2026, 2, 23)


def test_pause_days_are_not_counted():
    plain = calendar_days(date(2025, 3, 3), 30).date
    assert plain == date(2025, 4, 2)
    paused = calendar_days(date(2025, 3, 3), 30, pauses=[(date(2025, 3, 10), date(2025, 3, 14))])
    assert paused.date == date(2025, 4, 7)  # 5 days later; 4–6 April is 清明 but 7 April is a Monday


def test_pause_in_a_working_day_period():
    assert working(date(2025, 3, 3), 5).date == date(2025, 3, 10)
    assert working(date(2025, 3, 3), 5, pauses=[(date(2025, 3, 5), date(2025, 3, 6))]).date == date(
        2025, 3, 12
    )


def test_pause_covering_the_rolled_forward_day_pushes_further():
    # 15 日 from 7 Mar ends Sat 22 Mar → Mon 24, but a hearing on Mon 24 is not counted: Tue 25.
    result = calendar_days(date(2025, 3, 7), 15, pauses=[(date(2025, 3, 24), date(2025, 3, 24))])
    assert result.date == date(2025, 3, 25)


def test_pause_outside_the_period_changes_nothing():
    assert calendar_days(date(2025, 3, 3), 15, pauses=[(date(2025, 1, 1), date(2025, 2, 1))]).date == date(
        2025, 3, 18
    )


def test_pause_ending_before_it_starts_is_rejected():
    with pytest.raises(ValueError):
        calendar_days(date(2025, 3, 3), 15, pauses=[(date(2025, 3, 10), date(2025, 3, 9))])


def test_non_positive_period_is_rejected():
    with pytest.raises(ValueError):
        calendar_days(date(2025, 3, 3), 0)


def test_period_into_an_unknown_year_is_provisional():
    last_known = max(LIB.years)
    start = date(last_known, 12, 25)
    result = calendar_days(start, 15)
    assert result.provisional
    assert result.date.year == last_known + 1 and result.date.weekday() < 5
    assert not calendar_days(date(last_known, 12, 1), 15).provisional


def test_weekend_only_calendar_is_always_provisional():
    assert calendar_days(date(2025, 3, 3), 15, cal=WEEKENDS).provisional


def test_override_beats_library_and_unlisted_days_default_by_weekday():
    # A fictitious schedule for 2026 saying 16 Feb is a working day and 17 Mar a holiday.
    cal = CompositeCalendar({2026: {date(2026, 2, 16): True, date(2026, 3, 17): False}}, library=LIB)
    assert cal.is_workday(date(2026, 2, 16))
    assert not cal.is_workday(date(2026, 3, 17))
    assert cal.is_workday(date(2026, 2, 18))  # unlisted Wednesday: the library's holiday no longer applies
    assert not cal.is_workday(date(2026, 2, 21))  # unlisted Saturday
    assert calendar_days(date(2026, 2, 1), 15, cal=cal).date == date(2026, 2, 16)


def test_override_makes_a_future_year_known():
    year = max(LIB.years) + 1
    cal = CompositeCalendar({year: {date(year, 1, 1): False}}, library=LIB)
    assert cal.knows_year(year) and not cal.is_workday(date(year, 1, 1))
    assert not calendar_days(date(year - 1, 12, 25), 15, cal=cal).provisional


def test_working_days_between_counts_after_the_first_day():
    assert working_days_between(date(2025, 9, 26), date(2025, 10, 10), CAL) == 5
    assert working_days_between(date(2025, 10, 10), date(2025, 9, 26), CAL) == -5
    assert working_days_between(date(2025, 3, 3), date(2025, 3, 3), CAL) == 0


def test_days_left():
    assert days_left(date(2025, 3, 18), date(2025, 3, 18)) == 0
    assert days_left(date(2025, 3, 18), date(2025, 3, 15)) == 3
    assert days_left(date(2025, 3, 18), date(2025, 3, 20)) == -2


def test_library_schedule_lists_names():
    rows = LIB.schedule(2026)
    assert (date(2026, 2, 17), False, "春节") in rows
    assert (date(2026, 2, 14), True, "调休上班（春节）") in rows
    with pytest.raises(LookupError):
        LIB.schedule(max(LIB.years) + 1)


def test_calendar_without_working_days_fails_loudly():
    class NeverWorks:
        def is_workday(self, d):
            return False

        def knows_year(self, year):
            return True

    with pytest.raises(ValueError):
        calendar_days(date(2025, 3, 3), 15, cal=NeverWorks())
    with pytest.raises(ValueError):
        working(date(2025, 3, 3), 5, cal=NeverWorks())

"""The installation's working-day calendar and due-date computation.

get_calendar() builds a CompositeCalendar from the schedules in the database
and keeps it per process.  Every few seconds it compares a cheap version stamp
(number of schedules, latest loaded_at) with the one it was built from, so a
schedule loaded by another process (the admin, the `calendar` command) is
picked up by the web workers and the deadline loop without a restart.
"""

from __future__ import annotations

import threading
import time
from collections.abc import Sequence
from datetime import date, datetime
from zoneinfo import ZoneInfo

from django.db.models import Count, Max

from xinfang.lib.deadlines import CompositeCalendar, DueDate, LibraryCalendar, add_period

from .models import CalendarDay, HolidaySchedule
from .rules import DayUnit, DeadlineRule, rule_spec

BUREAU_TZ = ZoneInfo("Asia/Shanghai")
# How long a process trusts its cached calendar before re-reading the stamp.
CHECK_SECONDS = 5.0

_LIBRARY = LibraryCalendar()
_lock = threading.Lock()
_cached: CompositeCalendar | None = None
_cached_stamp: tuple | None = None
_checked_at = float("-inf")


def _stamp() -> tuple:
    row = HolidaySchedule.objects.aggregate(n=Count("id"), latest=Max("loaded_at"))
    return (row["n"], row["latest"])


def _build() -> CompositeCalendar:
    overrides: dict[int, dict[date, bool]] = {
        year: {} for year in HolidaySchedule.objects.values_list("year", flat=True)
    }
    for year, day, is_workday in CalendarDay.objects.values_list("schedule__year", "date", "is_workday"):
        overrides[year][day] = is_workday
    return CompositeCalendar(overrides, library=_LIBRARY)


def get_calendar() -> CompositeCalendar:
    """The composite calendar: loaded schedules, then chinesecalendar, then weekends only.

    The result is shared; do not mutate it.
    """
    global _cached, _cached_stamp, _checked_at
    with _lock:
        now = time.monotonic()
        if _cached is not None and now - _checked_at < CHECK_SECONDS:
            return _cached
        stamp = _stamp()
        if _cached is None or stamp != _cached_stamp:
            _cached, _cached_stamp = _build(), stamp
        _checked_at = now
        return _cached


def invalidate_calendar() -> None:
    """Forget this process's calendar; the next get_calendar() reads the database."""
    global _cached, _cached_stamp, _checked_at
    with _lock:
        _cached, _cached_stamp, _checked_at = None, None, float("-inf")


def local_date(moment: date | datetime) -> date:
    """The bureau's (Asia/Shanghai) date of an aware datetime; a date is returned as is.

    Raises ValueError for a naive datetime, which would be ambiguous.
    """
    if isinstance(moment, datetime):
        if moment.tzinfo is None or moment.utcoffset() is None:
            raise ValueError("a naive datetime has no bureau date; pass an aware datetime or a date")
        return moment.astimezone(BUREAU_TZ).date()
    return moment


def compute_due(
    rule: DeadlineRule | str,
    start: date | datetime,
    *,
    days: int | None = None,
    pauses: Sequence[tuple[date, date]] = (),
    roll_forward: bool = True,
) -> DueDate:
    """The due date of ``rule`` triggered at ``start`` (receipt, acceptance, reply…).

    ``days`` overrides the statutory default (ASSIGN_REPORT takes the period
    the bureau set; EXTEND the days granted, counted from the original
    conclusion due date); ValueError when it exceeds the rule's maximum or is
    not positive.  ``pauses`` are inclusive date ranges not counted (hearings).
    ``roll_forward=False`` gives the period's last day before the rest-day rule
    moves it (see lib.deadlines.add_period).
    """
    spec = rule_spec(rule)
    length = spec.days if days is None else days
    if spec.max_days is not None and length > spec.max_days:
        raise ValueError(f"{DeadlineRule(rule).label}不得超过{spec.max_days}日")
    return add_period(
        local_date(start),
        length,
        working_days=spec.unit == DayUnit.WORKING,
        calendar=get_calendar(),
        pauses=pauses,
        roll_forward=roll_forward,
    )

"""Writes to the calendar: loading a year's holiday schedule."""

from __future__ import annotations

from collections.abc import Sequence

from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from .models import CalendarDay, HolidaySchedule
from .schedule_csv import ScheduleError, ScheduleRow
from .service import invalidate_calendar
from .signals import schedule_loaded


def default_source(year: int) -> str:
    return f"国务院办公厅关于{year}年部分节假日安排的通知"


def announce_schedule(year: int) -> None:
    """After commit: drop the cached calendar, then send schedule_loaded(year=year)."""

    def send() -> None:
        invalidate_calendar()
        schedule_loaded.send(sender=HolidaySchedule, year=year)

    transaction.on_commit(send)


@transaction.atomic
def schedule_load(*, year: int, rows: Sequence[ScheduleRow], source: str = "", user=None) -> HolidaySchedule:
    """Replace ``year``'s schedule with ``rows`` atomically and announce it after commit.

    Raises ScheduleError (Chinese message) when a row is outside the year or
    a date repeats; nothing is changed then.
    """
    dates = [row.date for row in rows]
    outside = sorted(d for d in dates if d.year != year)
    if outside:
        raise ScheduleError(f"日期{outside[0]:%Y-%m-%d}不在{year}年内。")
    if len(set(dates)) != len(dates):
        raise ScheduleError(_("同一日期出现了两次。"))
    schedule, _created = HolidaySchedule.objects.select_for_update().update_or_create(
        year=year,
        defaults={"source": source or default_source(year), "loaded_at": timezone.now(), "loaded_by": user},
    )
    CalendarDay.objects.filter(schedule=schedule).delete()
    CalendarDay.objects.bulk_create(
        CalendarDay(schedule=schedule, date=row.date, is_workday=row.is_workday, name=row.name)
        for row in rows
    )
    announce_schedule(year)
    return schedule

"""The deadline engine: statutory periods counted on China's working-day calendar.

Pure Python, no Django.  Periods follow 民法典 Arts. 201–204 as petition practice
applies them:

* the day of the triggering event is not counted; counting starts the next day
  (received 3 March + 15 日 → 18 March);
* a calendar-day period whose last day is a rest day (statutory holiday, or a
  weekend day that is not a make-up working day) ends on the next working day;
* a working-day period counts working days only, make-up working days included;
* days inside a pause (e.g. a hearing in 复核, Art. 36②) are not counted at all.

The holiday schedule is published each autumn for the next year, so a due date
that reaches into a year with no known schedule is computed from weekends alone
and marked provisional; it is recomputed once the schedule is loaded.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from datetime import date, timedelta
from typing import Protocol, runtime_checkable

ONE_DAY = timedelta(days=1)
# Guard against a calendar with no working days: no real period scans further
# than this many calendar days per counted day (plus a year and the pauses).
_MAX_SCAN_FACTOR = 3


@runtime_checkable
class WorkCalendar(Protocol):
    """Tells working days from rest days."""

    def is_workday(self, d: date) -> bool:
        """True when ``d`` is a working day (make-up working days included)."""
        ...

    def knows_year(self, year: int) -> bool:
        """True when an official holiday schedule for ``year`` is known."""
        ...


def _weekday_default(d: date) -> bool:
    return d.weekday() < 5


class WeekendOnlyCalendar:
    """Monday to Friday are working days; knows no official schedule."""

    def is_workday(self, d: date) -> bool:
        return _weekday_default(d)

    def knows_year(self, year: int) -> bool:
        return False


class LibraryCalendar:
    """The schedules shipped in the ``chinesecalendar`` package (import ``chinese_calendar``).

    The supported years are read from the package's own tables, so a newer
    release extends the range without a code change.  When the package is not
    installed this calendar knows no year.
    """

    def __init__(self) -> None:
        try:
            import chinese_calendar
        except ImportError:  # pragma: no cover - the package is a pinned dependency
            self._holidays: Mapping[date, str] = {}
            self._workdays: Mapping[date, str] = {}
            self._names: dict[str, str] = {}
        else:
            self._holidays = chinese_calendar.holidays
            self._workdays = chinese_calendar.workdays
            self._names = {h.value: h.chinese for h in chinese_calendar.Holiday}
        self.years = frozenset(d.year for d in self._holidays) | frozenset(d.year for d in self._workdays)

    def knows_year(self, year: int) -> bool:
        return year in self.years

    def is_workday(self, d: date) -> bool:
        if not self.knows_year(d.year):
            return _weekday_default(d)
        if d in self._workdays:
            return True
        return d not in self._holidays and _weekday_default(d)

    def schedule(self, year: int) -> list[tuple[date, bool, str]]:
        """The year's listed days as (date, is_workday, Chinese name), sorted by date.

        Holidays carry the festival's name (春节); make-up working days are
        named 调休上班（春节）.  Raises LookupError for an unknown year.
        """
        if not self.knows_year(year):
            raise LookupError(year)
        rows = [(d, False, self._names.get(n, n)) for d, n in self._holidays.items() if d.year == year]
        rows += [
            (d, True, f"调休上班（{self._names.get(n, n)}）")
            for d, n in self._workdays.items()
            if d.year == year
        ]
        return sorted(rows)


class CompositeCalendar:
    """Asks, per year: loaded overrides, then the library, then weekends only.

    ``overrides`` maps a year to the days an administrator loaded for it
    ({year: {date: is_workday}}); in an overridden year every unlisted date
    defaults by weekday, and the library is not consulted for that year.
    """

    def __init__(
        self,
        overrides: Mapping[int, Mapping[date, bool]] | None = None,
        library: WorkCalendar | None = None,
    ) -> None:
        self.overrides: dict[int, Mapping[date, bool]] = dict(overrides or {})
        self.library: WorkCalendar = library if library is not None else LibraryCalendar()

    def is_workday(self, d: date) -> bool:
        days = self.overrides.get(d.year)
        if days is not None:
            return days.get(d, _weekday_default(d))
        if self.library.knows_year(d.year):
            return self.library.is_workday(d)
        return _weekday_default(d)

    def knows_year(self, year: int) -> bool:
        return year in self.overrides or self.library.knows_year(year)


@dataclass(frozen=True)
class DueDate:
    """The last day of a period (it ends at 24:00 local time of that day).

    ``provisional`` is True when the count ran through a year whose holiday
    schedule is not yet known, so the date may move when it is loaded.
    """

    date: date
    provisional: bool


def _normalise_pauses(pauses: Sequence[tuple[date, date]]) -> list[tuple[date, date]]:
    result = []
    for first, last in pauses:
        if last < first:
            raise ValueError(f"pause ends before it starts: {first} – {last}")
        result.append((first, last))
    return result


def _paused(d: date, pauses: Sequence[tuple[date, date]]) -> bool:
    return any(first <= d <= last for first, last in pauses)


def add_period(
    start: date,
    days: int,
    *,
    working_days: bool,
    calendar: WorkCalendar,
    pauses: Sequence[tuple[date, date]] = (),
    roll_forward: bool = True,
) -> DueDate:
    """The due date of a period of ``days`` days (or working days) from ``start``.

    ``start`` is the day of the triggering event and is not counted.  Pauses
    are inclusive (first, last) date ranges whose days are not counted; when
    the period would end on a rest day or a paused day it ends on the first
    working day after it that is not paused.  With ``roll_forward=False`` the
    last counted day is returned as it is, rest day or not: the point an
    extension counts from (Art. 34).  Raises ValueError when ``days`` is not
    positive or a pause ends before it starts.
    """
    if days < 1:
        raise ValueError(f"a period must be at least one day, got {days}")
    pauses = _normalise_pauses(pauses)
    limit = start + timedelta(days=days * _MAX_SCAN_FACTOR + 366 + sum((b - a).days + 1 for a, b in pauses))

    def step(d: date) -> date:
        d += ONE_DAY
        if d > limit:
            raise ValueError("the calendar has no working days in range")
        return d

    due, counted = start, 0
    while counted < days:
        due = step(due)
        if not _paused(due, pauses) and (not working_days or calendar.is_workday(due)):
            counted += 1
    # Art. 203: a period ending on a rest day ends on the next working day.
    # (Working-day periods always end on a working day.)  A paused day is not
    # counted either, so the end also moves past it.
    while roll_forward and (not calendar.is_workday(due) or _paused(due, pauses)):
        due = step(due)
    provisional = any(not calendar.knows_year(y) for y in range((start + ONE_DAY).year, due.year + 1))
    return DueDate(date=due, provisional=provisional)


def working_days_between(a: date, b: date, calendar: WorkCalendar) -> int:
    """Working days d with a < d <= b (the first day is not counted, as in a period).

    Negative when ``b`` is before ``a``: minus the working days in (b, a].
    """
    if b < a:
        return -working_days_between(b, a, calendar)
    count = 0
    d = a + ONE_DAY
    while d <= b:
        if calendar.is_workday(d):
            count += 1
        d += ONE_DAY
    return count


def days_left(due: date, today: date) -> int:
    """Calendar days from ``today`` to ``due``: 0 on the last day, negative when overdue."""
    return (due - today).days

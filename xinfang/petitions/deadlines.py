"""Deadlines of petitions: open, meet, extend, pause and recompute.

The arithmetic lives in xinfang.calendars (one engine for every rule); this
module keeps the `Deadline` rows and the petition's `current_due` in step.
"""

from __future__ import annotations

from datetime import date, datetime

from django.utils import timezone

from xinfang.calendars.rules import DayUnit, DeadlineRule, rule_spec
from xinfang.calendars.service import compute_due, local_date

from .models import Deadline, DeadlinePause, Petition

# Which open deadline drives the traffic light when several run at once:
# the earliest due date wins, whatever the rule.


def new_deadline(rule: DeadlineRule, start: date | datetime, *, days: int | None = None) -> Deadline:
    """An unsaved deadline of `rule` from `start` (its petition is set by the caller)."""
    spec = rule_spec(rule)
    length = spec.days if days is None else days
    due = compute_due(rule, start, days=length)
    return Deadline(
        rule=rule,
        start=local_date(start),
        days=length,
        working_days=spec.unit == DayUnit.WORKING,
        due=due.date,
        provisional=due.provisional,
    )


def open_deadline(
    petition: Petition, rule: DeadlineRule, start: date | datetime, *, days: int | None = None
) -> Deadline:
    deadline = new_deadline(rule, start, days=days)
    deadline.petition = petition
    deadline.save(force_insert=True)
    return deadline


def current_due_values(first: Deadline | None) -> dict:
    """The petition's indexed due-date columns for its earliest open deadline (or none)."""
    if first is None:
        return {"current_due": None, "current_due_rule": "", "current_due_provisional": False}
    return {
        "current_due": first.due,
        "current_due_rule": first.rule,
        "current_due_provisional": first.provisional,
    }


def meet_deadlines(petition: Petition, *rules: DeadlineRule, at: datetime | None = None) -> int:
    return (
        Deadline.objects.open()
        .filter(petition=petition, rule__in=list(rules))
        .update(met_at=at or timezone.now())
    )


def cancel_deadlines(petition: Petition, *rules: DeadlineRule) -> int:
    qs = Deadline.objects.open().filter(petition=petition)
    if rules:
        qs = qs.filter(rule__in=list(rules))
    return qs.update(cancelled=True)


def _pauses(deadline: Deadline) -> list[tuple[date, date]]:
    today = timezone.localdate()
    return [(p.start, p.end or today) for p in deadline.pauses.all()]


def recompute(deadline: Deadline) -> Deadline:
    """Due date from rule, start, extension, pauses and the current calendar."""
    pauses = _pauses(deadline)
    base = compute_due(deadline.rule, deadline.start, days=deadline.days, pauses=pauses)
    due, provisional = base.date, base.provisional
    if deadline.extension_days:
        # Art. 34: the extension adds to the 60-day period itself, so it counts
        # from that period's last day before the rest-day rule moved it; the
        # rest-day rule then applies once, to the new end (60 + 30 = 90 日).
        end = compute_due(
            deadline.rule, deadline.start, days=deadline.days, pauses=pauses, roll_forward=False
        )
        extended = compute_due(DeadlineRule.EXTEND, end.date, days=deadline.extension_days)
        due, provisional = extended.date, provisional or extended.provisional
    if (due, provisional) != (deadline.due, deadline.provisional):
        deadline.due, deadline.provisional = due, provisional
        # A moved due date may need its warnings again.
        Deadline.objects.filter(pk=deadline.pk).update(
            due=due, provisional=provisional, soon_warned_at=None, overdue_warned_at=None
        )
    return deadline


def extend_deadline(deadline: Deadline, days: int) -> Deadline:
    deadline.extension_days = days
    Deadline.objects.filter(pk=deadline.pk).update(extension_days=days)
    return recompute(deadline)


def refresh_current_due(petition: Petition) -> None:
    """Copy the earliest open, unpaused deadline to the petition's indexed columns."""
    # Filtered in Python over the petition's few deadlines: SQLite otherwise picks
    # the open-deadline index and scans every open deadline (140 ms at 1M petitions).
    paused = set(
        DeadlinePause.objects.filter(deadline__petition=petition, end__isnull=True).values_list(
            "deadline_id", flat=True
        )
    )
    candidates = [
        d
        for d in Deadline.objects.filter(petition=petition)
        if d.met_at is None and not d.cancelled and d.pk not in paused
    ]
    values = current_due_values(min(candidates, key=lambda d: d.due) if candidates else None)
    Petition.objects.filter(pk=petition.pk).update(**values)
    for key, value in values.items():
        setattr(petition, key, value)


def recompute_provisional() -> int:
    """Recompute every open provisional deadline (after a schedule is loaded)."""
    count = 0
    petition_ids = set()
    for deadline in (
        Deadline.objects.open().filter(provisional=True).prefetch_related("pauses").iterator(chunk_size=500)
    ):
        recompute(deadline)
        petition_ids.add(deadline.petition_id)
        count += 1
    for petition in Petition.objects.filter(pk__in=petition_ids):
        refresh_current_due(petition)
    return count


def open_deadline_for(petition: Petition, *rules: DeadlineRule) -> Deadline | None:
    # A petition has a handful of deadlines: filter them in Python so the planner
    # always takes the petition index (SQLite preferred the open-deadline index).
    wanted = {str(rule) for rule in rules}
    open_ones = [
        d
        for d in Deadline.objects.filter(petition=petition)
        if d.met_at is None and not d.cancelled and d.rule in wanted
    ]
    return min(open_ones, key=lambda d: d.due) if open_ones else None

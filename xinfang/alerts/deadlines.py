"""Deadline warnings: due soon and overdue, one per deadline, claimed with a
compare-and-set on the deadline row (committed together with the alert) so
concurrent workers never double up and a crash never loses one."""

from __future__ import annotations

from datetime import timedelta

from django.conf import settings
from django.db import transaction
from django.db.models import Exists, OuterRef, Q
from django.utils import timezone

from xinfang.calendars.rules import DeadlineRule
from xinfang.petitions.choices import OPEN_STATUSES
from xinfang.petitions.models import Deadline, DeadlinePause

from .models import AlertKind, Severity
from .raising import raise_alert


def _candidates(now):
    open_pause = DeadlinePause.objects.filter(deadline=OuterRef("pk"), end__isnull=True)
    return (
        Deadline.objects.open()
        # Carrying out a supported opinion is supervised after the matter closes (Art. 32).
        .filter(Q(petition__status__in=OPEN_STATUSES) | Q(rule=DeadlineRule.IMPLEMENT))
        .exclude(Exists(open_pause))
        .select_related("petition", "petition__handling_unit")
    )


def _claim(deadline: Deadline, column: str, now) -> bool:
    return Deadline.objects.filter(pk=deadline.pk, **{f"{column}__isnull": True}).update(**{column: now}) == 1


def warn_deadlines(now=None, *, batch: int = 500) -> int:
    now = now or timezone.now()
    today = timezone.localdate(now)
    soon_limit = today + timedelta(days=settings.DUE_SOON_DAYS)
    raised = 0
    soon = _candidates(now).filter(soon_warned_at__isnull=True, due__gte=today, due__lte=soon_limit)[:batch]
    for deadline in soon:
        raised += _warn(deadline, "soon_warned_at", AlertKind.DUE_SOON, Severity.WARNING, now, today)
    overdue = _candidates(now).filter(overdue_warned_at__isnull=True, due__lt=today)[:batch]
    for deadline in overdue:
        raised += _warn(deadline, "overdue_warned_at", AlertKind.OVERDUE, Severity.CRITICAL, now, today)
    return raised


@transaction.atomic
def _warn(deadline: Deadline, column: str, kind: str, severity: str, now, today) -> bool:
    """Claim and raise in one transaction: a worker that dies between the two
    rolls its claim back, and the next pass raises the warning."""
    if not _claim(deadline, column, now):
        return False
    return _raise(deadline, kind, severity, today) is not None


def _raise(deadline: Deadline, kind: str, severity: str, today):
    petition = deadline.petition
    rule = DeadlineRule(deadline.rule).label
    word = "即将到期" if kind == AlertKind.DUE_SOON else "已超期"
    return raise_alert(
        dedupe_key=f"{kind}:{deadline.pk}:{deadline.due.isoformat()}",
        kind=kind,
        severity=severity,
        title=f"{petition.case_number}「{rule}」期限{word}（{deadline.due:%Y-%m-%d}）",
        unit=petition.handling_unit or petition.registering_unit,
        petition=petition,
        data={
            "rule": deadline.rule,
            "due": deadline.due.isoformat(),
            "days_left": (deadline.due - today).days,
            "provisional": deadline.provisional,
        },
    )

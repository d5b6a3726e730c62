"""Reminders for missed progress reports (包案) and overdue backlog reports (积案).

Each reminder is claimed with a compare-and-set on its row before anything is
written: `CaseOwnership.reminder_sent_for` holds the report due date already
reminded, `BacklogReportDue.reminded_for` the day the overdue report was
reminded.  A second run, or a second worker racing the first, finds the
claim taken and sends nothing.  The lead's worker calls `run_once()`.
"""

from __future__ import annotations

import logging
from datetime import datetime

from django.db import transaction
from django.db.models import F, Q
from django.urls import reverse
from django.utils import timezone

from xinfang.petitions.actions._core import record_event
from xinfang.petitions.models import EventAction

from .models import BacklogReportDue, BacklogStatus, CaseOwnership, OwnershipStatus, Reminder

log = logging.getLogger(__name__)


def remind(*, recipient, key: str, kind: str, text: str, url: str = "", petition=None) -> Reminder:
    """Create an in-app reminder once per key (callers claim first; the unique key is the backstop)."""
    reminder, _ = Reminder.objects.get_or_create(
        key=key,
        defaults={"recipient": recipient, "kind": kind, "text": text[:300], "url": url, "petition": petition},
    )
    return reminder


def progress_candidates(today):
    """Active ownerships whose report is past due and not yet reminded for that due date."""
    return (
        CaseOwnership.objects.filter(status=OwnershipStatus.ACTIVE, next_report_due__lt=today)
        .filter(Q(reminder_sent_for__isnull=True) | ~Q(reminder_sent_for=F("next_report_due")))
        .select_related("petition", "leader")
    )


@transaction.atomic
def remind_progress(ownership: CaseOwnership) -> bool:
    """Claim and send the reminder for `ownership`'s current missed period; False if already taken."""
    due = ownership.next_report_due
    claimed = (
        CaseOwnership.objects.filter(pk=ownership.pk, status=OwnershipStatus.ACTIVE, next_report_due=due)
        .filter(Q(reminder_sent_for__isnull=True) | ~Q(reminder_sent_for=due))
        .update(reminder_sent_for=due)
    )
    if claimed != 1:
        return False
    petition = ownership.petition
    remind(
        recipient=ownership.leader,
        key=f"ownership-report:{ownership.pk}:{due.isoformat()}",
        kind="ownership_report",
        text=f"包案事项 {petition.case_number} 的进展报告已于 {due:%Y-%m-%d} 到期，请尽快报送。",
        url=reverse("ownership:detail", args=[ownership.pk]),
        petition=petition,
    )
    record_event(
        petition,
        action=EventAction.MECHANISM,
        actor_label="系统",
        data={
            "mechanism": "case_ownership",
            "step": "report_reminder",
            "ownership_id": ownership.pk,
            "due": due.isoformat(),
            "leader_id": ownership.leader_id,
        },
    )
    return True


def backlog_candidates(today):
    return BacklogReportDue.objects.filter(
        submitted_at__isnull=True,
        reminded_for__isnull=True,
        due__lt=today,
        backlog__status=BacklogStatus.OPEN,
    ).select_related("backlog", "backlog__petition", "backlog__owner")


@transaction.atomic
def remind_backlog_report(report: BacklogReportDue, today) -> bool:
    claimed = BacklogReportDue.objects.filter(
        pk=report.pk, submitted_at__isnull=True, reminded_for__isnull=True
    ).update(reminded_for=today)
    if claimed != 1:
        return False
    backlog = report.backlog
    petition = backlog.petition
    remind(
        recipient=backlog.owner,
        key=f"backlog-report:{report.pk}",
        kind="backlog_report",
        text=f"积案 {petition.case_number} 的{report.get_kind_display()}应于 {report.due:%Y-%m-%d} 报送，已逾期。",
        url=reverse("ownership:backlog_detail", args=[backlog.pk]),
        petition=petition,
    )
    record_event(
        petition,
        action=EventAction.MECHANISM,
        actor_label="系统",
        data={
            "mechanism": "backlog",
            "step": "report_reminder",
            "backlog_id": backlog.pk,
            "report_id": report.pk,
            "due": report.due.isoformat(),
        },
    )
    return True


def send_due_reminders(now: datetime | None = None) -> int:
    """Remind owners of missed progress reports and overdue backlog reports.
    Returns the number of reminders this call created (0 on a repeat run)."""
    today = timezone.localdate(now or timezone.now())
    sent = 0
    for ownership in list(progress_candidates(today)):
        sent += remind_progress(ownership)
    for report in list(backlog_candidates(today)):
        sent += remind_backlog_report(report, today)
    if sent:
        log.info("ownership reminders sent: %d", sent)
    return sent


def run_once() -> int:
    return send_due_reminders(timezone.now())

"""The worker's supervision pass: flag notices whose written reply is late.

`run_once()` is idempotent and safe to run from several workers at once: each
notice is claimed with a compare-and-set on `reply_overdue_at`, so it is
flagged (and its history written) exactly once.
"""

from __future__ import annotations

from datetime import datetime

from django.utils import timezone

from .actions import mark_reply_overdue
from .models import SupervisionNotice


def run_once(now: datetime | None = None) -> int:
    """Flag every late reply not flagged yet; returns how many this call flagged."""
    now = now or timezone.now()
    due = SupervisionNotice.objects.reply_overdue(timezone.localdate(now)).filter(
        reply_overdue_at__isnull=True
    )
    flagged = 0
    for notice in due.select_related("unit", "petition").iterator():
        flagged += mark_reply_overdue(notice, now=now)
    return flagged

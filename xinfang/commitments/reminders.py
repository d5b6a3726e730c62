"""The commitments part of the worker loop (`run_once`).

- A commitment past its due date and not kept is flagged missed exactly once:
  the run claims it with `UPDATE … SET status='missed', missed_flagged_at=now
  WHERE status='open' AND missed_flagged_at IS NULL`; only the winner reminds
  the owner, writes the timeline event and raises supervision.
- Closed petitions without follow-ups get them (catch-up for the post_save receiver).
"""

from __future__ import annotations

import importlib
import logging
from datetime import datetime

from django.db import transaction
from django.urls import reverse
from django.utils import timezone

from xinfang.ownership.reminders import remind
from xinfang.petitions.actions._core import record_event
from xinfang.petitions.models import EventAction

from .followups import schedule_missing_followups
from .models import Commitment, CommitmentStatus

log = logging.getLogger(__name__)


def missed_candidates(today):
    return Commitment.objects.filter(
        status=CommitmentStatus.OPEN, due__lt=today, missed_flagged_at__isnull=True
    )


def raise_supervision(commitment: Commitment) -> str:
    """Call xinfang.supervision.actions.supervision_open_for_missed_commitment
    when the supervision app provides it; returns a reference ("" if absent or failed)."""
    try:
        module = importlib.import_module("xinfang.supervision.actions")
    except ImportError:
        return ""
    hook = getattr(module, "supervision_open_for_missed_commitment", None)
    if hook is None:
        return ""
    try:
        with transaction.atomic():
            result = hook(commitment)
    except Exception:
        log.exception("supervision hook failed for commitment %s", commitment.pk)
        return ""
    pk = getattr(result, "pk", None)
    return f"{type(result).__name__}:{pk}"[:60] if pk is not None else "raised"


@transaction.atomic
def flag_missed(commitment: Commitment, now: datetime) -> bool:
    """Claim and flag one missed commitment; False when another run got it first."""
    claimed = Commitment.objects.filter(
        pk=commitment.pk,
        status=CommitmentStatus.OPEN,
        missed_flagged_at__isnull=True,
        due__lt=timezone.localdate(now),
    ).update(status=CommitmentStatus.MISSED, missed_flagged_at=now)
    if claimed != 1:
        return False
    commitment.refresh_from_db()
    petition = commitment.petition
    remind(
        recipient=commitment.owner,
        key=f"commitment-missed:{commitment.pk}",
        kind="commitment_missed",
        text=f"您对 {petition.case_number} 作出的承诺已于 {commitment.due:%Y-%m-%d} 到期未兑现，已列入践诺问责。",
        url=reverse("commitments:detail", args=[commitment.pk]),
        petition=petition,
    )
    ref = raise_supervision(commitment)
    if ref:
        Commitment.objects.filter(pk=commitment.pk).update(supervision_ref=ref)
        commitment.supervision_ref = ref
    record_event(
        petition,
        action=EventAction.MECHANISM,
        actor_label="系统",
        reason="承诺到期未兑现",
        data={
            "mechanism": "commitment",
            "step": "missed",
            "commitment_id": commitment.pk,
            "unit_id": commitment.promised_by_unit_id,
            "due": commitment.due.isoformat(),
            "supervision": ref,
        },
    )
    return True


def flag_missed_commitments(now: datetime | None = None) -> int:
    now = now or timezone.now()
    today = timezone.localdate(now)
    return sum(
        flag_missed(c, now) for c in list(missed_candidates(today).select_related("petition", "owner"))
    )


def run_once(now: datetime | None = None) -> int:
    """Flag missed commitments and schedule missing follow-ups; returns rows changed."""
    now = now or timezone.now()
    flagged = flag_missed_commitments(now)
    scheduled = schedule_missing_followups(now)
    if flagged or scheduled:
        log.info("commitments run: %d missed flagged, %d follow-ups scheduled", flagged, scheduled)
    return flagged + scheduled

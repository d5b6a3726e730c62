"""Triage in the worker, exactly once: the queue of registered petitions awaiting triage.

- Registration writes a ``TriagePending`` row in its own transaction (signals.py), so a
  petition that committed is never without either its triage or its place in the queue.
- ``drain()`` (the worker, every second): a batch of rows is claimed with a conditional update of
  ``claimed_until``; each petition's triage is stored and the row deleted in one transaction, which rolls
  back if the claim was lost meanwhile (a slow worker whose hold ran out), so a petition gets
  one ``TriageRecord``, one set of corrections and one group warning.  A failure leaves the row
  with a later ``claimed_until`` (backoff); a worker killed -9 leaves it until the hold runs out.
- ``sweep()`` (every worker pass) queues any recent petition with neither a record nor a row —
  petitions registered with ``TRIAGE_ON_REGISTER`` off, or by a bulk load.
"""

from __future__ import annotations

import logging
import secrets
from datetime import timedelta

from django.conf import settings
from django.db import transaction
from django.db.models import Exists, F, OuterRef, Q
from django.utils import timezone

from xinfang.petitions.models import Petition

from .models import TriagePending, TriageRecord

log = logging.getLogger("xinfang.triage")

HOLD = timedelta(minutes=5)  # a triage takes well under a second; a claim older than this is dead
BACKOFF = timedelta(seconds=30)  # 30 s, 1 min, 2 min … after each failure, at most an hour


class _ClaimLost(Exception):
    pass


def enqueue(petition_id: int) -> None:
    TriagePending.objects.create(petition_id=petition_id)


def status(petition) -> str:
    """ "done" (a record exists), "pending" (queued, the worker will run it) or "none"."""
    if TriageRecord.objects.filter(petition_id=petition.pk).exists():
        return "done"
    return "pending" if TriagePending.objects.filter(petition_id=petition.pk).exists() else "none"


def _due(now):
    return TriagePending.objects.filter(Q(claimed_until__isnull=True) | Q(claimed_until__lte=now))


def claim(petition_id: int, now) -> bool:
    until = now + HOLD
    return _due(now).filter(pk=petition_id).update(claimed_until=until, attempts=F("attempts") + 1) == 1


def _claim_batch(limit: int, now) -> tuple[list[int], object]:
    """Claim up to ``limit`` due rows, oldest first, in one UPDATE: (the ids this call holds, the hold).

    The hold carries a random microsecond offset so two workers' claims in the same instant differ;
    exactly-once still rests on the conditional delete in ``_triage_claimed``."""
    ids = list(_due(now).order_by("queued_at", "pk").values_list("pk", flat=True)[:limit])
    if not ids:
        return [], None
    until = now + HOLD + timedelta(microseconds=secrets.randbelow(1_000_000))
    _due(now).filter(pk__in=ids).update(claimed_until=until, attempts=F("attempts") + 1)
    held = set(TriagePending.objects.filter(pk__in=ids, claimed_until=until).values_list("pk", flat=True))
    return [pk for pk in ids if pk in held], until


def triage_one(petition_id: int) -> bool:
    """Claim, triage and dequeue one petition; False when another worker has it or it failed."""
    now = timezone.now()
    if not claim(petition_id, now):
        return False
    return _triage_claimed(petition_id, now + HOLD)


def _triage_claimed(petition_id: int, until, batch=None) -> bool:
    """Triage a petition this worker holds until ``until`` and dequeue it, in one transaction that
    rolls back when the hold was lost meanwhile; a failure sets the row's backoff. ``batch``: the
    worker's batch (service.Batch) holding this petition."""
    from .service import triage_petition

    try:
        with transaction.atomic():
            if batch is None:
                triage_petition(Petition.objects.get(pk=petition_id))
            else:
                triage_petition(batch.petitions[petition_id], batch=batch)
            if TriagePending.objects.filter(pk=petition_id, claimed_until=until).delete()[0] != 1:
                raise _ClaimLost
    except _ClaimLost:
        return False
    except Exception as exc:  # noqa: BLE001 - retried later; the registration stands
        log.exception("triage of petition %s failed", petition_id)
        row = TriagePending.objects.filter(pk=petition_id).first()
        if row is not None:
            wait = min(BACKOFF * 2 ** max(row.attempts - 1, 0), timedelta(hours=1))
            TriagePending.objects.filter(pk=petition_id, claimed_until=until).update(
                claimed_until=timezone.now() + wait, last_error=type(exc).__name__[:200]
            )
        return False
    return True


def drain(limit: int = 50) -> int:
    """Triage up to ``limit`` queued petitions, oldest first; returns how many this call did.

    The batch is claimed at once, its petitions and their people read in a few queries and their
    texts predicted together (a tenth of the models' cost one by one); each petition is then stored
    in a transaction of its own, in order, so a later one sees the groups an earlier one joined."""
    from .service import load_batch

    ids, until = _claim_batch(limit, timezone.now())
    if not ids:
        return 0
    try:
        batch = load_batch(ids)
    except Exception:  # noqa: BLE001 - one by one instead, where a failure gets its backoff
        log.exception("batch triage of %d petitions failed; triaging one by one", len(ids))
        batch = None
    done = 0
    for pk in ids:
        done += _triage_claimed(pk, until, batch if batch is not None and pk in batch.petitions else None)
    return done


def sweep(now=None) -> int:
    """Queue recent petitions that have neither a triage record nor a queue row."""
    now = now or timezone.now()
    days = float(getattr(settings, "TRIAGE_SWEEP_DAYS", 2))
    orphans = (
        Petition.objects.filter(received_at__gte=now - timedelta(days=days))
        .exclude(Exists(TriageRecord.objects.filter(petition_id=OuterRef("pk"))))
        .exclude(Exists(TriagePending.objects.filter(petition_id=OuterRef("pk"))))
        .values_list("pk", flat=True)
    )
    rows = [TriagePending(petition_id=pk) for pk in orphans[:5000]]
    TriagePending.objects.bulk_create(rows, ignore_conflicts=True)
    if rows:
        log.warning("triage sweep queued %d petitions without triage", len(rows))
    return len(rows)


def backlog() -> dict:
    """Size and age of the queue (for the bench and the admin)."""
    oldest = TriagePending.objects.order_by("queued_at").values_list("queued_at", flat=True).first()
    return {
        "pending": TriagePending.objects.count(),
        "oldest_seconds": (timezone.now() - oldest).total_seconds() if oldest else 0.0,
    }

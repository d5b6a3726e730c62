"""Periodic triage work for the background worker (alerts.worker.JOBS) and the demo loader.

``run_once()``: catch this process's similar-matter index up with the database and write a snapshot
when it has moved on (one worker at a time); build the index when none exists; retrain the models when
they are older than ``TRIAGE_RETRAIN_DAYS`` or ``TRIAGE_RETRAIN_CORRECTIONS`` corrections have arrived
since. Each job is claimed with a compare-and-set on ``TriageJob`` so several workers never do it twice.
"""

from __future__ import annotations

import logging
import time
from datetime import timedelta

from django.conf import settings
from django.db import IntegrityError
from django.utils import timezone

from . import index_sync
from .models import Correction, ModelVersion, TriageJob
from .training import prune_old_versions
from .training import train_from_database as _train

log = logging.getLogger("xinfang.triage")


def claim(name: str, *, hold: timedelta, every: timedelta = timedelta(0)) -> bool:
    """True for the one caller that claims job ``name`` (not claimed, last run ≥ ``every`` ago)."""
    now = timezone.now()
    try:
        TriageJob.objects.get_or_create(name=name)
    except IntegrityError:
        pass
    job = TriageJob.objects.get(name=name)
    if job.claimed_until and job.claimed_until > now:
        return False
    if job.last_run_at and now - job.last_run_at < every:
        return False
    return bool(
        TriageJob.objects.filter(pk=job.pk, claimed_until=job.claimed_until).update(claimed_until=now + hold)
    )


def release(name: str) -> None:
    TriageJob.objects.update_or_create(
        name=name, defaults={"claimed_until": None, "last_run_at": timezone.now()}
    )


def retrain_due() -> bool:
    latest = ModelVersion.objects.filter(is_active=True).order_by("-pk").first()
    if latest is None:
        return True
    days = float(getattr(settings, "TRIAGE_RETRAIN_DAYS", 7))
    if timezone.now() - latest.created_at >= timedelta(days=days):
        return True
    fresh = Correction.objects.filter(at__gt=latest.created_at, accepted=False).count()
    return fresh >= int(getattr(settings, "TRIAGE_RETRAIN_CORRECTIONS", 200))


def rebuild_index(*, workers: int = 1):
    """Rebuild the similar-matter index now (commands, demo loader); the worker counts it as its own
    last rebuild. None when there are too few petitions."""
    synced = index_sync.rebuild(workers=workers)
    release("index_rebuild")
    return synced


def train_from_database(*, workers: int = 1) -> int:
    """Train the models and build the similar-matter index (demo loader, ``xinfang triage train``)."""
    version = _train()
    rebuild_index(workers=workers)
    prune_old_versions()
    return 1 if version else 0


def _claimed(name: str, work, *, hold: timedelta, every: timedelta = timedelta(0)):
    """``work()`` by the one caller that claims job ``name``; None for the others."""
    if not claim(name, hold=hold, every=every):
        return None
    try:
        return work()
    finally:
        release(name)


def _retrain() -> bool:
    if _train() is None:
        return False
    prune_old_versions()
    return True


def run_once() -> int:
    from . import queue

    done = queue.sweep() + queue.drain()
    synced = index_sync.get_index(catch_up=False)
    if synced is None:
        built = _claimed(
            "index_rebuild", index_sync.rebuild, hold=timedelta(hours=2), every=timedelta(minutes=10)
        )
        done += 1 if built else 0
    else:
        done += synced.catch_up()
        stale = time.monotonic() - synced.snapshot_at >= index_sync.SNAPSHOT_SECONDS
        if synced.applied_since_snapshot >= index_sync.SNAPSHOT_EVERY or (
            stale and synced.applied_since_snapshot
        ):
            _claimed("index_snapshot", lambda: index_sync.snapshot(synced), hold=timedelta(minutes=30))
    if retrain_due() and _claimed("retrain", _retrain, hold=timedelta(hours=2), every=timedelta(hours=1)):
        done += 1
    rebuild_days = float(getattr(settings, "TRIAGE_INDEX_REBUILD_DAYS", 30))
    if synced is not None:
        _claimed(
            "index_rebuild", index_sync.rebuild, hold=timedelta(hours=2), every=timedelta(days=rebuild_days)
        )
    return done

"""The stats app's periodic job, called by the worker (xinfang.alerts.worker.JOBS).

Each pass: the incremental rollup (events above the watermark), alerts for
recent urgent and skip-level petitions without one, the follow-up (notice,
Art. 25 report) of alerts raised by other apps, and — at most
every DETECTOR_INTERVAL — the surge, collective and repeat detectors and the
current month's hot spots (hotspot_cache).
Every step is idempotent (dedupe keys, compare-and-set watermarks).
"""

from __future__ import annotations

from datetime import timedelta

from django.utils import timezone

from . import detectors, hotspot_cache, rollup, topics
from .models import RollupState

DETECTOR_INTERVAL = timedelta(minutes=15)


def _claim_interval(now) -> bool:
    """Claim the periodic slot with a compare-and-set on its timestamp."""
    slot = RollupState.objects.get_or_create(name="periodic")[0]
    if slot.updated_at and now - slot.updated_at < DETECTOR_INTERVAL:
        return False
    return RollupState.objects.filter(pk=slot.pk, updated_at=slot.updated_at).update(updated_at=now) == 1


def run_once(now=None, *, force: bool = False) -> int:
    now = now or timezone.now()
    done = rollup.refresh()
    raised = detectors.detect_flagged(now)
    raised += detectors.follow_up(now)
    if force or _claim_interval(now):
        raised += detectors.detect_surges(timezone.localdate(now))
        raised += detectors.detect_collective(now)
        raised += detectors.detect_repeat_escalation(now)
        topics.assign_pending()  # new petitions join their hot topics
        hotspot_cache.refresh_current(timezone.localdate(now))  # the pages then answer from the cache
    return done + raised

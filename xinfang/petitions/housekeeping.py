"""Periodic clean-up of the petitions app, run by the worker (alerts.worker.JOBS)."""

from __future__ import annotations

from datetime import timedelta

from django.conf import settings
from django.utils import timezone

from .models import IdempotencyKey

BATCH = 5000


def expire_idempotency_keys(now=None) -> int:
    """Delete API Idempotency-Keys older than ``IDEMPOTENCY_KEY_DAYS``; a retry after that
    registers a new petition.  Deleting twice is harmless, so several workers may run it."""
    now = now or timezone.now()
    cutoff = now - timedelta(days=settings.IDEMPOTENCY_KEY_DAYS)
    removed = 0
    while True:
        ids = list(IdempotencyKey.objects.filter(created_at__lt=cutoff).values_list("pk", flat=True)[:BATCH])
        if not ids:
            return removed
        removed += IdempotencyKey.objects.filter(pk__in=ids).delete()[0]


def run_once(now=None) -> int:
    return expire_idempotency_keys(now)

"""Counting attempts (login, portal lookups and submissions, bookings…).

Counters live in one small table (AttemptCounter) shared by every process: the
window starts at the first attempt and lasts its full length (the database
cache expired entries five minutes after the last hit, and its incr() was a
read-then-write), and each attempt is one row lock and an UPDATE … SET
count = count + 1, so concurrent attempts are all counted.
"""

from __future__ import annotations

import hashlib
import secrets
from datetime import timedelta

from django.db import IntegrityError, transaction
from django.db.models import F
from django.utils import timezone

PURGE_AFTER = timedelta(days=2)  # longer than the longest window in use (one day)


def _key(scope: str, ident: str, window: int) -> str:
    # Never store the raw phone, username or address.
    return hashlib.sha256(f"{scope}:{window}:{ident}".encode()).hexdigest()


def _fresh(counter, now, window_seconds: int) -> bool:
    return counter.window_start > now - timedelta(seconds=window_seconds)


def record(scope: str, ident: str, *, window_seconds: int) -> int:
    """Count one attempt; the number of attempts in the current window."""
    from .models import AttemptCounter

    key, now = _key(scope, ident, window_seconds), timezone.now()
    for _ in range(3):
        try:
            with transaction.atomic():
                counter = AttemptCounter.objects.select_for_update().filter(key=key).first()
                if counter is None:
                    AttemptCounter.objects.create(key=key, window_start=now, last_at=now, count=1)
                    count = 1
                elif _fresh(counter, now, window_seconds):
                    AttemptCounter.objects.filter(pk=counter.pk).update(count=F("count") + 1, last_at=now)
                    count = counter.count + 1
                else:  # the window is over: a new one starts now
                    AttemptCounter.objects.filter(pk=counter.pk).update(
                        count=1, window_start=now, last_at=now
                    )
                    count = 1
            break
        except IntegrityError:  # another process created the row first: count on it
            continue
    else:  # pragma: no cover - three collisions in a row
        raise RuntimeError("rate counter contention")
    if secrets.randbelow(500) == 0:
        AttemptCounter.objects.filter(last_at__lt=now - PURGE_AFTER).delete()
    return count


def hit(scope: str, ident: str, *, limit: int, window_seconds: int) -> bool:
    """Count one attempt; True while the count stays within `limit` for the window."""
    return record(scope, ident, window_seconds=window_seconds) <= limit


def count(scope: str, ident: str, *, window_seconds: int) -> int:
    from .models import AttemptCounter

    counter = AttemptCounter.objects.filter(key=_key(scope, ident, window_seconds)).first()
    if counter is None or not _fresh(counter, timezone.now(), window_seconds):
        return 0
    return counter.count


def blocked(scope: str, ident: str, *, limit: int, window_seconds: int) -> bool:
    return count(scope, ident, window_seconds=window_seconds) >= limit


def wait_seconds(scope: str, ident: str, *, free: int, window_seconds: int, cap: int = 60) -> int:
    """A growing delay instead of a lock: after `free` attempts in the window,
    the next one must wait 2, 4, 8 … seconds (at most `cap`) after the last.
    Used where a lock would let strangers shut out the real user."""
    from .models import AttemptCounter

    counter = AttemptCounter.objects.filter(key=_key(scope, ident, window_seconds)).first()
    now = timezone.now()
    if counter is None or not _fresh(counter, now, window_seconds) or counter.count < free:
        return 0
    delay = min(2 ** min(counter.count - free + 1, 16), cap)
    remaining = delay - (now - counter.last_at).total_seconds()
    return max(0, int(remaining + 0.999))


def reset(scope: str, ident: str, *, window_seconds: int) -> None:
    from .models import AttemptCounter

    AttemptCounter.objects.filter(key=_key(scope, ident, window_seconds)).delete()

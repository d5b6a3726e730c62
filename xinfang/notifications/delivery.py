"""Sending queued messages: claim with a compare-and-set, send, retry with backoff.

Several workers may run `deliver_due` at once: a message is sent by the worker
whose conditional update (pending and due → sending) changed the row.  Log
lines carry the notification id, petition id, template and masked recipient only.
"""

from __future__ import annotations

import logging
from datetime import timedelta

from django.conf import settings
from django.core.mail import send_mail
from django.db.models import F
from django.utils import timezone

from .backends import DeliveryError, get_backend
from .models import Notification, NotificationChannel, NotificationStatus

logger = logging.getLogger("xinfang.notifications")

MAX_ATTEMPTS = 5
BACKOFF_SECONDS = 60  # 1, 2, 4, 8 minutes between the five attempts
STALE_AFTER = timedelta(minutes=10)  # a worker that died while sending


def claim(pk: int, now=None) -> bool:
    """Take message `pk` for sending; False when another worker has it or it is not due."""
    now = now or timezone.now()
    return bool(
        Notification.objects.filter(
            pk=pk, status=NotificationStatus.PENDING, next_attempt_at__lte=now
        ).update(status=NotificationStatus.SENDING, attempts=F("attempts") + 1, claimed_at=now)
    )


def backoff(attempts: int) -> timedelta:
    return timedelta(seconds=BACKOFF_SECONDS * 2 ** max(attempts - 1, 0))


def _send(notification: Notification, backend) -> None:
    ref = f"xf-{notification.pk}"
    if notification.channel == NotificationChannel.SMS:
        backend.send_sms(notification.recipient, notification.body, ref=ref)
    else:
        subject = f"信访事项办理进展通知（{notification.petition.case_number}）"
        send_mail(subject, notification.body, settings.DEFAULT_FROM_EMAIL, [notification.recipient])


def _safe_error(exc: Exception) -> str:
    if isinstance(exc, DeliveryError):
        return str(exc)[:200]
    return type(exc).__name__


def _log(level: int, verb: str, n: Notification, extra: str = "") -> None:
    logger.log(
        level,
        "notification %s id=%s petition=%s template=%s channel=%s to=%s attempt=%s%s",
        verb,
        n.pk,
        n.petition_id,
        n.template,
        n.channel,
        n.recipient_masked,
        n.attempts,
        extra,
    )


def deliver_one(pk: int, backend=None, now=None) -> bool | None:
    """Claim and send one message.  True sent, False failed (retried later or
    given up), None not claimed."""
    now = now or timezone.now()
    if not claim(pk, now):
        return None
    notification = Notification.objects.select_related("petition").get(pk=pk)
    try:
        _send(notification, backend or get_backend())
    except Exception as exc:  # noqa: BLE001 - any gateway failure is retried
        error = _safe_error(exc)
        if notification.attempts >= MAX_ATTEMPTS:
            Notification.objects.filter(pk=pk, status=NotificationStatus.SENDING).update(
                status=NotificationStatus.FAILED, last_error=error, claimed_at=None
            )
            notification.status = NotificationStatus.FAILED
            _log(logging.ERROR, "failed", notification, f" error={error}")
        else:
            retry_at = timezone.now() + backoff(notification.attempts)
            Notification.objects.filter(pk=pk, status=NotificationStatus.SENDING).update(
                status=NotificationStatus.PENDING, last_error=error, next_attempt_at=retry_at, claimed_at=None
            )
            _log(logging.WARNING, "retry", notification, f" error={error} next={retry_at:%Y-%m-%dT%H:%M:%S}")
        return False
    Notification.objects.filter(pk=pk).update(
        status=NotificationStatus.SENT, sent_at=timezone.now(), last_error="", claimed_at=None
    )
    _log(logging.INFO, "sent", notification)
    return True


def release_stale(now=None) -> int:
    """Put back messages claimed by a worker that stopped mid-send."""
    now = now or timezone.now()
    return Notification.objects.filter(
        status=NotificationStatus.SENDING, claimed_at__lt=now - STALE_AFTER
    ).update(status=NotificationStatus.PENDING, next_attempt_at=now, claimed_at=None)


def deliver_due(limit: int = 100, backend=None) -> int:
    """Send up to `limit` due messages; returns how many were sent."""
    now = timezone.now()
    backend = backend or get_backend()
    ids = list(
        Notification.objects.due(now).order_by("next_attempt_at", "pk").values_list("pk", flat=True)[:limit]
    )
    return sum(1 for pk in ids if deliver_one(pk, backend, now) is True)

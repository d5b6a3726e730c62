"""The notification step of the `xinfang worker` loop."""

from __future__ import annotations

from datetime import timedelta

from django.conf import settings
from django.db import transaction
from django.db.models import Exists, OuterRef, Q
from django.utils import timezone

from xinfang.lib import claims
from xinfang.petitions.models import PetitionEvent, PetitionPetitioner

from .delivery import deliver_due, release_stale
from .events import TEMPLATE_OF_ACTION, queue_for_event
from .models import Notification

BATCH = 100
# The request queues an event's message right after its commit (events.on_event_saved); a process
# killed in between leaves none.  Events older than NOTIFICATION_REPAIR_SECONDS without their
# message are repaired, for every kind that sends one; younger ones may still be on their way.
REPAIR_WINDOW = timedelta(days=1)
REPAIR_BATCH = 500
MOBILE_MASK = r"^1[3-9][0-9][*]{4}[0-9]{4}$"


def missed_events(now=None):
    """Public events of the last REPAIR_WINDOW, older than NOTIFICATION_REPAIR_SECONDS, that
    tell a reachable petitioner and have no message yet (ids, oldest first)."""
    now = now or timezone.now()
    repair_after = timedelta(seconds=settings.NOTIFICATION_REPAIR_SECONDS)
    # A mobile phone (its mask keeps 1[3-9]x and the last four digits: lib.idcard.is_mobile) or
    # an e-mail address; a landline alone never gets a message and must not fill the batch.
    reachable = PetitionPetitioner.objects.filter(petition_id=OuterRef("petition_id")).filter(
        Q(petitioner__phone_masked__regex=MOBILE_MASK) | ~Q(petitioner__email="")
    )
    queued = Notification.objects.filter(event_id=OuterRef("pk"))
    # Messages queued before they named their event: one of the same template for the
    # petition, created at or after the event, is taken to be its message.
    by_template: dict[str, list[str]] = {}
    for action, template in TEMPLATE_OF_ACTION.items():
        by_template.setdefault(template, []).append(action)
    legacy = Q()
    for template, actions in by_template.items():
        older = Notification.objects.filter(
            petition_id=OuterRef("petition_id"),
            event__isnull=True,
            template=template,
            created_at__gte=OuterRef("at"),
        )
        legacy |= Q(action__in=actions) & Q(Exists(older))
    return (
        PetitionEvent.objects.filter(
            is_public=True,
            action__in=list(TEMPLATE_OF_ACTION),
            at__gte=now - REPAIR_WINDOW,
            at__lt=now - repair_after,
        )
        .filter(Exists(reachable))
        .exclude(Exists(queued))
        .exclude(legacy)
        .order_by("at", "pk")
        .values_list("pk", flat=True)
    )


def queue_missed_notifications(now=None) -> int:
    """Queue the messages of state changes whose after-commit hook never ran (one worker
    at a time; queue_for_event is safe against the hook and other workers anyway)."""
    with transaction.atomic():
        if not claims.try_lock("notifications.missed_notifications"):
            return 0
        return sum(queue_for_event(pk) for pk in list(missed_events(now)[:REPAIR_BATCH]))


def run_once() -> int:
    """Release stale claims, repair lost messages, then send due messages; returns how many were sent."""
    release_stale()
    queue_missed_notifications()
    return deliver_due(BATCH)

"""The notification step of the `xinfang worker` loop."""

from __future__ import annotations

from datetime import timedelta

from django.conf import settings
from django.db import transaction
from django.db.models import Exists, OuterRef, Q
from django.utils import timezone

from xinfang.lib import claims
from xinfang.petitions.models import EventAction, PetitionEvent, PetitionPetitioner

from .delivery import deliver_due, release_stale
from .events import queue_for_event
from .models import Notification

BATCH = 100
# The request queues the acknowledgement right after its commit (events.on_event_saved); a process
# killed in between leaves none.  Registrations older than NOTIFICATION_REPAIR_SECONDS without one
# are repaired; younger ones may still be on their way.
REPAIR_WINDOW = timedelta(days=1)


def queue_missed_acknowledgements(now=None) -> int:
    """Queue the registration message of recent petitions that have none (one worker at a time)."""
    now = now or timezone.now()
    repair_after = timedelta(seconds=settings.NOTIFICATION_REPAIR_SECONDS)
    reachable = PetitionPetitioner.objects.filter(petition_id=OuterRef("petition_id")).filter(
        ~Q(petitioner__phone_hash="") | ~Q(petitioner__email="")
    )
    sent = Notification.objects.filter(petition_id=OuterRef("petition_id"), template="registered")
    with transaction.atomic():
        if not claims.try_lock("notifications.missed_acknowledgements"):
            return 0
        events = (
            PetitionEvent.objects.filter(
                action=EventAction.REGISTER, at__gte=now - REPAIR_WINDOW, at__lt=now - repair_after
            )
            .filter(Exists(reachable))
            .exclude(Exists(sent))
            .values_list("pk", flat=True)[:500]
        )
        return sum(queue_for_event(pk) for pk in list(events))


def run_once() -> int:
    """Release stale claims, repair lost acknowledgements, then send due messages; returns how many were sent."""
    release_stale()
    queue_missed_acknowledgements()
    return deliver_due(BATCH)

"""Scheduling follow-ups after a petition closes, and what an unsolved answer does.

Design of "not solved" (DOMAIN §4: an unsolved answer reopens a path to action
and is counted):
- recorded by bureau staff (phone / home visit): the matter is reopened through
  xinfang.petitions.actions.petition_reopen with that staff member as the actor;
- answered by the petitioner on the portal questionnaire: there is no staff
  member, so it is reopened in the name of a per-bureau system account
  ("回访系统", username system-followup-<bureau id>) that cannot log in
  (inactive, unusable password) and exists only so the reopen event names a
  bureau account; the timeline shows the follow-up answer right before it.
- a matter closed after re-review (复核终结, Art. 36③) is not reopened: the
  answer is counted and the follow-up is marked `needs_action` for the bureau
  (after-closure help, Art. 37).  The same when the matter is already open again.
"""

from __future__ import annotations

import logging
from datetime import datetime, timedelta

from django.db import transaction
from django.db.models import Exists, OuterRef, Q
from django.utils import timezone

from xinfang.accounts.models import Role, User
from xinfang.petitions.actions import petition_reopen
from xinfang.petitions.choices import Status
from xinfang.petitions.errors import ActionError
from xinfang.petitions.models import EventAction, Petition, PetitionEvent
from xinfang.units import bureaus
from xinfang.units.models import Unit

from .models import FollowUp, FollowUpPolicy

log = logging.getLogger(__name__)

CLOSING_ACTIONS = (EventAction.CLOSE, EventAction.CONCLUDE, EventAction.ISSUE_OPINION)


def is_closing_event(event: PetitionEvent) -> bool:
    if event.action in (EventAction.CLOSE, EventAction.CONCLUDE):
        return True
    return event.action == EventAction.ISSUE_OPINION and bool((event.data or {}).get("final"))


def _closing_events_q() -> Q:
    return Q(action__in=[EventAction.CLOSE, EventAction.CONCLUDE]) | Q(
        action=EventAction.ISSUE_OPINION, data__final=True
    )


@transaction.atomic
def schedule_followups(petition: Petition, close_event: PetitionEvent) -> int:
    """Create this closing's follow-ups (idempotent: one per policy interval)."""
    if petition.status != Status.CLOSED:
        return 0
    closed_on = timezone.localdate(close_event.at)
    created = 0
    for seq, days in enumerate(FollowUpPolicy.current_days(), start=1):
        _, made = FollowUp.objects.get_or_create(
            close_event=close_event,
            seq=seq,
            defaults={
                "petition": petition,
                "unit_id": petition.handling_unit_id,
                "due": closed_on + timedelta(days=days),
            },
        )
        created += made
    return created


def on_event_saved(sender, instance: PetitionEvent, created: bool, **kwargs) -> None:
    """post_save receiver: schedule follow-ups when a matter closes.  A failure
    here must never undo the closing itself, so it runs in a savepoint and the
    reminder run catches up later."""
    if not created or not is_closing_event(instance):
        return
    try:
        with transaction.atomic():
            schedule_followups(instance.petition, instance)
    except Exception:
        log.exception("scheduling follow-ups failed for petition %s", instance.petition_id)


def schedule_missing_followups(now: datetime | None = None) -> int:
    """Catch up on closed petitions whose latest closing has no follow-ups."""
    now = now or timezone.now()
    horizon = now - timedelta(days=max(FollowUpPolicy.current_days()) + 30)
    has_round = FollowUp.objects.filter(petition=OuterRef("pk"), close_event__at__gte=OuterRef("closed_at"))
    petitions = Petition.objects.filter(status=Status.CLOSED, closed_at__gte=horizon).filter(
        ~Exists(has_round)
    )
    created = 0
    for petition in petitions[:500]:
        event = petition.events.filter(_closing_events_q()).order_by("-at", "-pk").first()
        if event is not None:
            created += schedule_followups(petition, event)
    return created


def bureau_for(petition: Petition) -> Unit | None:
    """The bureau whose desk holds the matter (issue 14: a matter sent down is the lower
    desk's to act on), else the bureau of its registering unit."""
    if petition.bureau_id is not None:
        return petition.bureau
    return bureaus.bureau_for(petition.registering_unit)


def system_actor_for(petition: Petition) -> User | None:
    """The bureau's "回访系统" account (created on first use; never logs in)."""
    bureau = bureau_for(petition)
    if bureau is None:
        return None
    user, created = User.objects.get_or_create(
        username=f"system-followup-{bureau.pk}",
        defaults={"role": Role.REGISTRAR, "unit": bureau, "full_name": "回访系统", "is_active": False},
    )
    if created:
        user.set_unusable_password()
        user.save(update_fields=["password"])
    return user


def reopen_after_followup(*, petition: Petition, followup: FollowUp, actor, comment: str) -> bool:
    """Reopen the matter after an unsolved answer; False when it cannot be (see module doc)."""
    if petition.status != Status.CLOSED or petition.is_final or actor is None:
        return False
    reason = f"回访（第{followup.seq}次）信访人反映问题未解决：{comment}"[:1000]
    try:
        with transaction.atomic():
            petition_reopen(actor=actor, petition=petition, reason=reason)
    except ActionError as exc:
        log.warning("follow-up %s could not reopen petition %s: %s", followup.pk, petition.pk, exc.code)
        return False
    return True

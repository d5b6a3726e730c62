"""Which public petition events tell the petitioner, and with what text.

A post_save receiver (apps.py) queues the message after the action's
transaction commits; a failure to queue is logged and never reaches the action.
A process killed between the commit and that hook leaves the event without its
message: the worker's repair sweep (worker.queue_missed_notifications) queues it
later.  `queue_for_event` queues each event's message once, whoever calls it
first: the hook, the sweep, or several workers at once.

The registration's message is the exception: `petition_register` sends
``petition_registered`` in its own transaction once the case number is taken, and
`queue_registration` queues the message there (the hot path of every intake: no
second transaction, and nothing to lose between commit and hook).
"""

from __future__ import annotations

import logging

from django.db import transaction

from xinfang.lib import crypto
from xinfang.petitions.models import EventAction, Petition, PetitionEvent

from .messages import messages_for, notify_petitioners

logger = logging.getLogger("xinfang.notifications")

STAGE_OPINION = {"initial": "信访处理意见书", "review": "复查意见书", "rereview": "复核意见书"}
NEXT_STEP = {"initial": "复查", "review": "复核"}


# The events that tell the petitioner, and the template each one uses (message_for).
TEMPLATE_OF_ACTION = {
    EventAction.REGISTER: "registered",
    EventAction.TRANSFER: "transferred",
    EventAction.ASSIGN: "transferred",
    EventAction.ACCEPT: "accepted",
    EventAction.REJECT: "rejected",
    EventAction.REFUSE_FINAL: "rejected",
    EventAction.DIVERT: "diverted",
    EventAction.EXTEND: "extended",
    EventAction.ISSUE_OPINION: "opinion_issued",
    EventAction.REQUEST_REVIEW: "review_requested",
    EventAction.REQUEST_REREVIEW: "review_requested",
    EventAction.CONCLUDE: "closed",
    EventAction.CLOSE: "closed",
}


def _cn(value) -> str:
    return f"{value.year}年{value.month}月{value.day}日" if value else ""


def _open_due(petition: Petition, *rules: str):
    from xinfang.petitions.deadlines import open_deadline_for

    deadline = open_deadline_for(petition, *rules)
    return deadline.due if deadline else None


def message_for(event: PetitionEvent) -> tuple[str, dict] | None:
    """(template key, context) for a public event, or None when it sends nothing."""
    petition = event.petition
    data = event.data or {}
    unit = (
        data.get("unit")
        or (event.unit.name if event.unit_id else "")
        or (petition.handling_unit.name if petition.handling_unit_id else "")
    )
    action = event.action
    if action == EventAction.REGISTER:
        code = crypto.decrypt(petition.query_code_enc) if petition.query_code_enc else ""
        return ("registered", {"query_code": code}) if code else None
    if action in {EventAction.TRANSFER, EventAction.ASSIGN}:
        return "transferred", {"unit": unit, "verb": "交办" if action == EventAction.ASSIGN else "转送"}
    if action == EventAction.ACCEPT:
        return "accepted", {"unit": unit, "due": _cn(_open_due(petition, "conclude", "simple"))}
    if action in {EventAction.REJECT, EventAction.REFUSE_FINAL}:
        return "rejected", {"decision": "不予受理" if action == EventAction.REJECT else "不再受理"}
    if action == EventAction.DIVERT:
        return "diverted", {}
    if action == EventAction.EXTEND:
        from datetime import date

        new_due = data.get("new_due")
        return "extended", {
            "days": data.get("days", ""),
            "new_due": _cn(date.fromisoformat(new_due)) if new_due else "",
            "reason": event.reason,
        }
    if action == EventAction.ISSUE_OPINION:
        stage = data.get("stage", petition.stage)
        final = bool(data.get("final"))
        rule = "review_request" if stage == "initial" else "rereview_request"
        return "opinion_issued", {
            "opinion_name": STAGE_OPINION.get(stage, "处理意见"),
            "final": final,
            "next_step": NEXT_STEP.get(stage, ""),
            "review_due": "" if final else _cn(_open_due(petition, rule)),
        }
    if action in {EventAction.REQUEST_REVIEW, EventAction.REQUEST_REREVIEW}:
        return "review_requested", {
            "unit": unit,
            "step": "复查" if action == EventAction.REQUEST_REVIEW else "复核",
        }
    if action in {EventAction.CONCLUDE, EventAction.CLOSE}:
        return "closed", {}
    return None


def queue_for_event(event_id: int) -> int:
    """Queue the message of one event unless it has been queued; returns how many were
    queued.  Never raises.

    The event's row is locked while its messages are checked and created, so the
    after-commit hook and the repair sweeps of several workers queue it once."""
    from .models import Notification

    try:
        with transaction.atomic():
            event = (
                PetitionEvent.objects.select_for_update(of=("self",))
                .select_related("petition__registering_unit", "unit")
                .get(pk=event_id)
            )
            if Notification.objects.filter(event_id=event_id).exists():
                return 0
            message = message_for(event)
            if message is None:
                return 0
            return len(notify_petitioners(event.petition, message[0], message[1], event=event))
    except Exception as exc:  # noqa: BLE001 - the action has committed; only log
        # The exception text may quote personal data: log its type only.
        logger.error("notification queue failed event=%s error=%s", event_id, type(exc).__name__)
        return 0


def queue_registration(sender, petition: Petition, event: PetitionEvent, **kwargs) -> None:
    """Receiver of ``petitions.signals.petition_registered``: queue the registration
    message in the registration's own transaction, from the petition and the petitioners
    it has in memory (``petition.registered_people``), so the message commits with the
    petition or not at all: no after-commit hook to lose in between, no second
    transaction.  If that fails, the after-commit hook queues it as for other events."""
    if _queue_registered(petition, event):
        return
    event_id = event.pk
    transaction.on_commit(lambda: queue_for_event(event_id), robust=True)


def _queue_registered(petition: Petition, event: PetitionEvent) -> bool:
    from .models import Notification

    try:
        message = message_for(event)
        if message is None:
            return True
        messages = messages_for(
            petition, message[0], message[1], event=event, people=petition.registered_people
        )
        if messages:
            with transaction.atomic():  # a savepoint: a failed insert leaves the registration intact
                Notification.objects.bulk_create(messages)
        return True
    except Exception as exc:  # noqa: BLE001 - the registration goes on; the hook retries
        logger.error("notification queue failed event=%s error=%s", event.pk, type(exc).__name__)
        return False


def on_event_saved(sender, instance: PetitionEvent, created: bool, **kwargs) -> None:
    if not created or not instance.is_public or kwargs.get("raw"):
        return
    if instance.action == EventAction.REGISTER and getattr(instance.petition, "registering", False):
        return  # petition_register queues it in its transaction once the number is taken
    event_id = instance.pk
    try:
        transaction.on_commit(lambda: queue_for_event(event_id), robust=True)
    except Exception as exc:  # noqa: BLE001
        logger.error("notification hook failed event=%s error=%s", event_id, type(exc).__name__)

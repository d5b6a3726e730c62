"""Model rows to output dicts.  Personal data leaves only in masked form.

Each function reads only what its caller loaded (select_related /
prefetch_related), so list pages stay at a fixed number of queries.
"""

from __future__ import annotations

from datetime import date

from django.conf import settings

from xinfang.calendars.rules import DeadlineRule, rule_spec
from xinfang.petitions.choices import Channel, PetitionClass, Stage, Status
from xinfang.petitions.models import Deadline, EventAction, Petition, Petitioner, PetitionEvent, local_today


def ref(obj) -> dict | None:
    if obj is None:
        return None
    name = getattr(obj, "display_name", None) or getattr(obj, "name", None) or str(obj)
    return {"id": obj.pk, "name": name}


def labelled(choices, value: str) -> dict | None:
    if value in (None, ""):
        return None
    try:
        return {"value": value, "label": str(choices(value).label)}
    except ValueError:
        return {"value": value, "label": value}


def mask_email(value: str) -> str:
    if not value or "@" not in value:
        return ""
    local, _, domain = value.partition("@")
    return f"{local[:1]}***@{domain}"


def petition_item(petition: Petition, today: date | None = None) -> dict:
    """Needs registering_unit, handling_unit and category loaded."""
    today = today or local_today()
    return {
        "id": petition.pk,
        "case_number": petition.case_number,
        "title": petition.title,
        "channel": labelled(Channel, petition.channel),
        "status": labelled(Status, petition.status),
        "stage": labelled(Stage, petition.stage),
        "petition_class": labelled(PetitionClass, petition.petition_class),
        "received_at": petition.received_at,
        "registered_at": petition.registered_at,
        "registering_unit": ref(petition.registering_unit),
        "handling_unit": ref(petition.handling_unit),
        "category": ref(petition.category),
        "current_due": petition.current_due,
        "current_due_rule": petition.current_due_rule,
        "current_due_provisional": petition.current_due_provisional,
        "due_state": petition.due_state(today),
        "days_left": petition.days_left(today) if petition.is_open else None,
        "flags": {
            name: getattr(petition, name)
            for name in (
                "is_urgent",
                "is_litigation",
                "is_collective",
                "is_repeat",
                "is_skip_level",
                "is_assignment",
                "is_simple",
                "is_extended",
                "is_final",
            )
        },
    }


def petitioner_out(petitioner: Petitioner, is_representative: bool = False) -> dict:
    return {
        "id": petitioner.pk,
        "kind": petitioner.kind,
        "name": petitioner.name,
        "id_number_masked": petitioner.id_number_masked,
        "phone_masked": petitioner.phone_masked,
        "email_masked": mask_email(petitioner.email),
        "has_address": bool(petitioner.address_enc),
        "is_representative": is_representative,
    }


def deadline_out(deadline: Deadline, today: date | None = None) -> dict:
    """Needs `pauses` prefetched."""
    today = today or local_today()
    paused = any(p.end is None for p in deadline.pauses.all())
    if deadline.met_at is not None:
        state, light = "met", "grey"
    elif deadline.cancelled:
        state, light = "cancelled", "grey"
    elif paused:
        state, light = "paused", "grey"
    elif deadline.due < today:
        state, light = "overdue", "red"
    elif (deadline.due - today).days <= settings.DUE_SOON_DAYS:
        state, light = "due_soon", "yellow"
    else:
        state, light = "on_time", "green"
    try:
        rule = DeadlineRule(deadline.rule)
        rule_label, article = str(rule.label), rule_spec(rule).article
    except (ValueError, KeyError):
        rule_label, article = deadline.rule, ""
    return {
        "id": deadline.pk,
        "rule": deadline.rule,
        "rule_label": rule_label,
        "article": article,
        "start": deadline.start,
        "days": deadline.days,
        "working_days": deadline.working_days,
        "extension_days": deadline.extension_days,
        "due": deadline.due,
        "provisional": deadline.provisional,
        "met_at": deadline.met_at,
        "cancelled": deadline.cancelled,
        "paused": paused,
        "state": state,
        "light": light,
    }


def deadlines_of(petition: Petition) -> list[dict]:
    today = local_today()
    rows = petition.deadlines.prefetch_related("pauses").order_by("start", "pk")
    return [deadline_out(d, today) for d in rows]


def triage_status(petition: Petition) -> str:
    """done / pending (the worker has it queued) / none; "" without the triage app."""
    from xinfang.lib.optional import optional_callable

    status = optional_callable("xinfang.triage.queue:status")
    return status(petition) if status else ""


def petition_detail(petition: Petition) -> dict:
    """Needs the relations of petition_item plus town, respondent_unit, handler."""
    today = local_today()
    links = petition.petitioner_links.select_related("petitioner").order_by("order", "pk")
    return {
        **petition_item(petition, today),
        "source": petition.source,
        "request": petition.request,
        "facts_reasons": petition.facts_reasons,
        "content": petition.content,
        "town": ref(petition.town),
        "place_address": petition.place_address,
        "respondent_unit": ref(petition.respondent_unit),
        "respondent_person": petition.respondent_person,
        "claim_route": petition.claim_route,
        "head_count": petition.head_count,
        "handler": ref(petition.handler),
        "routed_at": petition.routed_at,
        "notified_at": petition.notified_at,
        "accepted_at": petition.accepted_at,
        "opinion_delivered_at": petition.opinion_delivered_at,
        "closed_at": petition.closed_at,
        "petitioners": [petitioner_out(link.petitioner, link.is_representative) for link in links],
        "deadlines": deadlines_of(petition),
        "triage_status": triage_status(petition),
    }


def event_out(event: PetitionEvent) -> dict:
    return {
        "id": event.pk,
        "action": event.action,
        "action_label": str(labelled(EventAction, event.action)["label"]),
        "at": event.at,
        "actor": ref(event.actor),
        "actor_label": event.actor_label,
        "unit": ref(event.unit),
        "from_status": event.from_status,
        "to_status": event.to_status,
        "reason": event.reason,
        "data": event.data or {},
        "documents": list(event.documents or []),
        "is_public": event.is_public,
    }

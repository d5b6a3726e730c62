"""What the petition page shows of 送达 and of the Arts. 24, 32 and 33 procedures."""

from __future__ import annotations

from datetime import timedelta

from django.conf import settings
from django.utils import timezone

from xinfang.calendars.rules import rule_spec
from xinfang.documents.delivery import SERVED_KINDS, WINDOWS
from xinfang.documents.models import Delivery
from xinfang.petitions.choices import Status


def procedure_context(petition, documents: list) -> dict:
    """Delivery state per document (with the undelivered warning after
    settings.DELIVERY_WARNING_DAYS) and the dispute, 落实 and settlement records."""
    now = timezone.now()
    limit = timedelta(days=settings.DELIVERY_WARNING_DAYS)
    deliveries: dict[int, list] = {}
    for row in Delivery.objects.filter(petition=petition).order_by("sent_at", "pk"):
        deliveries.setdefault(row.document_id, []).append(row)
    rows, undelivered = [], []
    for document in documents:
        served = document.kind in SERVED_KINDS
        late = served and document.delivered_at is None and now - document.issued_at > limit
        row = {
            "document": document,
            "served": served,
            "deliveries": deliveries.get(document.pk, []),
            "late": late,
            "days": (now - document.issued_at).days,
        }
        rows.append(row)
        if served and document.delivered_at is None:
            undelivered.append(row)
    return {
        "waiting_windows": waiting_windows(petition, documents),
        "delivery_rows": rows,
        "undelivered": undelivered,
        "undelivered_late": [r for r in undelivered if r["late"]],
        "delivery_warning_days": settings.DELIVERY_WARNING_DAYS,
        "disputes": list(
            petition.jurisdiction_disputes.select_related("decider", "decided_unit").prefetch_related("units")
        ),
        "implementations": list(petition.implementations.select_related("unit", "opinion")),
        "settlements": list(petition.settlements.select_related("document")),
    }


def waiting_windows(petition, documents: list) -> list[dict]:
    """The review (re-review) window that has not started because the opinion is not delivered."""
    if petition.status != Status.OPINION_ISSUED:
        return []
    result = []
    for kind, (stage, rule) in WINDOWS.items():
        if petition.stage != stage or petition.deadlines.filter(rule=rule).exists():
            continue
        opinion = next((d for d in reversed(documents) if d.kind == kind), None)
        if opinion is not None and opinion.delivered_at is None:
            result.append({"rule": rule.label, "title": opinion.title, "article": rule_spec(rule).article})
    return result

"""Warnings for documents issued to the petitioner with no recorded delivery (送达)
after settings.DELIVERY_WARNING_DAYS: until delivery, the periods counted from
receipt (Arts. 35–36) do not run.  One warning per document, claimed with a
compare-and-set on the document row."""

from __future__ import annotations

from datetime import timedelta

from django.conf import settings
from django.utils import timezone

from xinfang.documents.delivery import SERVED_KINDS
from xinfang.documents.models import IssuedDocument

from .models import AlertKind, Severity
from .raising import raise_alert


def undelivered_due(now=None):
    """Documents for the petitioner issued more than the configured days ago and not delivered."""
    now = now or timezone.now()
    cutoff = now - timedelta(days=settings.DELIVERY_WARNING_DAYS)
    return IssuedDocument.objects.filter(
        delivered_at__isnull=True, issued_at__lt=cutoff, kind__in=SERVED_KINDS
    )


def warn_undelivered(now=None, *, batch: int = 500) -> int:
    now = now or timezone.now()
    raised = 0
    rows = (
        undelivered_due(now)
        .filter(delivery_warned_at__isnull=True)
        .select_related("petition", "issuing_unit")
        .order_by("issued_at")[:batch]
    )
    for document in rows:
        claimed = IssuedDocument.objects.filter(pk=document.pk, delivery_warned_at__isnull=True).update(
            delivery_warned_at=now
        )
        if claimed != 1:
            continue
        petition = document.petition
        days = (timezone.localdate(now) - timezone.localtime(document.issued_at).date()).days
        alert = raise_alert(
            dedupe_key=f"{AlertKind.UNDELIVERED}:{document.pk}",
            kind=AlertKind.UNDELIVERED,
            severity=Severity.WARNING,
            title=f"{petition.case_number}「{document.title}」出具{days}日未登记送达",
            unit=document.issuing_unit,
            petition=petition,
            data={"document_id": document.pk, "number": document.number, "days": days},
        )
        raised += alert is not None
    return raised

"""Downloads of issued notices and the rights card, through the petition access rules."""

from __future__ import annotations

from urllib.parse import quote

from django.contrib.auth.decorators import login_required
from django.http import Http404, HttpResponse
from django.shortcuts import get_object_or_404
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from django.views.decorators.http import require_GET

from xinfang.audit.models import AuditAction, audit
from xinfang.calendars.rules import DeadlineRule
from xinfang.lib.crypto import decrypt
from xinfang.petitions.access import get_petition_for
from xinfang.units.places import bureau_contact

from .models import IssuedDocument
from .rightscard import LAYOUTS, rights_card_pdf

DOCX = "application/vnd.openxmlformats-officedocument.wordprocessingml.document"


def _file_response(data: bytes, content_type: str, filename: str) -> HttpResponse:
    response = HttpResponse(data, content_type=content_type)
    response["Content-Disposition"] = f"inline; filename*=UTF-8''{filename}"
    response["Cache-Control"] = "private, no-store"
    return response


def _document_for(user, pk: int) -> IssuedDocument:
    document = get_object_or_404(IssuedDocument.objects.select_related("petition", "issuing_unit"), pk=pk)
    get_petition_for(user, document.petition_id)  # 404 unless the user may see the matter
    return document


@login_required
@require_GET
def document_pdf(request, pk: int):
    document = _document_for(request.user, pk)
    return _file_response(document.pdf(), "application/pdf", quote(f"{document.title}-{document.number}.pdf"))


@login_required
@require_GET
def document_docx(request, pk: int):
    document = _document_for(request.user, pk)
    return _file_response(document.docx(), DOCX, quote(f"{document.title}-{document.number}.docx"))


def rights_card_context(petition, petitioner=None) -> dict:
    """What the card prints: numbers, the deadlines that apply, contacts."""
    names = [link.petitioner.name for link in petition.petitioner_links.select_related("petitioner")]
    deadlines = [
        (DeadlineRule(d.rule).label, d.due, d.provisional)
        for d in petition.deadlines.filter(met_at__isnull=True, cancelled=False).order_by("due")
    ]
    handling = petition.handling_unit
    return {
        "case_number": petition.case_number,
        "query_code": decrypt(petition.query_code_enc),
        "petitioner_name": petitioner.name if petitioner else "、".join(names[:3]),
        "received_date": timezone.localtime(petition.received_at).date(),
        "deadlines": deadlines,
        "handling_unit": handling.name if handling else _("（待转送）"),
        "handling_unit_phone": handling.phone if handling else "",
        # The bureau of the matter's place, with its contacts (not the top of the tree).
        **bureau_contact(petition),
    }


@login_required
@require_GET
def rights_card(request, pk: int):
    """Print (or reprint) the 权益保障卡; every print is audited because it shows the query code."""
    petition = get_petition_for(request.user, pk)
    layout = request.GET.get("layout", "card")
    if layout not in LAYOUTS:
        raise Http404("版式不正确")
    petitioner = None
    if request.GET.get("petitioner"):
        link = (
            petition.petitioner_links.select_related("petitioner")
            .filter(petitioner_id=request.GET["petitioner"])
            .first()
        )
        if link is None:
            raise Http404("信访人不存在")
        petitioner = link.petitioner
    audit(
        user=request.user,
        action=AuditAction.REPRINT_RIGHTS_CARD,
        obj=petition,
        detail=f"layout={layout}",
        request=request,
    )
    data = rights_card_pdf(rights_card_context(petition, petitioner), layout=layout)
    return _file_response(data, "application/pdf", quote(f"权益保障卡-{petition.case_number}.pdf"))

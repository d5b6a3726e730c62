"""Issuing documents: 文号 allocation, template lookup and the register row."""

from __future__ import annotations

from django.db import transaction
from django.db.models import F
from django.utils import timezone

from xinfang.units.bureaus import bureau_for
from xinfang.units.places import bureau_contact

from .kinds import DocumentKind, spec_for
from .models import DocumentSequence, DocumentTemplate, IssuedDocument
from .render import RenderedDocument, default_body, render_document


def ensure_default_templates() -> int:
    """Create the missing DocumentTemplate rows from defaults/<kind>.txt; returns how many."""
    created = 0
    for kind in DocumentKind:
        _, was_created = DocumentTemplate.objects.get_or_create(
            kind=kind.value,
            bureau=None,
            defaults={"title": spec_for(kind).title, "body": default_body(kind.value)},
        )
        created += was_created
    return created


def template_for(kind: str, bureau=None) -> tuple[str, str]:
    """(title, body) of `kind` for documents of `bureau`'s area: the bureau's own
    active template, else the installation's active default, else the shipped text."""
    rows = DocumentTemplate.objects.filter(kind=kind, is_active=True)
    row = None
    if bureau is not None:
        row = rows.filter(bureau=bureau).first()
    if row is None:
        row = rows.filter(bureau__isnull=True).first()
    if row is None:
        return spec_for(kind).title, default_body(kind)
    return row.title, row.body


def render_with_template(kind: str, context: dict, bureau=None) -> RenderedDocument:
    """render_document with the administrator's current template (a preview: no 文号 taken)."""
    title, body = template_for(kind, bureau)
    return render_document(kind, {"title": title, **context}, template_body=body)


def next_document_number(*, kind: str, unit, year: int) -> str:
    """Take the next 文号 of `kind` for `unit` in `year`.  Call inside a transaction:
    the row update is atomic, so concurrent issuers never get the same number."""
    spec = spec_for(kind)
    with transaction.atomic():
        DocumentSequence.objects.get_or_create(kind=spec.kind.value, unit_code=unit.code, year=year)
        DocumentSequence.objects.filter(kind=spec.kind.value, unit_code=unit.code, year=year).update(
            last=F("last") + 1
        )
        seq = DocumentSequence.objects.get(kind=spec.kind.value, unit_code=unit.code, year=year).last
    return spec.format_number(unit_short=unit.display_short, year=year, seq=seq)


def petition_context(petition) -> dict:
    """The values every document about `petition` prints, read from the petition.

    Personal data that is stored encrypted (address, phone, ID) is left out: a caller
    that needs the address reveals it through the petitions app and passes it in.
    """
    links = list(petition.petitioner_links.select_related("petitioner").order_by("order"))
    names = [link.petitioner.name for link in links]
    if len(names) > 3:
        petitioner_name = "、".join(names[:3]) + f"等{len(names)}人"
    else:
        petitioner_name = "、".join(names)
    handling_unit = petition.handling_unit
    return {
        "petitioner_name": petitioner_name,
        "case_number": petition.case_number,
        "received_date": timezone.localtime(petition.received_at).date(),
        "channel": petition.get_channel_display(),
        "request_summary": petition.request or petition.title,
        "facts": petition.facts_reasons,
        "handling_unit": handling_unit.name if handling_unit else "",
        "handling_unit_phone": handling_unit.phone if handling_unit else "",
        "registrar_unit": petition.registering_unit.name,
        # The petitioner's bureau and its contacts, printed on every notice to them.
        **bureau_contact(petition),
    }


@transaction.atomic
def document_issue(
    *,
    actor,
    petition,
    kind: str,
    issuing_unit,
    context: dict | None = None,
    is_public: bool | None = None,
) -> IssuedDocument:
    """Issue a document: take a 文号, render the current template, register it.

    `context` adds to and overrides petition_context(petition).  The caller records the
    petition event and passes [document.number] as its documents.  Raises
    render.MissingContextError or markup.TemplateBodyError when the values are incomplete.
    """
    spec = spec_for(kind)
    issued_at = timezone.now()
    # A unit of a bureau's area issues on that bureau's template (its letterhead
    # wording, contacts), falling back to the installation's default.
    title, body = template_for(spec.kind.value, bureau_for(issuing_unit))
    values = {
        **petition_context(petition),
        "issuing_unit": issuing_unit.name,
        "issued_date": timezone.localtime(issued_at).date(),
        "title": title,
        **(context or {}),
    }
    # Render once before taking a number so that an incomplete context uses none up.
    render_document(spec.kind.value, values, template_body=body)
    values["number"] = next_document_number(
        kind=spec.kind.value, unit=issuing_unit, year=timezone.localtime(issued_at).year
    )
    rendered = render_document(spec.kind.value, values, template_body=body)
    return IssuedDocument.objects.create(
        petition=petition,
        kind=spec.kind.value,
        number=rendered.number,
        title=rendered.title,
        issued_by=actor,
        issuing_unit=issuing_unit,
        issued_at=issued_at,
        context=rendered.context,
        body_text=rendered.body_text,
        is_public=spec.public if is_public is None else is_public,
        # The PDF is rendered on first download (IssuedDocument.pdf), not inside the
        # workflow transaction: issuing stays fast and the hash is stored then.
        pdf_sha256="",
    )

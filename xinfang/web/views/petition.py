"""The petition page: facts, people, history, deadlines, documents, notes,
attachments — and only the actions this user may take now."""

from __future__ import annotations

from datetime import timedelta

from django.apps import apps
from django.conf import settings
from django.contrib.auth.decorators import login_required
from django.http import FileResponse, Http404, JsonResponse
from django.shortcuts import get_object_or_404, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_POST

from xinfang.calendars.rules import DeadlineRule, rule_spec
from xinfang.petitions import personal
from xinfang.petitions.access import get_petition_for, visible_petitions
from xinfang.petitions.errors import Forbidden
from xinfang.petitions.models import Attachment, Custody, CustodyKind, PetitionLink

from ..action_forms import FORMS, SEPARATE_PAGE
from ..permissions import available_actions
from .desk import template_exists
from .procedure import procedure_context


def deadline_rows(petition) -> list[dict]:
    """Every deadline with its traffic light (on time / due soon / overdue)."""
    today = timezone.localdate()
    soon = today + timedelta(days=settings.DUE_SOON_DAYS)
    rows = []
    for d in petition.deadlines.prefetch_related("pauses").order_by("start", "due", "pk"):
        paused = any(p.end is None for p in d.pauses.all())
        if d.cancelled:
            state, label = "cancelled", _("已取消")
        elif d.met_at:
            state, label = "met", _("已完成")
        elif d.due < today:
            state, label = "overdue", _("超期")
        elif d.due <= soon:
            state, label = "due_soon", _("临期")
        else:
            state, label = "on_time", _("正常")
        known = d.rule in DeadlineRule.values
        rows.append(
            {
                "rule": DeadlineRule(d.rule).label if known else d.rule,
                "article": _(rule_spec(d.rule).article) if known else "",
                "start": d.start,
                "due": d.due,
                "days": d.days,
                "working_days": d.working_days,
                "extension_days": d.extension_days,
                "provisional": d.provisional,
                "paused": paused,
                "met_at": d.met_at,
                "state": state,
                "label": label,
                "days_left": (d.due - today).days,
                "days_over": max((today - d.due).days, 0),
            }
        )
    return rows


def issued_documents(petition) -> list:
    """IssuedDocument rows when the documents app provides them."""
    try:
        model = apps.get_model("documents", "IssuedDocument")
    except LookupError:
        return []
    return list(model.objects.filter(petition=petition).select_related("issuing_unit", "issued_by"))


def action_forms(user, petition, bound: tuple[str, object] | None = None) -> list[dict]:
    result = []
    for name in available_actions(user, petition):
        form_class, title, _success, accesskey = FORMS[name]
        if bound and bound[0] == name:
            form = bound[1]
        elif name in SEPARATE_PAGE:
            form = None
        else:
            form = form_class(user=user, petition=petition, auto_id=f"id_{name}_%s")
        result.append(
            {
                "name": name,
                "title": title,
                "form": form,
                "accesskey": accesskey,
                "separate": name in SEPARATE_PAGE,
                "open": bool(bound and bound[0] == name),
            }
        )
    return result


def bureau_thread(user, petition) -> dict:
    """The bureaus the matter passed through, each with its own number (one thread,
    issue 14), and the number the viewer's bureau writes it with."""
    moves = list(
        Custody.objects.filter(petition=petition)
        .exclude(kind=CustodyKind.HANDLED)
        .select_related("unit", "from_unit")
        .order_by("started_at", "pk")
    )
    # The viewer's bureau's own number: its latest arrival among the rows just loaded
    # (the same answer as moves.case_number_at, without a second query).
    own = user.unit_id if user.is_bureau_staff else None
    arrivals = [m.case_number for m in moves if m.unit_id == own and m.case_number]
    return {
        "bureau_moves": moves,
        "own_case_number": arrivals[-1] if arrivals else petition.case_number,
    }


def page_context(request, petition, bound=None) -> dict:
    user = request.user
    visible = visible_petitions(user)
    people = []
    for link in petition.petitioner_links.select_related("petitioner"):
        history = (
            visible.filter(petitioner_links__petitioner=link.petitioner)
            .exclude(pk=petition.pk)
            .distinct()
            .order_by("-received_at")
        )
        people.append(
            {
                "link": link,
                "person": link.petitioner,
                "history": list(history[:10]),
                "history_count": history.count(),
            }
        )
    # Links first (a handful), then the access check on just those ids: filtering
    # the link query by the whole visible set made SQLite scan it at 1M petitions.
    out = list(PetitionLink.objects.filter(from_petition=petition).select_related("to_petition"))
    into = list(PetitionLink.objects.filter(to_petition=petition).select_related("from_petition"))
    other_ids = {link.to_petition_id for link in out} | {link.from_petition_id for link in into}
    allowed = set(visible.filter(pk__in=other_ids).values_list("pk", flat=True)) if other_ids else set()
    links = [
        {"kind": link.get_kind_display(), "other": link.to_petition, "direction": "out"}
        for link in out
        if link.to_petition_id in allowed
    ] + [
        {"kind": link.get_kind_display(), "other": link.from_petition, "direction": "in"}
        for link in into
        if link.from_petition_id in allowed
    ]
    documents = issued_documents(petition)
    return {
        **procedure_context(petition, documents),
        **bureau_thread(user, petition),
        "petition": petition,
        "people": people,
        "events": petition.events.select_related("actor", "unit").order_by("at", "pk"),
        "deadlines": deadline_rows(petition),
        "extension_requests": list(
            petition.extension_requests.with_shown_status().select_related("requested_by", "decided_by")
        ),
        "documents": documents,
        "notes": petition.notes.select_related("author", "author__unit"),
        "attachments": petition.attachments.order_by("uploaded_at", "pk"),
        "opinions": petition.opinions.select_related("unit", "drafted_by", "approved_by"),
        "evaluations": petition.evaluations.select_related("unit"),
        "links": links,
        "actions": action_forms(user, petition, bound),
        "similar_panel": template_exists("triage/similar.html"),
        "due_state": petition.due_state(),
    }


@login_required
@require_GET
def petition_page(request, pk: int):
    petition = get_petition_for(request.user, pk)
    return render(request, "web/petition.html", page_context(request, petition))


@login_required
@require_POST
def reveal(request, pk: int, petitioner_id: int, field: str):
    """Show one personal field of a petitioner of this petition (audited by
    personal.reveal).  JSON {"field", "value"}; 403 when refused."""
    petition = get_petition_for(request.user, pk)
    if field not in personal.FIELDS:
        raise Http404
    link = petition.petitioner_links.select_related("petitioner").filter(petitioner_id=petitioner_id).first()
    if link is None:
        raise Http404
    try:
        value = personal.reveal(request.user, link.petitioner, field, request=request)
    except Forbidden as exc:
        response = JsonResponse(exc.as_dict(), status=403)
    else:
        response = JsonResponse({"field": field, "value": value})
    response["Cache-Control"] = "no-store"
    return response


@login_required
@require_GET
def attachment_download(request, pk: int, attachment_id: int):
    """Attachments are served only through here, after the access check."""
    petition = get_petition_for(request.user, pk)
    attachment = get_object_or_404(Attachment, pk=attachment_id, petition=petition)
    try:
        handle = attachment.file.open("rb")
    except (FileNotFoundError, ValueError):
        raise Http404(_("附件文件不存在")) from None
    response = FileResponse(
        handle, as_attachment=True, filename=attachment.original_name, content_type=attachment.content_type
    )
    response["Cache-Control"] = "private, no-store"
    response["X-Content-Type-Options"] = "nosniff"
    return response

"""登记台: one page to register visits, letters, calls and faxes, the petitioner
lookup behind it, and the printable receipt."""

from __future__ import annotations

import time

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.db import transaction
from django.http import JsonResponse
from django.shortcuts import redirect, render
from django.template import TemplateDoesNotExist
from django.template.loader import select_template
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_http_methods

from xinfang.accounts import ratelimit
from xinfang.accounts.models import Role
from xinfang.calendars.rules import DeadlineRule, rule_spec
from xinfang.inbox.views import can_route
from xinfang.lib import crypto
from xinfang.lib.idcard import is_valid_id_number, is_valid_phone
from xinfang.petitions.access import get_petition_for, visible_petitions
from xinfang.petitions.actions import attachment_add, petition_register, petition_transfer
from xinfang.petitions.errors import ActionError
from xinfang.petitions.personal import find_petitioners
from xinfang.units.places import bureau_of_petition

from ..forms import DeskForm, PetitionerRow, apply_errors, build_input, petitioner_rows

REGISTER_ROLES = {Role.REGISTRAR, Role.BUREAU_LEADER, Role.HANDLER, Role.UNIT_LEADER, Role.ADMIN}
MAX_FILES = 20
LOOKUPS_PER_10_MIN = 300
# The query code is shown on the receipt only to the registrar, for this long
# after registering; later it is reissued only on the (audited) rights card.
RECEIPT_CODE_SECONDS = 3600
SESSION_KEY = "web.receipt_codes"


def can_register(user) -> bool:
    return (
        getattr(user, "is_authenticated", False) and user.role in REGISTER_ROLES and user.unit_id is not None
    )


def template_exists(name: str) -> bool:
    try:
        select_template([name])
    except TemplateDoesNotExist:
        return False
    return True


def register_with_attachments(*, user, data, files, then=None) -> object:
    """Register and store the attachments in one transaction: when a file is
    refused nothing is written, and files already stored are deleted.
    `then(petition)` runs in the same transaction (登记并转送): when it is
    refused, nothing is registered either."""
    stored = []
    try:
        with transaction.atomic():
            petition = petition_register(actor=user, data=data)
            for upload in files:
                try:
                    attachment = attachment_add(petition=petition, upload=upload, actor=user)
                except ActionError as exc:
                    detail = exc.fields.get("attachments", exc.message)
                    exc.fields = {"attachments": f"{upload.name}：{detail}"}
                    raise
                stored.append(attachment.file)
            if then is not None:
                then(petition)
    except Exception:
        for stored_file in stored:
            stored_file.storage.delete(stored_file.name)
        raise
    return petition


def _remember_code(request, petition) -> None:
    codes = {k: v for k, v in request.session.get(SESSION_KEY, {}).items() if v > time.time()}
    codes[str(petition.pk)] = time.time() + RECEIPT_CODE_SECONDS
    request.session[SESSION_KEY] = codes


@login_required
@require_http_methods(["GET", "POST"])
def desk(request):
    if not can_register(request.user):
        return render(request, "web/forbidden.html", {"message": _("您无权登记信访事项")}, status=403)
    loose: dict[str, str] = {}
    may_route = can_route(request.user)
    and_transfer = may_route and request.POST.get("then") == "transfer"
    if request.method == "POST":
        form = DeskForm(request.POST, user=request.user)
        rows = petitioner_rows(request.POST)
        files = request.FILES.getlist("attachments")
        if len(files) > MAX_FILES:
            loose["attachments"] = _("一次最多上传%(n)d个附件") % {"n": MAX_FILES}
        elif form.is_valid() and and_transfer and not form.cleaned_data["route_unit"]:
            form.add_error("route_unit", _("登记并转送须选择承办单位"))
        elif form.is_valid():
            try:
                petition = register_with_attachments(
                    user=request.user,
                    data=build_input(form, rows),
                    files=files,
                    then=_transfer_from_desk(request.user, form.cleaned_data) if and_transfer else None,
                )
            except ActionError as exc:
                loose = dict(apply_errors(form, rows, exc.fields))
                loose.setdefault("general", exc.message)
                if "代表" in loose.get("petitioners", ""):
                    # Art. 20: point at the rows marked as representatives.
                    for row in rows:
                        if row.is_representative:
                            row.errors.setdefault("is_representative", _("代表人数不得超过5人"))
            else:
                _remember_code(request, petition)
                messages.success(
                    request, _("登记成功，信访件编号：%(number)s") % {"number": petition.case_number}
                )
                if and_transfer:
                    messages.success(
                        request, _("已转送至%(unit)s") % {"unit": form.cleaned_data["route_unit"].name}
                    )
                return redirect("petition_receipt", pk=petition.pk)
        if not rows:
            rows = [PetitionerRow()]
            loose.setdefault("petitioners", _("请至少填写一名信访人"))
    else:
        form = DeskForm(user=request.user)
        rows = [PetitionerRow()]
    context = {
        "form": form,
        "rows": rows,
        "loose": loose,
        "has_errors": bool(loose or form.errors or any(r.errors for r in rows)),
        "triage_panel": template_exists("triage/panel.html"),
        "may_route": may_route,
        "max_representatives": 5,
    }
    return render(request, "web/desk.html", context)


def _transfer_from_desk(user, data: dict):
    """The transfer half of 登记并转送, through the same action as the petition page."""

    def transfer(petition) -> None:
        try:
            petition_transfer(
                actor=user,
                petition=petition,
                unit=data["route_unit"],
                reason=data["route_reason"],
                assign=data["route_assign"],
            )
        except ActionError as exc:
            exc.fields = {"route_unit" if k == "unit" else f"route_{k}": v for k, v in exc.fields.items()}
            raise

    return transfer


def _json_error(status: int, code: str, message: str) -> JsonResponse:
    response = JsonResponse({"error": code, "message": message}, status=status)
    response["Cache-Control"] = "no-store"
    return response


@login_required
@require_GET
def lookup(request):
    """Known petitioners by exact ID number or phone (audited by find_petitioners).

    Returns names, masked ID/phone and the petitions the user may see — never
    the plain ID number or phone."""
    user = request.user
    if not can_register(user):
        return _json_error(403, "forbidden", _("您无权查询信访人"))
    id_number = crypto.normalise(request.GET.get("id_number", ""))[:40]
    phone = crypto.normalise(request.GET.get("phone", ""))[:40]
    if id_number and not is_valid_id_number(id_number):
        return _json_error(400, "invalid", _("身份证号码格式或校验位不正确"))
    if not id_number and phone and not is_valid_phone(phone):
        return _json_error(400, "invalid", _("电话号码格式不正确"))
    if not id_number and not phone:
        return _json_error(400, "invalid", _("请输入身份证号码或电话号码"))
    if not ratelimit.hit("desk-lookup", str(user.pk), limit=LOOKUPS_PER_10_MIN, window_seconds=600):
        return _json_error(429, "rate_limited", _("查询过于频繁，请稍后再试"))
    found = find_petitioners(user, id_number=id_number, phone="" if id_number else phone, request=request)
    visible = visible_petitions(user)
    results = []
    for person in found:
        petitions = visible.filter(petitioner_links__petitioner=person).distinct().order_by("-received_at")
        results.append(
            {
                "id": person.pk,
                "name": person.name,
                "kind": person.kind,
                "id_number_masked": person.id_number_masked,
                "phone_masked": person.phone_masked,
                "petition_count": petitions.count(),
                "petitions": [
                    {
                        "case_number": p.case_number,
                        "title": p.title,
                        "status": p.status,
                        "status_label": p.get_status_display(),
                        "received": f"{timezone.localtime(p.received_at):%Y-%m-%d}",
                        "url": f"/petitions/{p.pk}/",
                    }
                    for p in petitions[:5]
                ],
            }
        )
    response = JsonResponse({"results": results})
    response["Cache-Control"] = "no-store"
    return response


@login_required
def receipt(request, pk: int):
    """登记回执: printable; the query code is shown only to the registrar just
    after registering (see RECEIPT_CODE_SECONDS)."""
    petition = get_petition_for(request.user, pk)
    codes = request.session.get(SESSION_KEY, {})
    show_code = petition.registered_by_id == request.user.pk and codes.get(str(petition.pk), 0) > time.time()
    query_code = crypto.decrypt(petition.query_code_enc) if show_code and petition.query_code_enc else ""
    deadlines = [
        {
            "label": DeadlineRule(d.rule).label if d.rule in DeadlineRule.values else d.rule,
            "due": d.due,
            "provisional": d.provisional,
            "article": _(rule_spec(d.rule).article) if d.rule in DeadlineRule.values else "",
        }
        for d in petition.deadlines.open().order_by("due")
    ]
    context = {
        "petition": petition,
        "query_code": query_code,
        "deadlines": deadlines,
        "petitioners": petition.petitioner_links.select_related("petitioner"),
        "notify_days": rule_spec(DeadlineRule.NOTIFY).text,
        "route_days": rule_spec(DeadlineRule.ROUTE).text,
        "rights_card_url": f"/documents/rights-card/{petition.pk}.pdf",
        "bureau": bureau_of_petition(petition),
    }
    return render(request, "web/receipt.html", context)

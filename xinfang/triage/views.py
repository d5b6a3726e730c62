"""The desk panel's JSON endpoint, the stored triage of a petition, and applying a suggestion."""

from __future__ import annotations

import json

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import JsonResponse
from django.shortcuts import redirect
from django.utils.translation import gettext_lazy as _
from django.views.decorators.http import require_GET, require_POST

from xinfang.accounts import ratelimit
from xinfang.petitions.access import get_petition_for
from xinfang.petitions.errors import ActionError
from xinfang.web.views.desk import can_register

from .inputs import draft_kwargs
from .service import analyse_request, apply_suggestion, record_json

PANEL_CALLS_PER_10_MIN = 600


def _json(body: dict, status: int = 200) -> JsonResponse:
    response = JsonResponse(body, status=status, json_dumps_params={"ensure_ascii": False})
    response["Cache-Control"] = "no-store"
    return response


def _error(status: int, code: str, message: str, fields: dict | None = None) -> JsonResponse:
    return _json({"error": code, "message": message, "fields": fields or {}}, status=status)


def parse_panel_request(request) -> dict:
    """JSON body, or the desk form itself (fields title, content, …, p-<n>-name / id_number / …)."""
    if request.content_type == "application/json":
        data = json.loads(request.body or b"{}")
        if not isinstance(data, dict):
            raise ValueError("body")
        return draft_kwargs(data, [p for p in data.get("petitioners") or [] if isinstance(p, dict)])
    from xinfang.web.forms import petitioner_rows

    people = [
        {
            "name": r.name,
            "id_number": r.id_number,
            "phone": r.phone,
            "address": r.address,
            "is_representative": r.is_representative,
        }
        for r in petitioner_rows(request.POST)
    ]
    data = request.POST.dict()
    data["petitioner_ids"] = request.POST.getlist("petitioner_ids")
    return draft_kwargs(data, people)


@login_required
@require_POST
def analyse(request):
    user = request.user
    if not can_register(user):
        return _error(403, "forbidden", _("您无权使用登记研判"))
    if not ratelimit.hit("triage-panel", str(user.pk), limit=PANEL_CALLS_PER_10_MIN, window_seconds=600):
        return _error(429, "rate_limited", _("请求过于频繁，请稍后再试"))
    try:
        kwargs = parse_panel_request(request)
    except (ValueError, json.JSONDecodeError):
        return _error(400, "invalid", _("请求格式不正确"))
    return _json(analyse_request(user, kwargs, request=request))


@login_required
@require_GET
def petition_triage(request, pk: int):
    petition = get_petition_for(request.user, pk)
    body = record_json(request.user, petition)
    if body is None:
        return _error(404, "not_found", _("该事项尚无研判结果"))
    return _json(body)


@login_required
@require_POST
def apply(request, pk: int):
    """Accept or correct one suggestion (category, class, claim route) through petition_classify."""
    petition = get_petition_for(request.user, pk, for_update=False)
    wants_json = "application/json" in request.headers.get("Accept", "")
    try:
        correction = apply_suggestion(
            actor=request.user,
            petition=petition,
            field=request.POST.get("field", ""),
            value=request.POST.get("value", ""),
        )
    except ActionError as exc:
        if wants_json:
            return _json(exc.as_dict(), status=getattr(exc, "status_code", 400))
        messages.error(request, exc.message)
        return redirect("petition", pk=pk)
    if wants_json:
        return _json(
            {"field": correction.field, "chosen": correction.chosen, "accepted": correction.accepted}
        )
    messages.success(
        request, _("已采用研判建议") if correction.accepted else _("已按您的选择修改，并记入纠正数据")
    )
    return redirect("petition", pk=pk)

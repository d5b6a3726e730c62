"""The public leader-reception booking page (no login; linked from the portal).

Abuse control: the portal's offline captcha when xinfang.portal.captcha is
installed, and in every case a per-address limit on booking attempts.
"""

from __future__ import annotations

import importlib

from django.shortcuts import render
from django.template import TemplateDoesNotExist
from django.template.loader import get_template
from django.utils import timezone
from django.views.decorators.cache import never_cache

from xinfang.accounts import ratelimit
from xinfang.petitions.errors import ActionError

from . import actions
from .models import LeaderReceptionSlot

ATTEMPTS_PER_HOUR = 10
WINDOW = 3600


def base_template() -> str:
    """The portal's layout when the portal app provides one, else the staff layout."""
    try:
        get_template("portal/base.html")
        return "portal/base.html"
    except TemplateDoesNotExist:
        return "base.html"


def captcha_module():
    try:
        return importlib.import_module("xinfang.portal.captcha")
    except ImportError:
        return None


def _client_ip(request) -> str:
    return request.META.get("REMOTE_ADDR", "") or "unknown"


def open_slots():
    return (
        LeaderReceptionSlot.objects.filter(is_cancelled=False, date__gte=timezone.localdate())
        .select_related("leader", "leader__unit")
        .order_by("date", "start_time")
    )


@never_cache
def booking(request):
    captcha = captcha_module()
    errors: dict[str, str] = {}
    message = ""
    if request.method == "POST":
        if not ratelimit.hit(
            "reception-booking", _client_ip(request), limit=ATTEMPTS_PER_HOUR, window_seconds=WINDOW
        ):
            message = "提交过于频繁，请一小时后再试或拨打信访局电话预约"
        elif captcha and (
            problem := captcha.verify(
                request.session, request.POST.get("captcha_id", ""), request.POST.get("captcha", "")
            )
        ):
            errors["captcha"] = problem
            message = "请重新输入验证码"
        else:
            slot = open_slots().filter(pk=request.POST.get("slot") or 0).first()
            if slot is None:
                errors["slot"] = "请选择接访场次"
                message = "请选择接访场次"
            else:
                try:
                    done = actions.booking_create(
                        slot=slot,
                        name=request.POST.get("name", ""),
                        phone=request.POST.get("phone", ""),
                        topic=request.POST.get("topic", ""),
                        case_number=request.POST.get("case_number", ""),
                        query_code=request.POST.get("query_code", ""),
                    )
                except ActionError as exc:
                    errors, message = exc.fields, exc.message
                else:
                    return render(
                        request,
                        "reception/booking_done.html",
                        {"base_template": base_template(), "booking": done, "slot": slot},
                    )
    challenge = (
        captcha.issue(
            request.session, request.POST.get("captcha_kind") or request.GET.get("captcha") or "image"
        )
        if captcha
        else None
    )
    keep = {k: v for k, v in request.POST.items() if k in {"slot", "name", "phone", "case_number", "topic"}}
    status = 400 if request.method == "POST" else 200
    return render(
        request,
        "reception/booking.html",
        {
            "base_template": base_template(),
            "slots": open_slots(),
            "errors": errors,
            "message": message,
            "challenge": challenge,
            "data": keep,
        },
        status=status,
    )

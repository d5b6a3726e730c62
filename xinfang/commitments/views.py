"""Staff pages of commitments, the accountability view and follow-ups; the
public follow-up questionnaire."""

from __future__ import annotations

from datetime import date

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.shortcuts import get_object_or_404, redirect, render
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from django.views.decorators.cache import never_cache

from xinfang.accounts import ratelimit
from xinfang.accounts.models import User
from xinfang.petitions import access
from xinfang.petitions.errors import ActionError
from xinfang.portal.links import public_url
from xinfang.reception.public import base_template
from xinfang.reception.webutil import Parser, form_errors, page
from xinfang.units import bureaus
from xinfang.units.models import Unit
from xinfang.web.steps import Failed, StepPage

from . import actions, forms
from .models import CommitmentStatus, FollowUp, FollowUpAnswer, FollowUpMethod, FollowUpStatus
from .selectors import get_commitment_for, get_followup_for, visible_commitments, visible_followups
from .stats import accountability_by_unit, followup_counts


def _period(request) -> tuple[date, date]:
    today = timezone.localdate()
    p = Parser(request.GET)
    start = p.date("start", required=False) or date(today.year, 1, 1)
    end = p.date("end", required=False) or today
    return start, end


@login_required
def commitment_list(request):
    user = request.user
    status = request.GET.get("status", "")
    qs = visible_commitments(user)
    if request.GET.get("mine") == "1":
        qs = qs.filter(owner=user)
    if status in CommitmentStatus.values:
        qs = qs.filter(status=status)
    return render(
        request,
        "commitments/list.html",
        {
            "page": page(request, qs.order_by("status", "due")),
            "status": status,
            "statuses": CommitmentStatus.choices,
            "today": timezone.localdate(),
            "mine": request.GET.get("mine") == "1",
        },
    )


@login_required
def commitment_new(request):
    user = request.user
    petition = access.get_petition_for(user, request.GET.get("petition") or request.POST.get("petition"))
    units = Unit.objects.active().order_by("path")
    if user.is_bureau_staff:
        units = units.filter(bureaus.unit_reach_q(user))
    else:
        units = units.filter(path__startswith=user.unit.path) if user.unit_id else units.none()
    if request.method == "POST":
        p = Parser(request.POST)
        unit = units.filter(pk=p.int("unit")).first()
        owner = User.objects.filter(pk=p.int("owner"), is_active=True).first()
        due = p.date("due")
        if unit is None:
            p.errors["unit"] = _("请选择承诺单位")
        if owner is None:
            p.errors["owner"] = _("请选择责任人")
        try:
            p.check()
            commitment = actions.commitment_create(
                actor=user, petition=petition, unit=unit, owner=owner, text=p.text("text"), due=due
            )
            messages.success(request, _("已登记承诺"))
            return redirect("commitments:detail", commitment.pk)
        except ActionError as exc:
            request.form_errors = exc.fields
            messages.error(request, exc.message)
    owners = (
        User.objects.filter(is_active=True, unit__in=units)
        .exclude(role="hearing_member")
        .select_related("unit")
    )
    return render(
        request,
        "commitments/new.html",
        {
            "petition": petition,
            "units": units,
            "owners": owners.order_by("unit__path", "username"),
            "errors": form_errors(request),
            "post": request.POST,
        },
    )


def _commitment_page(request, commitment, *, failed: Failed | None = None, status: int = 200):
    user = request.user
    can_keep = commitment.status != CommitmentStatus.KEPT and (
        user.pk == commitment.owner_id
        or (user.is_bureau_staff and bureaus.owns_matter(user, commitment.petition))
        or (user.unit_id and commitment.promised_by_unit.path.startswith(user.unit.path))
    )
    return render(
        request,
        "commitments/detail.html",
        {
            "c": commitment,
            "can_keep": can_keep,
            "errors": failed.errors if failed else {},
            "today": timezone.localdate(),
            "attachments": commitment.petition.attachments.all(),
        },
        status=status,
    )


@login_required
def accountability(request):
    user = request.user
    if not user.is_bureau_staff:
        raise PermissionDenied("践诺问责由信访部门查看")
    start, end = _period(request)
    qs = visible_commitments(user)
    rows = accountability_by_unit(qs, start=start, end=end)
    missed = qs.flagged().filter(due__gte=start, due__lte=end).order_by("promised_by_unit__path", "due")
    return render(
        request,
        "commitments/accountability.html",
        {
            "rows": rows,
            "missed": missed,
            "start": start,
            "end": end,
            "followups": followup_counts(None, start=start, end=end),
        },
    )


@login_required
def followup_list(request):
    user = request.user
    state = request.GET.get("state", "due")
    today = timezone.localdate()
    qs = visible_followups(user)
    if state == "due":
        qs = qs.due(today)
    elif state == "scheduled":
        qs = qs.filter(status=FollowUpStatus.SCHEDULED)
    elif state == "unsolved":
        qs = qs.filter(answer=FollowUpAnswer.NOT_SOLVED).order_by("-answered_at")
    elif state == "done":
        qs = qs.filter(status=FollowUpStatus.DONE).order_by("-answered_at")
    return render(
        request, "commitments/followups.html", {"page": page(request, qs), "state": state, "today": today}
    )


def _followup_page(request, followup, *, failed: Failed | None = None, status: int = 200):
    user = request.user
    portal_url = public_url("commitments:questionnaire", followup.token)
    return render(
        request,
        "commitments/followup_detail.html",
        {
            "f": followup,
            "answers": FollowUpAnswer.choices,
            "errors": failed.errors if failed else {},
            "methods": [(FollowUpMethod.PHONE, _("电话回访")), (FollowUpMethod.VISIT, _("上门回访"))],
            "can_record": followup.status == FollowUpStatus.SCHEDULED
            and user.is_bureau_staff
            and user.role in actions.RECORDING_ROLES
            and bureaus.owns_matter(user, followup.petition),
            "portal_url": portal_url
            if followup.status == FollowUpStatus.SCHEDULED and user.is_bureau_staff
            else "",
            "history": FollowUp.objects.filter(petition=followup.petition).exclude(pk=followup.pk),
        },
        status=status,
    )


@never_cache
def questionnaire(request, token: str):
    """Public: the petitioner answers "问题是否真正解决？" once, behind a random token."""
    ip = request.META.get("REMOTE_ADDR", "") or "unknown"
    followup = get_object_or_404(FollowUp.objects.select_related("petition"), token=token)
    errors, message = {}, ""
    if request.method == "POST" and followup.status == FollowUpStatus.SCHEDULED:
        if not ratelimit.hit("followup-answer", ip, limit=20, window_seconds=3600):
            message = _("提交过于频繁，请稍后再试")
        else:
            try:
                actions.followup_answer_portal(
                    followup=followup,
                    answer=request.POST.get("answer", ""),
                    comment=request.POST.get("comment", ""),
                )
            except ActionError as exc:
                errors, message = exc.fields, exc.message
            else:
                return redirect("commitments:questionnaire", token=token)
    followup.refresh_from_db()
    return render(
        request,
        "commitments/questionnaire.html",
        {
            "base_template": base_template(),
            "f": followup,
            "answers": FollowUpAnswer.choices,
            "errors": errors,
            "message": message,
            "data": request.POST,
        },
        status=400 if errors or message else 200,
    )


# The record pages and their steps (URLs in urls.py).
COMMITMENT_STEPS = StepPage("commitments:detail", get_commitment_for, _commitment_page, forms.KeepForm)
FOLLOWUP_STEPS = StepPage("commitments:followup_detail", get_followup_for, _followup_page, forms.FollowUpStep)

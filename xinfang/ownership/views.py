"""Staff pages of leader case ownership, backlog cases and reminders."""

from __future__ import annotations

from datetime import date

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.shortcuts import get_object_or_404, redirect, render
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from django.views.decorators.http import require_POST

from xinfang.accounts.models import LEADER_ROLES, User
from xinfang.petitions import access
from xinfang.petitions.errors import ActionError
from xinfang.reception.webutil import Parser, form_errors, page
from xinfang.units import bureaus
from xinfang.web.steps import Failed, StepPage

from . import actions, forms
from .backlog import backlog_resolution_counts
from .models import (
    BacklogReportKind,
    BacklogSource,
    BacklogStatus,
    OwnershipStatus,
    Reminder,
    ResolutionKind,
    Risk,
)
from .selectors import (
    get_backlog_for,
    get_ownership_for,
    visible_backlog,
    visible_ownerships,
    visible_reminders,
)


def _leaders():
    return (
        User.objects.filter(role__in=LEADER_ROLES, is_active=True)
        .select_related("unit")
        .order_by("unit__path")
    )


def _parse_milestones(raw: str, p: Parser) -> list[tuple[str, date]]:
    """One per line: "标题 | 2026-05-01"."""
    result = []
    for n, line in enumerate((raw or "").splitlines(), start=1):
        if not line.strip():
            continue
        title, _sep, due = line.rpartition("|")
        try:
            result.append((title.strip(), date.fromisoformat(due.strip())))
        except ValueError:
            p.errors["milestones"] = _("第%(n)s行格式应为“节点名称 | YYYY-MM-DD”") % {"n": n}
    return result


@login_required
def ownership_list(request):
    user = request.user
    status = request.GET.get("status") or OwnershipStatus.ACTIVE
    qs = (
        visible_ownerships(user).filter(status=status)
        if status in OwnershipStatus.values
        else visible_ownerships(user)
    )
    today = timezone.localdate()
    return render(
        request,
        "ownership/list.html",
        {
            "page": page(request, qs.order_by("next_report_due", "pk")),
            "status": status,
            "statuses": OwnershipStatus.choices,
            "today": today,
            "title": _("领导包案"),
            "leader": None,
            "overdue": visible_ownerships(user)
            .filter(status=OwnershipStatus.ACTIVE, next_report_due__lt=today)
            .count(),
        },
    )


@login_required
def mine(request):
    return redirect("ownership:leader", request.user.pk)


@login_required
def leader_cases(request, user_id: int):
    user = request.user
    leader = get_object_or_404(User, pk=user_id)
    if not (user.is_bureau_staff or user.pk == leader.pk):
        raise PermissionDenied("只能查看本人包案")
    today = timezone.localdate()
    ownerships = visible_ownerships(user).filter(leader=leader).order_by("status", "next_report_due")
    return render(
        request,
        "ownership/leader.html",
        {
            "leader": leader,
            "ownerships": ownerships,
            "today": today,
            "backlog": visible_backlog(user).filter(owner=leader).by_risk(),
            "active": sum(1 for o in ownerships if o.status == OwnershipStatus.ACTIVE),
            "overdue": sum(1 for o in ownerships if o.report_overdue(today)),
        },
    )


@login_required
def ownership_new(request):
    user = request.user
    if not user.is_bureau_staff:
        raise PermissionDenied()
    petition = access.get_petition_for(user, request.GET.get("petition") or request.POST.get("petition"))
    if request.method == "POST":
        p = Parser(request.POST)
        leader = User.objects.filter(pk=p.int("leader")).first()
        interval = p.int("report_interval_days", default=14)
        milestones = _parse_milestones(request.POST.get("milestones", ""), p)
        if leader is None:
            p.errors["leader"] = _("请选择包案领导")
        try:
            p.check()
            ownership = actions.ownership_assign(
                actor=user,
                petition=petition,
                leader=leader,
                plan=p.text("plan"),
                report_interval_days=interval,
                milestones=milestones,
            )
            messages.success(request, _("已确定包案领导"))
            return redirect("ownership:detail", ownership.pk)
        except ActionError as exc:
            request.form_errors = exc.fields
            messages.error(request, exc.message)
    return render(
        request,
        "ownership/new.html",
        {"petition": petition, "leaders": _leaders(), "errors": form_errors(request), "post": request.POST},
    )


def _ownership_page(request, ownership, *, failed: Failed | None = None, status: int = 200):
    user = request.user
    is_active = ownership.status == OwnershipStatus.ACTIVE
    own = user.is_bureau_staff and bureaus.owns_matter(user, ownership.petition)  # as the actions decide
    can_act = is_active and (user.pk == ownership.leader_id or own)
    return render(
        request,
        "ownership/detail.html",
        {
            "o": ownership,
            "today": timezone.localdate(),
            "can_act": can_act,
            "can_release": is_active and own and user.role in ("bureau_leader", "admin"),
            "milestones": ownership.milestones.all(),
            "reports": ownership.reports.select_related("author"),
            "visits": ownership.visits.all(),
            "kinds": ResolutionKind.choices,
            "errors": failed.errors if failed else {},
            "attachments": ownership.petition.attachments.all(),
            "resolution": getattr(ownership, "resolution", None)
            if ownership.status == OwnershipStatus.RESOLVED
            else None,
        },
        status=status,
    )


# --- backlog ----------------------------------------------------------------------------------------------


@login_required
def backlog_list(request):
    user = request.user
    sort = request.GET.get("sort", "risk")
    status = request.GET.get("status", BacklogStatus.OPEN)
    qs = visible_backlog(user)
    if status in BacklogStatus.values:
        qs = qs.filter(status=status)
    source = request.GET.get("source", "")
    if source in BacklogSource.values:
        qs = qs.filter(source=source)
    qs = qs.by_age() if sort == "age" else qs.by_risk()
    today = timezone.localdate()
    counts = backlog_resolution_counts(
        bureaus.scope_unit(user) if user.is_bureau_staff else user.unit,
        start=date(today.year, 1, 1),
        end=date(today.year, 12, 31),
    )
    return render(
        request,
        "ownership/backlog_list.html",
        {
            "page": page(request, qs),
            "sort": sort,
            "status": status,
            "source": source,
            "today": today,
            "sources": BacklogSource.choices,
            "statuses": BacklogStatus.choices,
            "counts": counts,
            "can_create": user.is_bureau_staff,
            "overdue_targets": visible_backlog(user).open().filter(target_date__lt=today).count(),
        },
    )


@login_required
def backlog_new(request):
    user = request.user
    if not user.is_bureau_staff:
        raise PermissionDenied()
    petition = None
    if request.method == "POST":
        p = Parser(request.POST)
        case_number = p.text("case_number", required=True)
        petition = (
            access.visible_petitions(user).filter(case_number=case_number).first() if case_number else None
        )
        if case_number and petition is None:
            p.errors["case_number"] = _("未找到该信访件")
        owner = User.objects.filter(pk=p.int("owner")).first()
        if owner is None:
            p.errors["owner"] = _("请选择责任领导")
        target, first = p.date("target_date"), p.date("first_petition_date", required=False)
        report_due = p.date("report_due", required=False)
        try:
            p.check()
            backlog = actions.backlog_create(
                actor=user,
                petition=petition,
                source=p.text("source"),
                owner=owner,
                target_date=target,
                risk=p.text("risk"),
                first_petition_date=first,
                assigned_ref=p.text("assigned_ref"),
                reports=[(report_due, BacklogReportKind.FEEDBACK)] if report_due else [],
            )
            messages.success(request, _("已列入积案"))
            return redirect("ownership:backlog_detail", backlog.pk)
        except ActionError as exc:
            request.form_errors = exc.fields
            messages.error(request, exc.message)
    return render(
        request,
        "ownership/backlog_new.html",
        {
            "leaders": _leaders(),
            "sources": BacklogSource.choices,
            "risks": Risk.choices,
            "errors": form_errors(request),
            "post": request.POST,
            "case_number": request.GET.get("case_number", ""),
        },
    )


def _backlog_page(request, backlog, *, failed: Failed | None = None, status: int = 200):
    user = request.user
    return render(
        request,
        "ownership/backlog_detail.html",
        {
            "b": backlog,
            "reports": backlog.reports_due.select_related("submitted_by"),
            "today": timezone.localdate(),
            "kinds": BacklogReportKind.choices,
            "errors": failed.errors if failed else {},
            "can_report": user.pk == backlog.owner_id
            or (user.is_bureau_staff and bureaus.owns_matter(user, backlog.petition)),
            "can_schedule": user.is_bureau_staff and bureaus.supervises_matter(user, backlog.petition),
            "is_open": backlog.status == BacklogStatus.OPEN,
            "ownership": backlog.petition.ownerships.filter(status=OwnershipStatus.ACTIVE).first(),
        },
        status=status,
    )


# --- reminders --------------------------------------------------------------------------------------------


@login_required
def reminders(request):
    qs = visible_reminders(request.user)
    return render(
        request,
        "ownership/reminders.html",
        {"page": page(request, qs), "unread": qs.filter(read_at__isnull=True).count()},
    )


@login_required
@require_POST
def reminders_read(request):
    Reminder.objects.filter(recipient=request.user, read_at__isnull=True).update(read_at=timezone.now())
    return redirect("ownership:reminders")


# The record pages and their steps (URLs in urls.py).
OWNERSHIP_STEPS = StepPage("ownership:detail", get_ownership_for, _ownership_page, forms.OwnershipStep)
BACKLOG_STEPS = StepPage("ownership:backlog_detail", get_backlog_for, _backlog_page, forms.BacklogStep)

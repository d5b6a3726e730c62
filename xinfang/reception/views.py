"""Staff pages of joint reception, joint handling and leader reception."""

from __future__ import annotations

from datetime import timedelta

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.db.models import Count, Q
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from xinfang.accounts.models import LEADER_ROLES, User
from xinfang.petitions import access
from xinfang.petitions.errors import ActionError
from xinfang.units import bureaus
from xinfang.units.models import Unit
from xinfang.web.steps import Failed, StepPage

from . import actions, forms
from .access import (
    get_joint_for,
    get_session_for,
    get_slot_for,
    participant_for,
    visible_joints,
    visible_sessions,
    visible_slots,
)
from .models import (
    BookingStatus,
    JointMode,
    JointParticipant,
    JointStatus,
    OneStopOutcome,
    ParticipantRole,
    ParticipantStatus,
    PostKind,
)
from .webutil import Parser, form_errors, page


def _bureau_only(user) -> None:
    if not user.is_bureau_staff:
        raise PermissionDenied("只有信访部门工作人员可以访问")


def _units():
    return Unit.objects.active().exclude(kind="leadership").order_by("path")


def _leaders():
    return (
        User.objects.filter(role__in=LEADER_ROLES, is_active=True)
        .select_related("unit")
        .order_by("unit__path")
    )


# --- sessions ---------------------------------------------------------------------------------------------


@login_required
def sessions(request):
    user = request.user
    if request.method == "POST":
        p = Parser(request.POST)
        day = p.date("date")
        leader_id = p.int("leader_on_duty", required=False)
        try:
            p.check()
            session = actions.session_create(
                actor=user,
                date=day,
                place=p.text("place") or "联合接访中心",
                units=Unit.objects.filter(pk__in=request.POST.getlist("units")),
                staff=User.objects.filter(pk__in=request.POST.getlist("staff"), is_active=True),
                leader_on_duty=User.objects.filter(pk=leader_id).first() if leader_id else None,
                notes=p.text("notes"),
            )
            return redirect("reception:session_detail", session.pk)
        except ActionError as exc:
            request.form_errors = exc.fields
    qs = (
        visible_sessions(user)
        .select_related("leader_on_duty")
        .prefetch_related("units")
        .annotate(visit_count=Count("visits", distinct=True))
        .order_by("-date", "-pk")
    )
    return render(
        request,
        "reception/sessions.html",
        {
            "page": page(request, qs),
            "can_create": user.is_bureau_staff,
            "errors": form_errors(request),
            "units": _units(),
            "leaders": _leaders(),
            "today": timezone.localdate(),
            "staff_choices": User.objects.filter(is_active=True, unit__isnull=False)
            .exclude(role="hearing_member")
            .select_related("unit")
            .order_by("unit__path", "username"),
        },
    )


def _session_page(request, session, *, failed: Failed | None = None, status: int = 200):
    user = request.user
    visible_ids = set(
        access.visible_petitions(user).filter(reception_visits__session=session).values_list("pk", flat=True)
    )
    visits = [
        v for v in session.visits.select_related("petition", "registered_by") if v.petition_id in visible_ids
    ]
    return render(
        request,
        "reception/session_detail.html",
        {
            "session": session,
            "visits": visits,
            "outcomes": OneStopOutcome.choices,
            "errors": failed.errors if failed else {},
            "can_open_joint": user.is_bureau_staff,
        },
        status=status,
    )


# --- joint handling ---------------------------------------------------------------------------------------


@login_required
def joint_list(request):
    user = request.user
    status = request.GET.get("status", "")
    qs = visible_joints(user).select_related("petition", "lead_unit").prefetch_related("participants__unit")
    if status in JointStatus.values:
        qs = qs.filter(status=status)
    today = timezone.localdate()
    overdue = JointParticipant.objects.filter(
        joint__in=visible_joints(user),
        joint__status=JointStatus.OPEN,
        status=ParticipantStatus.PENDING,
        due__lt=today,
    ).count()
    return render(
        request,
        "reception/joint_list.html",
        {
            "page": page(request, qs),
            "status": status,
            "statuses": JointStatus.choices,
            "overdue": overdue,
            "today": today,
        },
    )


@login_required
def joint_new(request):
    user = request.user
    _bureau_only(user)
    petition = access.get_petition_for(user, request.GET.get("petition") or request.POST.get("petition"))
    session = (
        visible_sessions(user)
        .filter(pk=request.GET.get("session") or request.POST.get("session") or 0)
        .first()
    )
    rows = range(4)
    if request.method == "POST":
        p = Parser(request.POST)
        lead_unit = Unit.objects.filter(pk=p.int("lead_unit")).first()
        lead_due = p.date("lead_due")
        cooperating = []
        for i in rows:
            unit_id = p.int(f"unit_{i}", required=False)
            if unit_id:
                unit = Unit.objects.filter(pk=unit_id).first()
                due = p.date(f"due_{i}")
                if unit and due:
                    cooperating.append(actions.ParticipantInput(unit=unit, due=due, task=p.text(f"task_{i}")))
        if lead_unit is None:
            p.errors["lead_unit"] = _("请选择牵头单位")
        try:
            p.check()
            joint = actions.joint_open(
                actor=user,
                petition=petition,
                session=session,
                mode=request.POST.get("mode") or (JointMode.ONSITE if session else JointMode.ONLINE),
                lead=actions.ParticipantInput(unit=lead_unit, due=lead_due, task=p.text("lead_task")),
                cooperating=cooperating,
            )
            return redirect("reception:joint_detail", joint.pk)
        except ActionError as exc:
            request.form_errors = exc.fields
            messages.error(request, exc.message)
    return render(
        request,
        "reception/joint_new.html",
        {
            "petition": petition,
            "session": session,
            "units": _units(),
            "rows": rows,
            "modes": JointMode.choices,
            "errors": form_errors(request),
            "post": request.POST,
            "default_due": timezone.localdate() + timedelta(days=5),
        },
    )


def _joint_page(request, joint, *, failed: Failed | None = None, status: int = 200):
    user = request.user
    me = participant_for(user, joint)
    own = user.is_bureau_staff and bureaus.owns_matter(user, joint.petition)  # as the actions decide
    participants = list(joint.participants.select_related("unit"))
    kinds = (
        PostKind.choices
        if me
        else [(k, label) for k, label in PostKind.choices if k in (PostKind.QUESTION, PostKind.ANSWER)]
    )
    return render(
        request,
        "reception/joint_detail.html",
        {
            "joint": joint,
            "participants": participants,
            "posts": joint.posts.select_related("unit", "author", "reply_to"),
            "me": me,
            "is_lead": me is not None and me.role == ParticipantRole.LEAD,
            "kinds": kinds,
            "can_post": joint.is_open and (me is not None or own),
            "can_close": own and joint.is_open,
            "outcomes": OneStopOutcome.choices,
            "errors": failed.errors if failed else {},
            "all_stated": all(p.status == ParticipantStatus.STATED for p in participants),
            "today": timezone.localdate(),
        },
        status=status,
    )


# --- leader reception -------------------------------------------------------------------------------------


@login_required
def slots(request):
    user = request.user
    if request.method == "POST":
        p = Parser(request.POST)
        leader = User.objects.filter(pk=p.int("leader")).first()
        day, start, end = p.date("date"), p.time("start_time"), p.time("end_time")
        capacity = p.int("capacity", default=10)
        if leader is None:
            p.errors["leader"] = _("请选择接访领导")
        try:
            p.check()
            actions.slot_create(
                actor=user,
                leader=leader,
                date=day,
                start_time=start,
                end_time=end,
                place=p.text("place"),
                capacity=capacity,
                topic=p.text("topic"),
            )
            messages.success(request, _("已发布接访安排"))
            return redirect("reception:slots")
        except ActionError as exc:
            request.form_errors = exc.fields
    qs = visible_slots(user)
    if request.GET.get("past") != "1":
        qs = qs.filter(date__gte=timezone.localdate())
    else:
        qs = qs.order_by("-date", "-start_time")
    return render(
        request,
        "reception/slots.html",
        {
            "page": page(request, qs),
            "can_create": user.is_bureau_staff,
            "leaders": _leaders(),
            "errors": form_errors(request),
            "past": request.GET.get("past") == "1",
        },
    )


def _slot_page(request, slot, *, failed: Failed | None = None, status: int = 200):
    return render(
        request,
        "reception/slot_detail.html",
        {
            "slot": slot,
            "bookings": slot.bookings.select_related("petition"),
            "statuses": [
                (BookingStatus.ATTENDED, _("已接待")),
                (BookingStatus.NO_SHOW, _("未到")),
                (BookingStatus.CANCELLED, _("取消")),
            ],
            "summary": slot.bookings.aggregate(
                booked=Count("pk", filter=Q(status=BookingStatus.BOOKED)),
                attended=Count("pk", filter=Q(status=BookingStatus.ATTENDED)),
            ),
        },
        status=status,
    )


# The record pages and their steps (URLs in urls.py).
SESSION_STEPS = StepPage("reception:session_detail", get_session_for, _session_page, forms.SessionStep)
JOINT_STEPS = StepPage("reception:joint_detail", get_joint_for, _joint_page, forms.JointStep)
SLOT_STEPS = StepPage("reception:slot_detail", get_slot_for, _slot_page, forms.BookingForm)

"""The early-warning centre (预警中心): alert list with filters, detail with the
petitions behind it, acknowledge / assign / close / report up, the aggregate
overdue view and the user's in-app notices."""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.paginator import Paginator
from django.db.models import Case, Q, Value, When
from django.http import Http404
from django.shortcuts import get_object_or_404, redirect, render
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from django.views.decorators.http import require_POST

from xinfang.accounts.models import Role, User
from xinfang.petitions.access import hidden_whatever_scope, visible_petitions
from xinfang.petitions.errors import ActionError
from xinfang.units import bureaus

from . import actions
from .lights import traffic_lights
from .models import Alert, AlertKind, AlertNotice, AlertStatus, ReportUp, Severity


def visible_alerts(user):
    """Bureau staff see the alerts of their bureau's area (every alert at the top bureau: a city
    sees its districts', a district never another's): alerts on a unit of the area, or raised for
    the bureau (``data.bureau``: a district's surge about a respondent outside it); unit staff
    those of their unit and the units under it; everyone the alerts assigned to them."""
    if (
        not getattr(user, "is_authenticated", False)
        or user.unit_id is None
        or user.role == Role.HEARING_MEMBER
    ):
        return Alert.objects.none()
    qs = Alert.objects.all()
    if not user.is_bureau_staff:
        # An alert about a matter hidden from the user whatever their scope (an accusation against
        # their unit or person, a recusal: Arts. 28③, 30③) is not theirs, even assigned to them.
        mine = qs.filter(Q(unit__path__startswith=user.unit.path) | Q(assigned_to=user))
        return mine.exclude(petition_id__in=hidden_whatever_scope(user))
    if bureaus.sees_everything(user):
        return qs
    return qs.filter(
        Q(petition__in=visible_petitions(user).values("pk"))
        | Q(petition__isnull=True) & bureaus.reach_q(user, "unit")
        | Q(data__bureau=user.unit_id)  # raised for the bureau: a surge about a respondent outside it
        | Q(assigned_to=user)
    )


# The centre's first page leads with what needs action most: severity first,
# then the kinds that carry a statutory deadline or a crowd, newest last.
_SEVERITY_RANK = {Severity.CRITICAL: 0, Severity.WARNING: 1, Severity.INFO: 2}
_KIND_RANK = {
    AlertKind.OVERDUE: 0,
    AlertKind.URGENT: 1,
    AlertKind.COLLECTIVE: 2,
    AlertKind.REPEAT_ESCALATION: 3,
    AlertKind.SURGE: 4,
    AlertKind.DUE_SOON: 5,
    AlertKind.SKIP_LEVEL: 6,
}


def _rank(field: str, ranks: dict) -> Case:
    return Case(*(When(**{field: key}, then=Value(rank)) for key, rank in ranks.items()), default=Value(9))


def by_urgency(qs):
    """Alerts most in need of action first (severity, kind), then newest first."""
    return qs.annotate(
        severity_rank=_rank("severity", _SEVERITY_RANK), kind_rank=_rank("kind", _KIND_RANK)
    ).order_by("severity_rank", "kind_rank", "-created_at", "-pk")


def _get(user, pk: int) -> Alert:
    return get_object_or_404(visible_alerts(user).select_related("unit", "petition", "assigned_to"), pk=pk)


@login_required
def alert_list(request):
    qs = visible_alerts(request.user).select_related("unit", "petition", "assigned_to")
    filters = {k: request.GET.get(k, "") for k in ("kind", "status", "severity", "q")}
    if filters["kind"] in AlertKind.values:
        qs = qs.filter(kind=filters["kind"])
    if filters["status"] in AlertStatus.values:
        qs = qs.filter(status=filters["status"])
    elif filters["status"] != "all":
        qs = qs.exclude(status=AlertStatus.CLOSED)
    if filters["severity"] in Severity.values:
        qs = qs.filter(severity=filters["severity"])
    if filters["q"]:
        qs = qs.filter(title__icontains=filters["q"][:50])
    page = Paginator(by_urgency(qs), 50).get_page(request.GET.get("page"))
    unread = (
        AlertNotice.objects.filter(read_at__isnull=True)
        .filter(Q(user=request.user) | Q(unit_id=request.user.unit_id, user__isnull=True))
        .count()
        if request.user.unit_id
        else 0
    )
    return render(
        request,
        "alerts/list.html",
        {
            "page": page,
            "filters": filters,
            "kinds": AlertKind.choices,
            "statuses": AlertStatus.choices,
            "severities": Severity.choices,
            "unread": unread,
        },
    )


@login_required
def alert_detail(request, pk: int):
    alert = _get(request.user, pk)
    linked = [p.pk for p in actions.linked_petitions(alert)]
    petitions = visible_petitions(request.user).filter(pk__in=linked).select_related("handling_unit")
    hidden = len(linked) - petitions.count()
    assignees = []
    if actions.can_manage(request.user, alert):
        staff = User.objects.filter(is_active=True, unit__isnull=False).exclude(role=Role.HEARING_MEMBER)
        if not request.user.is_bureau_staff:
            staff = staff.filter(unit__path__startswith=request.user.unit.path)
        else:  # the bureau's own people and the units of its area, never a sibling bureau's
            staff = staff.filter(bureaus.reach_q(request.user, "unit"))
        assignees = staff.select_related("unit").order_by("unit__path", "username")[:300]
    AlertNotice.objects.filter(alert=alert, user=request.user, read_at__isnull=True).update(
        read_at=timezone.now()
    )
    return render(
        request,
        "alerts/detail.html",
        {
            "alert": alert,
            "petitions": petitions,
            "hidden": hidden,
            "can_manage": actions.can_manage(request.user, alert),
            "assignees": assignees,
            "reports": ReportUp.objects.filter(alert=alert),
            "needs_report": actions.needs_report_up(alert),
        },
    )


@login_required
@require_POST
def alert_action(request, pk: int, name: str):
    alert = _get(request.user, pk)
    note = request.POST.get("note", "").strip()[:500]
    try:
        if name == "acknowledge":
            actions.alert_acknowledge(actor=request.user, alert=alert, note=note)
            messages.success(request, _("已确认预警"))
        elif name == "assign":
            assignee = User.objects.filter(pk=request.POST.get("assignee") or 0).first()
            if assignee is None:
                raise ActionError("invalid", _("请选择指派对象"), fields={"assignee": _("必填")})
            actions.alert_assign(actor=request.user, alert=alert, assignee=assignee, note=note)
            messages.success(request, _("已指派给%(name)s") % {"name": assignee.display_name})
        elif name == "close":
            actions.alert_close(actor=request.user, alert=alert, note=note)
            messages.success(request, _("已关闭预警"))
        elif name == "report_up":
            made = actions.alert_report_up(alert=alert, actor=request.user, note=note)
            messages.success(
                request, _("已报告：") + "、".join(r.unit_name for r in made) if made else _("此前已报告")
            )
        else:
            raise Http404()
    except ActionError as exc:
        messages.error(request, exc.message)
    return redirect("alerts:detail", pk=alert.pk)


@login_required
def notices(request):
    """The in-app list: notices for me and for my unit."""
    if request.user.unit_id is None:
        raise Http404()
    qs = AlertNotice.objects.filter(Q(user=request.user) | Q(unit_id=request.user.unit_id, user__isnull=True))
    qs = qs.select_related("alert").order_by("-created_at")
    page = Paginator(qs, 50).get_page(request.GET.get("page"))
    if request.method == "POST":
        qs.filter(read_at__isnull=True).update(read_at=timezone.now())
        return redirect("alerts:notices")
    return render(request, "alerts/notices.html", {"page": page})


@login_required
def overdue(request):
    """Overdue and due-soon matters in aggregate: by unit and by step (deadline rule)."""
    user = request.user
    if user.unit_id is None or user.role == Role.HEARING_MEMBER:
        raise Http404()
    if user.is_bureau_staff:  # the bureau's area, its desk included (every unit at the top bureau)
        unit_ids = bureaus.viewer_area_ids(user)
    else:
        unit_ids = list(
            type(user.unit).objects.filter(path__startswith=user.unit.path).values_list("id", flat=True)
        )
    # Only what the user may open: the area's matters are within the bureau's scope, less the hidden.
    lights = traffic_lights(unit_ids, hidden_whatever_scope(user), held_at_desk=user.is_bureau_staff)
    return render(request, "alerts/overdue.html", {"lights": lights})

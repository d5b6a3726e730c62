"""Statistics pages: the bureau dashboard, unit dashboards, downloads, hot
spots, 每月一题 and the reports."""

from __future__ import annotations

from datetime import date, timedelta

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import Http404, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from django.views.decorators.http import require_POST

from xinfang.accounts.models import Role
from xinfang.units import bureaus
from xinfang.units.models import Unit, UnitKind

from . import areas, dashboard, exports, hotspot_cache, reports
from .models import MonthlyPick
from .rates import COMPOSITE_FORMULA, LEAGUE, LEAGUE_MIN_CASES, LEAGUE_PRIOR_CASES, LEAGUE_RULE, percent

BUREAU_VIEWERS = {Role.BUREAU_LEADER, Role.SUPERVISOR, Role.REGISTRAR, Role.ADMIN}


def is_bureau_viewer(user) -> bool:
    return user.role in BUREAU_VIEWERS and user.is_bureau_staff


def viewer_bureau(user) -> Unit | None:
    """The bureau whose area a bureau viewer's statistics cover (None for other users)."""
    return bureaus.bureau_for(user.unit) if is_bureau_viewer(user) else None


def _int(raw) -> int | None:
    return int(raw) if isinstance(raw, str) and raw.isdigit() else raw if isinstance(raw, int) else None


def scope_for(user, unit_id=None, bureau_id=None) -> tuple[Unit | None, Unit | None]:
    """(bureau, unit) whose figures `user` may see, else Http404.

    Bureau viewers: their own bureau's area (unit None), or a lower bureau's area inside it
    (``bureau_id``: the city's drill-down into a district), or a unit of their area
    (``unit_id``); never another district's.  Unit staff: their own unit or a unit under it."""
    unit_id, bureau_id = _int(unit_id), _int(bureau_id)
    if is_bureau_viewer(user):
        own = viewer_bureau(user)
        if unit_id:
            unit = get_object_or_404(Unit, pk=unit_id)
            if not areas.may_view(own, unit):
                raise Http404("无权查看")
            return None, unit
        if bureau_id and bureau_id != own.pk:
            chosen = get_object_or_404(Unit, pk=bureau_id, kind=UnitKind.BUREAU, is_active=True)
            if not bureaus.in_area(own, chosen):
                raise Http404("无权查看")
            return chosen, None
        return own, None
    if user.unit_id is None or user.role == Role.HEARING_MEMBER:
        raise Http404("无权查看")
    if unit_id is None:
        return None, user.unit
    unit = get_object_or_404(Unit, pk=unit_id)
    if not unit.is_within(user.unit):
        raise Http404("无权查看")
    return None, unit


def unit_for(user, unit_id: int | None) -> Unit | None:
    """The unit of `scope_for` (None: the viewer's bureau area)."""
    return scope_for(user, unit_id)[1]


def districts_for(user, bureau: Unit | None) -> list[Unit]:
    """The lower bureaus a bureau viewer may drill down into (the picker's choices)."""
    own = viewer_bureau(user)
    return bureaus.lower_bureaus(own) if own is not None else []


def period(request) -> tuple[date, date]:
    today = timezone.localdate()
    try:
        start = date.fromisoformat(request.GET.get("start", ""))
    except ValueError:
        start = today.replace(day=1)
    try:
        end = date.fromisoformat(request.GET.get("end", ""))
    except ValueError:
        end = today
    if end < start:
        start, end = end, start
    return start, min(end, start + timedelta(days=3660))


@login_required
def home(request):
    if not is_bureau_viewer(request.user):
        if request.user.unit_id is None:
            raise Http404("无权查看")
        return redirect("stats:unit", unit_id=request.user.unit_id)
    bureau, _unit = scope_for(request.user, None, request.GET.get("bureau"))
    return _dashboard(request, None, bureau)


@login_required
def unit_dashboard(request, unit_id: int):
    return _dashboard(request, unit_for(request.user, unit_id), None)


def _scope_query(bureau, unit) -> str:
    return f"&unit={unit.pk}" if unit else f"&bureau={bureau.pk}" if bureau else ""


def _dashboard(request, unit, bureau):
    start, end = period(request)
    figures = dashboard.figures(start, end, unit, bureau=bureau, viewer=request.user)
    query = f"start={start.isoformat()}&end={end.isoformat()}" + _scope_query(bureau, unit)
    for r in figures["rates"]:
        r["display"] = percent(r["value"])
    for row in figures["league"] + figures["districts"]:
        for code in ("response", "resolution", "satisfaction"):
            row[f"{code}_display"] = percent(row[code])
    return render(
        request,
        "stats/dashboard.html",
        {
            "figures": figures,
            "unit": unit,
            "bureau": bureau,
            "own_bureau": viewer_bureau(request.user),
            "districts": districts_for(request.user, bureau),
            "period_query": f"start={start.isoformat()}&end={end.isoformat()}",
            "start": start,
            "end": end,
            "query": query,
            "charts": exports.CHARTS,
            "league_rates": LEAGUE,
            "composite_formula": COMPOSITE_FORMULA,
            "league_rule": LEAGUE_RULE % {"min": LEAGUE_MIN_CASES, "prior": LEAGUE_PRIOR_CASES},
            "is_bureau": is_bureau_viewer(request.user),
            "respondents": figures["respondents"][:15],
        },
    )


@login_required
def export(request, chart: str, fmt: str):
    if chart not in exports.CHARTS or fmt not in {"csv", "xlsx"}:
        raise Http404()
    bureau, unit = scope_for(request.user, request.GET.get("unit"), request.GET.get("bureau"))
    start, end = period(request)
    headers, rows = exports.table(
        dashboard.figures(
            start, end, unit, bureau=bureau, with_backlog=chart == "rates", viewer=request.user
        ),
        chart,
    )
    name = f"{chart}_{start:%Y%m%d}_{end:%Y%m%d}.{fmt}"
    if fmt == "csv":
        response = HttpResponse(exports.to_csv(headers, rows), content_type="text/csv; charset=utf-8")
    else:
        response = HttpResponse(
            exports.to_xlsx(headers, rows, exports.CHARTS[chart]),
            content_type="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
        )
    response["Content-Disposition"] = f'attachment; filename="{name}"'
    return response


@login_required
def hot_spots(request):
    bureau, unit = scope_for(request.user, request.GET.get("unit"), request.GET.get("bureau"))
    start, end = period(request)
    spots, computed_at = hotspot_cache.hot_spots(
        start, end, unit, user=request.user, shared=is_bureau_viewer(request.user), bureau=bureau
    )
    return render(
        request,
        "stats/hotspots.html",
        {
            "spots": spots,
            "start": start,
            "end": end,
            "unit": unit,
            "bureau": bureau,
            "own_bureau": viewer_bureau(request.user),
            "districts": districts_for(request.user, bureau),
            "spans_districts": bool(bureau and areas.parts(bureau)),
            "computed_at": computed_at,
        },
    )


@login_required
def monthly_pick(request):
    if not is_bureau_viewer(request.user):
        raise Http404("无权查看")
    try:
        month = date.fromisoformat(request.GET.get("month", "") + "-01")
    except ValueError:
        month = timezone.localdate().replace(day=1)
    bureau = viewer_bureau(request.user)
    candidates, computed_at = hotspot_cache.monthly_candidates(
        month, user=request.user, shared=True, bureau=bureau
    )
    chosen = MonthlyPick.objects.of_bureau(bureau).filter(month=month, is_chosen=True).first()
    return render(
        request,
        "stats/monthly_pick.html",
        {
            "candidates": candidates,
            "month": month,
            "chosen": chosen,
            "bureau": bureau,
            "can_choose": request.user.role in {Role.BUREAU_LEADER, Role.ADMIN},
            "computed_at": computed_at,
        },
    )


@login_required
@require_POST
def monthly_pick_choose(request):
    if not (is_bureau_viewer(request.user) and request.user.role in {Role.BUREAU_LEADER, Role.ADMIN}):
        raise Http404("无权操作")
    try:
        month = date.fromisoformat(request.POST.get("month", ""))
        rank = int(request.POST.get("rank", ""))
    except ValueError:
        messages.error(request, _("参数有误"))
        return redirect("stats:monthly_pick")
    # The list the page showed (same cache entry), so the rank picks what the leader saw.
    bureau = viewer_bureau(request.user)
    candidates, _computed_at = hotspot_cache.monthly_candidates(
        month, user=request.user, shared=True, bureau=bureau
    )
    if not 0 <= rank < len(candidates):
        messages.error(request, _("该候选问题已变化，请刷新后重试"))
        return redirect("stats:monthly_pick")
    spot = candidates[rank]
    MonthlyPick.objects.of_bureau(bureau).filter(month=month, is_chosen=True).update(is_chosen=False)
    MonthlyPick.objects.create(
        bureau=bureau,
        month=month,
        label=spot["label"],
        keywords=spot["keywords"],
        petition_count=spot["count"],
        town_count=spot["town_count"],
        repeat_share=spot["repeat_share"],
        score=spot["score"],
        petition_ids=spot["petition_ids"],
        is_chosen=True,
        chosen_by=request.user,
        chosen_at=timezone.now(),
        note=request.POST.get("note", "").strip()[:2000],
    )
    messages.success(request, _("已选定本月一题：%(label)s") % {"label": spot["label"]})
    return redirect(f"{request.path.rsplit('choose/', 1)[0]}?month={month:%Y-%m}")


@login_required
def report(request, kind: str, fmt: str):
    if not is_bureau_viewer(request.user):
        raise Http404("无权查看")
    bureau, _unit = scope_for(request.user, None, request.GET.get("bureau"))
    today = timezone.localdate()
    if kind == "annual":
        year = request.GET.get("year", "")
        year = int(year) if year.isdigit() and 2000 <= int(year) <= today.year else today.year
        data = reports.annual_report(year, bureau=bureau)
    elif kind == "monthly":
        try:
            month = date.fromisoformat(request.GET.get("month", "") + "-01")
        except ValueError:
            month = today.replace(day=1)
        data = reports.monthly_report(month, bureau=bureau)
    else:
        raise Http404()
    if fmt == "html":
        return HttpResponse(reports.to_html(data))
    if fmt == "pdf":
        response = HttpResponse(reports.to_pdf(data), content_type="application/pdf")
    elif fmt == "docx":
        response = HttpResponse(
            reports.to_docx(data),
            content_type="application/vnd.openxmlformats-officedocument.wordprocessingml.document",
        )
    else:
        raise Http404()
    response["Content-Disposition"] = f'attachment; filename="{kind}_report.{fmt}"'
    return response


@login_required
def reports_page(request):
    if not is_bureau_viewer(request.user):
        raise Http404("无权查看")
    bureau, _unit = scope_for(request.user, None, request.GET.get("bureau"))
    today = timezone.localdate()
    return render(
        request,
        "stats/reports.html",
        {
            "year": today.year,
            "month": today.strftime("%Y-%m"),
            "bureau": bureau,
            "own_bureau": viewer_bureau(request.user),
            "districts": districts_for(request.user, bureau),
        },
    )

"""JSON API of the statistics (mounted by the lead under /api/v1/stats/)."""

from __future__ import annotations

from datetime import date

from django.http import HttpRequest
from django.utils import timezone
from ninja import Router

from . import dashboard
from .views import scope_for

PREFIX = ""  # the paths already start with /stats
router = Router(tags=["统计"])


def _period(start: date | None, end: date | None) -> tuple[date, date]:
    today = timezone.localdate()
    return start or today.replace(day=1), end or today


@router.get("/stats/dashboard", summary="统计数据（受理、办结、考核指标、分布、趋势、排名、期限）")
def stats_dashboard(
    request: HttpRequest,
    start: date | None = None,
    end: date | None = None,
    unit: int | None = None,
    bureau: int | None = None,
):
    """A bureau's figures cover its area; ``bureau`` drills down into a lower bureau's area (a
    city into one of its districts), ``unit`` into one unit; 404 outside the caller's scope."""
    user = request.auth if getattr(request, "auth", None) is not None else request.user
    area, scope = scope_for(user, unit, bureau)  # Http404 (→ 404) outside the caller's scope
    start, end = _period(start, end)
    figures = dashboard.figures(start, end, scope, bureau=area, viewer=user)
    figures["updated_at"] = figures["updated_at"].isoformat() if figures["updated_at"] else None
    return figures

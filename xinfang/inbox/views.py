"""The inbox pages: one list with role views, bulk routing, saved views, Excel export."""

from __future__ import annotations

import logging
from urllib.parse import urlencode

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.db import transaction
from django.http import Http404, HttpResponseForbidden, QueryDict
from django.shortcuts import get_object_or_404, redirect, render
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from xinfang.accounts.models import Role
from xinfang.petitions.access import get_petition_for
from xinfang.petitions.actions import petition_transfer
from xinfang.petitions.choices import DueState
from xinfang.petitions.errors import ActionError
from xinfang.units.models import Unit
from xinfang.units.places import targets_among

from . import filters as f
from .models import SavedView

log = logging.getLogger(__name__)

COUNT_CAP = 1000
# A count of text matches walks matches until the cap: a common word in a unit's inbox cost 0.39 s
# for 1,000 on PostgreSQL at 1M petitions. "200+ 件" tells the user to narrow the search just as well.
SEARCH_COUNT_CAP = 200
ROUTERS = {Role.REGISTRAR, Role.BUREAU_LEADER}


def _forbidden(request):
    html = render_to_string("inbox/forbidden.html", request=request)
    return HttpResponseForbidden(html)


def route_units(ctx) -> list:
    """The bulk transfer's targets: the desk's (places.targets_among), lower bureaus first."""
    lower, units = targets_among(ctx.user.unit, ctx.units)
    return [*lower, *units]


def filter_query(params: QueryDict) -> str:
    """The filter part of a query string (no cursor), in a stable order."""
    pairs = [(k, v) for k in f.FILTER_KEYS for v in params.getlist(k) if v]
    return urlencode(pairs)


def resolve(request):
    """(context, view, filters, sort, form) for the current request's query string."""
    user = request.user
    ctx = f.load_context(user, request)
    available = {v.key for v in f.views_for(user)}
    key = request.GET.get("view")
    view = f.VIEWS[key if key in available else f.DEFAULT_VIEW.get(user.role, "all")]
    form = f.FilterForm(request.GET, units=ctx.units, categories=ctx.categories)
    filters = form.cleaned()
    sort = filters.get("sort") or view.default_sort
    return ctx, view, filters, sort, form


def can_route(user) -> bool:
    return user.role in ROUTERS and user.is_bureau_staff


@login_required
def inbox_list(request):
    user = request.user
    if not f.may_use_inbox(user):
        return _forbidden(request)
    ctx, view, filters, sort, form = resolve(request)
    qs = f.filtered_queryset(ctx, view, filters)
    rows, next_cursor = f.page(
        qs.select_related("handling_unit").defer("content", "request", "facts_reasons", "query_code_enc"),
        sort,
        request.GET.get("after", ""),
        by_status=view.key != "all",
    )
    cap = SEARCH_COUNT_CAP if filters.get("q") else COUNT_CAP
    count = qs.order_by()[: cap + 1].count() if not request.GET.get("after") else None
    today = timezone.localdate()
    categories = {c.pk: str(c) for c in ctx.categories}
    for row in rows:
        row.light = row.due_state(today)
        if row.light:
            # Computed here, not with template includes: the row loop is most of the page's cost.
            days = row.days_left(today)
            row.due_text = _("超期%(n)d天") % {"n": -days} if days < 0 else _("剩%(n)d天") % {"n": days}
            row.light_label = DueState(row.light).label
        row.category_label = categories.get(row.category_id, "")
    query = filter_query(request.GET)
    routing = view.key == "to_route" and can_route(user)
    context = {
        "views": f.views_for(user),
        "view": view,
        "form": form,
        "rows": rows,
        "count": count,
        "count_capped": count is not None and count > cap,
        "count_cap": cap,
        "next_url": f"?{query}&after={next_cursor}" if next_cursor else "",
        "first_url": f"?{query}" if request.GET.get("after") else "",
        "query": query,
        "export_url": f"{reverse('inbox:export')}?{query}",
        "saved_views": list(SavedView.objects.for_user(user).select_related("owner")),
        "routing": routing,
        "route_units": route_units(ctx) if routing else [],
        "sort": sort,
        "provisional_label": _("暂定"),
        "provisional_title": _("节假日安排尚未公布，仅按周末推算"),
    }
    return render(request, "inbox/list.html", context)


def _back(request) -> str:
    query = request.POST.get("query", "")
    return f"{reverse('inbox:list')}?{filter_query(QueryDict(query))}"


@login_required
@require_POST
def bulk_route(request):
    """Transfer the selected petitions to one unit, each in its own transaction."""
    user = request.user
    if not can_route(user):
        return _forbidden(request)
    back = _back(request)
    unit_id = request.POST.get("unit", "")
    unit = Unit.objects.filter(pk=int(unit_id), is_active=True).first() if unit_id.isdigit() else None
    ids = [int(v) for v in request.POST.getlist("ids") if v.isdigit()][: f.PAGE_SIZE]
    if unit is None:
        messages.error(request, _("请选择转送单位"))
        return redirect(back)
    if unit.pk not in {u.pk for u in route_units(f.load_context(user, request))}:
        # Only the desk's own targets: its lower bureaus and the units of its area.
        messages.error(request, _("只能转送给本部门辖区内的单位或下级信访部门"))
        return redirect(back)
    if not ids:
        messages.error(request, _("请勾选要转送的信访事项"))
        return redirect(back)
    reason = request.POST.get("reason", "").strip()[:500]
    done, failures = [], []
    for pk in ids:
        label = f"#{pk}"
        try:
            with transaction.atomic():
                petition = get_petition_for(user, pk, for_update=True)
                label = petition.case_number
                petition_transfer(actor=user, petition=petition, unit=unit, reason=reason)
            done.append(label)
        except Http404:
            failures.append(_("%(case)s：信访事项不存在或无权查看") % {"case": label})
        except ActionError as error:
            failures.append(f"{label}：{error.message}")
        except Exception:  # one bad row must not lose the others' results
            log.exception("bulk routing failed for petition %s", pk)
            failures.append(_("%(case)s：系统错误，请稍后重试或逐件办理") % {"case": label})
    if done:
        messages.success(
            request,
            _("已转送%(n)s件至%(unit)s：%(cases)s")
            % {"n": len(done), "unit": unit.name, "cases": "、".join(done)},
        )
    for failure in failures:
        messages.error(request, _("转送失败 %(reason)s") % {"reason": failure})
    return redirect(back)


@login_required
@require_POST
def saved_view_create(request):
    user = request.user
    if not f.may_use_inbox(user):
        return _forbidden(request)
    name = request.POST.get("name", "").strip()[:40]
    back = _back(request)
    if not name:
        messages.error(request, _("请填写筛选名称"))
        return redirect(back)
    SavedView.objects.create(
        owner=user,
        unit_id=user.unit_id,
        name=name,
        query=filter_query(QueryDict(request.POST.get("query", "")))[:1000],
        shared=request.POST.get("shared") == "on",
    )
    messages.success(request, _("已保存筛选“%(name)s”") % {"name": name})
    return redirect(back)


@login_required
@require_POST
def saved_view_delete(request, pk: int):
    saved = get_object_or_404(SavedView, pk=pk, owner=request.user)
    saved.delete()
    messages.success(request, _("已删除筛选“%(name)s”") % {"name": saved.name})
    return redirect(_back(request))


@login_required
def export(request):
    from .export import export_response

    user = request.user
    if not f.may_use_inbox(user):
        return _forbidden(request)
    ctx, view, filters, sort, _form = resolve(request)
    qs = f.order(f.filtered_queryset(ctx, view, filters), sort, by_status=view.key != "all")
    return export_response(request, qs, view=view, query=filter_query(request.GET))

"""The inbox pages: one list with role views, bulk routing, saved views, Excel export."""

from __future__ import annotations

import logging
from urllib.parse import urlencode

from django.conf import settings
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.db import transaction
from django.http import FileResponse, Http404, HttpResponseForbidden, QueryDict
from django.shortcuts import get_object_or_404, redirect, render
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils import timezone, translation
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_POST

from xinfang.accounts.models import Role
from xinfang.audit.models import AuditAction, audit
from xinfang.petitions.access import get_petition_for
from xinfang.petitions.actions import petition_transfer
from xinfang.petitions.choices import DueState
from xinfang.petitions.errors import ActionError
from xinfang.petitions.models import Custody, CustodyKind
from xinfang.units.models import Unit
from xinfang.units.places import targets_among

from . import filters as f
from .models import ExportJob, ExportStatus, SavedView

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
    return resolve_params(request.user, request.GET, request)


def resolve_params(user, params: QueryDict, request=None):
    """(context, view, filters, sort, form) for ``user`` and a query string (the worker writes
    an export from the stored query string, with no request)."""
    ctx = f.load_context(user, request)
    available = {v.key for v in f.views_for(user)}
    key = params.get("view")
    view = f.VIEWS[key if key in available else f.DEFAULT_VIEW.get(user.role, "all")]
    form = f.FilterForm(params, units=ctx.units, categories=ctx.categories)
    filters = form.cleaned()
    sort = filters.get("sort") or view.default_sort
    return ctx, view, filters, sort, form


def can_route(user) -> bool:
    return user.role in ROUTERS and user.is_bureau_staff


def arrivals_at_desk(user, rows) -> dict[int, tuple[str, str]]:
    """For the rows that came to the viewer's bureau from another bureau: how they
    came (上级转送 / 上级交办 / 下级报送) and the bureau's own number for them."""
    moved = [r.pk for r in rows if r.bureau_id == user.unit_id and r.registering_unit_id != r.bureau_id]
    if not user.is_bureau_staff or not moved:
        return {}
    found = Custody.objects.filter(petition_id__in=moved, unit_id=user.unit_id).exclude(
        kind=CustodyKind.HANDLED
    )
    return {c.petition_id: (c.get_kind_display(), c.case_number or "") for c in found.order_by("started_at")}


@login_required
def inbox_list(request):
    user = request.user
    if not f.may_use_inbox(user):
        return _forbidden(request)
    ctx, view, filters, sort, form = resolve(request)
    cap = SEARCH_COUNT_CAP if filters.get("q") else COUNT_CAP
    rows, next_cursor, count = f.list_page(
        ctx,
        view,
        filters,
        sort,
        request.GET.get("after", ""),
        cap,
        shown=lambda qs: qs.select_related("handling_unit").defer(
            "content", "request", "facts_reasons", "query_code_enc"
        ),
    )
    today = timezone.localdate()
    categories = {c.pk: str(c) for c in ctx.categories}
    arrivals = arrivals_at_desk(user, rows)
    for row in rows:
        row.arrival, row.own_number = arrivals.get(row.pk, ("", row.case_number))
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
    """The list as Excel: written now when small, otherwise queued for the worker (jobs.py) and
    the user sent to the export jobs page.  A GET: asking twice reuses the waiting job."""
    from . import jobs
    from .export import export_response

    user = request.user
    if not f.may_use_inbox(user):
        return _forbidden(request)
    ctx, view, filters, sort, _form = resolve(request)
    qs = f.order(f.filtered_queryset(ctx, view, filters), sort, by_status=view.key != "all")
    query = filter_query(request.GET)
    limit = settings.EXPORT_SYNC_MAX_ROWS
    size = qs.order_by()[: limit + 1].count()
    if size <= limit:
        return export_response(request, qs, view=view, query=query)
    # The whole list is counted by the worker, not here: a count of a city's 全部 was most of
    # this request (0.3-0.5 s at 1,000,000 petitions).
    jobs.enqueue(
        user=user,
        query=query,
        view_label=str(view.label),
        expected_rows=0,
        language=translation.get_language() or "",
    )
    messages.info(
        request,
        _("“%(view)s”超过%(limit)s件，已转入后台生成；完成后请在本页下载。")
        % {"view": view.label, "limit": limit},
    )
    return redirect("inbox:exports")


@login_required
def export_jobs(request):
    """The user's own export jobs and their state (the page reloads itself while one is unfinished)."""
    if not f.may_use_inbox(request.user):
        return _forbidden(request)
    rows = list(ExportJob.objects.of(request.user)[:50])
    waiting = any(job.status in (ExportStatus.QUEUED, ExportStatus.RUNNING) for job in rows)
    return render(
        request,
        "inbox/exports.html",
        {"jobs": rows, "waiting": waiting, "keep_hours": settings.EXPORT_KEEP_HOURS},
    )


@login_required
@require_GET
def export_download(request, pk: int):
    """A finished export, only to the user who asked for it, until it expires."""
    from . import jobs
    from .export import CONTENT_TYPE, file_name

    job = get_object_or_404(
        ExportJob.objects.of(request.user),
        pk=pk,
        status=ExportStatus.DONE,
        expires_at__gt=timezone.now(),
    )
    try:
        handle = jobs.path_of(job).open("rb")
    except (FileNotFoundError, IsADirectoryError):
        raise Http404(_("导出文件已过期或不存在")) from None
    audit(
        user=request.user,
        action=AuditAction.EXPORT,
        obj=request.user,
        detail=f"下载后台导出#{job.pk}（{job.rows}行）",
        request=request,
    )
    view_key = QueryDict(job.query).get("view") or "inbox"
    response = FileResponse(
        handle,
        as_attachment=True,
        filename=file_name(view_key if view_key in f.VIEWS else "inbox", job.finished_at),
        content_type=CONTENT_TYPE,
    )
    response["Cache-Control"] = "private, no-store"
    return response

"""The inbox views (工作台), their filters, sorting and keyset pagination.

Every list starts from ``visible_petitions(user)`` and only ever narrows it.
Pages are fetched with a keyset cursor (``after=``) on (sort column, id) and
``page_size + 1`` rows, so no page load counts a million rows.
"""

from __future__ import annotations

import base64
import json
from collections.abc import Callable
from dataclasses import dataclass
from datetime import date, datetime, time, timedelta

from django import forms
from django.core.exceptions import EmptyResultSet
from django.db import connection
from django.db.models import BigIntegerField, F, Func, Q, QuerySet
from django.db.models.expressions import RawSQL
from django.utils import timezone
from django.utils.html import format_html, format_html_join
from django.utils.translation import gettext_lazy as _

from xinfang.accounts.models import Role
from xinfang.petitions import access
from xinfang.petitions.access import visible_petitions
from xinfang.petitions.choices import Channel, DueState, PetitionClass, Stage, Status
from xinfang.petitions.models import Petition
from xinfang.units import bureaus

from . import lookup, search

PAGE_SIZE = 50

BUREAU_QUEUE = {Role.REGISTRAR, Role.BUREAU_LEADER, Role.ADMIN}
UNIT_ROLES = {Role.HANDLER, Role.UNIT_LEADER}


@dataclass(frozen=True)
class InboxView:
    key: str
    label: str
    roles: frozenset[str]
    default_sort: str
    # Unit staff see their own unit's work in the queues: restrict to the
    # handling unit subtree (a narrowing of the visible set, never a widening).
    own_unit_work: bool = True

    def apply(self, qs: QuerySet, today: date) -> QuerySet:
        return {
            "to_route": lambda: qs.awaiting_routing(),
            "to_accept": lambda: qs.filter(status=Status.ROUTED),
            "handling": lambda: qs.in_handling(),
            "due_soon": lambda: qs.due_soon(today),
            "overdue": lambda: qs.overdue(today),
            "opinion_approval": lambda: qs.awaiting_opinion_approval(),
            "extension_approval": lambda: qs.awaiting_extension_decision(today),
            "reviews": lambda: qs.in_review(),
            "all": lambda: qs,
        }[self.key]()


_ALL_STAFF = frozenset(set(Role) - {Role.HEARING_MEMBER})
VIEWS = {
    v.key: v
    for v in [
        InboxView("to_route", _("待转送"), frozenset(BUREAU_QUEUE | {Role.SUPERVISOR}), "current_due"),
        InboxView("to_accept", _("待受理"), frozenset(UNIT_ROLES), "current_due"),
        InboxView("handling", _("办理中"), _ALL_STAFF - {Role.REGISTRAR}, "current_due"),
        InboxView("due_soon", _("临期"), _ALL_STAFF, "current_due"),
        InboxView("overdue", _("超期"), _ALL_STAFF, "current_due"),
        InboxView("opinion_approval", _("意见待审批"), frozenset(UNIT_ROLES), "current_due"),
        InboxView("extension_approval", _("延期待审批"), frozenset(UNIT_ROLES), "current_due"),
        InboxView("reviews", _("复查复核"), _ALL_STAFF, "current_due"),
        InboxView("all", _("全部"), _ALL_STAFF, "-received_at", own_unit_work=False),
    ]
}

DEFAULT_VIEW = {
    Role.REGISTRAR: "to_route",
    Role.BUREAU_LEADER: "to_route",
    Role.ADMIN: "all",
    Role.SUPERVISOR: "overdue",
    Role.HANDLER: "to_accept",
    Role.UNIT_LEADER: "opinion_approval",
}


def views_for(user) -> list[InboxView]:
    return [v for v in VIEWS.values() if user.role in v.roles]


def may_use_inbox(user) -> bool:
    return user.is_active and user.unit_id is not None and user.role != Role.HEARING_MEMBER


SORTS = {
    "received_at": _("收到时间（早→晚）"),
    "-received_at": _("收到时间（晚→早）"),
    "current_due": _("期限（近→远）"),
    "-current_due": _("期限（远→近）"),
    "case_number": _("编号（小→大）"),
    "-case_number": _("编号（大→小）"),
}

FLAGS = {
    "collective": ("is_collective", _("集体访")),
    "repeat": ("is_repeat", _("重复访")),
    "skip_level": ("is_skip_level", _("越级访")),
    "urgent": ("is_urgent", _("重大紧急")),
    "litigation": ("is_litigation", _("涉法涉诉")),
    "assignment": ("is_assignment", _("交办件")),
    "extended": ("is_extended", _("已延期")),
}

# Query-string keys a saved view keeps (the cursor `after` is not one of them).
FILTER_KEYS = [
    "view",
    "q",
    "unit",
    "category",
    "channel",
    "petition_class",
    "flag",
    "status",
    "stage",
    "received_from",
    "received_to",
    "due",
    "sort",
]


class FilterForm(forms.Form):
    q = forms.CharField(label=_("关键词"), required=False, max_length=100)
    unit = forms.TypedChoiceField(label=_("承办单位"), required=False, coerce=int, empty_value=None)
    category = forms.TypedChoiceField(label=_("分类"), required=False, coerce=int, empty_value=None)
    channel = forms.ChoiceField(label=_("渠道"), required=False, choices=[("", _("全部"))] + Channel.choices)
    petition_class = forms.ChoiceField(
        label=_("类别"), required=False, choices=[("", _("全部"))] + PetitionClass.choices
    )
    flag = forms.MultipleChoiceField(
        label=_("标记"),
        required=False,
        choices=[(k, v[1]) for k, v in FLAGS.items()],
        widget=forms.CheckboxSelectMultiple,
    )
    status = forms.ChoiceField(label=_("状态"), required=False, choices=[("", _("全部"))] + Status.choices)
    stage = forms.ChoiceField(label=_("阶段"), required=False, choices=[("", _("全部"))] + Stage.choices)
    received_from = forms.DateField(
        label=_("收到日期自"), required=False, widget=forms.DateInput(attrs={"type": "date"})
    )
    received_to = forms.DateField(
        label=_("至"), required=False, widget=forms.DateInput(attrs={"type": "date"})
    )
    due = forms.ChoiceField(label=_("期限状态"), required=False, choices=[("", _("全部"))] + DueState.choices)
    sort = forms.ChoiceField(label=_("排序"), required=False, choices=[("", _("默认"))] + list(SORTS.items()))

    def __init__(self, data, *, units, categories):
        super().__init__(data)
        self.fields["unit"].choices = [("", _("全部"))] + [(u.pk, "　" * u.depth + u.name) for u in units]
        self.fields["category"].choices = [("", _("全部"))] + [
            (c.pk, "　" + c.name if c.parent_id else c.name) for c in categories
        ]

    def rendered_fields(self) -> list[tuple]:
        """(bound field, html) pairs; selects are built here because rendering
        every <option> through the widget templates costs more than the query."""
        out = []
        for bound in self:
            if isinstance(bound.field.widget, forms.Select) and not isinstance(
                bound.field.widget, forms.CheckboxSelectMultiple
            ):
                current = "" if bound.value() is None else str(bound.value())
                options = format_html_join(
                    "",
                    '<option value="{}"{}>{}</option>',
                    (
                        (value, " selected" if str(value) == current else "", label)
                        for value, label in bound.field.choices
                    ),
                )
                out.append(
                    (
                        bound,
                        format_html(
                            '<select name="{}" id="{}">{}</select>',
                            bound.html_name,
                            bound.id_for_label,
                            options,
                        ),
                    )
                )
            else:
                out.append((bound, bound.as_widget()))
        return out

    def cleaned(self) -> dict:
        """The valid filters; an invalid field is dropped (and shown with its error)."""
        self.is_valid()
        return {k: v for k, v in self.cleaned_data.items() if v not in (None, "", [])}


@dataclass
class Context:
    """What the query needs about the user, loaded once per request."""

    user: object
    units: list  # units offered in the filter (the user's subtree, or all for the bureau)
    categories: list
    own_unit_ids: list[int] | None  # None for bureau staff
    request: object = None  # for the audit rows of phone / ID lookups


def load_context(user, request=None) -> Context:
    from xinfang.units.models import Category, Unit

    bureau = user.is_bureau_staff
    units_qs = Unit.objects.only("id", "name", "path", "parent_id", "kind", "is_active")
    if not bureau:
        units_qs = units_qs.filter(path__startswith=user.unit.path)
    elif (area := bureaus.viewer_area_path(user)) is not None:
        units_qs = units_qs.filter(path__startswith=area)
    # A bureau's lists offer the units of its area (the top bureau: all of them).
    units = list(units_qs.order_by("path"))
    for u in units:
        u.depth = u.path.count("/") - 2
    if units:
        top = units[0].depth
        for u in units:
            u.depth -= top
    categories = Category.in_tree_order(Category.objects.filter(is_active=True).select_related("parent"))
    own = None if bureau else [u.pk for u in units]
    return Context(user=user, units=units, categories=categories, own_unit_ids=own, request=request)


def filtered_queryset(ctx: Context, view: InboxView, filters: dict, today: date | None = None) -> QuerySet:
    return narrowing(ctx, view, filters, today)(visible_petitions(ctx.user))


def narrowing(ctx: Context, view: InboxView, filters: dict, today: date | None = None) -> Callable:
    """The view and filters as a function of the petitions they narrow, so that the scope's parts
    (``visible_parts``) get the same ones.  A typed query is looked up once: a phone or ID lookup
    writes its audit rows once."""
    today = today or timezone.localdate()
    typed = None
    if filters.get("q"):
        typed = lookup.exact_filter(ctx.user, filters["q"], request=ctx.request)
        if typed is None:
            typed = search.search_q(filters["q"])

    def narrow(qs: QuerySet) -> QuerySet:
        qs = view.apply(qs, today)
        if view.key == "to_route" and ctx.user.is_bureau_staff:
            # Each bureau routes what its own desk holds; a lower bureau's queue is its own.
            qs = qs.filter(bureau_id=ctx.user.unit_id)
        # A unit user's scope is already stated on ids (access.py), which the indexes serve.
        if ctx.own_unit_ids is not None and view.own_unit_work:
            qs = qs.filter(handling_unit_id__in=ctx.own_unit_ids)
        if "unit" in filters:
            unit = next((u for u in ctx.units if u.pk == filters["unit"]), None)
            ids = [u.pk for u in ctx.units if unit is not None and u.path.startswith(unit.path)]
            qs = qs.filter(handling_unit_id__in=ids)
        if "category" in filters:
            ids = [c.pk for c in ctx.categories if filters["category"] in (c.pk, c.parent_id)]
            qs = qs.filter(category_id__in=ids)
        for key in ("channel", "petition_class", "status", "stage"):
            if key in filters:
                qs = qs.filter(**{key: filters[key]})
        for flag in filters.get("flag", []):
            qs = qs.filter(**{FLAGS[flag][0]: True})
        if "received_from" in filters:
            qs = qs.filter(received_at__gte=_day_start(filters["received_from"]))
        if "received_to" in filters:
            qs = qs.filter(received_at__lt=_day_start(filters["received_to"] + timedelta(days=1)))
        if "due" in filters:
            qs = {DueState.OVERDUE: qs.overdue, DueState.DUE_SOON: qs.due_soon, DueState.ON_TIME: qs.on_time}[
                filters["due"]
            ](today)
        return qs if typed is None else qs.filter(typed)

    return narrow


# --- sorting and keyset pagination -------------------------------------------

_COLUMNS = {"received_at": "received_at", "current_due": "current_due", "case_number": "case_number"}


def _nulls_largest() -> bool:
    """PostgreSQL sorts NULL after every value, SQLite before; we follow the
    database so its indexes serve the ORDER BY."""
    return connection.vendor == "postgresql"


def order(qs: QuerySet, sort: str, *, by_status: bool = False) -> QuerySet:
    """Order by `sort` then id.  `by_status`: the rows are few (open petitions in
    some statuses), so start from the status index and sort them, rather than walk
    the whole sort index looking for them.  PostgreSQL's statistics see that by
    themselves; SQLite's planner does not, so there the sort key is wrapped in a
    unary plus (a no-op that keeps it from using the sort column's index)."""
    column = sort.lstrip("-")
    desc = sort.startswith("-")
    key = F(column)
    if by_status and connection.vendor == "sqlite":
        key = Func(F(column), template="+%(expressions)s")
    if column == "case_number":  # unique: no tie-breaker needed
        return qs.order_by(key.desc() if desc else key.asc())
    return qs.order_by(key.desc() if desc else key.asc(), "-pk" if desc else "pk")


def _encode(value) -> str:
    raw = json.dumps(value, default=str, ensure_ascii=False).encode()
    return base64.urlsafe_b64encode(raw).decode().rstrip("=")


def cursor_for(row, sort: str) -> str:
    column = sort.lstrip("-")
    value = getattr(row, column)
    if isinstance(value, datetime):
        value = value.isoformat()
    elif isinstance(value, date):
        value = value.isoformat()
    return _encode([value, row.pk])


def _decode(cursor: str, column: str):
    """(value, pk) from a cursor, or None when it is malformed."""
    try:
        value, pk = json.loads(base64.urlsafe_b64decode(cursor + "=" * (-len(cursor) % 4)))
        pk = int(pk)
        if value is None:
            return None, pk
        if column == "received_at":
            value = datetime.fromisoformat(value)
        elif column == "current_due":
            value = date.fromisoformat(value)
        else:
            value = str(value)
        return value, pk
    except (ValueError, TypeError, json.JSONDecodeError):
        return None


def after(qs: QuerySet, sort: str, cursor: str) -> QuerySet:
    """Rows that come after the cursor row in `sort` order."""
    column = _COLUMNS[sort.lstrip("-")]
    decoded = _decode(cursor, column)
    if decoded is None:
        return qs
    value, pk = decoded
    desc = sort.startswith("-")
    gt = "lt" if desc else "gt"
    if column == "case_number":
        return qs.filter(**{f"{column}__{gt}": value}) if value is not None else qs
    # Where NULLs sit in this order: after the values (True) or before them.
    nulls_after = _nulls_largest() != desc
    if value is None:
        later = Q(**{f"{column}__isnull": True}, **{f"pk__{gt}": pk})
        if not nulls_after:
            later |= Q(**{f"{column}__isnull": False})
        return qs.filter(later)
    later = Q(**{f"{column}__{gt}": value}) | Q(**{column: value}, **{f"pk__{gt}": pk})
    if nulls_after:
        later |= Q(**{f"{column}__isnull": True})
    else:
        # A plain bound lets the index range start at the cursor.
        later &= Q(**{f"{column}__{gt}e": value})
    return qs.filter(later)


def page(
    qs: QuerySet, sort: str, cursor: str = "", size: int = PAGE_SIZE, *, by_status: bool = False
) -> tuple[list, str | None]:
    """One page of rows and the cursor of the next page (None on the last page)."""
    qs = order(qs, sort, by_status=by_status)
    if cursor:
        qs = after(qs, sort, cursor)
    return _cut(list(qs[: size + 1]), sort, size)


def _cut(rows: list, sort: str, size: int) -> tuple[list, str | None]:
    """`size` + 1 rows fetched: the page, and the next page's cursor when there is one."""
    if len(rows) > size:
        rows = rows[:size]
        return rows, cursor_for(rows[-1], sort)
    return rows, None


def first_page(
    qs: QuerySet, sort: str, cap: int, size: int | None = None, *, by_status: bool = False
) -> tuple[list, str | None, int]:
    """The first page, its next cursor and the count of the list capped at ``cap`` + 1, from one
    ordered walk: the ids of the first ``cap`` + 1 rows, then the page's rows by id.  For a
    search, whose plan collects and sorts its matches anyway, a separate count repeated the
    list query's work (a search combined with the overdue filter: 135 of the page's 370 ms at
    1,000,000 petitions)."""
    size = PAGE_SIZE if size is None else size
    ordered = order(qs, sort, by_status=by_status)
    head = list(ordered.values_list("pk", flat=True)[: max(cap, size) + 1])
    wanted = head[: size + 1]
    by_id = {row.pk: row for row in qs.filter(pk__in=wanted)}
    rows, cursor = _cut([by_id[pk] for pk in wanted if pk in by_id], sort, size)
    return rows, cursor, len(head)


def _day_start(day: date) -> datetime:
    return timezone.make_aware(datetime.combine(day, time.min))


# --- lists merged from the scope's parts (PostgreSQL) ------------------------


def scope_parts(ctx: Context, sort: str, searching: bool) -> access.ScopeParts | None:
    """The scope's parts (``access.visible_parts``) where merging their first rows beats one walk
    of the whole scope; None where it does not.

    - Sorted by case number: the numbers begin with their bureau's prefix, so an area's rows sit
      together in the case_number index behind the other bureaus' (at 1,000,000 petitions a
      连云区 registrar's first page walked 723,000 rows of 海州区 and 赣榆区: 1.1 s).  Each unit's
      rows are walked in order on its (unit, case_number) index instead.
    - A search by the staff of a unit with few units under it (a department, a town): the
      scope's custody branch (a subquery) kept the planner from intersecting the matches with the
      unit's rows, so it walked the date index across the city looking for a handler's few
      matches (物业 for 海州区人社局: 453 ms).  Each part's matches are intersected through its
      index.  A wide scope (a bureau's area, a government's subtree) finds a page of matches
      soon in one walk, where each part would collect and sort thousands (the city
      government's handler: 105 ms in one walk, 416 merged).

    SQLite's lists keep one walk: its databases are the size of one district's."""
    if connection.vendor != "postgresql":
        return None
    if searching:
        narrow_scope = ctx.own_unit_ids is not None and len(ctx.own_unit_ids) <= SEARCH_MERGE_UNITS
        return access.visible_parts(ctx.user) if narrow_scope else None
    if sort.lstrip("-") != "case_number":
        return None
    if ctx.own_unit_ids is not None and access.holds_every_bureau(ctx.own_unit_ids):
        return None  # the government at the top: every bureau's numbers are its own
    return access.visible_parts(ctx.user)


# A unit's search is merged from its scope's parts up to this many units in its subtree.
SEARCH_MERGE_UNITS = 40


_UNIT = "scope_unit"  # the alias of the unit ids a per-unit walk takes, one by one


def merged_head(
    parts: access.ScopeParts, narrow: Callable, sort: str, limit: int, cursor: str = "", *, per_unit: bool
) -> list[int]:
    """Ids of the first ``limit`` rows, in ``sort`` order and after the cursor, of the union of the
    ``parts`` narrowed by ``narrow``: the first ``limit`` rows of each part, merged and
    de-duplicated by the database (in its collation).  A row among the first ``limit`` of the
    union is among the first ``limit`` of each part that holds it, so none is missed.

    ``per_unit`` (sorted by case number): each unit column, and custody, is walked unit by unit (a
    LATERAL join over the ids, one plan for all of them: one query per unit cost more in building
    and planning than in running); otherwise each is one part with an IN list."""
    column = sort.lstrip("-")

    def head(qs: QuerySet, order_by=None) -> tuple[str, list] | None:
        """The part's first rows as SQL; None when the part is empty by its terms."""
        qs = order(narrow(qs), sort)
        if cursor:
            qs = after(qs, sort, cursor)
        if order_by is not None:
            qs = qs.order_by(order_by)
        try:
            sql, params = qs.values_list(column, "id")[:limit].query.sql_with_params()
        except EmptyResultSet:  # e.g. a unit with no joint cases: pk IN ()
            return None
        return sql, list(params)

    pieces: list[tuple[str, list]] = []
    if per_unit:
        each = RawSQL(f'"{_UNIT}"."id"', [], output_field=BigIntegerField())
        walks = [(parts.restricted(Q(**{c: each})), ids, None) for c, ids in parts.columns]
        # Custody rows carry their matter's number, so a unit's are walked in number order too,
        # from the cursor on (in the same filter: one join of the custody rows).
        desc = sort.startswith("-")
        number = F("custody__petition_number")
        custody = Q(custody__unit_id=each)
        if cursor and (decoded := _decode(cursor, column)) is not None and decoded[0] is not None:
            custody &= Q(**{f"custody__petition_number__{'lt' if desc else 'gt'}": decoded[0]})
        walks.append(
            (parts.restricted(custody), parts.custody_units, number.desc() if desc else number.asc())
        )
        for qs, ids, order_by in walks:
            if ids and (found := head(qs, order_by)) is not None:
                sql, params = found
                lateral = f"SELECT part.* FROM unnest(%s::bigint[]) AS {_UNIT}(id) CROSS JOIN LATERAL ({sql}) AS part"
                pieces.append((lateral, [list(ids), *params]))
        pieces += [found for qs in parts.others if (found := head(qs)) is not None]
    else:
        pieces += [found for qs in parts.querysets() if (found := head(qs)) is not None]
    if not pieces:
        return []
    direction = "DESC" if sort.startswith("-") else "ASC"
    union = " UNION ".join(f"({sql})" for sql, _ in pieces)
    with connection.cursor() as db:
        db.execute(
            f"SELECT * FROM ({union}) AS merged ORDER BY 1 {direction}, 2 {direction} LIMIT {int(limit)}",
            [param for _, params in pieces for param in params],
        )
        return [row[1] for row in db.fetchall()]


def rows_by_id(qs: QuerySet, ids: list[int]) -> list:
    """The rows of ``ids`` from ``qs``, in the order of ``ids``."""
    by_id = {row.pk: row for row in qs.filter(pk__in=ids)}
    return [by_id[pk] for pk in ids if pk in by_id]


def list_page(
    ctx: Context, view: InboxView, filters: dict, sort: str, cursor: str, cap: int, shown: Callable
) -> tuple[list, str | None, int | None]:
    """One page of a list, the next page's cursor, and on the first page the list's count capped
    at ``cap`` + 1.  ``shown`` prepares the queryset the page's rows are read from."""
    narrow = narrowing(ctx, view, filters)
    qs = narrow(visible_petitions(ctx.user))
    by_status = view.key != "all"
    searching = bool(filters.get("q"))
    count = None
    parts = scope_parts(ctx, sort, searching)
    if parts is not None:
        if searching and not cursor:
            head = merged_head(parts, narrow, sort, cap + 1, per_unit=False)
            count = len(head)
        else:
            head = merged_head(parts, narrow, sort, PAGE_SIZE + 1, cursor, per_unit=not searching)
        # The page's rows by id: the ids come from the parts, each read with the access rules.
        rows_qs = shown(Petition.objects.all())
        rows, next_cursor = _cut(rows_by_id(rows_qs, head[: PAGE_SIZE + 1]), sort, PAGE_SIZE)
    elif cursor:
        rows, next_cursor = page(shown(qs), sort, cursor, by_status=by_status)
    elif searching:
        # A search's plan collects its matches and sorts them, so the ordered walk to the cap
        # costs what a separate count would repeat.
        rows, next_cursor, count = first_page(shown(qs), sort, cap, by_status=by_status)
    else:
        rows, next_cursor = page(shown(qs), sort, by_status=by_status)
    if count is None and not cursor:
        # A plain list walks an index in order, where a count of up to the cap is cheaper
        # unordered, and needless when the list ends on its first page.
        count = len(rows) if next_cursor is None else qs.order_by()[: cap + 1].count()
    return rows, next_cursor, count

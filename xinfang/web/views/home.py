"""The start page after login: counts into the inbox views and recent petitions."""

from __future__ import annotations

from django.contrib.auth.decorators import login_required
from django.shortcuts import render
from django.urls import NoReverseMatch, reverse
from django.utils.translation import gettext_lazy as _

from xinfang.accounts.models import Role
from xinfang.petitions.access import visible_petitions
from xinfang.petitions.models import PetitionEvent

# view name → (label, roles that see the tile, queryset builder over visible petitions)
TILES = [
    (
        "to_route",
        _("待转送"),
        {Role.REGISTRAR, Role.BUREAU_LEADER},
        lambda qs, u: qs.awaiting_routing().filter(bureau_id=u.unit_id),
    ),
    (
        "to_accept",
        _("待受理"),
        {Role.HANDLER, Role.UNIT_LEADER},
        lambda qs, u: qs.awaiting_acceptance(u.unit) if u.unit else qs.none(),
    ),
    (
        "handling",
        _("办理中"),
        {Role.HANDLER, Role.UNIT_LEADER, Role.BUREAU_LEADER, Role.SUPERVISOR},
        lambda qs, u: qs.in_handling(),
    ),
    ("opinion_approval", _("意见待审批"), {Role.UNIT_LEADER}, lambda qs, u: qs.awaiting_opinion_approval()),
    (
        "extension_approval",
        _("延期待审批"),
        {Role.UNIT_LEADER},
        lambda qs, u: qs.awaiting_extension_decision(),
    ),
    (
        "reviews",
        _("复查复核"),
        {Role.HANDLER, Role.UNIT_LEADER, Role.BUREAU_LEADER, Role.SUPERVISOR},
        lambda qs, u: qs.in_review(),
    ),
    ("due_soon", _("临期"), set(Role) - {Role.HEARING_MEMBER}, lambda qs, u: qs.due_soon()),
    ("overdue", _("超期"), set(Role) - {Role.HEARING_MEMBER}, lambda qs, u: qs.overdue()),
]


def inbox_url(view: str = "") -> str | None:
    """The inbox helper's list, filtered by `view`; None while it is not installed."""
    try:
        base = reverse("inbox:list")
    except NoReverseMatch:
        return None
    return f"{base}?view={view}" if view else base


TILE_CAP = 999


@login_required
def home(request):
    user = request.user
    visible = visible_petitions(user)
    tiles = []
    for view, label, roles, build in TILES:
        if user.role not in roles:
            continue
        tone = "warn" if view == "due_soon" else "alert" if view == "overdue" else ""
        tiles.append(
            {
                "view": view,
                "label": label,
                # Capped: an exact count over a million rows costs more than it tells.
                "count": build(visible, user).values("pk")[: TILE_CAP + 1].count(),
                "capped": TILE_CAP,
                "url": inbox_url(view),
                "tone": tone,
            }
        )
    # The user's latest events through the (actor, at) index, de-duplicated here:
    # a GROUP BY over all of a registrar's events took seconds at 1M petitions.
    recent_ids: list[int] = []
    for petition_id in (
        PetitionEvent.objects.filter(actor=user).order_by("-at").values_list("petition_id", flat=True)[:200]
    ):
        if petition_id not in recent_ids:
            recent_ids.append(petition_id)
        if len(recent_ids) == 10:
            break
    recent = sorted(
        visible.filter(pk__in=recent_ids).select_related("handling_unit"),
        key=lambda p: recent_ids.index(p.pk),
    )
    can_register = (
        user.role in {Role.REGISTRAR, Role.BUREAU_LEADER, Role.HANDLER, Role.UNIT_LEADER} and user.unit
    )
    return render(
        request,
        "web/home.html",
        {"tiles": tiles, "recent": recent, "can_register": can_register, "inbox_all": inbox_url()},
    )

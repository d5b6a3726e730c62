"""Places and bureaus as people pick them: the portal's place picker, the contact
details printed for a matter, and the routing targets of a bureau's desk.

Built on units/bureaus.py (the areas); nothing here decides who may see or do
what — it only lists choices that the actions check again.
"""

from __future__ import annotations

from dataclasses import dataclass

from . import bureaus
from .models import LEVEL_RANK, Unit, UnitKind, UnitLevel

# Bureaus that head a group of the portal's place picker: county level and above.
GROUP_LEVELS = {UnitLevel.PROVINCE, UnitLevel.CITY, UnitLevel.COUNTY}


def several_bureaus() -> bool:
    """True when the installation has more than one active petition bureau."""
    return Unit.objects.filter(kind=UnitKind.BUREAU, is_active=True).count() > 1


def area_name(bureau: Unit) -> str:
    """The place a bureau answers for, as people say it: 海州区, 连云港市."""
    root = bureaus.area_root(bureau)
    if root.pk == bureau.pk:
        return bureau.display_short
    for suffix in ("人民政府", "政府"):
        if root.name.endswith(suffix) and len(root.name) > len(suffix):
            return root.name[: -len(suffix)]
    return root.short_name or root.name


@dataclass
class PlaceGroup:
    bureau: Unit
    label: str  # 海州区
    towns: list[Unit]


def place_groups() -> list[PlaceGroup]:
    """One group per bureau of county level or above, higher levels first (the city
    before its districts), each with the active towns of its area that no
    deeper group of the same kind holds.  Two queries."""
    active = Unit.objects.filter(kind=UnitKind.BUREAU, is_active=True, level__in=GROUP_LEVELS)
    heads = sorted(active.select_related("parent"), key=lambda b: (LEVEL_RANK.get(b.level, 99), b.path))
    roots = {b.pk: bureaus.area_root(b) for b in heads}
    groups = {b.pk: PlaceGroup(bureau=b, label=area_name(b), towns=[]) for b in heads}
    towns = Unit.objects.filter(kind=UnitKind.TERRITORIAL, level=UnitLevel.TOWN, is_active=True).order_by(
        "path"
    )
    for town in towns:
        holders = [b for b in heads if town.path.startswith(roots[b.pk].path)]
        if holders:
            # The deepest area holds the town (海州区, not 连云港市).
            deepest = max(holders, key=lambda b: len(roots[b.pk].path))
            groups[deepest.pk].towns.append(town)
    return [groups[b.pk] for b in heads]


def bureau_of_petition(petition) -> Unit | None:
    """The bureau a petitioner deals with about a matter: the one whose desk holds
    it (the registering bureau until the matter moves to another bureau)."""
    if petition.bureau_id:
        return petition.bureau
    return bureaus.bureau_for(petition.registering_unit)


def bureau_contact(petition) -> dict[str, str]:
    """bureau_name, bureau_phone, bureau_address of `bureau_of_petition`."""
    bureau = bureau_of_petition(petition)
    if bureau is None:
        return {"bureau_name": "", "bureau_phone": "", "bureau_address": ""}
    return {"bureau_name": bureau.name, "bureau_phone": bureau.phone, "bureau_address": bureau.address}


def user_bureau(user) -> Unit | None:
    """The bureau a staff member works in or with (cached on the user object for
    the request: page headers ask for it on every page)."""
    if not getattr(user, "is_authenticated", False) or not getattr(user, "unit_id", None):
        return None
    cached = getattr(user, "_xf_bureau", False)
    if cached is False:
        cached = bureaus.bureau_for(user.unit)
        user._xf_bureau = cached
    return cached


def targets_among(bureau: Unit | None, units) -> tuple[list[Unit], list[Unit]]:
    """route_targets computed from `units`, every unit in tree order (a list the page
    has loaded anyway: the inbox's units)."""
    active = [u for u in units if u.is_active]
    others = [u for u in active if u.kind != UnitKind.BUREAU]
    if bureau is None:
        return [], others
    root = bureaus.area_path(bureau)
    active_bureaus = [u for u in active if u.kind == UnitKind.BUREAU]
    covers = all(b.path.startswith(root) for b in active_bureaus)
    lower = [b for b in active_bureaus if b.path.startswith(root) and b.pk != bureau.pk]
    if covers and not lower:
        return [], others
    inside = others if covers else [u for u in others if u.path.startswith(root)]
    lower_roots = [bureaus.area_path(b) for b in lower]
    own = [u for u in inside if not any(u.path.startswith(r) and u.path != r for r in lower_roots)]
    return lower, own


def route_targets(bureau: Unit | None) -> tuple[list[Unit], list[Unit]]:
    """What a bureau's desk may route to (转送 / 交办, Art. 22): (lower bureaus,
    units), each in tree order.  One query.

    The units are those of the bureau's own area: the bodies it works with and the
    governments of its lower areas (海州区人民政府), but not the units inside a lower
    bureau's area — those matters go down to that bureau — nor anything of a
    sibling area.  The top bureau of a one-bureau installation is offered every
    active unit that is not a bureau, as before."""
    return targets_among(bureau, Unit.objects.active().order_by("path"))

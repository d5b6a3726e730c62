"""Which matters a bureau's statistics count, and how a city's figures split into its districts.

A bureau's statistics cover its **area** (units/bureaus.py: the subtree of the government it
belongs to).  Each count of the rollup belongs to one unit (rollup.py); a matter not yet routed
to a unit counts at the bureau whose desk holds it.  So a matter is counted once, in the area of

    its handling unit, else the bureau that holds it (Petition.bureau), else its registering unit

(`attributed_unit`).  Every matter so counted is one the bureau may see (petitions/access.py
`scope_branches` lets a bureau see matters whose handling unit, holding bureau or registering unit
is in its area), and sibling districts never count each other's.  A city's area holds its
districts' areas: its figures add up its districts' and its own level's (the city's departments
and the city bureau's desk), and its league of districts has one row per district (`split`).

The top bureau (no other bureau outside its area, as in a one-bureau installation) counts
everything: `unit_ids` is None there, and the dashboards read the installation-wide rows.
"""

from __future__ import annotations

from dataclasses import dataclass

from django.db.models import BigIntegerField
from django.db.models.functions import Coalesce

from xinfang.units import bureaus
from xinfang.units.models import Unit


def attributed_unit(prefix: str = ""):
    """The unit a matter counts at (module doc); ``prefix`` e.g. "petition__" from a related row."""
    return Coalesce(
        f"{prefix}handling_unit_id",
        f"{prefix}bureau_id",
        f"{prefix}registering_unit_id",
        output_field=BigIntegerField(),
    )


def unit_ids(bureau: Unit | None) -> list[int] | None:
    """The units whose counts make up the bureau's figures; None = every unit (the top bureau)."""
    if bureau is None or bureaus.covers_everything(bureau):
        return None
    return bureaus.area_unit_ids(bureau)


def area_name(bureau: Unit) -> str:
    """How a district's row is named: its government (海州区人民政府), else the bureau."""
    return bureaus.area_root(bureau).name


@dataclass(frozen=True)
class Part:
    """One district of an upper bureau's area (``bureau`` None: the upper bureau's own level)."""

    bureau: Unit | None
    name: str
    unit_ids: frozenset[int]


def parts(bureau: Unit | None) -> list[Part]:
    """The districts of the bureau's area (its direct lower bureaus, in tree order), then its own
    level (every other unit of the area); empty when the bureau has no lower bureau."""
    if bureau is None:
        return []
    lower = bureaus.direct_lower_bureaus(bureau)
    if not lower:
        return []
    out = [Part(b, area_name(b), frozenset(bureaus.area_unit_ids(b))) for b in lower]
    taken = set().union(*(p.unit_ids for p in out))
    area = unit_ids(bureau)
    own = frozenset(
        (set(area) if area is not None else set(Unit.objects.values_list("pk", flat=True))) - taken
    )
    return [*out, Part(None, own_level_name(bureau), own)]


def own_level_name(bureau: Unit) -> str:
    from django.utils.translation import gettext as _

    return _("%(area)s本级") % {"area": area_name(bureau)}


def split(per_unit: dict, parts_: list[Part]) -> list[tuple[Part, dict]]:
    """Counts per unit summed into each part (a unit's counts go to the part that holds it)."""
    part_of = {u: i for i, p in enumerate(parts_) for u in p.unit_ids}
    sums: list[dict] = [{} for _ in parts_]
    for unit_id, counts in per_unit.items():
        i = part_of.get(unit_id)
        if i is None:
            continue
        for m, v in counts.items():
            sums[i][m] = sums[i].get(m, 0) + (v or 0)
    return list(zip(parts_, sums, strict=True))


def part_of_units(parts_: list[Part]) -> dict[int, int]:
    """unit id → index of its part."""
    return {u: i for i, p in enumerate(parts_) for u in p.unit_ids}


def may_view(viewer_bureau: Unit, target: Unit) -> bool:
    """A bureau's viewer sees figures of units and lower bureaus within its own area only."""
    return bureaus.covers_everything(viewer_bureau) or bureaus.in_area(viewer_bureau, target)

"""Petition bureaus at every level of one installation, and the area each one covers.

The unit tree is the tree of governments with their bodies under them:

    连云港市人民政府                  (city government)
    ├── 连云港市信访局               the city's bureau
    ├── 市住房和城乡建设局 …          city departments
    ├── 海州区人民政府               (district government)
    │   ├── 海州区信访局             the district's bureau
    │   ├── 新海街道 › 朝阳社区 …    towns, departments
    │   └── 新海街道信访办 (optional, a town-level bureau under its town)
    └── 连云区人民政府 › 连云区信访局 …

A bureau's **area** is the subtree of the government it belongs to (its parent):
the city bureau's area holds the districts' areas, so an upper bureau sees what
happens below it (to supervise, Arts. 37–39), and sibling districts see nothing of
each other.  A unit belongs to the nearest bureau above it: the bureau found
beside the nearest government that has one.
"""

from __future__ import annotations

from django.db.models import Q

from .models import Unit, UnitKind


def is_bureau(unit: Unit | None) -> bool:
    return unit is not None and unit.kind == UnitKind.BUREAU


def area_root(bureau: Unit) -> Unit:
    """The government whose subtree the bureau covers (the bureau itself at the root)."""
    return bureau.parent if bureau.parent_id else bureau


def area_path(bureau: Unit) -> str:
    """The path of the bureau's area, read from its own path (no query)."""
    if not bureau.parent_id:
        return bureau.path
    return bureau.path[: bureau.path.rstrip("/").rfind("/") + 1]


def bureau_for(unit: Unit | None) -> Unit | None:
    """The petition bureau that `unit` works with: the unit itself when it is a
    bureau, else the active bureau under the nearest ancestor that has one."""
    if unit is None:
        return None
    if is_bureau(unit):
        return unit
    lineage = unit.lineage_ids()
    bureaus = {
        b.parent_id: b
        for b in Unit.objects.filter(kind=UnitKind.BUREAU, is_active=True, parent_id__in=lineage).order_by(
            "-pk"
        )
    }
    for unit_id in reversed(lineage):
        if unit_id in bureaus:
            return bureaus[unit_id]
    return None


def area_unit_ids(bureau: Unit) -> list[int]:
    """Ids of every unit in the bureau's area (its government's subtree)."""
    root = area_root(bureau)
    return list(Unit.objects.filter(path__startswith=root.path).values_list("pk", flat=True))


def covers_everything(bureau: Unit) -> bool:
    """True for the top bureau: no other active bureau lies outside its area (in a
    one-bureau installation, the bureau answers for the whole tree)."""
    others = Unit.objects.filter(kind=UnitKind.BUREAU, is_active=True).exclude(
        path__startswith=area_path(bureau)
    )
    return not others.exists()


def viewer_area_path(user) -> str | None:
    """The path of the area a bureau staff member works in, or None when that is the
    whole installation.  Cached on the user object: one query per request."""
    cached = getattr(user, "_bureau_area_path", False)
    if cached is False:
        bureau = user.unit
        cached = None if covers_everything(bureau) else area_path(bureau)
        user._bureau_area_path = cached
    return cached


def viewer_area_ids(user) -> list[int] | None:
    """Ids of the units in the viewer's bureau area (None for the whole installation):
    filters on ids use the petition's unit indexes where a path join would scan."""
    path = viewer_area_path(user)
    if path is None:
        return None
    cached = getattr(user, "_bureau_area_ids", None)
    if cached is None:
        cached = list(Unit.objects.filter(path__startswith=path).values_list("pk", flat=True))
        user._bureau_area_ids = cached
    return cached


def sees_everything(user) -> bool:
    """The bureau member works at the top bureau (``viewer_area_path``: cached per request)."""
    return viewer_area_path(user) is None


def in_area(bureau: Unit, unit: Unit | None) -> bool:
    return unit is not None and unit.path.startswith(area_path(bureau))


def upper_bureau(bureau: Unit) -> Unit | None:
    """The bureau one level up: the bureau of the government above this one's."""
    root = area_root(bureau)
    return bureau_for(root.parent) if root.parent_id else None


def lower_bureaus(bureau: Unit) -> list[Unit]:
    """Active bureaus inside this bureau's area, other than itself, in tree order."""
    root = area_root(bureau)
    return list(
        Unit.objects.filter(kind=UnitKind.BUREAU, is_active=True, path__startswith=root.path)
        .exclude(pk=bureau.pk)
        .order_by("path")
    )


def direct_lower_bureaus(bureau: Unit) -> list[Unit]:
    """The lower bureaus whose upper bureau is this one (the districts of a city)."""
    return [b for b in lower_bureaus(bureau) if (up := upper_bureau(b)) is not None and up.pk == bureau.pk]


def all_bureaus() -> list[Unit]:
    return list(Unit.objects.filter(kind=UnitKind.BUREAU, is_active=True).order_by("path"))


def area_q(bureau: Unit, field: str) -> Q:
    """Q over a unit foreign key `field` for units in the bureau's area."""
    return Q(**{f"{field}__path__startswith": area_path(bureau)})


# ----- what one member of bureau staff reads and acts on ---------------------------------------------
EVERYTHING = Q(pk__isnull=False)
# Every app that scopes its records (alerts, receptions, hearings, commitments, ownership, supervision,
# statistics …) asks these instead of ``user.is_bureau_staff``: working at *a* bureau no longer means
# seeing everything once the installation holds several bureaus.


def reach_q(user, field: str) -> Q:
    """Q over a unit foreign key ``field`` for the records a bureau member reads: those of their
    bureau's area (a city's bureau reads its districts' to supervise them; sibling bureaus read
    nothing of each other's).  The top bureau reads everything, rows without a unit included."""
    path = viewer_area_path(user)
    if path is None:
        return EVERYTHING  # not Q(): an empty Q vanishes when OR-ed with another
    return Q(**{f"{field}__path__startswith": path})


def reaches(user, unit: Unit | None) -> bool:
    """The bureau member reads records of ``unit`` (see ``reach_q``); a record without a unit is
    read only by the top bureau."""
    path = viewer_area_path(user)
    if unit is None:
        return path is None
    return path is None or unit.path.startswith(path)


def owns(user, unit: Unit | None) -> bool:
    """``unit``'s records belong to the bureau member's own bureau: the nearest bureau above the unit
    is theirs (acting on them is theirs; an upper bureau reads and supervises, but does not act in a
    lower one's place).  A record without a unit, or of a unit under no bureau, belongs to the top
    bureau."""
    bureau = bureau_for(unit)
    if bureau is None:
        return sees_everything(user)
    return bureau.pk == user.unit_id


def owns_matter(user, petition) -> bool:
    """The petition is held at the bureau member's own desk (``Petition.bureau``; for a matter
    recorded before bureaus were, the bureau of its handling or registering unit)."""
    if petition.bureau_id is not None:
        return petition.bureau_id == user.unit_id
    return owns(user, petition.handling_unit or petition.registering_unit)


def unit_reach_q(user) -> Q:
    """Q over Unit itself for the units a bureau member reads (their bureau's area)."""
    path = viewer_area_path(user)
    return EVERYTHING if path is None else Q(path__startswith=path)


def supervises_matter(user, petition) -> bool:
    """The bureau member's bureau holds the matter or lies above the bureau that does (督办, Arts.
    37–39: read, supervise, set report dates — never act in the lower bureau's place)."""
    if owns_matter(user, petition):
        return True
    holder = petition.bureau if petition.bureau_id else None
    return holder is not None and reaches(user, holder)


def scope_unit(user) -> Unit | None:
    """The unit whose subtree a bureau member's figures cover: None (everything) for the top bureau,
    else the government of their bureau's area."""
    return None if sees_everything(user) else area_root(user.unit)

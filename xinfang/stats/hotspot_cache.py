"""Hot spots served from a cache, so the page answers at once at any size.

Grouping a month of a large district (41,000 petitions at 1,000,000) takes about 15 s, most of it
segmentation and the neighbour graph. Each bureau's grouping of its area for the current month is
computed by the worker (stats job, every DETECTOR_INTERVAL) and shared by that bureau's viewers
(a city's viewers share the city's, which spans its districts; a district's share the district's);
each viewer then sees only the petitions they may open (counts and keywords are aggregate figures
of the bureau's area).
Any other period or scope is computed on first request and kept for HOT_SPOTS_TTL, per user.
Every entry carries the time it was computed, which the page shows (计算于 …).
"""

from __future__ import annotations

from datetime import date, datetime

from django.core.cache import cache
from django.utils import timezone

from . import hotspots

HOT_SPOTS_TTL = 3600
_VERSION = 1


def _entry(
    start: date, end: date, unit, user, limit: int, min_count: int, refresh: bool = False, bureau=None
) -> dict:
    """The cached grouping of start..end for ``unit`` (else ``bureau``'s area) as ``user`` sees it
    (None: shared by the bureau's viewers); the key and the computation come from the same
    arguments."""
    scope = "bureau" if user is None else f"user{user.pk}"
    unit_key = f"u{unit.pk}" if unit is not None else f"b{bureau.pk}" if bureau is not None else "all"
    key = f"stats:hotspots:v{_VERSION}:{start}:{end}:{unit_key}:{scope}:{limit}:{min_count}"
    entry = None if refresh else cache.get(key)
    if entry is None:
        spots = hotspots.hot_spots(
            start, end, unit, user=user, limit=limit, min_count=min_count, bureau=bureau
        )
        entry = {"computed_at": timezone.now(), "spots": spots}
        cache.set(key, entry, HOT_SPOTS_TTL)
    return entry


def _visible_only(spots: list[dict], user) -> list[dict]:
    """A shared (bureau-wide) entry as ``user`` may see it.  A bureau viewer sees the bureau's
    petitions but those hidden from them whatever their scope (accusations against them, matters
    they stepped aside from but for the oversight roles: access.hidden_whatever_scope), so those are
    taken out of the ids and the counts; the examples shown are checked once more through
    visible_petitions.  (Filtering every id through visible_petitions took 0.64 s for a two-year
    period at 100,000 petitions.)"""
    from xinfang.petitions.access import hidden_whatever_scope, visible_petitions

    hidden = set(hidden_whatever_scope(user))
    shown = {e["id"] for spot in spots for e in spot["examples"]}
    openable = set(visible_petitions(user).filter(pk__in=shown).values_list("pk", flat=True))
    out = []
    for spot in spots:
        ids = [i for i in spot["petition_ids"] if i not in hidden]
        examples = [e for e in spot["examples"] if e["id"] in openable and e["id"] not in hidden]
        out.append({**spot, "petition_ids": ids, "count": len(ids), "examples": examples})
    return out


def hot_spots(
    start: date,
    end: date,
    unit=None,
    *,
    user,
    shared: bool,
    limit: int = 10,
    min_count: int = 2,
    refresh: bool = False,
    bureau=None,
) -> tuple[list[dict], datetime]:
    """(spots, computed_at). ``shared``: the caller is a bureau viewer looking at ``bureau``'s
    area (views.scope_for: their own, or a lower bureau's inside it)."""
    if shared and unit is None:
        entry = _entry(start, end, None, None, limit, min_count, refresh, _area_key(bureau))
        return _visible_only(entry["spots"], user), entry["computed_at"]
    entry = _entry(start, end, unit, user, limit, min_count, refresh, _area_key(bureau))
    return entry["spots"], entry["computed_at"]


def _area_key(bureau):
    """The top bureau's area is everything: it shares the installation-wide entry ("all")."""
    from xinfang.units.bureaus import covers_everything, lower_bureaus

    if bureau is None or (covers_everything(bureau) and not lower_bureaus(bureau)):
        return None
    return bureau


def monthly_candidates(month: date, *, user, shared: bool, refresh: bool = False, bureau=None):
    """每月一题 candidates of the month (see hotspots.monthly_candidates), with computed_at."""
    start, end = hotspots.month_bounds(month)
    spots, computed_at = hot_spots(
        start, end, None, user=user, shared=shared, limit=50, min_count=3, refresh=refresh, bureau=bureau
    )
    return hotspots.rank_monthly(spots), computed_at


def refresh_current(today: date) -> int:
    """Recompute the shared entries the pages open by default, for every bureau's area (the worker
    calls this); returns the number of entries."""
    from xinfang.units.bureaus import all_bureaus

    month_start, month_end = hotspots.month_bounds(today)
    areas = {_area_key(b) for b in all_bureaus()} or {None}
    for bureau in areas:
        _entry(today.replace(day=1), today, None, None, 10, 2, refresh=True, bureau=bureau)
        _entry(month_start, month_end, None, None, 50, 3, refresh=True, bureau=bureau)
    return 2 * len(areas)

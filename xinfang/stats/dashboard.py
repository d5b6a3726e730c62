"""Dashboard figures: the rollup for past days plus today's live delta.

`figures(start, end, unit, bureau=)` returns plain dicts and lists (JSON-able) that the
HTML dashboards, the API, the CSV/Excel downloads and the reports share.  With ``unit``, that
unit and the units under it; else with ``bureau``, the bureau's area (areas.py: the top bureau
counts everything), and for a bureau with lower bureaus (a city) a league of its districts
(``districts``: one row per district's area, then its own level, unranked).

With ``viewer`` given, the figures count only what the viewer may open (issue 13 §13): a unit's
figures would otherwise count an accusation against the viewer's own unit (handled by a unit
below it, e.g. the discipline commission under the accused government) or a matter the viewer is
recused from.  Those petitions (`access.hidden_whatever_scope`) are computed live and
subtracted.
"""

from __future__ import annotations

from collections import defaultdict
from datetime import date, timedelta

from django.core.cache import cache
from django.db.models import Sum
from django.utils import timezone
from django.utils.translation import gettext as _

from xinfang.alerts.lights import traffic_lights
from xinfang.petitions.access import hidden_whatever_scope
from xinfang.petitions.choices import Channel, PetitionClass
from xinfang.petitions.models import PetitionEvent
from xinfang.units import bureaus
from xinfang.units.models import Category, Unit, UnitKind, UnitLevel

from . import areas, rates, rollup
from .models import MEASURES, DailyStat, DailyVolume, VolumeDim


def scope_ids(unit: Unit | None) -> list[int] | None:
    """The unit and every unit under it; None = everything (the bureau)."""
    if unit is None:
        return None
    return list(Unit.objects.filter(path__startswith=unit.path).values_list("id", flat=True))


LIVE_SECONDS = 60


def live_today(today: date) -> tuple[list, list]:
    """Today's counts computed from the source tables, cached for LIVE_SECONDS
    so a busy dashboard does not recompute them on every request; the key
    carries the latest event id, so any new event starts afresh."""
    last_event = PetitionEvent.objects.order_by("-id").values_list("id", flat=True).first() or 0
    key = f"stats:live:{today.isoformat()}:{last_event}"
    cached = cache.get(key)
    if cached is None:
        live = rollup.compute(today, today)
        cached = (
            [(unit_id, dict(counts)) for (_, unit_id), counts in live.stats.items()],
            [(unit_id, dim, k, n) for (_, unit_id, dim, k), n in live.volumes.items()],
        )
        cache.set(key, cached, LIVE_SECONDS)
    return cached


def _subtract(per_unit: dict, volumes: dict, daily: dict, start: date, end: date, hidden, unit_ids):
    """Take the contribution of the petitions ``hidden`` out of the loaded figures."""
    sub = rollup.compute(start, end, petition_ids=hidden)
    for (day, unit_id), counts in sub.stats.items():
        if unit_ids is not None and unit_id not in unit_ids:
            continue
        for m, v in counts.items():
            per_unit[unit_id][m] = max(0, per_unit[unit_id][m] - v)
        for m in ("received", "concluded"):
            daily[day][m] = max(0, daily[day][m] - counts.get(m, 0))
    for (_day, unit_id, dim, key), n in sub.volumes.items():
        if (unit_ids is None and unit_id is None) or (unit_ids is not None and unit_id in unit_ids):
            volumes[(dim, key)] = max(0, volumes[(dim, key)] - n)


def load(start: date, end: date, unit_ids, hidden=()) -> tuple[dict, dict, dict]:
    """(counts per unit, received per (dim, key), per-day received/concluded) for
    start..end: stored rollup rows up to yesterday, today computed live; without the
    petitions ``hidden``."""
    today = timezone.localdate()
    per_unit: dict = defaultdict(lambda: defaultdict(int))
    volumes: dict = defaultdict(int)
    daily: dict[date, dict] = defaultdict(lambda: defaultdict(int))
    stored_end = min(end, today - timedelta(days=1))
    if start <= stored_end:
        stats = DailyStat.objects.filter(date__gte=start, date__lte=stored_end)
        vols = DailyVolume.objects.filter(date__gte=start, date__lte=stored_end)
        if unit_ids is None:
            vols = vols.filter(unit__isnull=True)
        else:
            stats, vols = stats.filter(unit_id__in=unit_ids), vols.filter(unit_id__in=unit_ids)
        for row in stats.values("unit_id").annotate(**{m: Sum(m) for m in MEASURES}).order_by():
            per_unit[row.pop("unit_id")].update(row)
        for row in (
            stats.values("date").annotate(received=Sum("received"), concluded=Sum("concluded")).order_by()
        ):
            daily[row["date"]].update(received=row["received"], concluded=row["concluded"])
        for row in vols.values("dim", "key").annotate(n=Sum("received")).order_by():
            volumes[(row["dim"], row["key"])] += row["n"]
    if start <= today <= end:
        live_stats, live_volumes = live_today(today)
        for unit_id, counts in live_stats:
            if unit_ids is None or unit_id in unit_ids:
                for m, v in counts.items():
                    per_unit[unit_id][m] += v
                daily[today]["received"] += counts.get("received", 0)
                daily[today]["concluded"] += counts.get("concluded", 0)
        for unit_id, dim, key, n in live_volumes:
            if (unit_ids is None and unit_id is None) or (unit_ids is not None and unit_id in unit_ids):
                volumes[(dim, key)] += n
    if hidden:
        _subtract(per_unit, volumes, daily, start, end, hidden, unit_ids)
    return per_unit, volumes, daily


def _dim(volumes: dict, dim: str) -> dict[str, int]:
    return {key: n for (d, key), n in volumes.items() if d == dim and n}


def _series(daily: dict[date, dict], start: date, end: date, weekly: bool) -> list[dict]:
    out = []
    day = start
    while day <= end:
        if weekly:
            week_end = min(day + timedelta(days=6 - day.weekday()), end)
            received = sum(
                daily.get(day + timedelta(days=i), {}).get("received", 0)
                for i in range((week_end - day).days + 1)
            )
            concluded = sum(
                daily.get(day + timedelta(days=i), {}).get("concluded", 0)
                for i in range((week_end - day).days + 1)
            )
            out.append({"date": day.isoformat(), "received": received, "concluded": concluded})
            day = week_end + timedelta(days=1)
        else:
            row = daily.get(day, {})
            out.append(
                {
                    "date": day.isoformat(),
                    "received": row.get("received", 0),
                    "concluded": row.get("concluded", 0),
                }
            )
            day += timedelta(days=1)
    return out


def figures(
    start: date,
    end: date,
    unit: Unit | None = None,
    *,
    bureau: Unit | None = None,
    with_backlog: bool = True,
    viewer=None,
) -> dict:
    unit_ids = scope_ids(unit) if unit is not None else areas.unit_ids(bureau)
    area_root = bureaus.area_root(bureau) if unit is None and unit_ids is not None else None
    hidden = hidden_whatever_scope(viewer)
    per_unit, volumes, daily = load(start, end, unit_ids, hidden)
    totals = dict.fromkeys(MEASURES, 0)
    for counts in per_unit.values():
        for m in MEASURES:
            totals[m] += counts.get(m) or 0
    units = dict(Unit.objects.values_list("id", "name"))
    categories = dict(Category.objects.values_list("id", "name"))
    by_category = [
        {"label": categories.get(int(k), _("未分类")) if k else _("未分类"), "count": n}
        for k, n in _dim(volumes, VolumeDim.CATEGORY).items()
    ]
    town_counts = _dim(volumes, VolumeDim.TOWN)
    towns = [
        {"unit_id": u.pk, "name": u.name, "count": town_counts.get(str(u.pk), 0)}
        for u in Unit.objects.filter(kind=UnitKind.TERRITORIAL, level=UnitLevel.TOWN).order_by("path")
        if unit_ids is None or u.pk in unit_ids
    ]
    respondents = sorted(
        (
            {"unit": units.get(int(k), "—"), "count": n}
            for k, n in _dim(volumes, VolumeDim.RESPONDENT).items()
            if k
        ),
        key=lambda r: (-r["count"], r["unit"]),
    )
    rate_rows = rates.all_rates(totals)
    if with_backlog:
        rate_rows.append(
            {
                "code": "backlog",
                "label": _("积案化解率"),
                **rates.backlog_rate(unit or area_root, start, end),
                "formula": str(rates.BACKLOG_FORMULA),
            }
        )
    return {
        "start": start.isoformat(),
        "end": end.isoformat(),
        "unit": unit.name if unit else None,
        "bureau": bureau.name if bureau is not None and unit is None else None,
        "totals": totals,
        "rates": rate_rows,
        "by_channel": _labelled(_dim(volumes, VolumeDim.CHANNEL), dict(Channel.choices)),
        "by_category": sorted(by_category, key=lambda r: -r["count"]),
        "by_class": _labelled(_dim(volumes, VolumeDim.CLASS), dict(PetitionClass.choices)),
        "by_town": towns,
        "respondents": respondents,
        "trend": _series(daily, start, end, weekly=(end - start).days > 92),
        "league": rates.league_table({u: c for u, c in per_unit.items() if u is not None}, units),
        "districts": district_league(per_unit, bureau) if unit is None else [],
        "deadlines": traffic_lights(unit_ids, hidden, held_at_desk=area_root is not None),
        "updated_at": rollup.freshness(),
    }


def district_league(per_unit: dict, bureau: Unit | None) -> list[dict]:
    """The league of the bureau's districts (areas.parts), ranked with the unit league's rule
    (rates.league_table: minimum volume, shrinkage); the bureau's own level follows, unranked.
    Each row carries ``bureau_id`` (the district's bureau, None for the own level) and the
    district's totals."""
    parts = areas.parts(bureau)
    if not parts:
        return []
    summed = areas.split(per_unit, parts)
    districts = {i: counts for i, (part, counts) in enumerate(summed) if part.bureau is not None}
    names = {i: part.name for i, (part, _counts) in enumerate(summed)}
    rows = rates.league_table(districts, names)
    own_index = len(parts) - 1
    own = rates.league_table({own_index: summed[own_index][1]}, names)[0]
    own.update(rank=None, score=None, too_few=False, own_level=True)
    out = []
    for row in [*rows, own]:
        part, counts = summed[row.pop("unit_id")]
        row["bureau_id"] = part.bureau.pk if part.bureau is not None else None
        row["own_level"] = part.bureau is None
        row["totals"] = {m: counts.get(m, 0) for m in MEASURES}
        out.append(row)
    return out


def _labelled(counts: dict, labels: dict) -> list[dict]:
    return sorted(
        (
            {"code": k, "label": str(labels.get(k, k or _("未分类"))), "count": v}
            for k, v in counts.items()
            if v
        ),
        key=lambda r: -r["count"],
    )

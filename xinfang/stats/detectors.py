"""Early-warning detectors (预警).  Each returns the number of alerts raised;
all are idempotent through `raise_alert` dedupe keys.

- surges: per category (top level), town and respondent unit, daily counts of
  the last 56 + 7 days → surge.detect (negative-binomial predictive test), in each
  bureau's area; a city keeps the surges that span several districts
  (`detect_surges`);
- collective matters: petitions of the last 7 days grouped by content
  (xinfang.triage.groups.collective_groups when installed, else
  hotspots.cluster) within one town / place, ≥ 5 distinct petitioners (or head
  count);
- repeat petitioners escalating: ≥ 3 petitions in the last 30 days and more
  than their own previous rate (the 180 days before, per 30 days);
- skip-level: recent petitions flagged 越级访, or transferred from above while
  the same petitioner has an open matter of the same category below;
- urgent: recent petitions marked 重大紧急 (Art. 25).
"""

from __future__ import annotations

from collections import Counter, defaultdict
from datetime import date, timedelta

from django.db import transaction
from django.db.models import Count, Exists, OuterRef, Q
from django.db.models.functions import TruncDate
from django.utils import timezone

from xinfang.alerts.actions import after_raise
from xinfang.alerts.models import Alert, AlertKind, AlertNotice, Severity
from xinfang.alerts.raising import raise_alert
from xinfang.lib import claims
from xinfang.petitions.choices import OPEN_STATUSES, Channel, PetitionClass
from xinfang.petitions.models import Petition, PetitionPetitioner
from xinfang.units import bureaus
from xinfang.units.models import Category, Unit

from . import areas, surge
from .rollup import TZ, bounds

COLLECTIVE_DAYS = 7
COLLECTIVE_MIN_PEOPLE = 5
REPEAT_WINDOW = 30
REPEAT_MIN = 3
REPEAT_HISTORY = 180


@transaction.atomic
def _raise(**kwargs) -> int:
    # The alert and its notice commit together: follow_up() in another worker
    # never sees the alert without its notice and notifies a second time.
    return after_raise(raise_alert(**kwargs)) is not None


def follow_up(now=None, *, days: int = 2, batch: int = 500) -> int:
    """Alerts raised elsewhere (deadline warnings, the triage helper's collective
    groups) get the same follow-up as ours: a notice to their unit and, for
    Art. 25 matters, the report up.  An alert with any notice is done."""
    now = now or timezone.now()
    with transaction.atomic():
        # One worker at a time: the notice is the claim, and two passes would both find it missing.
        if not claims.try_lock("stats.detectors.follow_up"):
            return 0
        return _follow_up(now, days, batch)


def _follow_up(now, days: int, batch: int) -> int:
    pending = (
        Alert.objects.filter(created_at__gte=now - timedelta(days=days))
        .exclude(Exists(AlertNotice.objects.filter(alert=OuterRef("pk"))))
        .select_related("unit", "petition")
        .order_by("pk")[:batch]
    )
    done = 0
    for alert in pending:
        after_raise(alert)
        done += 1
    return done


# --- surges -------------------------------------------------------------------------------------


def _top_categories() -> dict[int, Category]:
    cats = {c.pk: c for c in Category.objects.all()}
    out = {}
    for pk, c in cats.items():
        node = c
        while node.parent_id and node.parent_id in cats:
            node = cats[node.parent_id]
        out[pk] = node
    return out


def surge_rows(today: date) -> tuple[date, int, list[tuple[str, int, int, int, int]]]:
    """(first day, number of days, rows (dim, key, day index, unit counted at, count)) of the
    last 56 + 7 days, per category (top level), town and respondent unit; one pass for every
    bureau's area (areas.attributed_unit says where a matter counts)."""
    days = surge.BASELINE_DAYS + max(surge.WINDOWS)
    start = today - timedelta(days=days - 1)
    lo, hi = bounds(start, today)
    qs = Petition.objects.filter(received_at__gte=lo, received_at__lt=hi).annotate(
        d=TruncDate("received_at", tzinfo=TZ), u=areas.attributed_unit()
    )
    tops = _top_categories()
    rows = []
    for field, dim in (
        ("category_id", "category"),
        ("town_id", "town"),
        ("respondent_unit_id", "respondent"),
    ):
        source = qs.exclude(**{field: None})
        if dim == "respondent":
            # Art. 30③: the accused unit must not learn of accusations against it.
            source = source.exclude(petition_class=PetitionClass.ACCUSATION)
        for row in source.values("d", field, "u").annotate(n=Count("id")).order_by():
            key = tops[row[field]].pk if dim == "category" and row[field] in tops else row[field]
            rows.append((dim, key, (row["d"] - start).days, row["u"], row["n"]))
    return start, days, rows


def surge_series(today: date, unit_ids=None) -> dict[tuple[str, int], list[int]]:
    """Daily counts (oldest first, ending today) per series, of the units ``unit_ids`` (a
    bureau's area, areas.unit_ids; None: everything)."""
    _start, days, rows = surge_rows(today)
    return _series(rows, days, None if unit_ids is None else set(unit_ids))


def _series(rows, days: int, units: set | None) -> dict[tuple[str, int], list[int]]:
    series: dict[tuple[str, int], list[int]] = defaultdict(lambda: [0] * days)
    for dim, key, day, unit_id, n in rows:
        if units is None or unit_id in units:
            series[(dim, key)][day] += n
    return series


DIM_LABEL = {"category": "类别", "town": "属地", "respondent": "被反映单位"}


def _spread(rows, days: int, window: int, series, part_of: dict, parts) -> list[tuple[str, int]]:
    """[(district name, petitions in the window)] of one series, most first."""
    counts: Counter = Counter()
    for dim, key, day, unit_id, n in rows:
        if (dim, key) == series and day >= days - window and unit_id in part_of:
            counts[parts[part_of[unit_id]].name] += n
    return counts.most_common()


def detect_surges(today: date | None = None) -> int:
    """Surges in each bureau's area (bureaus.all_bureaus; the whole tree in a one-bureau
    installation).  A district's alert counts its own area only (unit: the town or respondent
    unit of the series, or the district's bureau for a category, so only its area sees it).  An
    upper bureau (a city) tests its whole area and keeps the surges spread over two or more of
    its districts (or its own level): a surge inside one district is that district's alert, which
    the city sees anyway; its alert names the districts the surge spans (``data.districts``)."""
    today = today or timezone.localdate()
    raised = 0
    names = dict(Unit.objects.values_list("id", "name"))
    cat_names = dict(Category.objects.values_list("id", "name"))
    recent = set(
        Alert.objects.filter(
            kind=AlertKind.SURGE, created_at__gte=timezone.now() - timedelta(days=7)
        ).values_list("data__bureau", "data__series")
    )
    _start, days, rows = surge_rows(today)
    for bureau in bureaus.all_bureaus() or [None]:
        area = areas.unit_ids(bureau)
        parts = areas.parts(bureau)
        part_of = areas.part_of_units(parts)
        for (dim, key), counts in _series(rows, days, None if area is None else set(area)).items():
            series_key = f"{dim}:{key}"
            result = surge.detect(counts)
            if result is None or (bureau and bureau.pk, series_key) in recent:
                continue
            spread = _spread(rows, days, result.window, (dim, key), part_of, parts) if parts else []
            if parts and len(spread) < 2:
                continue  # one district's surge: that district raises it
            name = cat_names.get(key) if dim == "category" else names.get(key)
            critical = result.ratio >= 3 and result.observed >= 10
            where = "，涉及" + "、".join(f"{n}{c}件" for n, c in spread) if spread else ""
            raised += _raise(
                dedupe_key=f"surge:{bureau.pk if bureau else 0}:{series_key}:{today.isoformat()}",
                kind=AlertKind.SURGE,
                severity=Severity.CRITICAL if critical else Severity.WARNING,
                title=(
                    f"{DIM_LABEL[dim]}「{name}」近{result.window}日信访量{result.observed}件，"
                    f"为基线{result.expected:.1f}件的{result.ratio:.1f}倍{where}"
                )[:200],
                unit=Unit.objects.filter(pk=key).first() if dim != "category" else bureau,
                data={
                    "series": series_key,
                    "bureau": bureau.pk if bureau else None,
                    "dimension": dim,
                    "key": key,
                    "window": result.window,
                    "observed": result.observed,
                    "expected": round(result.expected, 2),
                    "p_value": result.p_value,
                    "districts": [{"name": n, "count": c} for n, c in spread],
                },
            )
    return raised


# --- collective matters -------------------------------------------------------------------------


def _groups(since) -> list[list[int]]:
    try:
        from xinfang.triage.groups import collective_groups
    except ImportError:
        collective_groups = None
    if collective_groups is not None:
        out = []
        for group in collective_groups(since):
            ids = getattr(group, "petition_ids", group)
            out.append([getattr(p, "pk", p) for p in ids])
        return out
    from .hotspots import cluster

    recent = Petition.objects.filter(received_at__gte=since).exclude(petition_class=PetitionClass.ACCUSATION)
    rows = list(recent.values("id", "title", "content", "town_id"))
    if len(rows) < COLLECTIVE_MIN_PEOPLE:
        return []
    result = cluster([f"{r['title']}。{r['content']}" for r in rows])
    out = []
    for members in result.groups().values():
        by_town = defaultdict(list)
        for i in members:
            by_town[rows[i]["town_id"]].append(rows[i]["id"])
        out.extend(by_town.values())
    return out


def detect_collective(now=None) -> int:
    now = now or timezone.now()
    raised = 0
    for ids in _groups(now - timedelta(days=COLLECTIVE_DAYS)):
        petitions = list(Petition.objects.filter(pk__in=ids).select_related("town", "handling_unit"))
        people = (
            PetitionPetitioner.objects.filter(petition_id__in=ids).values("petitioner_id").distinct().count()
        )
        heads = sum(p.head_count for p in petitions)
        size = max(people, heads)
        if size < COLLECTIVE_MIN_PEOPLE:
            continue
        first = min(petitions, key=lambda p: (p.received_at, p.pk))
        existing = Alert.objects.filter(dedupe_key=f"collective:{first.pk}").first()
        if existing is not None:
            existing.petitions.add(*petitions)
            continue
        town = first.town
        raised += _raise(
            dedupe_key=f"collective:{first.pk}",
            kind=AlertKind.COLLECTIVE,
            severity=Severity.CRITICAL if size >= 2 * COLLECTIVE_MIN_PEOPLE else Severity.WARNING,
            title=f"{town.name if town else ''}近{COLLECTIVE_DAYS}日{size}人反映同一问题：{first.title[:40]}",
            unit=town or first.handling_unit or first.registering_unit,
            petitions=petitions,
            data={"people": people, "head_count": heads, "petition_count": len(petitions)},
        )
    return raised


# --- repeat petitioners -------------------------------------------------------------------------


def detect_repeat_escalation(now=None) -> int:
    now = now or timezone.now()
    window_start = now - timedelta(days=REPEAT_WINDOW)
    history_start = window_start - timedelta(days=REPEAT_HISTORY)
    links = PetitionPetitioner.objects.filter(petition__received_at__gte=window_start)
    frequent = dict(
        links.values("petitioner_id")
        .annotate(n=Count("petition_id", distinct=True))
        .filter(n__gte=REPEAT_MIN)
        .values_list("petitioner_id", "n")
    )
    if not frequent:
        return 0
    before = Counter(
        dict(
            PetitionPetitioner.objects.filter(
                petitioner_id__in=list(frequent),
                petition__received_at__gte=history_start,
                petition__received_at__lt=window_start,
            )
            .values("petitioner_id")
            .annotate(n=Count("petition_id", distinct=True))
            .values_list("petitioner_id", "n")
        )
    )
    raised = 0
    month = timezone.localtime(now).strftime("%Y-%m")
    for petitioner_id, recent in frequent.items():
        previous_rate = before[petitioner_id] * REPEAT_WINDOW / REPEAT_HISTORY
        if recent <= previous_rate:
            continue
        petitions = list(
            Petition.objects.filter(
                petitioner_links__petitioner_id=petitioner_id, received_at__gte=window_start
            ).order_by("received_at")
        )
        last = petitions[-1]
        raised += _raise(
            dedupe_key=f"repeat_escalation:{petitioner_id}:{month}",
            kind=AlertKind.REPEAT_ESCALATION,
            severity=Severity.WARNING,
            title=f"同一信访人近{REPEAT_WINDOW}日信访{recent}件（此前平均每{REPEAT_WINDOW}日{previous_rate:.1f}件）：{last.title[:30]}",
            unit=last.handling_unit or last.registering_unit,
            petition=last,
            petitions=petitions,
            data={"petitioner_id": petitioner_id, "recent": recent, "previous_rate": round(previous_rate, 2)},
        )
    return raised


# --- new petitions: skip-level and urgent --------------------------------------------------------


def detect_flagged(now=None, *, days: int = 30) -> int:
    """Urgent and skip-level petitions received in the last `days` days that have
    no such alert yet (flags set later by triage are picked up on a later pass)."""
    now = now or timezone.now()
    recent = Petition.objects.filter(received_at__gte=now - timedelta(days=days)).select_related(
        "handling_unit", "registering_unit"
    )
    raised = 0
    for p in recent.filter(is_urgent=True).exclude(alerts__kind=AlertKind.URGENT):
        raised += _raise(
            dedupe_key=f"urgent:{p.pk}",
            kind=AlertKind.URGENT,
            severity=Severity.CRITICAL,
            title=f"重大紧急信访事项：{p.case_number} {p.title[:40]}",
            unit=p.handling_unit or p.registering_unit,
            petition=p,
        )
    candidates = recent.filter(Q(is_skip_level=True) | Q(channel=Channel.TRANSFER_FROM_ABOVE)).exclude(
        alerts__kind=AlertKind.SKIP_LEVEL
    )
    for p in candidates:
        below = None
        if p.channel == Channel.TRANSFER_FROM_ABOVE:
            below = (
                Petition.objects.filter(
                    status__in=OPEN_STATUSES,
                    received_at__lt=p.received_at,
                    petitioner_links__petitioner__in=p.petitioners.all(),
                    category_id=p.category_id,
                )
                .exclude(pk=p.pk)
                .first()
            )
        if not p.is_skip_level and below is None:
            continue
        reason = f"，本级已有在办事项{below.case_number}" if below else ""
        raised += _raise(
            dedupe_key=f"skip_level:{p.pk}",
            kind=AlertKind.SKIP_LEVEL,
            severity=Severity.WARNING,
            title=f"越级访：{p.case_number} {p.title[:40]}{reason}",
            unit=p.handling_unit or p.registering_unit,
            petition=p,
            petitions=[below] if below else (),
            data={"open_below_id": below.pk if below else None, "channel": p.channel},
        )
    return raised

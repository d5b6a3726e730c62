"""The daily rollup (`DailyStat`, `DailyVolume`): how each count is attributed,
how the tables are kept current, and how they scale.

Attribution (the date a count belongs to, and the unit it counts for):

- received, repeat, skip_level, collective, urgent — the local date of
  `received_at`; unit = the handling unit, else the bureau whose desk holds the
  matter, else the registering unit (areas.attributed_unit: a matter moved down
  to a district's desk counts in that district before it is routed).
  DailyVolume splits `received` by top-level category, town, channel, class
  and respondent unit, per unit and once more for the whole bureau (unit
  NULL), so a district dashboard reads ~35 rows a day whatever the volume.
- notify_due / notify_on_time — each 告知 (acceptance-decision) deadline on its
  due date; decided on time when met (accepted or notified) on or before the due
  date, or when the unit decided not to accept / diverted (the deadline is then
  cancelled) with `closed_at` on or before the due date.  Cancelled for any other
  reason (objection upheld, withdrawn, merged) → not counted.
- concluded / concluded_on_time — each conclusion deadline (办结 60 日, 简易 10 个工作日,
  复查答复, 复核意见) met on that date; on time when met on or before its due date,
  which already includes an approved extension (Art. 34) and paused hearing
  time (Art. 36).  A review or re-review counts at the reviewing unit.
- evaluated / satisfied / satisfied_strict / resolved — attached to the
  conclusion: the handling-stage evaluation given to the concluding unit
  (满意 + 基本满意 = satisfied, 满意 alone = satisfied_strict); resolved = the
  opinion supported the request or the evaluation was (基本)满意.
- transferred / assigned — 转送 / 交办 events on their date, at the acting unit.

The unit of a stage is the unit that issued that stage's opinion when there is
one, else the petition's current handling unit (a petition only moves to a
higher stage after an opinion, so this is the unit that had the stage), else the
bureau whose desk holds it (an acceptance decision made at the desk).
A bureau's figures sum the units of its area (areas.py).

Freshness: `refresh()` (from jobs.run_once) reads events with id above the
watermark, recomputes every day those petitions contribute to, and moves the
watermark, all in one transaction that one worker at a time holds
(lib/claims.try_lock); every store takes a lock too, and (date, unit) is unique,
so concurrent workers and a rebuild never double a day.  Dashboards read the rollup for past
days and compute today live with the same code (`day_rows`).  Changes that
write no event (a holiday schedule moving due dates) are picked up by
`xinfang stats_rollup --days N` or `--rebuild`.

Scaling to a province (tens of millions of petitions, PostgreSQL):
partition `petitions_petition`, `petitions_petitionevent` and `stats_dailystat`
by month (declarative range partitioning on received_at / at / date) so the
rollup's day recomputations and the dashboards touch one or two partitions;
keep rollups per level — DailyStat per county bureau, a monthly table per
unit for year views, and a province-level materialised view over the county
rollups refreshed CONCURRENTLY each night; point dashboards and reports at a
read replica (a second DATABASES alias) while the worker writes the rollup on
the primary; the incremental pass stays O(events since the watermark) whatever
the table size, and the full rebuild runs month by month (`--rebuild` iterates
months), in parallel per partition if needed.
"""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass, field
from datetime import date, datetime, time, timedelta
from zoneinfo import ZoneInfo

from django.conf import settings
from django.db import transaction
from django.db.models import (
    BigIntegerField,
    Case,
    Count,
    Exists,
    F,
    IntegerField,
    OuterRef,
    Q,
    Subquery,
    Sum,
    Value,
    When,
)
from django.db.models.functions import Coalesce, TruncDate
from django.utils import timezone

from xinfang.calendars.rules import DeadlineRule
from xinfang.lib import claims
from xinfang.petitions.choices import EvaluationStage, Outcome, Rating, Stage, Status
from xinfang.petitions.models import Deadline, Evaluation, EventAction, Opinion, Petition, PetitionEvent
from xinfang.units.models import Category

from .areas import attributed_unit
from .models import MEASURES, DailyStat, DailyVolume, RollupState, VolumeDim

TZ = ZoneInfo(settings.TIME_ZONE)
CONCLUSION_RULES = {
    DeadlineRule.CONCLUDE: Stage.INITIAL,
    DeadlineRule.SIMPLE: Stage.INITIAL,
    DeadlineRule.REVIEW_ANSWER: Stage.REVIEW,
    DeadlineRule.REREVIEW_ANSWER: Stage.REREVIEW,
}
DECIDED_WITHOUT_ACCEPTING = [Status.REJECTED, Status.REFUSED_FINAL, Status.DIVERTED]
SATISFIED = [Rating.SATISFIED, Rating.BASICALLY_SATISFIED]
STATE_NAME = "daily"
REFRESH_LOCK = "stats.rollup.refresh"
STORE_LOCK = "stats.rollup.store"

StatKey = tuple  # (date, unit_id)
VolumeKey = tuple  # (date, unit_id or None for the whole bureau, dim, key)


@dataclass
class Rollup:
    stats: dict = field(default_factory=lambda: defaultdict(lambda: defaultdict(int)))
    volumes: dict = field(default_factory=lambda: defaultdict(int))


def bounds(start: date, end: date) -> tuple[datetime, datetime]:
    """[start 00:00, end+1 00:00) in the bureau's time zone."""
    return (
        datetime.combine(start, time.min, tzinfo=TZ),
        datetime.combine(end + timedelta(days=1), time.min, tzinfo=TZ),
    )


def _one(condition: Q) -> Sum:
    return Sum(Case(When(condition, then=Value(1)), default=Value(0), output_field=IntegerField()))


def _stage_unit(stage: str):
    """The unit of `stage` for a Deadline row (see module docstring)."""
    issued = Opinion.objects.filter(
        petition_id=OuterRef("petition_id"), stage=stage, approved_at__isnull=False
    )
    return Coalesce(
        Subquery(issued.order_by("-approved_at").values("unit_id")[:1]),
        F("petition__handling_unit_id"),
        F("petition__bureau_id"),
        output_field=BigIntegerField(),
    )


def _add(out: Rollup, rows, date_key: str) -> None:
    for row in rows:
        counts = out.stats[(row[date_key], row["u"])]
        for name in MEASURES:
            if row.get(name):
                counts[name] += row[name]


def _top_categories() -> dict[int, int]:
    parents = dict(Category.objects.values_list("id", "parent_id"))
    top = {}
    for pk in parents:
        node = pk
        while parents.get(node):
            node = parents[node]
        top[pk] = node
    return top


def _received(out: Rollup, lo, hi, only: Q) -> None:
    rows = (
        Petition.objects.filter(only, received_at__gte=lo, received_at__lt=hi)
        .annotate(
            d=TruncDate("received_at", tzinfo=TZ),
            u=attributed_unit(),
        )
        .values("d", "u", "category_id", "town_id", "channel", "petition_class", "respondent_unit_id")
        .annotate(
            received=Count("id"),
            repeat=_one(Q(is_repeat=True)),
            skip_level=_one(Q(is_skip_level=True)),
            collective=_one(Q(is_collective=True)),
            urgent=_one(Q(is_urgent=True)),
        )
        .order_by()
    )
    top = _top_categories()
    for row in rows:
        _add(out, [row], "d")
        keys = {
            VolumeDim.CATEGORY: top.get(row["category_id"], ""),
            VolumeDim.TOWN: row["town_id"] or "",
            VolumeDim.CHANNEL: row["channel"] or "",
            VolumeDim.CLASS: row["petition_class"] or "",
            VolumeDim.RESPONDENT: row["respondent_unit_id"] or "",
        }
        for dim, key in keys.items():
            for unit in {row["u"], None}:
                out.volumes[(row["d"], unit, str(dim), str(key))] += row["received"]


def compute(start: date, end: date, petition_ids=None) -> Rollup:
    """Every rollup count for days start..end, from the source tables; only the contribution of
    the petitions ``petition_ids`` when given (a viewer's dashboard subtracts what it may not open)."""
    lo, hi = bounds(start, end)
    out = Rollup()
    only = Q() if petition_ids is None else Q(pk__in=list(petition_ids))
    of_petitions = Q() if petition_ids is None else Q(petition_id__in=list(petition_ids))
    _received(out, lo, hi, only)
    decided_late = Q(cancelled=True, petition__status__in=DECIDED_WITHOUT_ACCEPTING)
    notify = (
        Deadline.objects.filter(of_petitions, rule=DeadlineRule.NOTIFY, due__gte=start, due__lte=end)
        .filter(Q(cancelled=False) | decided_late)
        .annotate(
            u=_stage_unit(Stage.INITIAL),
            met=TruncDate("met_at", tzinfo=TZ),
            closed=TruncDate("petition__closed_at", tzinfo=TZ),
        )
        .values("due", "u")
        .annotate(
            notify_due=Count("id"),
            notify_on_time=_one(
                Q(cancelled=False, met__lte=F("due")) | (decided_late & Q(closed__lte=F("due")))
            ),
        )
        .order_by()
    )
    _add(out, notify, "due")
    for rule, stage in CONCLUSION_RULES.items():
        opinion = Opinion.objects.filter(
            petition_id=OuterRef("petition_id"), stage=stage, approved_at__isnull=False
        )
        evaluation = Evaluation.objects.filter(
            petition_id=OuterRef("petition_id"), unit_id=OuterRef("u"), stage=EvaluationStage.HANDLING
        )
        rows = (
            Deadline.objects.filter(of_petitions, rule=rule, met_at__gte=lo, met_at__lt=hi)
            .annotate(u=_stage_unit(stage), d=TruncDate("met_at", tzinfo=TZ))
            .annotate(
                ev=Exists(evaluation),
                sat=Exists(evaluation.filter(rating__in=SATISFIED)),
                strict=Exists(evaluation.filter(rating=Rating.SATISFIED)),
                support=Exists(opinion.filter(outcome=Outcome.SUPPORT)),
            )
            .values("d", "u")
            .annotate(
                concluded=Count("id"),
                concluded_on_time=_one(Q(d__lte=F("due"))),
                evaluated=_one(Q(ev=True)),
                satisfied=_one(Q(sat=True)),
                satisfied_strict=_one(Q(strict=True)),
                resolved=_one(Q(support=True) | Q(sat=True)),
            )
            .order_by()
        )
        _add(out, rows, "d")
    routed = (
        PetitionEvent.objects.filter(
            of_petitions, action__in=[EventAction.TRANSFER, EventAction.ASSIGN], at__gte=lo, at__lt=hi
        )
        .annotate(d=TruncDate("at", tzinfo=TZ), u=F("unit_id"))
        .values("d", "u")
        .annotate(
            transferred=_one(Q(action=EventAction.TRANSFER)), assigned=_one(Q(action=EventAction.ASSIGN))
        )
        .order_by()
    )
    _add(out, routed, "d")
    return out


@transaction.atomic
def store(start: date, end: date) -> int:
    """Replace the rows of days start..end; returns the number of rows written.

    Writers take turns (a rebuild and the worker's pass may overlap): under READ COMMITTED a second
    writer's delete does not see the first one's uncommitted rows, so without the lock both sets
    would survive and the days count twice.  The recount happens under the lock, so the last
    writer stores the newest figures."""
    claims.lock(STORE_LOCK)
    result = compute(start, end)
    stats = [DailyStat(date=d, unit_id=u, **counts) for (d, u), counts in result.stats.items()]
    volumes = [
        DailyVolume(date=d, unit_id=u, dim=dim, key=key, received=n)
        for (d, u, dim, key), n in result.volumes.items()
    ]
    DailyStat.objects.filter(date__gte=start, date__lte=end).delete()
    DailyVolume.objects.filter(date__gte=start, date__lte=end).delete()
    DailyStat.objects.bulk_create(stats, batch_size=2000)
    DailyVolume.objects.bulk_create(volumes, batch_size=2000)
    return len(stats) + len(volumes)


def ranges(days) -> list[tuple[date, date]]:
    """Sorted days grouped into runs of consecutive days."""
    out: list[tuple[date, date]] = []
    for day in sorted(set(days)):
        if out and (day - out[-1][1]).days == 1:
            out[-1] = (out[-1][0], day)
        else:
            out.append((day, day))
    return out


def _months(start: date, end: date):
    cursor = start.replace(day=1)
    while cursor <= end:
        following = (cursor + timedelta(days=32)).replace(day=1)
        yield max(cursor, start), min(following - timedelta(days=1), end)
        cursor = following


def state() -> RollupState:
    return RollupState.objects.get_or_create(name=STATE_NAME)[0]


def rebuild(*, start: date | None = None, end: date | None = None, progress=None) -> int:
    """Recompute the whole table month by month and move the watermark to the last event."""
    last_event = PetitionEvent.objects.order_by("-id").values_list("id", flat=True).first() or 0
    first = Petition.objects.order_by("received_at").values_list("received_at", flat=True).first()
    start = start or (timezone.localtime(first).date() if first else timezone.localdate())
    # Acceptance-decision deadlines count on their due date, which may lie ahead.
    latest_due = (
        Deadline.objects.filter(rule=DeadlineRule.NOTIFY)
        .order_by("-due")
        .values_list("due", flat=True)
        .first()
    )
    end = end or max(timezone.localdate(), latest_due or timezone.localdate())
    if start == (first and timezone.localtime(first).date()):
        DailyStat.objects.filter(date__lt=start).delete()
        DailyVolume.objects.filter(date__lt=start).delete()
    written = 0
    for lo, hi in _months(start, end):
        written += store(lo, hi)
        if progress:
            progress(lo, hi, written)
    now = timezone.now()
    RollupState.objects.update_or_create(
        name=STATE_NAME, defaults={"last_event_id": last_event, "updated_at": now, "rebuilt_at": now}
    )
    return written


def touched_days(petition_ids, event_days=()) -> set[date]:
    """Every day the given petitions contribute a count to."""
    days = set(event_days)
    for at in Petition.objects.filter(pk__in=petition_ids).values_list("received_at", flat=True):
        days.add(timezone.localtime(at).date())
    deadlines = Deadline.objects.filter(petition_id__in=petition_ids)
    days.update(deadlines.filter(rule=DeadlineRule.NOTIFY).values_list("due", flat=True))
    for at in deadlines.filter(rule__in=list(CONCLUSION_RULES), met_at__isnull=False).values_list(
        "met_at", flat=True
    ):
        days.add(timezone.localtime(at).date())
    return days


def refresh(*, batch: int = 20_000) -> int:
    """One incremental pass: recompute the days touched by events above the
    watermark.  Returns the number of events consumed (0 when another worker
    holds the pass: it will consume the same events)."""
    with transaction.atomic():
        if not claims.try_lock(REFRESH_LOCK):
            return 0
        return _refresh(batch)


def _refresh(batch: int) -> int:
    current = state()
    events = list(
        PetitionEvent.objects.filter(id__gt=current.last_event_id)
        .order_by("id")
        .values_list("id", "petition_id", "at")[:batch]
    )
    # Event ids are taken at insert, not at commit: a transaction still open when the watermark
    # passed its id commits below it; and the worker's triage sets the repeat / skip-level /
    # collective flags without an event.  Both touch today's or yesterday's petitions (nearly
    # always), so each pass recounts those two days whatever it read.
    today = timezone.localdate()
    days = {today, today - timedelta(days=1)}
    if events:
        days |= touched_days({e[1] for e in events}, {timezone.localtime(e[2]).date() for e in events})
    for lo, hi in ranges(days):
        store(lo, hi)
    last = events[-1][0] if events else current.last_event_id
    # The watermark moves in the same transaction as the days it covers.
    RollupState.objects.filter(pk=current.pk, last_event_id=current.last_event_id).update(
        last_event_id=last, updated_at=timezone.now()
    )
    return len(events)


def freshness() -> datetime | None:
    """When the rollup last caught up (shown as 数据更新于 …)."""
    return RollupState.objects.filter(name=STATE_NAME).values_list("updated_at", flat=True).first()

"""Figures for the statistics page and the accountability view."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

from django.db.models import Count, Q, QuerySet

from xinfang.units.models import Unit

from .models import Commitment, CommitmentStatus, FollowUp, FollowUpAnswer, FollowUpStatus


def _in_unit(qs: QuerySet, field: str, unit: Unit | None) -> QuerySet:
    return qs.filter(**{f"{field}__path__startswith": unit.path}) if unit is not None else qs


def unsolved_count(unit: Unit | None = None, start: date | None = None, end: date | None = None) -> int:
    """Follow-ups answered "未解决" with the answer date in [start, end]
    (inclusive, either open-ended), for matters last handled by `unit` or a unit under it."""
    qs = _in_unit(
        FollowUp.objects.filter(status=FollowUpStatus.DONE, answer=FollowUpAnswer.NOT_SOLVED), "unit", unit
    )
    if start:
        qs = qs.filter(answered_at__date__gte=start)
    if end:
        qs = qs.filter(answered_at__date__lte=end)
    return qs.count()


def followup_counts(
    unit: Unit | None = None, start: date | None = None, end: date | None = None
) -> dict[str, int]:
    """Answers by kind in the period: {"solved": n, "partly": n, "not_solved": n, "reopened": n}."""
    qs = _in_unit(FollowUp.objects.filter(status=FollowUpStatus.DONE), "unit", unit)
    if start:
        qs = qs.filter(answered_at__date__gte=start)
    if end:
        qs = qs.filter(answered_at__date__lte=end)
    counts = {value: 0 for value in FollowUpAnswer.values}
    for row in qs.values("answer").annotate(n=Count("pk")):
        counts[row["answer"]] = row["n"]
    counts["reopened"] = qs.filter(reopened=True).count()
    return counts


@dataclass
class UnitAccountability:
    unit_id: int
    unit: str
    total: int
    kept: int
    open: int
    missed: int  # flagged missed, whether or not kept late afterwards
    still_missed: int

    @property
    def keep_rate(self) -> float | None:
        due = self.total - self.open
        return (self.kept - (self.missed - self.still_missed)) / due if due else None

    @property
    def keep_rate_label(self) -> str:
        rate = self.keep_rate
        return "—" if rate is None else f"{rate * 100:.1f}%"


def accountability_by_unit(
    commitments: QuerySet | None = None, start: date | None = None, end: date | None = None
) -> list[UnitAccountability]:
    """Per promising unit, over commitments due in [start, end]; most missed first.
    `keep_rate` counts only commitments kept on time."""
    qs = commitments if commitments is not None else Commitment.objects.all()
    if start:
        qs = qs.filter(due__gte=start)
    if end:
        qs = qs.filter(due__lte=end)
    rows = qs.values("promised_by_unit", "promised_by_unit__name").annotate(
        total=Count("pk"),
        kept=Count("pk", filter=Q(status=CommitmentStatus.KEPT)),
        open=Count("pk", filter=Q(status=CommitmentStatus.OPEN)),
        missed=Count("pk", filter=Q(missed_flagged_at__isnull=False)),
        still_missed=Count("pk", filter=Q(status=CommitmentStatus.MISSED)),
    )
    result = [
        UnitAccountability(
            unit_id=r["promised_by_unit"],
            unit=r["promised_by_unit__name"],
            total=r["total"],
            kept=r["kept"],
            open=r["open"],
            missed=r["missed"],
            still_missed=r["still_missed"],
        )
        for r in rows
    ]
    return sorted(result, key=lambda r: (-r.missed, r.unit))

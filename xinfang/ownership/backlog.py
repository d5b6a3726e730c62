"""Backlog (积案) helpers for other apps: the age of a matter and the
resolution rate the statistics page shows."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

from django.db.models import Min, Q
from django.utils import timezone

from xinfang.petitions.models import Petition, PetitionLink

MAX_LINK_HOPS = 20


def related_petition_ids(petition: Petition) -> set[int]:
    """The petition, every petition linked to it (same matter, merged, review
    of — followed transitively in both directions) and the petitions of the
    same petitioners in the same category (a repeat of the matter that was
    never linked)."""
    seen = {petition.pk}
    frontier = {petition.pk}
    for _ in range(MAX_LINK_HOPS):
        links = PetitionLink.objects.filter(Q(from_petition__in=frontier) | Q(to_petition__in=frontier))
        found = {pk for pair in links.values_list("from_petition_id", "to_petition_id") for pk in pair}
        frontier = found - seen
        if not frontier:
            break
        seen |= frontier
    if petition.category_id:
        same_people = Petition.objects.filter(
            category_id=petition.category_id,
            petitioner_links__petitioner__in=petition.petitioners.values("pk"),
        ).values_list("pk", flat=True)
        seen |= set(same_people)
    return seen


def first_petition_date_for(petition: Petition) -> date:
    """Earliest local receipt date among the related petitions (see above)."""
    earliest = Petition.objects.filter(pk__in=related_petition_ids(petition)).aggregate(m=Min("received_at"))[
        "m"
    ]
    return timezone.localdate(earliest or petition.received_at)


@dataclass(frozen=True)
class ResolutionCounts:
    resolved: int
    due: int

    @property
    def rate(self) -> float | None:
        return self.resolved / self.due if self.due else None


def backlog_resolution_counts(unit=None, *, start: date, end: date) -> ResolutionCounts:
    """See `backlog_resolution_rate`."""
    from .models import BacklogCase, BacklogStatus

    due = BacklogCase.objects.filter(target_date__gte=start, target_date__lte=end)
    if unit is not None:
        due = due.filter(
            Q(petition__handling_unit__path__startswith=unit.path)
            | Q(petition__handling_unit__isnull=True, owner__unit__path__startswith=unit.path)
        )
    resolved = due.filter(status=BacklogStatus.RESOLVED, resolved_at__date__lte=end)
    return ResolutionCounts(resolved=resolved.count(), due=due.count())


def backlog_resolution_rate(unit=None, start: date | None = None, end: date | None = None) -> float | None:
    """积案化解率 for the period [start, end] (dates, inclusive).

        rate = resolved / due
        due      = backlog cases whose target date (化解时限) falls in the period
        resolved = those of them resolved (status resolved) on or before `end`,
                   early resolutions before `start` included

    With `unit`, only cases whose petition is handled by that unit or a unit
    under it (or, with no handling unit, owned by a leader of it) count.
    Returns None when nothing was due (no rate rather than 0 % or 100 %).
    Defaults: the current calendar year.
    """
    today = timezone.localdate()
    start = start or date(today.year, 1, 1)
    end = end or date(today.year, 12, 31)
    return backlog_resolution_counts(unit, start=start, end=end).rate

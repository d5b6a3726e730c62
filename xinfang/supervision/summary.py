"""Figures for the annual report (Art. 41 ② ③): supervision and proposals of one year."""

from __future__ import annotations

from django.db.models import Count, F, Q

from .models import AccountabilityProposal as Proposal
from .models import Adoption, NoticeStatus, ProposalKind, SupervisionNotice, Trigger


def supervision_summary(year: int, notices=None, *, within: str | None = None) -> dict:
    """Notices issued in `year` (by the bureau's local calendar year), of ``notices`` (those the
    viewer reads) when given; with ``within`` (a unit path: a bureau's area), only notices to
    units in that subtree.

    Keys: year, issued, flagged, replied, replied_on_time, replied_late,
    awaiting_reply, reply_overdue, closed, by_status {code: n}, by_trigger
    [{code, label, count}], by_unit [{unit_id, unit, count, flagged}] (most first).
    ``notices``: the notices to count (a viewer's, see actions.notices_visible_to); all by default.
    """
    qs = (SupervisionNotice.objects.all() if notices is None else notices).filter(issued_at__year=year)
    if within is not None:
        qs = qs.filter(unit__path__startswith=within)
    totals = qs.aggregate(
        issued=Count("pk"),
        flagged=Count("pk", filter=Q(flagged=True)),
        replied=Count("pk", filter=Q(replied_at__isnull=False)),
        replied_on_time=Count("pk", filter=Q(replied_at__isnull=False, replied_at__date__lte=F("reply_due"))),
        awaiting_reply=Count("pk", filter=Q(status__in=[NoticeStatus.ISSUED, NoticeStatus.ESCALATED])),
        reply_overdue=Count("pk", filter=Q(reply_overdue_at__isnull=False)),
        closed=Count("pk", filter=Q(status=NoticeStatus.CLOSED)),
    )
    totals["replied_late"] = totals["replied"] - totals["replied_on_time"]
    by_status = dict(qs.values_list("status").annotate(n=Count("pk")).values_list("status", "n"))
    triggers = dict(qs.values_list("trigger").annotate(n=Count("pk")).values_list("trigger", "n"))
    by_unit = (
        qs.values("unit_id", "unit__name")
        .annotate(count=Count("pk"), flagged=Count("pk", filter=Q(flagged=True)))
        .order_by("-count", "unit__name")
    )
    return {
        "year": year,
        **totals,
        "by_status": {s.value: by_status.get(s.value, 0) for s in NoticeStatus},
        "by_trigger": [
            {"code": t.value, "label": str(t.label), "count": triggers[t.value]}
            for t in Trigger
            if triggers.get(t.value)
        ],
        "by_unit": [
            {
                "unit_id": row["unit_id"],
                "unit": row["unit__name"],
                "count": row["count"],
                "flagged": row["flagged"],
            }
            for row in by_unit
        ],
    }


def proposals_summary(year: int, proposals=None, *, within: str | None = None) -> dict:
    """Proposals made in `year` and how they were adopted, of ``proposals`` when given; with
    ``within`` (a unit path: a bureau's area), only proposals to units in that subtree.

    Keys: year, total, adopted, partly, not_adopted, pending, adoption_rate
    (adopted + partly over those with feedback, 0..1, None when none),
    by_kind [{code, label, total, adopted, partly, not_adopted, pending}].
    """
    qs = (Proposal.objects.all() if proposals is None else proposals).filter(proposed_at__year=year)
    if within is not None:
        qs = qs.filter(unit__path__startswith=within)
    counts = {a.value: Count("pk", filter=Q(adoption=a.value)) for a in Adoption}
    totals = qs.aggregate(total=Count("pk"), **counts)
    rows = {row["kind"]: row for row in qs.values("kind").annotate(total=Count("pk"), **counts)}
    answered = totals["adopted"] + totals["partly"] + totals["not_adopted"]
    return {
        "year": year,
        **totals,
        "adoption_rate": (totals["adopted"] + totals["partly"]) / answered if answered else None,
        "by_kind": [
            {
                "code": k.value,
                "label": str(k.label),
                **{key: rows.get(k.value, {}).get(key, 0) for key in ("total", *counts)},
            }
            for k in ProposalKind
        ],
    }

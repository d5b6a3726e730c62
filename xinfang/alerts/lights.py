"""The deadline traffic light: open petitions on time, due soon and overdue.

Read live by the overdue page of the alerts and by the statistics dashboards
(which import it from here, so stats depends on alerts and never the reverse)."""

from __future__ import annotations

from datetime import timedelta

from django.conf import settings
from django.db.models import Count, Q
from django.utils import timezone
from django.utils.translation import gettext as _

from xinfang.calendars.rules import DeadlineRule
from xinfang.petitions.choices import OPEN_STATUSES
from xinfang.petitions.models import Petition
from xinfang.units.models import Unit


def traffic_lights(unit_ids, hidden=(), *, held_at_desk: bool = False) -> dict:
    """Open petitions by due state, and the overdue ones by unit and by deadline rule (live),
    without the petitions ``hidden``.  ``unit_ids`` None: every petition; else those handled by
    these units, and with ``held_at_desk`` (a bureau's area) also those not yet routed whose
    holding bureau is one of them (stats.areas)."""
    today = timezone.localdate()
    soon = today + timedelta(days=settings.DUE_SOON_DAYS)
    qs = Petition.objects.filter(status__in=OPEN_STATUSES)
    if hidden:
        qs = qs.exclude(pk__in=list(hidden))
    if unit_ids is not None:
        mine = Q(handling_unit_id__in=unit_ids)
        if held_at_desk:
            mine |= Q(handling_unit__isnull=True, bureau_id__in=unit_ids)
        qs = qs.filter(mine)
    # Three index range counts ((status, current_due) / (handling_unit, status, current_due)).
    counts = {
        "overdue": qs.filter(current_due__lt=today).count(),
        "due_soon": qs.filter(current_due__gte=today, current_due__lte=soon).count(),
    }
    counts["on_time"] = qs.count() - counts["overdue"] - counts["due_soon"]
    overdue = qs.filter(current_due__lt=today)
    # Group on the indexed id only (covering index); names from the small unit table.
    by_unit = list(overdue.values("handling_unit_id").annotate(n=Count("id")).order_by("-n"))
    names = dict(
        Unit.objects.filter(pk__in=[r["handling_unit_id"] for r in by_unit]).values_list("id", "name")
    )
    rule_labels = dict(DeadlineRule.choices)
    by_rule = [
        {
            "rule": r["current_due_rule"],
            "label": str(rule_labels.get(r["current_due_rule"], r["current_due_rule"])),
            "count": r["n"],
        }
        for r in overdue.values("current_due_rule").annotate(n=Count("id")).order_by("-n")
    ]
    return {
        **counts,
        "by_unit": [
            {
                "unit_id": r["handling_unit_id"],
                "unit": names.get(r["handling_unit_id"], _("未转送")),
                "count": r["n"],
            }
            for r in by_unit
        ],
        "by_rule": by_rule,
    }

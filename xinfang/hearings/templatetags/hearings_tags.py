"""{% petition_hearings petition user as info %}: the hearings of a petition for its page."""

from __future__ import annotations

from django import template

from xinfang.hearings.access import can_manage
from xinfang.hearings.models import HearingStatus
from xinfang.petitions.choices import Status

register = template.Library()


@register.simple_tag
def petition_hearings(petition, user) -> dict:
    """The caller has already loaded `petition` through the access helpers."""
    hearings = list(petition.hearings.select_related("host").order_by("-scheduled_at"))
    busy = any(h.status in {HearingStatus.SCHEDULED, HearingStatus.HELD} for h in hearings)
    can_schedule = petition.status == Status.HANDLING and not busy and can_manage(user, petition)
    return {"hearings": hearings, "can_schedule": can_schedule}

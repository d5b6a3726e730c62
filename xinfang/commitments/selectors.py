"""Loading commitments and follow-ups for a user."""

from __future__ import annotations

from django.db.models import Q
from django.http import Http404

from xinfang.petitions import access

from .models import Commitment, FollowUp


def visible_commitments(user):
    """Commitments of the petitions ``user`` may open (petitions.access: a bureau's area, never a
    sibling bureau's), and those they answer for."""
    qs = Commitment.objects.select_related("petition", "promised_by_unit", "owner")
    return qs.filter(Q(owner=user) | Q(petition__in=access.visible_petitions(user).values("pk"))).distinct()


def visible_followups(user):
    """Follow-ups of the petitions ``user`` may open (a bureau: those of its area)."""
    qs = FollowUp.objects.select_related("petition", "unit")
    return qs.filter(petition__in=access.visible_petitions(user).values("pk"))


def get_commitment_for(user, pk) -> Commitment:
    obj = visible_commitments(user).filter(pk=pk).first() if str(pk).isdigit() else None
    if obj is None:
        raise Http404("承诺事项不存在或无权查看")
    return obj


def get_followup_for(user, pk) -> FollowUp:
    obj = visible_followups(user).filter(pk=pk).first() if str(pk).isdigit() else None
    if obj is None:
        raise Http404("回访不存在或无权查看")
    return obj

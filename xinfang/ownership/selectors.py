"""Loading ownership and backlog rows for a user (views and API share these)."""

from __future__ import annotations

from django.db.models import Q
from django.http import Http404

from xinfang.petitions import access

from .models import BacklogCase, CaseOwnership


def visible_ownerships(user):
    """Bureau staff see all; a leader sees the cases they own; unit staff the
    ownerships of petitions they may see."""
    qs = CaseOwnership.objects.select_related("petition", "leader", "leader__unit")
    if user.is_bureau_staff:
        return qs
    return qs.filter(Q(leader=user) | Q(petition__in=access.visible_petitions(user).values("pk"))).distinct()


def visible_backlog(user):
    qs = BacklogCase.objects.select_related("petition", "owner", "owner__unit", "petition__handling_unit")
    if user.is_bureau_staff:
        return qs
    return qs.filter(Q(owner=user) | Q(petition__in=access.visible_petitions(user).values("pk"))).distinct()


def get_ownership_for(user, pk) -> CaseOwnership:
    obj = visible_ownerships(user).filter(pk=pk).first() if str(pk).isdigit() else None
    if obj is None:
        raise Http404("包案不存在或无权查看")
    return obj


def get_backlog_for(user, pk) -> BacklogCase:
    obj = visible_backlog(user).filter(pk=pk).first() if str(pk).isdigit() else None
    if obj is None:
        raise Http404("积案不存在或无权查看")
    return obj

"""Loading ownership and backlog rows for a user (views and API share these)."""

from __future__ import annotations

from django.db.models import Q
from django.http import Http404

from xinfang.petitions import access

from .models import BacklogCase, CaseOwnership, Reminder


def visible_ownerships(user):
    """The ownerships of petitions ``user`` may open (petitions.access), and only those: owning a
    case does not show its number to a leader who is recused from it or accused in it, and bureau
    staff see all but these too."""
    qs = CaseOwnership.objects.select_related("petition", "leader", "leader__unit")
    return qs.filter(petition__in=access.visible_petitions(user).values("pk"))


def visible_backlog(user):
    """The backlog cases of petitions ``user`` may open (as for ownerships)."""
    qs = BacklogCase.objects.select_related("petition", "owner", "owner__unit", "petition__handling_unit")
    return qs.filter(petition__in=access.visible_petitions(user).values("pk"))


def visible_reminders(user):
    """The user's reminders, without those about a petition they may no longer open."""
    qs = Reminder.objects.filter(recipient=user).select_related("petition")
    return qs.filter(Q(petition__isnull=True) | Q(petition__in=access.visible_petitions(user).values("pk")))


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

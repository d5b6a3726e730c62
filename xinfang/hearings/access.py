"""Who may see and run which hearing.

- staff see the hearings of the petitions they may see (xinfang.petitions.access);
- a hearing member sees only the hearings they sit on (selected, not recused
  from the seat) of petitions they are not recused from (Art. 28③);
- hearings are managed by the bureau holding the matter (registrar, bureau leader, administrator;
  an upper bureau reads them to supervise, never runs them)
  or by the petition's handling unit (handler, unit leader); supervisors and
  hearing members never manage them.
"""

from __future__ import annotations

from django.db.models import QuerySet
from django.http import Http404
from django.utils.translation import gettext as _

from xinfang.accounts.models import Role
from xinfang.petitions.access import can_see, visible_petitions
from xinfang.petitions.errors import Forbidden
from xinfang.units import bureaus

from .models import Hearing, SeatStatus

BUREAU_MANAGERS = {Role.REGISTRAR, Role.BUREAU_LEADER, Role.ADMIN}
UNIT_MANAGERS = {Role.HANDLER, Role.UNIT_LEADER}


def visible_hearings(user) -> QuerySet[Hearing]:
    if not getattr(user, "is_authenticated", False) or not user.is_active:
        return Hearing.objects.none()
    if user.role == Role.HEARING_MEMBER:
        return (
            Hearing.objects.filter(seats__member__user=user, seats__status=SeatStatus.SELECTED)
            .exclude(petition__recusals__user=user)
            .distinct()
        )
    return Hearing.objects.filter(petition__in=visible_petitions(user))


def get_hearing_for(user, pk) -> Hearing:
    """The hearing if `user` may see it; Http404 otherwise."""
    try:
        return visible_hearings(user).select_related("petition", "host", "petition__handling_unit").get(pk=pk)
    except (Hearing.DoesNotExist, ValueError, TypeError):
        raise Http404(_("听证不存在或无权查看")) from None


def can_manage(user, petition) -> bool:
    if not getattr(user, "is_authenticated", False) or not user.is_active:
        return False
    if user.role in BUREAU_MANAGERS and user.is_bureau_staff:
        # the bureau holding the matter: an upper bureau reads the hearing, it does not run it
        return bureaus.owns_matter(user, petition) and can_see(user, petition)
    if user.role in UNIT_MANAGERS and user.unit_id and petition.handling_unit_id:
        return petition.handling_unit.is_within(user.unit) and can_see(user, petition)
    return False


def require_manager(user, petition) -> None:
    if not can_manage(user, petition):
        raise Forbidden(_("只有信访部门或承办单位工作人员可以组织听证"))


def can_manage_roster(user) -> bool:
    return getattr(user, "is_authenticated", False) and user.role in BUREAU_MANAGERS and user.is_bureau_staff


def seat_of(user, hearing):
    """The user's own selected seat on `hearing`, or None."""
    if not getattr(user, "is_authenticated", False) or user.role != Role.HEARING_MEMBER:
        return None
    return (
        hearing.seats.filter(member__user=user, status=SeatStatus.SELECTED).select_related("member").first()
    )

"""Who sees a joint case.

- Staff of a participating unit (or a unit above it) see the petition itself:
  registered as a scope extension of xinfang.petitions.access.
- The thread (posts, parts, positions) is for bureau staff and participating
  units only, and only when the user may also see the petition (so the
  accusation rule and recusals still apply).
"""

from __future__ import annotations

from django.db.models import Q
from django.http import Http404
from django.utils.translation import gettext as _

from xinfang.petitions import access
from xinfang.units import bureaus

from .models import JointHandling, JointParticipant, JointReceptionSession, LeaderReceptionSlot


def joint_scope_q(user) -> Q:
    """SCOPE_EXTENSIONS entry: petitions in whose joint handling the user's unit takes part."""
    if not user.unit_id:
        return access.NOTHING
    petition_ids = JointParticipant.objects.filter(unit_id__in=access.unit_subtree_ids(user)).values_list(
        "joint__petition_id", flat=True
    )
    return access.few_ids_q(petition_ids)


def visible_joints(user):
    """Joint cases whose thread `user` may read."""
    petitions = access.visible_petitions(user).values("pk")
    qs = JointHandling.objects.filter(petition__in=petitions)
    if user.is_bureau_staff:
        return qs
    if not user.unit_id:
        return qs.none()
    return qs.for_unit(user.unit)


def get_joint_for(user, pk: int) -> JointHandling:
    joint = visible_joints(user).select_related("petition", "lead_unit", "session").filter(pk=pk).first()
    if joint is None:
        raise Http404(_("联合办理事项不存在或无权查看"))
    return joint


def participant_for(user, joint: JointHandling) -> JointParticipant | None:
    """The participation the user speaks for: their own unit's, else one of a
    unit under theirs (the lead first), mirroring the core handling-unit rule."""
    if not user.unit_id:
        return None
    candidates = [
        p for p in joint.participants.select_related("unit") if p.unit.path.startswith(user.unit.path)
    ]
    candidates.sort(key=lambda p: (p.unit_id != user.unit_id, p.role != "lead", p.pk))
    return candidates[0] if candidates else None


def visible_sessions(user):
    """Joint reception sessions: bureau staff those held by a bureau of their area (their own, and a
    lower bureau's to supervise it; never a sibling's); everyone the sessions they staff, are on
    duty for, or whose participating units include theirs."""
    qs = JointReceptionSession.objects.all()
    mine = Q(staff=user) | Q(units=user.unit_id) | Q(leader_on_duty=user)
    if user.is_bureau_staff:
        if bureaus.sees_everything(user):
            return qs
        return qs.filter(mine | bureaus.reach_q(user, "created_by__unit")).distinct()
    return qs.filter(mine).distinct()


def get_session_for(user, pk: int) -> JointReceptionSession:
    session = visible_sessions(user).select_related("leader_on_duty").filter(pk=pk).first()
    if session is None:
        raise Http404(_("接访场次不存在"))
    return session


def visible_slots(user):
    """Leader reception slots: bureau staff those of the leaders of their area, a leader their own."""
    qs = LeaderReceptionSlot.objects.select_related("leader", "leader__unit")
    if user.is_bureau_staff:
        return qs.filter(bureaus.reach_q(user, "leader__unit") | Q(leader=user))
    return qs.filter(leader=user)


def get_slot_for(user, pk: int) -> LeaderReceptionSlot:
    slot = visible_slots(user).filter(pk=pk).first()
    if slot is None:
        raise Http404(_("对象不存在或无权查看"))
    return slot

"""受理争议 (Art. 24): a matter involving several units is accepted by agreement;
when they dispute it, their common superior decides which unit accepts, and
without a common superior the joint conference (信访工作联席会议) coordinates.

The dispute is recorded with a deadline for the decision
(settings.JURISDICTION_DECISION_DAYS, supervised by the alerts worker).
"""

from __future__ import annotations

from collections.abc import Iterable

from django.conf import settings
from django.db import transaction
from django.utils import timezone

from xinfang.accounts.models import Role
from xinfang.calendars.rules import DeadlineRule
from xinfang.units import places
from xinfang.units.models import Unit, UnitKind

from ..choices import Status
from ..deadlines import cancel_deadlines, meet_deadlines, open_deadline, refresh_current_due
from ..errors import ActionError, Forbidden, WrongState
from ..models import EventAction, JurisdictionDispute, Petition
from ._core import record_event, require_reason, transition
from .rules import DESK_OR_UNIT, UNSEEN_MESSAGE, Allow, Who, actor_refused_by, declare, in_sight, when

JOINT_CONFERENCE = "信访工作联席会议"


def common_superior(units: Iterable[Unit]) -> Unit | None:
    """The nearest unit above every one of `units` (共同的上一级机关、单位), or None."""
    lineages = [unit.lineage_ids()[:-1] for unit in units]
    if not lineages:
        return None
    shared = None
    for ids in zip(*lineages, strict=False):
        if len(set(ids)) != 1:
            break
        shared = ids[0]
    return Unit.objects.filter(pk=shared).first() if shared is not None else None


def dispute_units(petition: Petition) -> list[Unit]:
    """The units a dispute about `petition` may name (Art. 24), in tree order:
    those its bureau's desk may route it to (places.route_targets, the rule
    routing.check_in_own_area applies to a transfer), since the unit decided
    then receives the matter as if transferred.  A unit in a lower bureau's
    area or outside the bureau's area is reached through that bureau, not by
    a dispute.  Without a bureau: every active unit that is not a bureau."""
    if petition.bureau_id is None:
        return list(Unit.objects.active().exclude(kind=UnitKind.BUREAU).order_by("path"))
    return places.route_targets(petition.bureau)[1]


def open_dispute(petition: Petition) -> JurisdictionDispute | None:
    return petition.jurisdiction_disputes.filter(decided_at__isnull=True).select_related("decider").first()


@transaction.atomic
@declare(
    "raise_dispute",
    Allow(
        DESK_OR_UNIT,
        Status.ROUTED,
        when(
            lambda p: open_dispute(p) is None, lambda p: WrongState("该事项已提请决定受理机关，正在等待决定")
        ),
    ),
    state_message="只有已转送、尚未受理的事项可以提请决定受理机关",
)
def petition_raise_dispute(
    *, actor, petition: Petition, units: list[Unit], reason: str
) -> JurisdictionDispute:
    """The unit a matter was transferred to (or the bureau) records that the units
    it involves dispute which of them accepts it."""
    reason = require_reason(reason)
    involved = {u.pk: u for u in [petition.handling_unit, *units] if u is not None}
    if len(involved) < 2:
        raise ActionError(
            "invalid", "受理争议至少涉及两个机关、单位", fields={"units": "请选择有争议的其他单位"}
        )
    if any(not u.is_active or u.kind == UnitKind.BUREAU for u in involved.values()):
        raise ActionError("invalid", "所选单位无效", fields={"units": "请选择有权处理的机关、单位"})
    allowed = {u.pk for u in dispute_units(petition)}
    outside = [u for u in units if u.pk != petition.handling_unit_id and u.pk not in allowed]
    if outside:
        names = "、".join(u.name for u in outside)
        raise ActionError(
            "invalid",
            f"{names}不在{petition.bureau.name}的辖区内，请经有管辖权的信访部门转送，不能列为受理争议单位",
            fields={"units": "请选择本辖区的机关、单位"},
        )
    decider = common_superior(involved.values())
    dispute = JurisdictionDispute.objects.create(
        petition=petition, decider=decider, reason=reason, raised_by=actor
    )
    dispute.units.set(involved.values())
    deadline = open_deadline(
        petition, DeadlineRule.JURISDICTION, dispute.raised_at, days=settings.JURISDICTION_DECISION_DAYS
    )
    refresh_current_due(petition)
    record_event(
        petition,
        action=EventAction.JURISDICTION,
        actor=actor,
        reason=reason,
        data={
            "step": "raised",
            "dispute_id": dispute.pk,
            "units": [u.name for u in involved.values()],
            "decider": decider.name if decider else JOINT_CONFERENCE,
            "due": deadline.due.isoformat(),
        },
    )
    return dispute


def decider_refusal(actor, dispute: JurisdictionDispute) -> Forbidden | None:
    """A leader of the common superior (or above it), or the leader of the petition
    bureau attached to it, who records its decision; without a common superior,
    a bureau leader for the joint conference, whose office the bureau keeps."""
    decider = dispute.decider
    if decider is None:
        if actor.role == Role.BUREAU_LEADER and actor.is_bureau_staff:
            return None
        return Forbidden("没有共同的上一级机关，由信访工作联席会议协调处理，请由信访部门负责人登记")
    if actor.unit is not None and decider.is_within(actor.unit):
        return None
    if (
        actor.role == Role.BUREAU_LEADER
        and actor.unit is not None
        and actor.unit.kind == UnitKind.BUREAU
        and actor.unit.parent_id == decider.pk
    ):
        return None
    return Forbidden(f"受理争议由{decider.name}决定")


DECIDERS = Who(frozenset({Role.UNIT_LEADER, Role.BUREAU_LEADER}), in_sight, UNSEEN_MESSAGE)


@transaction.atomic
@declare(
    "decide_dispute",
    Allow(
        DECIDERS,
        {Status.ROUTED, Status.HANDLING},
        when(lambda p: open_dispute(p) is not None, lambda p: WrongState("没有待决定的受理争议")),
        actor_refused_by(lambda actor, p: decider_refusal(actor, open_dispute(p))),
    ),
    state_message="没有待决定的受理争议",
)
def petition_decide_dispute(*, actor, petition: Petition, unit: Unit, decision: str) -> JurisdictionDispute:
    """The common superior decides (or the joint conference coordinates) which unit
    accepts; the matter goes to that unit, which must tell the petitioner within 15 日."""
    dispute = open_dispute(petition)
    decision = require_reason(decision, "decision")
    if unit is None or not unit.is_active or unit.kind == UnitKind.BUREAU:
        raise ActionError("invalid", "请选择受理机关", fields={"unit": "请选择受理机关"})
    if dispute.decider is not None and not unit.is_within(dispute.decider):
        raise ActionError(
            "invalid", f"受理机关应为{dispute.decider.name}所属单位", fields={"unit": "不属共同的上一级机关"}
        )
    # Accepted meanwhile by agreement (协商受理): the decision can only confirm it.
    if petition.status not in {Status.ROUTED, Status.HANDLING} or (
        petition.status == Status.HANDLING and unit.pk != petition.handling_unit_id
    ):
        raise WrongState("该事项已由承办单位受理或已不在待受理状态，请刷新后重试")
    now = timezone.now()
    changed = JurisdictionDispute.objects.filter(pk=dispute.pk, decided_at__isnull=True).update(
        decided_at=now, decided_by=actor, decided_unit=unit, decision=decision
    )
    if changed != 1:
        raise WrongState("受理争议已决定，请刷新后重试")
    dispute.decided_at, dispute.decided_by, dispute.decided_unit, dispute.decision = (
        now,
        actor,
        unit,
        decision,
    )
    meet_deadlines(petition, DeadlineRule.JURISDICTION, at=now)
    data = {
        "step": "decided",
        "dispute_id": dispute.pk,
        "unit_id": unit.pk,
        "unit": unit.name,
        "decider": dispute.decider.name if dispute.decider else JOINT_CONFERENCE,
    }
    if unit.pk != petition.handling_unit_id:
        transition(
            petition,
            allowed_from={Status.ROUTED},
            to_status=Status.ROUTED,
            action=EventAction.JURISDICTION,
            actor=actor,
            reason=decision,
            data=data,
            updates={"handling_unit": unit, "handler": None, "routed_at": now},
        )
        # The decided unit receives the matter now; the superior's decision is not open to objection.
        cancel_deadlines(petition, DeadlineRule.NOTIFY, DeadlineRule.OBJECT)
        open_deadline(petition, DeadlineRule.NOTIFY, now)
    else:
        cancel_deadlines(petition, DeadlineRule.OBJECT)
        record_event(petition, action=EventAction.JURISDICTION, actor=actor, reason=decision, data=data)
    refresh_current_due(petition)
    return dispute

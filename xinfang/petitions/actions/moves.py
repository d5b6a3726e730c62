"""Matters moving between the petition bureaus of one installation (issue 14).

One matter keeps one record and one history: a move changes the bureau whose
desk holds it (`Petition.bureau`) and adds a `Custody` row with the receiving
bureau's own case number.  Every bureau that held it keeps reading it.

- **Down** (Art. 22): an upper bureau's 转送 / 交办 to a lower bureau lands in the
  lower bureau's desk, waiting to be routed on within 15 日; for a 交办 the
  办结报告 stays due to the upper bureau.
- **Up**: a lower bureau sends up a matter that belongs to a higher level's
  powers (报送上级信访部门); urgent matters are also reported up (Art. 25,
  alerts app).
"""

from __future__ import annotations

from django.db import transaction
from django.utils import timezone

from xinfang.calendars.rules import DeadlineRule
from xinfang.units import bureaus
from xinfang.units.models import Unit

from .. import notices
from ..choices import Status
from ..deadlines import meet_deadlines, open_deadline, refresh_current_due
from ..errors import ActionError
from ..models import Custody, CustodyKind, EventAction, Petition
from ._core import require_reason, transition
from .rules import BUREAU_DESK, Allow, declare, when


def arrived_by(petition: Petition, bureau_id: int | None = None) -> Custody | None:
    """The custody row of the matter's arrival at `bureau_id` (its current bureau by default)."""
    bureau_id = bureau_id or petition.bureau_id
    return (
        Custody.objects.filter(petition=petition, unit_id=bureau_id)
        .exclude(kind=CustodyKind.HANDLED)
        .order_by("-started_at", "-pk")
        .first()
    )


def assigned_from_above(petition: Petition) -> bool:
    """The matter came down to its current bureau as an upper bureau's 交办."""
    row = arrived_by(petition)
    return row is not None and row.kind == CustodyKind.FROM_ABOVE_ASSIGN


def case_number_at(petition: Petition, bureau_id: int | None) -> str:
    """The matter's number as `bureau_id` writes it: its own number when the matter
    came to it from another bureau, the registration number otherwise."""
    row = arrived_by(petition, bureau_id) if bureau_id else None
    return row.case_number if row is not None and row.case_number else petition.case_number


def check_lower_bureau(petition: Petition, target: Unit) -> None:
    """Down: only to an active bureau inside the holding bureau's area."""
    holder = petition.bureau
    if holder is None or target.pk == holder.pk or not bureaus.in_area(holder, target):
        raise ActionError(
            "invalid",
            "只能转送、交办给下级信访部门；属于上级职权的事项请报送上级信访部门",
            fields={"unit": "请选择下级信访部门或有权处理的机关、单位"},
        )


def _arrive(petition: Petition, *, target: Unit, kind: str, at) -> Custody:
    from .intake import next_case_number

    previous = arrived_by(petition)
    if previous is not None and previous.ended_at is None:
        Custody.objects.filter(pk=previous.pk).update(ended_at=at)
    # The receiving bureau numbers the matter in its own sequence (taken last: it locks the row).
    return Custody.objects.create(
        petition=petition,
        unit=target,
        kind=kind,
        from_unit=petition.bureau,
        case_number=next_case_number(at, target),
        started_at=at,
    )


def move_down(
    petition: Petition, *, actor, target: Unit, reason: str, assign: bool, report_days: int | None
) -> Petition:
    """转送 / 交办 to a lower bureau (called by petition_transfer, which holds the rule)."""
    now = timezone.now()
    event = transition(
        petition,
        allowed_from={Status.REGISTERED},
        to_status=Status.REGISTERED,
        action=EventAction.ASSIGN if assign else EventAction.TRANSFER,
        actor=actor,
        reason=reason,
        data={"unit_id": target.pk, "unit": target.name, "report_days": report_days, "to_bureau": True},
        updates={"bureau": target, "handling_unit": None, "handler": None, "is_assignment": assign},
    )
    meet_deadlines(petition, DeadlineRule.ROUTE, at=now)
    kind = CustodyKind.FROM_ABOVE_ASSIGN if assign else CustodyKind.FROM_ABOVE_TRANSFER
    row = _arrive(petition, target=target, kind=kind, at=now)
    event.data["case_number"] = row.case_number
    event.save(update_fields=["data"])
    # The lower bureau routes it on within 15 日 of receiving it (Art. 22).
    open_deadline(petition, DeadlineRule.ROUTE, now)
    report_due = None
    if assign:
        report_due = open_deadline(petition, DeadlineRule.ASSIGN_REPORT, now, days=report_days).due
    refresh_current_due(petition)
    notices.for_transfer(event, actor=actor, unit=target, assign=assign, report_due=report_due)
    return petition


def _has_upper_bureau(petition: Petition) -> bool:
    return petition.bureau is not None and bureaus.upper_bureau(petition.bureau) is not None


@transaction.atomic
@declare(
    "send_up",
    Allow(
        BUREAU_DESK,
        Status.REGISTERED,
        when(_has_upper_bureau, lambda p: ActionError("invalid", "本信访部门没有上一级信访部门")),
    ),
)
def petition_send_up(*, actor, petition: Petition, reason: str) -> Petition:
    """报送上级信访部门: a matter that belongs to a higher level's powers goes to the
    upper bureau's desk, which routes it within 15 日 of receiving it."""
    reason = require_reason(reason)
    upper = bureaus.upper_bureau(petition.bureau)
    now = timezone.now()
    event = transition(
        petition,
        allowed_from={Status.REGISTERED},
        to_status=Status.REGISTERED,
        action=EventAction.SEND_UP,
        actor=actor,
        reason=reason,
        data={"unit_id": upper.pk, "unit": upper.name},
        updates={"bureau": upper},
    )
    meet_deadlines(petition, DeadlineRule.ROUTE, at=now)
    row = _arrive(petition, target=upper, kind=CustodyKind.FROM_BELOW, at=now)
    event.data["case_number"] = row.case_number
    event.save(update_fields=["data"])
    open_deadline(petition, DeadlineRule.ROUTE, now)
    refresh_current_due(petition)
    return petition


def keep_former_handler(petition: Petition, unit: Unit | None, *, at) -> None:
    """A unit whose matter goes up for review keeps reading it and its own documents."""
    if unit is not None:
        Custody.objects.create(
            petition=petition, unit=unit, kind=CustodyKind.HANDLED, started_at=at, ended_at=at
        )

"""Routing: 转送 / 交办 by the bureau (Art. 22), 告知 and 异议 by the unit (Art. 23)."""

from __future__ import annotations

from django.db import transaction
from django.utils import timezone

from xinfang.calendars.rules import DeadlineRule
from xinfang.units import bureaus, places
from xinfang.units.models import GOVERNMENT_KINDS, Unit, UnitKind

from .. import notices
from ..choices import PetitionClass, Status
from ..deadlines import (
    cancel_deadlines,
    meet_deadlines,
    open_deadline,
    open_deadline_for,
    refresh_current_due,
)
from ..errors import ActionError, DeadlinePassed, WrongState
from ..models import EventAction, Petition
from ._core import record_event, require_reason, transition
from .moves import assigned_from_above, check_lower_bureau, move_down
from .rules import BUREAU_DESK, UNIT_STAFF, Allow, declare, when


def _object_window_open(petition: Petition) -> bool:
    deadline = open_deadline_for(petition, DeadlineRule.OBJECT)
    return deadline is not None and deadline.due >= timezone.localdate()


ROUTABLE_FROM = {Status.REGISTERED}


def _apart_from_accused(unit: Unit, accused: Unit) -> bool:
    """Art. 30: the materials never go to the accused unit or a unit under it.
    The one exception is the discipline body of an accused government (区纪委监委
    under 海州区人民政府): it sits under that government in the tree but is the
    body Art. 22 names for accusations."""
    if unit.pk == accused.pk:
        return False
    if not unit.is_within(accused):
        return True
    return (
        accused.kind in GOVERNMENT_KINDS and unit.kind == UnitKind.DISCIPLINE and unit.parent_id == accused.pk
    )


def check_in_own_area(petition: Petition, unit: Unit) -> None:
    """A bureau routes to the units of its own area (places.route_targets, which the
    pages offer): a unit inside a lower bureau's area is reached through that bureau,
    a unit outside the area through the upper bureau."""
    holder = petition.bureau
    if holder is None:
        return
    lower, own = places.route_targets(holder)
    if unit.pk in {u.pk for u in own}:
        return
    below = next((b for b in lower if unit.path.startswith(bureaus.area_path(b))), None)
    if below is not None:
        raise ActionError(
            "invalid",
            f"{unit.name}属于{below.name}的辖区，请转送或交办给{below.name}",
            fields={"unit": f"请选择{below.name}"},
        )
    raise ActionError(
        "invalid",
        f"{unit.name}不在{holder.name}的辖区内；属于上级职权的事项请报送上级信访部门",
        fields={"unit": "请选择本辖区的机关、单位"},
    )


def check_route_target(petition: Petition, unit: Unit) -> None:
    """Art. 22 and Art. 30③: where a petition may be sent."""
    if not unit.is_active:
        raise ActionError("invalid", "所选单位已停用", fields={"unit": "所选单位已停用"})
    if unit.kind == UnitKind.BUREAU:
        if unit.pk == petition.bureau_id:
            raise ActionError(
                "invalid", "不能转送给本信访部门", fields={"unit": "请选择有权处理的机关、单位"}
            )
        check_lower_bureau(petition, unit)
        accused = petition.respondent_unit if petition.petition_class == PetitionClass.ACCUSATION else None
        if accused is not None and not _apart_from_accused(unit, accused):
            raise ActionError(
                "invalid", "不得将检举控告材料转给被检举单位（第三十条）", fields={"unit": "被检举单位"}
            )
        return
    check_in_own_area(petition, unit)
    if petition.petition_class == PetitionClass.ACCUSATION:
        if unit.kind != UnitKind.DISCIPLINE:
            raise ActionError(
                "invalid",
                "检举控告类事项应当转送纪检监察机关（《信访工作条例》第二十二条）",
                fields={"unit": "请选择纪检监察机关"},
            )
        if petition.respondent_unit_id and not _apart_from_accused(unit, petition.respondent_unit):
            raise ActionError(
                "invalid", "不得将检举控告材料转给被检举单位（第三十条）", fields={"unit": "被检举单位"}
            )
    if petition.is_litigation and unit.kind != UnitKind.POLITICAL_LEGAL:
        raise ActionError(
            "invalid",
            "涉法涉诉事项应当转送同级政法部门（《信访工作条例》第二十二条）",
            fields={"unit": "请选择政法部门"},
        )


@transaction.atomic
@declare("transfer", Allow(BUREAU_DESK, ROUTABLE_FROM))
def petition_transfer(
    *,
    actor,
    petition: Petition,
    unit: Unit,
    reason: str = "",
    assign: bool = False,
    report_days: int | None = None,
) -> Petition:
    """转送 (or 交办 when `assign`, with a 办结报告 due in `report_days`)."""
    check_route_target(petition, unit)
    if assign and report_days is not None and not 1 <= report_days <= 90:
        raise ActionError("invalid", "交办反馈期限应在1至90日之间", fields={"report_days": "1至90日"})
    if unit.kind == UnitKind.BUREAU:
        return move_down(
            petition, actor=actor, target=unit, reason=reason, assign=assign, report_days=report_days
        )
    # A matter an upper bureau assigned (交办) stays an assignment when routed on:
    # its 办结报告 is still owed upwards.
    assign_from_above = assigned_from_above(petition)
    now = timezone.now()
    event = transition(
        petition,
        allowed_from=ROUTABLE_FROM,
        to_status=Status.ROUTED,
        action=EventAction.ASSIGN if assign else EventAction.TRANSFER,
        actor=actor,
        reason=reason,
        data={"unit_id": unit.pk, "unit": unit.name, "report_days": report_days},
        updates={
            "handling_unit": unit,
            "routed_at": now,
            "is_assignment": assign or assign_from_above,
            "handler": None,
        },
    )
    meet_deadlines(petition, DeadlineRule.ROUTE, at=now)
    open_deadline(petition, DeadlineRule.NOTIFY, now)
    open_deadline(petition, DeadlineRule.OBJECT, now)
    report_due = None
    if assign:
        report_due = open_deadline(petition, DeadlineRule.ASSIGN_REPORT, now, days=report_days).due
    refresh_current_due(petition)
    notices.for_transfer(event, actor=actor, unit=unit, assign=assign, report_due=report_due)
    return petition


@transaction.atomic
@declare(
    "object",
    Allow(
        UNIT_STAFF,
        Status.ROUTED,
        when(
            _object_window_open,
            lambda p: DeadlinePassed(
                "已超过5个工作日的异议期限（《信访工作条例》第二十三条第三款），不能再提出异议"
            ),
        ),
    ),
)
def petition_object(*, actor, petition: Petition, reason: str) -> Petition:
    """异议: "not ours", within 5 working days of receipt (Art. 23③)."""
    reason = require_reason(reason)
    transition(
        petition,
        allowed_from={Status.ROUTED},
        to_status=Status.OBJECTED,
        action=EventAction.OBJECT,
        actor=actor,
        reason=reason,
        data={"unit_id": petition.handling_unit_id},
    )
    meet_deadlines(petition, DeadlineRule.OBJECT)
    refresh_current_due(petition)
    return petition


@transaction.atomic
@declare("decide_objection", Allow(BUREAU_DESK, Status.OBJECTED))
def petition_decide_objection(*, actor, petition: Petition, uphold: bool, reason: str) -> Petition:
    """The bureau checks an objection: upheld → take the matter back to route
    again; dismissed → the unit keeps it."""
    reason = require_reason(reason)
    if uphold:
        previous = petition.handling_unit
        transition(
            petition,
            allowed_from={Status.OBJECTED},
            to_status=Status.REGISTERED,
            action=EventAction.OBJECTION_UPHELD,
            actor=actor,
            reason=reason,
            data={"previous_unit_id": previous.pk if previous else None},
            updates={"handling_unit": None, "is_assignment": False, "handler": None},
        )
        cancel_deadlines(petition, DeadlineRule.NOTIFY, DeadlineRule.ASSIGN_REPORT, DeadlineRule.OBJECT)
        # The bureau must route again promptly: a fresh 15-day routing period.
        open_deadline(petition, DeadlineRule.ROUTE, timezone.now())
    else:
        transition(
            petition,
            allowed_from={Status.OBJECTED},
            to_status=Status.ROUTED,
            action=EventAction.OBJECTION_DISMISSED,
            actor=actor,
            reason=reason,
        )
    refresh_current_due(petition)
    return petition


@transaction.atomic
@declare(
    "notify",
    Allow(
        UNIT_STAFF,
        {Status.ROUTED, Status.HANDLING},
        when(lambda p: not p.notified_at, lambda p: WrongState("已告知信访人，无需重复告知")),
    ),
    state_message="当前状态不需要告知",
)
def petition_notify(
    *, actor, petition: Petition, text: str = "", documents: list[str] | None = None
) -> Petition:
    """书面告知: the unit tells the petitioner of receipt, route and procedure
    (Art. 23).  Not a status change, but it stops the 15-day clock."""
    now = timezone.now()
    updated = Petition.objects.filter(pk=petition.pk, notified_at__isnull=True).update(notified_at=now)
    if not updated:
        raise ActionError("wrong_state", "已告知信访人，无需重复告知")
    petition.notified_at = now
    meet_deadlines(petition, DeadlineRule.NOTIFY, at=now)
    refresh_current_due(petition)
    record_event(petition, action=EventAction.NOTIFY, actor=actor, reason=text, documents=documents or [])
    return petition

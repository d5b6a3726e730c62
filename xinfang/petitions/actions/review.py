"""Review (复查, Art. 35), re-review (复核, Art. 36) and closing after the window."""

from __future__ import annotations

from django.db import transaction
from django.utils import timezone

from xinfang.calendars.rules import DeadlineRule
from xinfang.units.models import Unit

from ..choices import PetitionClass, Stage, Status
from ..deadlines import (
    cancel_deadlines,
    meet_deadlines,
    open_deadline,
    open_deadline_for,
    refresh_current_due,
)
from ..errors import ActionError, DeadlinePassed, WrongState
from ..models import EventAction, Petition
from ._core import require_reason, transition
from .moves import keep_former_handler
from .rules import DESK_OR_UNIT, Allow, declare, when


def _window_open(petition: Petition, window: str) -> bool:
    deadline = open_deadline_for(petition, window)
    return deadline is not None and deadline.due >= timezone.localdate()


WINDOW_PASSED = "已超过自收到书面答复之日起30日的申请期限"
NOT_DELIVERED = "意见书尚未登记送达，申请期限尚未起算；请先登记送达"


def _window_started(petition: Petition, window: str) -> bool:
    return petition.deadlines.filter(rule=window).exists()


def _request_rule(stage: str) -> dict:
    """The declaration shared by both requests: the petitioner asks (or staff
    record it for them) while the opinion's 30-day window is open."""
    expected = Stage.INITIAL if stage == Stage.REVIEW else Stage.REVIEW
    window = DeadlineRule.REVIEW_REQUEST if stage == Stage.REVIEW else DeadlineRule.REREVIEW_REQUEST
    word = "复查" if stage == Stage.REVIEW else "复核"
    return {
        "petitioner": True,
        "state_message": f"当前阶段不能申请{word}",
        "when": [
            when(
                lambda p: p.petition_class != PetitionClass.ACCUSATION,
                lambda p: WrongState(
                    "检举控告类事项依规依纪依法办理和反馈（《信访工作条例》第三十条），不适用复查、复核"
                ),
            ),
            when(lambda p: p.stage == expected, lambda p: WrongState(f"当前阶段不能申请{word}")),
            # Arts. 35–36 count from receipt: no recorded delivery, no window yet.
            when(lambda p: _window_started(p, window), lambda p: WrongState(NOT_DELIVERED)),
            when(lambda p: _window_open(p, window), lambda p: DeadlinePassed(WINDOW_PASSED)),
        ],
    }


def reviewing_unit_for(petition: Petition, unit: Unit | None = None) -> Unit:
    """The body one level above the one that answered (Arts. 35, 36①): `unit`
    when it is such a body (refused otherwise), else the usual one."""
    answered = petition.handling_unit
    bodies = answered.reviewing_bodies() if answered is not None else []
    if not bodies:
        raise ActionError("no_reviewer", "没有上一级机关、单位可以受理复查（复核）请求")
    if unit is None:
        return bodies[0]
    if unit not in bodies:
        names = "、".join(b.name for b in bodies)
        word = "复查" if petition.stage == Stage.INITIAL else "复核"
        raise ActionError(
            "invalid",
            f"{unit.name}不是{answered.name}的上一级机关、单位，不能受理{word}请求"
            f"（《信访工作条例》第三十五条、第三十六条第一款），可以受理的是：{names}",
            fields={"unit": "请选择原办理机关、单位的上一级机关、单位"},
        )
    return unit


def _request(
    *, petition: Petition, reason: str, actor, actor_label: str, unit: Unit | None, stage: str
) -> Petition:
    reason = require_reason(reason)
    window = DeadlineRule.REVIEW_REQUEST if stage == Stage.REVIEW else DeadlineRule.REREVIEW_REQUEST
    target = reviewing_unit_for(petition, unit)
    now = timezone.now()
    previous = petition.handling_unit
    transition(
        petition,
        allowed_from={Status.OPINION_ISSUED},
        to_status=Status.HANDLING,
        action=EventAction.REQUEST_REVIEW if stage == Stage.REVIEW else EventAction.REQUEST_REREVIEW,
        actor=actor,
        actor_label=actor_label,
        reason=reason,
        data={"unit_id": target.pk, "unit": target.name, "previous_unit_id": petition.handling_unit_id},
        updates={"stage": stage, "handling_unit": target, "handler": None, "accepted_at": now},
    )
    keep_former_handler(petition, previous, at=now)
    meet_deadlines(petition, window, at=now)
    open_deadline(
        petition, DeadlineRule.REVIEW_ANSWER if stage == Stage.REVIEW else DeadlineRule.REREVIEW_ANSWER, now
    )
    refresh_current_due(petition)
    return petition


@transaction.atomic
@declare("request_review", Allow(DESK_OR_UNIT, Status.OPINION_ISSUED), **_request_rule(Stage.REVIEW))
def petition_request_review(
    *, petition: Petition, reason: str, actor=None, actor_label: str = "信访人", unit: Unit | None = None
) -> Petition:
    """复查 within 30 日 of the written reply, to the body one level above."""
    return _request(
        petition=petition, reason=reason, actor=actor, actor_label=actor_label, unit=unit, stage=Stage.REVIEW
    )


@transaction.atomic
@declare("request_rereview", Allow(DESK_OR_UNIT, Status.OPINION_ISSUED), **_request_rule(Stage.REREVIEW))
def petition_request_rereview(
    *, petition: Petition, reason: str, actor=None, actor_label: str = "信访人", unit: Unit | None = None
) -> Petition:
    """复核 within 30 日 of the review opinion, one level above the reviewer."""
    return _request(
        petition=petition,
        reason=reason,
        actor=actor,
        actor_label=actor_label,
        unit=unit,
        stage=Stage.REREVIEW,
    )


@transaction.atomic
def petition_close_after_window(*, petition: Petition) -> bool:
    """The worker closes an issued opinion whose review window has run out.
    Returns False when someone else moved it first."""
    window = DeadlineRule.REVIEW_REQUEST if petition.stage == Stage.INITIAL else DeadlineRule.REREVIEW_REQUEST
    deadline = open_deadline_for(petition, window)
    if deadline is None or deadline.due >= timezone.localdate():
        return False
    try:
        transition(
            petition,
            allowed_from={Status.OPINION_ISSUED},
            to_status=Status.CLOSED,
            action=EventAction.CLOSE,
            actor_label="系统",
            reason="申请复查（复核）期限届满，未提出申请",
            updates={"closed_at": timezone.now()},
        )
    except WrongState:
        return False
    # The 落实 check of a supported opinion outlives the matter (Art. 32).
    cancel_deadlines(petition, *(rule for rule in DeadlineRule if rule != DeadlineRule.IMPLEMENT))
    refresh_current_due(petition)
    return True

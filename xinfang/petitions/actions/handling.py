"""Handling: extension (Art. 34), the opinion (Art. 32), conclusion and evaluation."""

from __future__ import annotations

from django.db import transaction
from django.utils import timezone

from xinfang.calendars.rules import DeadlineRule

from .. import notices
from ..choices import ClaimRoute, EvaluationStage, Outcome, PetitionClass, Rating, Stage, Status
from ..deadlines import (
    cancel_deadlines,
    extend_deadline,
    meet_deadlines,
    open_deadline,
    open_deadline_for,
    refresh_current_due,
)
from ..errors import ActionError, WrongState
from ..models import Evaluation, EventAction, ExtensionRequest, Opinion, Petition, PetitionEvent
from ._core import record_event, require_reason, transition
from .decisions import conclude_rule_applies
from .moves import assigned_from_above
from .rules import BUREAU_DESK, UNIT_LEADER, UNIT_STAFF, Allow, declare, refused_by, when

MAX_EXTENSION_DAYS = 30


def extension_refusal(petition: Petition) -> ActionError | None:
    """Why the handling period cannot be extended now (Art. 34), or None."""
    if petition.stage != Stage.INITIAL:
        return WrongState("只有办理中的信访事项可以延期")
    if not conclude_rule_applies(petition):
        return ActionError(
            "invalid",
            "第三十四条的办理期限和延期只适用于按第三十一条第六项办理的申诉求决类事项",
            fields={"days": "该事项不适用延期"},
        )
    if petition.is_extended:
        return WrongState("办理期限只能延长一次")
    if petition.is_simple:
        return WrongState("简易办理事项不能延期，请转为普通程序")
    deadline = open_deadline_for(petition, DeadlineRule.CONCLUDE)
    if deadline is None:
        return WrongState("没有可延长的办理期限")
    if deadline.due < timezone.localdate():
        return WrongState("办理期限已届满，不能再延期")
    return None


def concludable(petition: Petition) -> bool:
    return petition.petition_class in {PetitionClass.SUGGESTION, PetitionClass.ACCUSATION} or (
        petition.petition_class == PetitionClass.CLAIM and petition.claim_route == ClaimRoute.DUTY_TO_ACT
    )


def _nothing_to_rate(petition: Petition) -> WrongState:
    if petition.accepted_at is None and petition.status not in {
        Status.REJECTED,
        Status.REFUSED_FINAL,
        Status.DIVERTED,
    }:
        return WrongState("尚未作出受理决定，暂不能评价")
    if petition.opinion_delivered_at is None and petition.status != Status.CLOSED:
        return WrongState("尚未办结，暂不能评价办理情况")
    return WrongState("该环节已评价")


def evaluable_stages(petition: Petition) -> list[str]:
    """Evaluation stages the petitioner may still rate."""
    stages = []
    done = set(
        Evaluation.objects.filter(petition=petition, unit=petition.handling_unit).values_list(
            "stage", flat=True
        )
    )
    if EvaluationStage.ACCEPTANCE not in done and (
        petition.accepted_at is not None
        or petition.status in {Status.REJECTED, Status.REFUSED_FINAL, Status.DIVERTED}
    ):
        stages.append(EvaluationStage.ACCEPTANCE)
    if EvaluationStage.HANDLING not in done and (
        petition.opinion_delivered_at is not None or petition.status == Status.CLOSED
    ):
        stages.append(EvaluationStage.HANDLING)
    return stages


def check_extension_days(days) -> int:
    """The number of days of an extension (Art. 34: at most 30), or the refusal."""
    if not 1 <= int(days) <= MAX_EXTENSION_DAYS:
        raise ActionError(
            "invalid", "延长期限不得超过30日（《信访工作条例》第三十四条）", fields={"days": "1至30日"}
        )
    return int(days)


def grant_extension(
    *, actor, petition: Petition, days: int, reason: str, documents=None, data: dict | None = None
) -> PetitionEvent:
    """The extension itself, once the unit leader has decided it: the handling
    period is extended by `days`, an event is written and the petitioner gets
    the extension notice with the reason (Art. 34).  Callers check the rule."""
    days = check_extension_days(days)
    deadline = open_deadline_for(petition, DeadlineRule.CONCLUDE)
    old_due = deadline.due
    extend_deadline(deadline, days)
    event = transition(
        petition,
        allowed_from={Status.HANDLING},
        to_status=Status.HANDLING,
        action=EventAction.EXTEND,
        actor=actor,
        reason=reason,
        data={
            "days": days,
            "old_due": old_due.isoformat(),
            "new_due": deadline.due.isoformat(),
            **(data or {}),
        },
        updates={"is_extended": True},
        documents=documents or [],
    )
    refresh_current_due(petition)
    notices.for_extend(event, actor=actor, days=days, reason=reason, due=deadline.due)
    return event


def pending_extension_request(petition: Petition) -> ExtensionRequest | None:
    """The handler's extension request awaiting the unit leader: undecided and
    not lapsed (ExtensionRequestQuerySet.waiting: one left undecided when the
    period ended, the opinion was issued or the matter closed lapses with it)."""
    return petition.extension_requests.waiting().select_related("requested_by").first()


def no_pending_extension_request(petition: Petition) -> ActionError | None:
    if pending_extension_request(petition) is not None:
        return WrongState("承办人已申请延期，请先审批该延期申请")
    return None


@transaction.atomic
@declare(
    "extend",
    Allow(
        UNIT_LEADER, Status.HANDLING, refused_by(extension_refusal), refused_by(no_pending_extension_request)
    ),
    state_message="只有办理中的信访事项可以延期",
)
def petition_extend(
    *, actor, petition: Petition, days: int, reason: str, documents: list[str] | None = None
) -> Petition:
    """延期: once, at most 30 日, approved by the unit leader, reason told to the petitioner."""
    reason = require_reason(reason)
    grant_extension(actor=actor, petition=petition, days=days, reason=reason, documents=documents)
    return petition


@transaction.atomic
@declare(
    "convert_to_normal",
    Allow(
        UNIT_LEADER,
        Status.HANDLING,
        when(
            lambda p: p.stage == Stage.INITIAL, lambda p: WrongState("只有办理中的信访事项可以转为普通程序")
        ),
        when(lambda p: p.is_simple, lambda p: WrongState("该事项未适用简易办理，无需转为普通程序")),
    ),
    state_message="只有办理中的信访事项可以转为普通程序",
)
def petition_convert_to_normal(
    *, actor, petition: Petition, reason: str, documents: list[str] | None = None
) -> Petition:
    """简易办理 → 普通程序: the unit leader converts a simple-procedure matter
    that needs more time.  The 10-working-day period ends; a matter under
    Art. 31(6) gets the 60-day period of Art. 34 counted from its acceptance,
    as if it had been handled normally from the start (it may then be extended)."""
    reason = require_reason(reason)
    simple = open_deadline_for(petition, DeadlineRule.SIMPLE)
    start = simple.start if simple is not None else petition.accepted_at
    cancel_deadlines(petition, DeadlineRule.SIMPLE)
    conclude = (
        open_deadline(petition, DeadlineRule.CONCLUDE, start) if conclude_rule_applies(petition) else None
    )
    transition(
        petition,
        allowed_from={Status.HANDLING},
        to_status=Status.HANDLING,
        action=EventAction.CONVERT_TO_NORMAL,
        actor=actor,
        reason=reason,
        data={
            "simple_due": simple.due.isoformat() if simple is not None else None,
            "new_due": conclude.due.isoformat() if conclude is not None else None,
        },
        updates={"is_simple": False},
        documents=documents or [],
    )
    refresh_current_due(petition)
    return petition


def opinion_fields(
    outcome: str, request: str, facts_reasons: str, findings: str, opinion_text: str, legal_basis: str
) -> dict:
    errors = {}
    if outcome not in Outcome.values:
        errors["outcome"] = "请选择处理意见（支持、解释说明、不予支持）"
    for name, value in (
        ("request", request),
        ("facts_reasons", facts_reasons),
        ("opinion_text", opinion_text),
        ("legal_basis", legal_basis),
    ):
        if not (value or "").strip():
            errors[name] = "此项为必填项（《信访工作条例》第三十二条）"
    if not (findings or "").strip():
        # Art. 31(6): the handler investigates; the findings are the handler's, not the petitioner's.
        errors["findings"] = "请填写调查核实情况（《信访工作条例》第三十一条第六项）"
    if errors:
        raise ActionError("invalid", "意见书内容不完整", fields=errors)
    return {
        "outcome": outcome,
        "request": request.strip(),
        "facts_reasons": facts_reasons.strip(),
        "findings": findings.strip(),
        "opinion_text": opinion_text.strip(),
        "legal_basis": legal_basis.strip(),
    }


def _opinion_matter_refusal(petition: Petition) -> ActionError | None:
    """Only a claim handled under Art. 31(6) gets a 信访处理意见书 (and so a
    review window); the other matters are concluded with a reply or a result."""
    if petition.stage != Stage.INITIAL:
        return None
    if petition.petition_class == PetitionClass.ACCUSATION:
        return ActionError(
            "invalid",
            "检举控告类事项依规依纪依法办理和反馈（《信访工作条例》第三十条），不出具信访处理意见书，请办结并反馈结果",
        )
    if petition.petition_class == PetitionClass.SUGGESTION:
        return ActionError(
            "invalid", "建议意见类事项研究论证后予以回复（《信访工作条例》第二十九条），不出具信访处理意见书"
        )
    if petition.claim_route is None:
        return ActionError(
            "invalid",
            "请先选择处理途径：只有按第三十一条第六项办理的申诉求决类事项出具信访处理意见书",
            fields={"claim_route": "请选择处理途径"},
        )
    if petition.claim_route != ClaimRoute.PETITION_HANDLING:
        return ActionError("invalid", "按第三十一条第（一）至（五）项处理的事项不出具信访处理意见书")
    return None


@transaction.atomic
@declare(
    "draft_opinion",
    # Arts. 29-31: only a claim handled under Art. 31(6) gets a 信访处理意见书.
    Allow(UNIT_STAFF, Status.HANDLING, refused_by(_opinion_matter_refusal)),
)
def petition_draft_opinion(
    *,
    actor,
    petition: Petition,
    outcome: str,
    request: str,
    facts_reasons: str,
    opinion_text: str,
    legal_basis: str,
    findings: str = "",
) -> Opinion:
    """拟写信访处理意见书 (or 复查/复核意见书 at those stages).  `findings` is
    what the handler's investigation found (调查核实情况), required."""
    fields = opinion_fields(outcome, request, facts_reasons, findings, opinion_text, legal_basis)
    transition(
        petition,
        allowed_from={Status.HANDLING},
        to_status=Status.OPINION_DRAFTED,
        action=EventAction.DRAFT_OPINION,
        actor=actor,
        data={"outcome": outcome},
    )
    return Opinion.objects.create(
        petition=petition, stage=petition.stage, unit=petition.handling_unit, drafted_by=actor, **fields
    )


@transaction.atomic
@declare(
    "conclude",
    Allow(
        UNIT_STAFF,
        Status.HANDLING,
        when(
            concludable,
            lambda p: ActionError("invalid", "申诉求决类事项应出具信访处理意见书或导入法定途径"),
        ),
    ),
)
def petition_conclude(
    *, actor, petition: Petition, result: str, documents: list[str] | None = None
) -> Petition:
    """办结 without an opinion: a reply to a suggestion (Art. 29), the result of
    an accusation from the discipline unit (Art. 30), or performing/answering
    a duty to act (Art. 31(5))."""
    result = require_reason(result, "result")
    now = timezone.now()
    transition(
        petition,
        allowed_from={Status.HANDLING},
        to_status=Status.CLOSED,
        action=EventAction.CONCLUDE,
        actor=actor,
        reason=result,
        updates={"closed_at": now},
        documents=documents or [],
    )
    meet_deadlines(petition, DeadlineRule.CONCLUDE, DeadlineRule.SIMPLE, at=now)
    refresh_current_due(petition)
    return petition


REPORT_OWED = (
    when(lambda p: p.is_assignment, lambda p: ActionError("invalid", "只有交办件需要报送办结报告")),
    when(
        lambda p: open_deadline_for(p, DeadlineRule.ASSIGN_REPORT) is not None,
        lambda p: WrongState("办结报告已报送，无需重复报送"),
    ),
)


@transaction.atomic
@declare(
    "report",
    Allow(UNIT_STAFF, None, *REPORT_OWED),
    # A matter an upper bureau assigned down: the lower bureau reports back up.
    Allow(
        BUREAU_DESK,
        None,
        *REPORT_OWED,
        when(
            assigned_from_above,
            lambda p: ActionError("invalid", "只有上级交办的事项由本信访部门报送办结报告"),
        ),
    ),
)
def petition_report(*, actor, petition: Petition, text: str, documents: list[str] | None = None) -> Petition:
    """办结报告 for an assigned (交办) matter, back to the bureau (Art. 22③)."""
    text = require_reason(text, "text")
    meet_deadlines(petition, DeadlineRule.ASSIGN_REPORT)
    refresh_current_due(petition)
    event = record_event(
        petition, action=EventAction.REPORT, actor=actor, reason=text, documents=documents or []
    )
    notices.for_report(event, actor=actor, text=text)
    return petition


@transaction.atomic
@declare(
    "evaluate",
    # The petitioner rates; the bureau's desk records a rating given by phone or
    # at a follow-up visit.  Supervisors never rate (their job is oversight).
    Allow(BUREAU_DESK),
    petitioner=True,
    when=[when(lambda p: bool(evaluable_stages(p)), lambda p: _nothing_to_rate(p))],
)
def petition_evaluate(
    *, petition: Petition, stage: str, rating: str, comment: str = "", actor=None, actor_label: str = "信访人"
) -> Evaluation:
    """评价 of acceptance or of handling: 满意 / 基本满意 / 不满意, once per stage and unit.
    Staff may record a petitioner's rating given by phone or at a follow-up visit."""
    if stage not in EvaluationStage.values:
        raise ActionError("invalid", "评价环节不正确", fields={"stage": "请选择"})
    if rating not in Rating.values:
        raise ActionError("invalid", "请选择满意度", fields={"rating": "请选择满意、基本满意或不满意"})
    if (
        stage == EvaluationStage.ACCEPTANCE
        and petition.accepted_at is None
        and petition.status not in {Status.REJECTED, Status.REFUSED_FINAL, Status.DIVERTED}
    ):
        raise WrongState("尚未作出受理决定，暂不能评价")
    if (
        stage == EvaluationStage.HANDLING
        and petition.opinion_delivered_at is None
        and petition.status != Status.CLOSED
    ):
        raise WrongState("尚未办结，暂不能评价办理情况")
    if Evaluation.objects.filter(petition=petition, stage=stage, unit=petition.handling_unit).exists():
        raise WrongState("该环节已评价")
    evaluation = Evaluation.objects.create(
        petition=petition,
        stage=stage,
        rating=rating,
        comment=comment.strip()[:2000],
        unit=petition.handling_unit,
    )
    record_event(
        petition,
        action=EventAction.EVALUATE,
        actor=actor,
        actor_label=actor_label,
        data={"stage": stage, "rating": rating},
    )
    return evaluation

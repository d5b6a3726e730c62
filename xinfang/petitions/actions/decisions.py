"""Acceptance decisions (受理 / 不予受理 / 不再受理) and classification (Arts. 19, 29–31, 36③)."""

from __future__ import annotations

from django.db import transaction
from django.utils import timezone

from xinfang.accounts.models import Role
from xinfang.calendars.rules import DeadlineRule

from .. import notices
from ..choices import (
    DIVERSION_ROUTES,
    OPEN_STATUSES,
    ClaimRoute,
    LinkKind,
    PetitionClass,
    RejectionReason,
    Stage,
    Status,
)
from ..deadlines import (
    cancel_deadlines,
    meet_deadlines,
    open_deadline,
    open_deadline_for,
    refresh_current_due,
)
from ..errors import ActionError
from ..models import EventAction, Petition, PetitionLink, PetitionPetitioner
from ._core import record_event, require_bureau, require_handling_unit, require_reason, transition


def conclude_rule_applies(petition: Petition) -> bool:
    """Art. 34: the 60-day limit (and its extension) governs the matters of
    Art. 31(6) only: claims handled through the petition procedure.  A
    suggestion (Art. 29), an accusation (Art. 30, discipline rules) and the
    claims of Art. 31(1)-(5) follow their own procedures."""
    return (
        petition.petition_class == PetitionClass.CLAIM
        and petition.claim_route == ClaimRoute.PETITION_HANDLING
    )


def sync_conclude_deadline(petition: Petition) -> None:
    """After a (re)classification in handling: open the 60-day period from
    acceptance when the matter now falls under Art. 31(6), drop it when not."""
    if petition.status != Status.HANDLING or petition.stage != Stage.INITIAL or petition.is_simple:
        return
    running = open_deadline_for(petition, DeadlineRule.CONCLUDE)
    if conclude_rule_applies(petition):
        if running is None and petition.accepted_at is not None:
            open_deadline(petition, DeadlineRule.CONCLUDE, petition.accepted_at)
    elif running is not None:
        cancel_deadlines(petition, DeadlineRule.CONCLUDE)
    refresh_current_due(petition)


def _is_unit_decision(actor, petition: Petition) -> bool:
    return petition.status in {Status.ROUTED, Status.HANDLING} and petition.handling_unit_id is not None


@transaction.atomic
def petition_classify(
    *,
    actor,
    petition: Petition,
    petition_class: str,
    claim_route: int | None = None,
    category=None,
    is_litigation: bool | None = None,
) -> Petition:
    """Sort the matter by class (Arts. 29–31) and, for claims, by route."""
    if petition_class not in PetitionClass.values:
        raise ActionError("invalid", "请选择类别", fields={"petition_class": "请选择类别"})
    if claim_route is not None and (
        petition_class != PetitionClass.CLAIM or claim_route not in ClaimRoute.values
    ):
        raise ActionError(
            "invalid", "只有申诉求决类事项需要选择处理途径", fields={"claim_route": "途径不正确"}
        )
    if petition.status == Status.REGISTERED:
        require_bureau(actor, Role.REGISTRAR, Role.BUREAU_LEADER)
    elif petition.status in {Status.ROUTED, Status.HANDLING}:
        require_handling_unit(actor, petition)
    else:
        raise ActionError("wrong_state", "当前状态不能修改分类")
    before = {"petition_class": petition.petition_class, "claim_route": petition.claim_route}
    updates = {"petition_class": petition_class, "claim_route": claim_route}
    if category is not None:
        updates["category"] = category
    if is_litigation is not None:
        updates["is_litigation"] = is_litigation
    Petition.objects.filter(pk=petition.pk).update(**updates)
    for key, value in updates.items():
        setattr(petition, key, value)
    record_event(
        petition,
        action=EventAction.CLASSIFY,
        actor=actor,
        data={"before": before, "after": {k: getattr(v, "pk", v) for k, v in updates.items()}},
    )
    sync_conclude_deadline(petition)
    return petition


def is_first_time(petition: Petition) -> bool:
    """简易办理 is for first-time matters: none of its petitioners has an earlier
    petition in the same category, and it is linked to no earlier matter."""
    if PetitionLink.objects.filter(from_petition=petition).exists():
        return False
    petitioner_ids = PetitionPetitioner.objects.filter(petition=petition).values("petitioner_id")
    earlier = PetitionPetitioner.objects.filter(petitioner_id__in=petitioner_ids).exclude(petition=petition)
    if petition.category_id:
        earlier = earlier.filter(petition__category_id=petition.category_id)
    return not earlier.filter(petition__received_at__lt=petition.received_at).exists()


@transaction.atomic
def petition_accept(
    *, actor, petition: Petition, simple: bool = False, reason: str = "", documents: list[str] | None = None
) -> Petition:
    """受理: the handling clock starts — 60 日 (Art. 34) or 10 个工作日 under the simple procedure."""
    require_handling_unit(actor, petition)
    if not petition.petition_class:
        raise ActionError(
            "invalid",
            "受理前请先确定类别（建议意见类、检举控告类、申诉求决类）",
            fields={"petition_class": "必填"},
        )
    if simple and not is_first_time(petition):
        raise ActionError(
            "invalid", "简易办理仅适用于首次提出、事实清楚的信访事项", fields={"simple": "不符合简易办理条件"}
        )
    now = timezone.now()
    event = transition(
        petition,
        allowed_from={Status.ROUTED},
        to_status=Status.HANDLING,
        action=EventAction.ACCEPT,
        actor=actor,
        reason=reason,
        data={"simple": simple},
        updates={
            "accepted_at": now,
            "is_simple": simple,
            "handler": actor if actor.role == Role.HANDLER else petition.handler,
            "notified_at": petition.notified_at or now,
        },
        documents=documents or [],
    )
    # The acceptance notice is the written notice of Art. 23 as well.
    meet_deadlines(petition, DeadlineRule.NOTIFY, DeadlineRule.OBJECT, at=now)
    if simple:
        open_deadline(petition, DeadlineRule.SIMPLE, now)
    elif conclude_rule_applies(petition):
        open_deadline(petition, DeadlineRule.CONCLUDE, now)
    refresh_current_due(petition)
    notices.for_accept(event, actor=actor)
    return petition


@transaction.atomic
def petition_reject(
    *,
    actor,
    petition: Petition,
    reason_code: str,
    reason: str,
    earlier: Petition | None = None,
    documents: list[str] | None = None,
) -> Petition:
    """不予受理, with a ground: Art. 19③ (same matter accepted or in handling
    below — name the earlier petition), outside powers, or not a petition."""
    if reason_code not in RejectionReason.values:
        raise ActionError("invalid", "请选择不予受理的理由", fields={"reason_code": "请选择"})
    reason = require_reason(reason)
    if petition.status == Status.REGISTERED:
        require_bureau(actor, Role.REGISTRAR, Role.BUREAU_LEADER)
    else:
        require_handling_unit(actor, petition, Role.UNIT_LEADER)
    if reason_code == RejectionReason.SAME_MATTER_BELOW:
        if earlier is None or earlier.pk == petition.pk:
            raise ActionError("invalid", "请指明已受理或正在办理的同一事项", fields={"earlier": "必填"})
        if (
            earlier.status not in OPEN_STATUSES
            or earlier.accepted_at is None
            and earlier.status != Status.ROUTED
        ):
            raise ActionError(
                "invalid", "所指事项未在受理或办理中，不适用第十九条第三款", fields={"earlier": "不适用"}
            )
    event = transition(
        petition,
        allowed_from={Status.REGISTERED, Status.ROUTED},
        to_status=Status.REJECTED,
        action=EventAction.REJECT,
        actor=actor,
        reason=reason,
        data={"reason_code": reason_code, "earlier_id": earlier.pk if earlier else None},
        updates={"closed_at": timezone.now()},
        documents=documents or [],
    )
    if earlier is not None:
        PetitionLink.objects.get_or_create(
            from_petition=petition,
            to_petition=earlier,
            kind=LinkKind.SAME_MATTER,
            defaults={"created_by": actor},
        )
    cancel_deadlines(petition)
    refresh_current_due(petition)
    notices.for_reject(event, actor=actor, reason_code=reason_code, reason=reason)
    return petition


@transaction.atomic
def petition_refuse_final(
    *, actor, petition: Petition, earlier: Petition, reason: str, documents: list[str] | None = None
) -> Petition:
    """不再受理 (Art. 36③): the same facts and reasons were concluded by re-review."""
    reason = require_reason(reason)
    if petition.status == Status.REGISTERED:
        require_bureau(actor, Role.REGISTRAR, Role.BUREAU_LEADER)
    else:
        require_handling_unit(actor, petition, Role.UNIT_LEADER)
    if not earlier.is_final:
        raise ActionError(
            "invalid", "所指事项尚未经复核终结，不适用第三十六条第三款", fields={"earlier": "不适用"}
        )
    event = transition(
        petition,
        allowed_from={Status.REGISTERED, Status.ROUTED},
        to_status=Status.REFUSED_FINAL,
        action=EventAction.REFUSE_FINAL,
        actor=actor,
        reason=reason,
        data={"earlier_id": earlier.pk, "earlier_case_number": earlier.case_number},
        updates={"closed_at": timezone.now()},
        documents=documents or [],
    )
    PetitionLink.objects.get_or_create(
        from_petition=petition, to_petition=earlier, kind=LinkKind.SAME_MATTER, defaults={"created_by": actor}
    )
    cancel_deadlines(petition)
    refresh_current_due(petition)
    notices.for_refuse_final(event, actor=actor, earlier=earlier)
    return petition


@transaction.atomic
def petition_divert(
    *, actor, petition: Petition, claim_route: int, reason: str, documents: list[str] | None = None
) -> Petition:
    """诉访分离: routes (1)–(4) of Art. 31 lead the claim into its statutory
    procedure; the petition closes with a notice."""
    require_handling_unit(actor, petition)
    reason = require_reason(reason)
    if petition.petition_class != PetitionClass.CLAIM:
        raise ActionError("invalid", "只有申诉求决类事项可以导入法定途径")
    if claim_route not in {int(r) for r in DIVERSION_ROUTES}:
        raise ActionError(
            "invalid", "请选择第三十一条第（一）至（四）项规定的途径", fields={"claim_route": "请选择"}
        )
    event = transition(
        petition,
        allowed_from={Status.ROUTED, Status.HANDLING},
        to_status=Status.DIVERTED,
        action=EventAction.DIVERT,
        actor=actor,
        reason=reason,
        data={"claim_route": claim_route},
        updates={"claim_route": claim_route, "closed_at": timezone.now()},
        documents=documents or [],
    )
    cancel_deadlines(petition)
    refresh_current_due(petition)
    notices.for_divert(event, actor=actor, claim_route=claim_route, reason=reason)
    return petition


def stage_rule(stage: str) -> DeadlineRule:
    return {
        Stage.INITIAL: DeadlineRule.CONCLUDE,
        Stage.REVIEW: DeadlineRule.REVIEW_ANSWER,
        Stage.REREVIEW: DeadlineRule.REREVIEW_ANSWER,
    }[stage]

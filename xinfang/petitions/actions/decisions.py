"""Acceptance decisions (受理 / 不予受理 / 不再受理) and classification (Arts. 19, 29–31, 36③)."""

from __future__ import annotations

from django.db import transaction
from django.utils import timezone

from xinfang.accounts.models import Role
from xinfang.calendars.rules import DeadlineRule
from xinfang.units.models import Unit, UnitKind

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
from ..errors import ActionError, WrongState
from ..models import EventAction, Petition, PetitionLink, PetitionPetitioner
from ._core import record_event, require_reason, transition
from .rules import BUREAU_DESK, UNIT_LEADER, UNIT_STAFF, Allow, declare, when


def received_directly(petition: Petition) -> bool:
    """Received by a unit itself (Art. 23①), not transferred or assigned to it by a bureau."""
    unit = petition.registering_unit
    return (
        unit is not None
        and unit.kind != UnitKind.BUREAU
        and not petition.events.filter(action__in=[EventAction.TRANSFER, EventAction.ASSIGN]).exists()
    )


TRANSFERRED_MATTER = (
    "转送、交办的信访事项不能由承办单位不予受理：不属于本单位职权范围的，"
    "应当自收到之日起5个工作日内提出异议（《信访工作条例》第二十三条第三款）"
)


def refusing_body(actor, petition: Petition) -> Unit | None:
    """The body that refuses: the unit handling the matter, or for a bureau the
    Party committee and government it works for."""
    unit = petition.handling_unit if petition.status != Status.REGISTERED else actor.unit
    if unit is not None and unit.kind == UnitKind.BUREAU and unit.parent is not None:
        return unit.parent
    return unit


def _reject_params(
    actor, petition: Petition, *, reason_code: str = "", earlier=None, **_
) -> ActionError | None:
    """Art. 19③: only a body above the one that accepted or handles the same
    matter refuses it as already in hand there."""
    if reason_code != RejectionReason.SAME_MATTER_BELOW or earlier is None or actor is None:
        return None
    body = refusing_body(actor, petition)
    below = earlier.handling_unit
    if body is None or below is None or below.pk == body.pk or not below.is_within(body):
        return ActionError(
            "invalid",
            "只有受理、办理该事项的机关、单位的上级机关、单位才能以同一事项正在办理为由不予受理"
            "（《信访工作条例》第十九条第三款）",
            fields={"earlier": "所指事项不在本机关、单位的下级办理"},
        )
    return None


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


@transaction.atomic
@declare(
    "classify",
    Allow(BUREAU_DESK, Status.REGISTERED),
    Allow(UNIT_STAFF, {Status.ROUTED, Status.HANDLING}),
    state_message="当前状态不能修改分类",
)
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
@declare(
    "accept",
    Allow(
        UNIT_STAFF,
        Status.ROUTED,
        when(
            lambda p: bool(p.petition_class),
            lambda p: ActionError(
                "invalid",
                "受理前请先确定类别（建议意见类、检举控告类、申诉求决类）",
                fields={"petition_class": "必填"},
            ),
        ),
    ),
)
def petition_accept(
    *, actor, petition: Petition, simple: bool = False, reason: str = "", documents: list[str] | None = None
) -> Petition:
    """受理: the handling clock starts — 60 日 (Art. 34) or 10 个工作日 under the simple procedure."""
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
@declare(
    "reject",
    Allow(BUREAU_DESK, Status.REGISTERED),
    # Art. 23③: a transferred matter is objected to, never refused by the unit.
    Allow(UNIT_LEADER, Status.ROUTED, when(received_directly, lambda p: WrongState(TRANSFERRED_MATTER))),
    params=_reject_params,
)
def petition_reject(
    *,
    actor,
    petition: Petition,
    reason_code: str,
    reason: str,
    earlier: Petition | None = None,
    competent_body: str = "",
    documents: list[str] | None = None,
) -> Petition:
    """不予受理, with a ground: Art. 19③ (same matter accepted or in handling
    below — name the earlier petition), outside powers (name the competent
    body, Art. 23①), or not a petition."""
    if reason_code not in RejectionReason.values:
        raise ActionError("invalid", "请选择不予受理的理由", fields={"reason_code": "请选择"})
    reason = require_reason(reason)
    competent_body = (competent_body or "").strip()
    if reason_code == RejectionReason.OUTSIDE_POWERS and not competent_body:
        raise ActionError(
            "invalid",
            "不属于本机关职权范围的，应当告知信访人向有权处理的机关、单位提出（《信访工作条例》第二十三条第一款）",
            fields={"competent_body": "请填写有权处理的机关、单位"},
        )
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
    notices.for_reject(
        event, actor=actor, reason_code=reason_code, reason=reason, competent_body=competent_body
    )
    return petition


@transaction.atomic
@declare("refuse_final", Allow(BUREAU_DESK, Status.REGISTERED), Allow(UNIT_LEADER, Status.ROUTED))
def petition_refuse_final(
    *, actor, petition: Petition, earlier: Petition, reason: str, documents: list[str] | None = None
) -> Petition:
    """不再受理 (Art. 36③): the same facts and reasons were concluded by re-review."""
    reason = require_reason(reason)
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
@declare(
    "divert",
    Allow(
        UNIT_STAFF,
        {Status.ROUTED, Status.HANDLING},
        when(
            lambda p: p.petition_class == PetitionClass.CLAIM,
            lambda p: ActionError("invalid", "只有申诉求决类事项可以导入法定途径"),
        ),
    ),
)
def petition_divert(
    *, actor, petition: Petition, claim_route: int, reason: str, documents: list[str] | None = None
) -> Petition:
    """诉访分离: routes (1)–(4) of Art. 31 lead the claim into its statutory
    procedure; the petition closes with a notice."""
    reason = require_reason(reason)
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

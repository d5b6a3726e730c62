"""A handler's request to extend the handling period (申请延期), decided by the
unit leader (Art. 34: one extension of at most 30 日, approved by the head of
the body, the petitioner told of it and its reason).

The approval grants the extension through `handling.grant_extension`, the
same step as the leader's direct extension: same deadline rule, same notice."""

from __future__ import annotations

from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.translation import gettext_noop

from xinfang.accounts.models import Role
from xinfang.calendars.rules import DeadlineRule

from ..choices import Status
from ..deadlines import open_deadline_for
from ..errors import ActionError, WrongState
from ..models import EventAction, ExtensionRequest, ExtensionRequestStatus, Petition
from ._core import record_event, require_reason, require_text
from .handling import check_extension_days, extension_refusal, grant_extension, pending_extension_request
from .rules import UNIT_LEADER, Allow, Who, declare, in_handling_unit, refused_by, when

# The handler of the unit that has the matter (its leader extends directly).
HANDLER = Who(frozenset({Role.HANDLER}), in_handling_unit, "只有承办单位可以执行此操作")

ALREADY_EXTENDED = "办理期限已经延长过，延期只能一次，不能再申请延期（《信访工作条例》第三十四条）"
ALREADY_PENDING = "已有一份延期申请等待单位负责人审批，不能重复申请"
NONE_PENDING = "没有待审批的延期申请"
LAPSED = "该延期申请已失效：所申请延长的办理期限已届满或已结束（《信访工作条例》第三十四条），不能再审批"


pending_request = pending_extension_request


def undecided_request(petition: Petition) -> ExtensionRequest | None:
    """The request stored as undecided, lapsed or not."""
    return petition.extension_requests.pending().select_related("requested_by").first()


def _lapsed_refusal(petition: Petition) -> ActionError | None:
    """A lapsed request is shown as 已失效 and decided no more, either way."""
    if pending_request(petition) is None and undecided_request(petition) is not None:
        return WrongState(LAPSED)
    return None


def _requestable(petition: Petition) -> ActionError | None:
    """Why the handler cannot ask for an extension now, or None."""
    if petition.is_extended:
        return WrongState(ALREADY_EXTENDED)
    if pending_request(petition) is not None:
        return WrongState(ALREADY_PENDING)
    return extension_refusal(petition)


@transaction.atomic
@declare(
    "request_extension",
    Allow(HANDLER, Status.HANDLING, refused_by(_requestable)),
    state_message="只有办理中的信访事项可以申请延期",
)
def petition_request_extension(*, actor, petition: Petition, days: int, reason: str) -> ExtensionRequest:
    """申请延期: the handler asks the unit leader for `days` (at most 30) more,
    with the reason that will be told to the petitioner if approved."""
    reason = require_reason(reason)
    days = check_extension_days(days)
    # A lapsed request still stored as undecided makes way (one undecided at a time).
    petition.extension_requests.lapsed().filter(status=ExtensionRequestStatus.PENDING).update(
        status=ExtensionRequestStatus.LAPSED
    )
    try:
        with transaction.atomic():
            request = ExtensionRequest.objects.create(
                petition=petition,
                deadline=open_deadline_for(petition, DeadlineRule.CONCLUDE),
                days=days,
                reason=reason,
                requested_by=actor,
            )
    except IntegrityError:  # another request was filed meanwhile (one pending at a time)
        raise WrongState(ALREADY_PENDING) from None
    record_event(
        petition,
        action=EventAction.REQUEST_EXTENSION,
        actor=actor,
        reason=reason,
        data={"request_id": request.pk, "days": days},
    )
    return request


def _decision_refusal(actor, petition: Petition, *, approve: bool = False, **_) -> ActionError | None:
    """An approval extends the period now, so the period must still be extendable."""
    return extension_refusal(petition) if approve else None


@transaction.atomic
@declare(
    "decide_extension",
    Allow(
        UNIT_LEADER,
        Status.HANDLING,
        when(lambda p: undecided_request(p) is not None, lambda p: WrongState(NONE_PENDING)),
        refused_by(_lapsed_refusal),
    ),
    params=_decision_refusal,
    state_message="只有办理中的信访事项可以审批延期申请",
)
def petition_decide_extension(
    *, actor, petition: Petition, approve: bool, remarks: str = "", documents: list[str] | None = None
) -> ExtensionRequest:
    """The unit leader approves (the period is extended and the petitioner told,
    as for a direct extension) or refuses (审批意见 required) the pending request."""
    request = pending_request(petition)
    if request is None:
        raise _lapsed_refusal(petition) or WrongState(NONE_PENDING)
    remarks = (remarks or "").strip()
    if not approve:
        remarks = require_text(remarks, "remarks", summary=gettext_noop("不同意延期的，请填写审批意见"))
    status = ExtensionRequestStatus.APPROVED if approve else ExtensionRequestStatus.REFUSED
    changed = ExtensionRequest.objects.filter(pk=request.pk, status=ExtensionRequestStatus.PENDING).update(
        status=status, decided_by=actor, decided_at=timezone.now(), remarks=remarks
    )
    if changed != 1:
        raise WrongState("该延期申请已被他人审批，请刷新后重试")
    record_event(
        petition,
        action=EventAction.DECIDE_EXTENSION,
        actor=actor,
        reason=remarks,
        data={
            "request_id": request.pk,
            "approved": bool(approve),
            "days": request.days,
            "requested_by": request.requested_by.display_name,
        },
    )
    if approve:
        grant_extension(
            actor=actor,
            petition=petition,
            days=request.days,
            reason=request.reason,
            documents=documents,
            data={"request_id": request.pk},
        )
    request.refresh_from_db()
    return request

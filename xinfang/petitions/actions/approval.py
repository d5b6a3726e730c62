"""The unit leader's approval of a draft opinion (Art. 32): return it with
审批意见, or approve it (with 审批意见, and edits to the text) so that it is issued.

A returned draft is kept in the return's event row, so the handler redrafts
from it instead of from a blank form (`returned_draft`)."""

from __future__ import annotations

from django.db import transaction
from django.utils import timezone

from xinfang.calendars.rules import DeadlineRule

from .. import notices
from ..choices import Outcome, Stage, Status
from ..deadlines import meet_deadlines, refresh_current_due
from ..errors import WrongState
from ..models import EventAction, Opinion, Petition, PetitionEvent
from ._core import require_reason, transition
from .handling import opinion_fields
from .implementation import implementation_open
from .rules import UNIT_LEADER, Allow, declare, when

# The fields of a draft, in the order of the form; the labels are the form's.
OPINION_FIELDS = {
    "outcome": "处理结果",
    "request": "信访人的请求",
    "facts_reasons": "事实和理由",
    "findings": "调查核实情况",
    "opinion_text": "处理意见",
    "legal_basis": "法律法规依据",
}


def hearing_held(petition: Petition, stage: str) -> bool:
    """Whether a hearing on this stage of the matter took place (held or
    concluded), read from the hearing records."""
    from xinfang.hearings.models import Hearing, HearingStatus

    return Hearing.objects.filter(
        petition=petition, stage=stage, status__in=[HearingStatus.HELD, HearingStatus.CONCLUDED]
    ).exists()


def pending_opinion(petition: Petition) -> Opinion | None:
    return petition.opinions.filter(approved_at__isnull=True).order_by("-drafted_at").first()


def draft_of(opinion: Opinion) -> dict[str, str]:
    return {name: getattr(opinion, name) for name in OPINION_FIELDS}


def returned_draft(petition: Petition) -> PetitionEvent | None:
    """The leader's return of the draft the handler is to redraft now, if any:
    the latest of the matter's draft, return and issue events, when it is a
    return at the current stage.  Its `data["draft"]` holds the returned text,
    its `reason` the leader's 审批意见."""
    if petition.status != Status.HANDLING:
        return None
    last = (
        petition.events.filter(
            action__in=[EventAction.DRAFT_OPINION, EventAction.RETURN_OPINION, EventAction.ISSUE_OPINION]
        )
        .select_related("actor")
        .order_by("-at", "-pk")
        .first()
    )
    if last is None or last.action != EventAction.RETURN_OPINION or last.data.get("stage") != petition.stage:
        return None
    return last


@transaction.atomic
@declare("return_opinion", Allow(UNIT_LEADER, Status.OPINION_DRAFTED))
def petition_return_opinion(*, actor, petition: Petition, reason: str) -> Petition:
    """退回意见书: `reason` is the leader's 审批意见.  The draft leaves the
    opinions (it was never issued) and is kept in the event row."""
    reason = require_reason(reason)
    opinion = pending_opinion(petition)
    transition(
        petition,
        allowed_from={Status.OPINION_DRAFTED},
        to_status=Status.HANDLING,
        action=EventAction.RETURN_OPINION,
        actor=actor,
        reason=reason,
        data={
            "stage": petition.stage,
            "draft": draft_of(opinion) if opinion is not None else {},
            "drafted_by": opinion.drafted_by_id if opinion is not None else None,
        },
    )
    petition.opinions.filter(approved_at__isnull=True).delete()
    return petition


def _edit(opinion: Opinion, changes: dict[str, str | None]) -> list[dict]:
    """Apply the leader's changes to the draft (validated as a whole draft) and
    list them as {field, label, before, after}."""
    text = {name: value for name, value in changes.items() if value is not None}
    if not text:
        return []
    merged = {**draft_of(opinion), **text}
    fields = opinion_fields(**merged)
    changed = [name for name in OPINION_FIELDS if name in text and fields[name] != getattr(opinion, name)]
    edits = [
        {
            "field": name,
            "label": OPINION_FIELDS[name],
            "before": _shown(name, getattr(opinion, name)),
            "after": _shown(name, fields[name]),
        }
        for name in changed
    ]
    for name in changed:
        setattr(opinion, name, fields[name])
    if changed:
        opinion.save(update_fields=changed)
    return edits


def _shown(name: str, value: str) -> str:
    """The value as the history shows it (the outcome by its name)."""
    return str(Outcome(value).label) if name == "outcome" and value in Outcome.values else value


@transaction.atomic
@declare(
    "approve_opinion",
    # A pending opinion exists only while the matter is at 意见待审批.
    Allow(
        UNIT_LEADER,
        None,
        when(lambda p: pending_opinion(p) is not None, lambda p: WrongState("没有待审批的意见")),
    ),
)
def petition_approve_opinion(
    *,
    actor,
    petition: Petition,
    documents: list[str] | None = None,
    remarks: str = "",
    outcome: str | None = None,
    request: str | None = None,
    facts_reasons: str | None = None,
    findings: str | None = None,
    opinion_text: str | None = None,
    legal_basis: str | None = None,
) -> Opinion:
    """The unit leader approves and the opinion is issued, with the leader's
    审批意见 (`remarks`, optional) and any changes to the draft's fields (None:
    unchanged), both recorded in the event.  The 30-day window to ask for
    review (or re-review) starts when its delivery is recorded, not here.  A
    supported opinion gets a 落实 check (Art. 32).  A re-review opinion ends
    the matter (Art. 36③)."""
    opinion = pending_opinion(petition)
    if opinion is None:
        raise WrongState("没有待审批的意见")
    edits = _edit(
        opinion,
        {
            "outcome": outcome,
            "request": request,
            "facts_reasons": facts_reasons,
            "findings": findings,
            "opinion_text": opinion_text,
            "legal_basis": legal_basis,
        },
    )
    now = timezone.now()
    final = petition.stage == Stage.REREVIEW
    stage = petition.stage
    data = {"opinion_id": opinion.pk, "outcome": opinion.outcome, "stage": stage, "final": final}
    if (remarks or "").strip():
        data["remarks"] = remarks.strip()
    if edits:
        data["edits"] = edits
    event = transition(
        petition,
        allowed_from={Status.OPINION_DRAFTED},
        to_status=Status.CLOSED if final else Status.OPINION_ISSUED,
        action=EventAction.ISSUE_OPINION,
        actor=actor,
        data=data,
        updates={"opinion_delivered_at": now, "is_final": final, **({"closed_at": now} if final else {})},
        documents=documents or [],
    )
    # Delivered (and the review window opened) only when the delivery is recorded
    # (xinfang.documents.delivery, Arts. 35–36).
    opinion.approved_by, opinion.approved_at = actor, now
    opinion.hearing_held = hearing_held(petition, stage)
    opinion.save(update_fields=["approved_by", "approved_at", "hearing_held"])
    meet_deadlines(
        petition,
        DeadlineRule.CONCLUDE,
        DeadlineRule.SIMPLE,
        DeadlineRule.REVIEW_ANSWER,
        DeadlineRule.REREVIEW_ANSWER,
        at=now,
    )
    implementation_open(petition=petition, opinion=opinion, at=now)
    refresh_current_due(petition)
    notices.for_opinion(event, actor=actor, opinion=opinion, stage=stage)
    return opinion

"""JSON API of supervision (mounted by the API app as `router`).

Errors are {"error": code, "message": 中文, "fields": {...}} (xinfang.api.endpoints);
the steps on a notice or proposal are declared with ActionRoutes.
"""

from __future__ import annotations

from datetime import date, datetime

from ninja import Field, Path, Router, Schema
from ninja.responses import Status

from xinfang.api.endpoints import ActionRoutes, caller, mapped_errors
from xinfang.api.schemas import ERRORS
from xinfang.petitions.access import get_petition_for
from xinfang.petitions.errors import ActionError, Forbidden
from xinfang.units import bureaus
from xinfang.units.models import Unit

from . import actions
from .access import get_notice_for, get_proposal_for
from .summary import proposals_summary, supervision_summary

router = Router(tags=["supervision"])


class NoticeOut(Schema):
    """Read from a SupervisionNotice row (aliases name the attribute paths)."""

    id: int
    number: str
    petition_id: int | None
    unit_id: int
    unit: str = Field(alias="unit.name")
    trigger: str
    facts: str
    requirements: str
    issued_at: datetime
    reply_due: date
    reply_text: str
    replied_at: datetime | None
    status: str
    flagged: bool
    flagged_at: datetime | None
    reply_overdue: bool = Field(alias="is_reply_overdue")


class IssueIn(Schema):
    unit_id: int
    trigger: str
    facts: str
    requirements: str = ""
    reply_due: date | None = None
    petition_id: int | None = None
    flagged: bool = False


class ReplyIn(Schema):
    text: str


class ReviewIn(Schema):
    reason: str = ""
    reply_due: date | None = None


class ProposalOut(Schema):
    """Read from an AccountabilityProposal row."""

    id: int
    kind: str
    unit_id: int
    unit: str = Field(alias="unit.name")
    petition_id: int | None
    notice_id: int | None
    title: str
    text: str
    proposed_at: datetime
    response_due: date
    adoption: str
    feedback: str
    feedback_at: datetime | None


class ProposalIn(Schema):
    kind: str
    unit_id: int
    title: str
    text: str
    response_due: date | None = None
    petition_id: int | None = None
    notice_id: int | None = None


class FeedbackIn(Schema):
    adoption: str
    feedback: str


def _unit(pk: int) -> Unit:
    unit = Unit.objects.filter(pk=pk, is_active=True).first()
    if unit is None:
        raise ActionError("invalid", "单位不存在", fields={"unit_id": "无效的单位"})
    return unit


@router.get("/notices", response={200: list[NoticeOut], **ERRORS})
@mapped_errors
def list_notices(request, status: str = "", flagged: bool | None = None, overdue: bool = False):
    qs = actions.notices_visible_to(caller(request)).select_related("unit")
    if status:
        qs = qs.filter(status=status)
    if flagged is not None:
        qs = qs.filter(flagged=flagged)
    if overdue:
        qs = qs.reply_overdue()
    return list(qs[:200])


@router.get("/notices/{int:notice_id}", response={200: NoticeOut, **ERRORS})
@mapped_errors
def get_notice(request, notice_id: int):
    return get_notice_for(caller(request), notice_id)


@router.post("/notices", response={201: NoticeOut, **ERRORS})
@mapped_errors
def issue(request, payload: IssueIn):
    user = caller(request)
    petition = get_petition_for(user, payload.petition_id) if payload.petition_id else None
    notice = actions.notice_issue(
        actor=user,
        unit=_unit(payload.unit_id),
        trigger=payload.trigger,
        facts=payload.facts,
        requirements=payload.requirements,
        reply_due=payload.reply_due,
        petition=petition,
        flagged=payload.flagged,
    )
    return Status(201, notice)


def _review(field: str):
    """The supervisor's answer: the payload's reason under the action's name for it."""
    return lambda user, notice, payload: {"notice": notice, field: payload.reason}


notice_steps = ActionRoutes(router, "/notices/{int:notice_id}", get_notice_for, None, NoticeOut)
notice_steps.post("reply", actions.notice_reply, ReplyIn, summary="书面回复")
notice_steps.post("accept", actions.notice_accept, ReviewIn, summary="认可回复", args=_review("note"))
notice_steps.post("reject", actions.notice_reject, ReviewIn, summary="退回重新回复")
notice_steps.post("escalate", actions.notice_escalate, ReviewIn, summary="挂牌督办")
notice_steps.post("close", actions.notice_close, ReviewIn, summary="销号", args=_review("reason"))


@router.get("/proposals", response={200: list[ProposalOut], **ERRORS})
@mapped_errors
def list_proposals(request, adoption: str = ""):
    qs = actions.proposals_visible_to(caller(request)).select_related("unit")
    if adoption:
        qs = qs.filter(adoption=adoption)
    return list(qs[:200])


@router.post("/proposals", response={201: ProposalOut, **ERRORS})
@mapped_errors
def make_proposal(request, payload: ProposalIn):
    user = caller(request)
    petition = get_petition_for(user, payload.petition_id) if payload.petition_id else None
    notice = get_notice_for(user, payload.notice_id) if payload.notice_id else None
    proposal = actions.proposal_make(
        actor=user,
        kind=payload.kind,
        unit=_unit(payload.unit_id),
        title=payload.title,
        text=payload.text,
        response_due=payload.response_due,
        petition=petition,
        notice=notice,
    )
    return Status(201, proposal)


proposal_steps = ActionRoutes(router, "/proposals/{int:proposal_id}", get_proposal_for, None, ProposalOut)
proposal_steps.post("feedback", actions.proposal_feedback, FeedbackIn, summary="反馈采纳情况")


@router.get("/summary/{int:year}", response={200: dict, **ERRORS})
@mapped_errors
def summary(request, year: int = Path(..., ge=2000, le=2100)):  # year 0 gave a 500
    """Annual figures (Art. 41) of the caller's bureau area: bureau staff only."""
    user = caller(request)
    if not user.is_bureau_staff:
        raise Forbidden()
    bureau = bureaus.bureau_for(user.unit)
    within = None if bureaus.covers_everything(bureau) else bureaus.area_root(bureau).path
    return {
        "supervision": supervision_summary(year, within=within),
        "proposals": proposals_summary(year, within=within),
    }

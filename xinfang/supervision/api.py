"""JSON API of supervision (mounted by the API app as `router`).

Errors are {"error": code, "message": 中文, "fields": {...}}.
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import date, datetime

from django.http import Http404
from ninja import Path, Router, Schema
from ninja.responses import codes_4xx

from xinfang.hearings.api import ErrorOut, actor_of, guarded
from xinfang.petitions.access import get_petition_for
from xinfang.petitions.errors import ActionError, Forbidden
from xinfang.units.models import Unit

from . import actions
from .models import AccountabilityProposal, SupervisionNotice
from .summary import proposals_summary, supervision_summary

router = Router(tags=["supervision"])


class NoticeOut(Schema):
    id: int
    number: str
    petition_id: int | None
    unit_id: int
    unit: str
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
    reply_overdue: bool


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
    id: int
    kind: str
    unit_id: int
    unit: str
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


def notice_out(n: SupervisionNotice) -> dict:
    return {
        "id": n.pk,
        "number": n.number,
        "petition_id": n.petition_id,
        "unit_id": n.unit_id,
        "unit": n.unit.name,
        "trigger": n.trigger,
        "facts": n.facts,
        "requirements": n.requirements,
        "issued_at": n.issued_at,
        "reply_due": n.reply_due,
        "reply_text": n.reply_text,
        "replied_at": n.replied_at,
        "status": n.status,
        "flagged": n.flagged,
        "flagged_at": n.flagged_at,
        "reply_overdue": n.is_reply_overdue,
    }


def proposal_out(p: AccountabilityProposal) -> dict:
    return {
        "id": p.pk,
        "kind": p.kind,
        "unit_id": p.unit_id,
        "unit": p.unit.name,
        "petition_id": p.petition_id,
        "notice_id": p.notice_id,
        "title": p.title,
        "text": p.text,
        "proposed_at": p.proposed_at,
        "response_due": p.response_due,
        "adoption": p.adoption,
        "feedback": p.feedback,
        "feedback_at": p.feedback_at,
    }


def _unit(pk: int) -> Unit:
    unit = Unit.objects.filter(pk=pk, is_active=True).first()
    if unit is None:
        raise ActionError("invalid", "单位不存在", fields={"unit_id": "无效的单位"})
    return unit


def _notice(user, pk: int) -> SupervisionNotice:
    notice = actions.notices_visible_to(user).select_related("unit").filter(pk=pk).first()
    if notice is None:
        raise Http404("督办函不存在或无权查看")
    return notice


@router.get("/notices", response={200: list[NoticeOut], codes_4xx: ErrorOut})
def list_notices(request, status: str = "", flagged: bool | None = None, overdue: bool = False):
    def run():
        qs = actions.notices_visible_to(actor_of(request)).select_related("unit")
        if status:
            qs = qs.filter(status=status)
        if flagged is not None:
            qs = qs.filter(flagged=flagged)
        if overdue:
            qs = qs.reply_overdue()
        return 200, [notice_out(n) for n in qs[:200]]

    return guarded(run)


@router.get("/notices/{int:notice_id}", response={200: NoticeOut, codes_4xx: ErrorOut})
def get_notice(request, notice_id: int):
    return guarded(lambda: (200, notice_out(_notice(actor_of(request), notice_id))))


@router.post("/notices", response={201: NoticeOut, codes_4xx: ErrorOut})
def issue(request, payload: IssueIn):
    def run():
        user = actor_of(request)
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
        return 201, notice_out(notice)

    return guarded(run)


def _step(request, notice_id: int, do: Callable):
    def run():
        user = actor_of(request)
        notice = _notice(user, notice_id)
        do(user, notice)
        return 200, notice_out(notice)

    return guarded(run)


@router.post("/notices/{int:notice_id}/reply", response={200: NoticeOut, codes_4xx: ErrorOut})
def reply(request, notice_id: int, payload: ReplyIn):
    return _step(request, notice_id, lambda u, n: actions.notice_reply(actor=u, notice=n, text=payload.text))


@router.post("/notices/{int:notice_id}/accept", response={200: NoticeOut, codes_4xx: ErrorOut})
def accept(request, notice_id: int, payload: ReviewIn):
    return _step(
        request, notice_id, lambda u, n: actions.notice_accept(actor=u, notice=n, note=payload.reason)
    )


@router.post("/notices/{int:notice_id}/reject", response={200: NoticeOut, codes_4xx: ErrorOut})
def reject(request, notice_id: int, payload: ReviewIn):
    return _step(
        request,
        notice_id,
        lambda u, n: actions.notice_reject(
            actor=u, notice=n, reason=payload.reason, reply_due=payload.reply_due
        ),
    )


@router.post("/notices/{int:notice_id}/escalate", response={200: NoticeOut, codes_4xx: ErrorOut})
def escalate(request, notice_id: int, payload: ReviewIn):
    return _step(
        request,
        notice_id,
        lambda u, n: actions.notice_escalate(
            actor=u, notice=n, reason=payload.reason, reply_due=payload.reply_due
        ),
    )


@router.post("/notices/{int:notice_id}/close", response={200: NoticeOut, codes_4xx: ErrorOut})
def close(request, notice_id: int, payload: ReviewIn):
    return _step(
        request, notice_id, lambda u, n: actions.notice_close(actor=u, notice=n, reason=payload.reason)
    )


@router.get("/proposals", response={200: list[ProposalOut], codes_4xx: ErrorOut})
def list_proposals(request, adoption: str = ""):
    def run():
        qs = actions.proposals_visible_to(actor_of(request)).select_related("unit")
        if adoption:
            qs = qs.filter(adoption=adoption)
        return 200, [proposal_out(p) for p in qs[:200]]

    return guarded(run)


@router.post("/proposals", response={201: ProposalOut, codes_4xx: ErrorOut})
def make_proposal(request, payload: ProposalIn):
    def run():
        user = actor_of(request)
        petition = get_petition_for(user, payload.petition_id) if payload.petition_id else None
        notice = _notice(user, payload.notice_id) if payload.notice_id else None
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
        return 201, proposal_out(proposal)

    return guarded(run)


@router.post("/proposals/{int:proposal_id}/feedback", response={200: ProposalOut, codes_4xx: ErrorOut})
def feedback(request, proposal_id: int, payload: FeedbackIn):
    def run():
        user = actor_of(request)
        proposal = actions.proposals_visible_to(user).select_related("unit").filter(pk=proposal_id).first()
        if proposal is None:
            raise Http404("建议不存在或无权查看")
        actions.proposal_feedback(
            actor=user, proposal=proposal, adoption=payload.adoption, feedback=payload.feedback
        )
        return 200, proposal_out(proposal)

    return guarded(run)


@router.get("/summary/{int:year}", response={200: dict, codes_4xx: ErrorOut})
def summary(request, year: int = Path(..., ge=2000, le=2100)):  # year 0 gave a 500
    """Annual figures (Art. 41): bureau staff only."""

    def run():
        if not actor_of(request).is_bureau_staff:
            raise Forbidden()
        return 200, {"supervision": supervision_summary(year), "proposals": proposals_summary(year)}

    return guarded(run)

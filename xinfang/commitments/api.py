"""JSON API of commitments and follow-ups (mounted by xinfang.api)."""

from datetime import date, datetime

from ninja import Router, Schema, Status

from xinfang.accounts.models import User
from xinfang.petitions import access
from xinfang.petitions.errors import ActionError
from xinfang.reception.apiutil import ERRORS, api_errors, api_user
from xinfang.units.models import Unit

from . import actions
from .models import Commitment, FollowUp
from .selectors import get_commitment_for, get_followup_for, visible_commitments, visible_followups

router = Router(tags=["践诺与回访"])


class CommitmentIn(Schema):
    petition_id: int
    unit_id: int
    owner_id: int
    text: str
    due: date


class CommitmentOut(Schema):
    id: int
    petition_id: int
    case_number: str
    unit_id: int
    unit: str
    owner_id: int
    owner: str
    text: str
    due: date
    status: str
    evidence: str
    kept_at: datetime | None
    missed_flagged_at: datetime | None
    supervision_ref: str


class KeepIn(Schema):
    evidence: str
    attachment_id: int | None = None


class FollowUpOut(Schema):
    id: int
    petition_id: int
    case_number: str
    seq: int
    unit_id: int | None
    due: date
    method: str
    status: str
    answer: str
    comment: str
    answered_at: datetime | None
    reopened: bool
    needs_action: bool


class FollowUpAnswerIn(Schema):
    answer: str
    comment: str = ""
    method: str = "phone"


def _commitment_out(c: Commitment) -> dict:
    return {
        "id": c.pk,
        "petition_id": c.petition_id,
        "case_number": c.petition.case_number,
        "unit_id": c.promised_by_unit_id,
        "unit": c.promised_by_unit.name,
        "owner_id": c.owner_id,
        "owner": str(c.owner),
        "text": c.text,
        "due": c.due,
        "status": c.status,
        "evidence": c.evidence,
        "kept_at": c.kept_at,
        "missed_flagged_at": c.missed_flagged_at,
        "supervision_ref": c.supervision_ref,
    }


def _followup_out(f: FollowUp) -> dict:
    return {
        "id": f.pk,
        "petition_id": f.petition_id,
        "case_number": f.petition.case_number,
        "seq": f.seq,
        "unit_id": f.unit_id,
        "due": f.due,
        "method": f.method,
        "status": f.status,
        "answer": f.answer,
        "comment": f.comment,
        "answered_at": f.answered_at,
        "reopened": f.reopened,
        "needs_action": f.needs_action,
    }


@router.get("/commitments", response={200: list[CommitmentOut], **ERRORS})
@api_errors
def list_commitments(request, status: str = "", petition_id: int | None = None):
    qs = visible_commitments(api_user(request))
    if status:
        qs = qs.filter(status=status)
    if petition_id:
        qs = qs.filter(petition_id=petition_id)
    return [_commitment_out(c) for c in qs[:500]]


@router.post("/commitments", response={201: CommitmentOut, **ERRORS})
@api_errors
def create_commitment(request, payload: CommitmentIn):
    user = api_user(request)
    petition = access.get_petition_for(user, payload.petition_id)
    unit = Unit.objects.filter(pk=payload.unit_id, is_active=True).first()
    owner = User.objects.filter(pk=payload.owner_id, is_active=True).select_related("unit").first()
    if unit is None or owner is None:
        fields = {
            **({"unit_id": "单位不存在"} if unit is None else {}),
            **({"owner_id": "人员不存在"} if owner is None else {}),
        }
        raise ActionError("invalid", "承诺信息有误", fields=fields)
    c = actions.commitment_create(
        actor=user, petition=petition, unit=unit, owner=owner, text=payload.text, due=payload.due
    )
    return Status(201, _commitment_out(c))


@router.get("/commitments/{commitment_id}", response={200: CommitmentOut, **ERRORS})
@api_errors
def get_commitment(request, commitment_id: int):
    return _commitment_out(get_commitment_for(api_user(request), commitment_id))


@router.post("/commitments/{commitment_id}/keep", response={200: CommitmentOut, **ERRORS})
@api_errors
def keep(request, commitment_id: int, payload: KeepIn):
    user = api_user(request)
    c = get_commitment_for(user, commitment_id)
    attachment = (
        c.petition.attachments.filter(pk=payload.attachment_id).first() if payload.attachment_id else None
    )
    return _commitment_out(
        actions.commitment_keep(actor=user, commitment=c, evidence=payload.evidence, attachment=attachment)
    )


@router.get("/followups", response={200: list[FollowUpOut], **ERRORS})
@api_errors
def list_followups(request, due_only: bool = False):
    qs = visible_followups(api_user(request))
    if due_only:
        qs = qs.due()
    return [_followup_out(f) for f in qs[:500]]


@router.post("/followups/{followup_id}/answer", response={200: FollowUpOut, **ERRORS})
@api_errors
def answer_followup(request, followup_id: int, payload: FollowUpAnswerIn):
    user = api_user(request)
    f = actions.followup_record(
        actor=user,
        followup=get_followup_for(user, followup_id),
        answer=payload.answer,
        comment=payload.comment,
        method=payload.method,
    )
    return _followup_out(f)

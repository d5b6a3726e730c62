"""JSON API of commitments and follow-ups (mounted by xinfang.api)."""

from datetime import date, datetime

from ninja import Field, Router, Schema, Status

from xinfang.accounts.models import User
from xinfang.api.endpoints import ActionRoutes, caller, mapped_errors
from xinfang.api.schemas import ERRORS
from xinfang.petitions import access
from xinfang.petitions.errors import ActionError
from xinfang.units.models import Unit

from . import actions
from .models import Commitment
from .selectors import get_commitment_for, get_followup_for, visible_commitments, visible_followups

router = Router(tags=["践诺与回访"])


class CommitmentIn(Schema):
    petition_id: int
    unit_id: int
    owner_id: int
    text: str
    due: date


class CommitmentOut(Schema):
    """Read from a Commitment row (aliases name the attribute paths)."""

    id: int
    petition_id: int
    case_number: str = Field(alias="petition.case_number")
    unit_id: int = Field(alias="promised_by_unit_id")
    unit: str = Field(alias="promised_by_unit.name")
    owner_id: int
    owner: str
    text: str
    due: date
    status: str
    evidence: str
    kept_at: datetime | None
    missed_flagged_at: datetime | None
    supervision_ref: str

    @staticmethod
    def resolve_owner(commitment) -> str:
        return str(commitment.owner)


class KeepIn(Schema):
    evidence: str
    attachment_id: int | None = None


class FollowUpOut(Schema):
    """Read from a FollowUp row."""

    id: int
    petition_id: int
    case_number: str = Field(alias="petition.case_number")
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


@router.get("/commitments", response={200: list[CommitmentOut], **ERRORS})
@mapped_errors
def list_commitments(request, status: str = "", petition_id: int | None = None):
    qs = visible_commitments(caller(request))
    if status:
        qs = qs.filter(status=status)
    if petition_id:
        qs = qs.filter(petition_id=petition_id)
    return list(qs[:500])


@router.post("/commitments", response={201: CommitmentOut, **ERRORS})
@mapped_errors
def create_commitment(request, payload: CommitmentIn):
    user = caller(request)
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
    return Status(201, c)


@router.get("/commitments/{commitment_id}", response={200: CommitmentOut, **ERRORS})
@mapped_errors
def get_commitment(request, commitment_id: int):
    return get_commitment_for(caller(request), commitment_id)


def _keep_args(user, c: Commitment, payload: KeepIn) -> dict:
    attachment = (
        c.petition.attachments.filter(pk=payload.attachment_id).first() if payload.attachment_id else None
    )
    return {"commitment": c, "evidence": payload.evidence, "attachment": attachment}


ActionRoutes(router, "/commitments/{commitment_id}", get_commitment_for, None, CommitmentOut).post(
    "keep", actions.commitment_keep, KeepIn, summary="登记兑现", args=_keep_args
)


@router.get("/followups", response={200: list[FollowUpOut], **ERRORS})
@mapped_errors
def list_followups(request, due_only: bool = False):
    qs = visible_followups(caller(request))
    if due_only:
        qs = qs.due()
    return list(qs[:500])


ActionRoutes(router, "/followups/{followup_id}", get_followup_for, None, FollowUpOut).post(
    "answer", actions.followup_record, FollowUpAnswerIn, summary="登记回访结果"
)

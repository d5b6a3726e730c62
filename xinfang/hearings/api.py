"""JSON API of hearings (mounted by the API app as `router`).

Errors are {"error": code, "message": 中文, "fields": {...}} (xinfang.api.endpoints);
the steps on a hearing are declared with ActionRoutes.  Hearing members
see only their hearings; staff reach hearings through the petitions they may see.
"""

from __future__ import annotations

from datetime import date, datetime

from ninja import Router, Schema
from ninja.responses import Status

from xinfang.accounts.models import User
from xinfang.api.endpoints import ActionRoutes, caller, mapped_errors
from xinfang.api.schemas import ERRORS
from xinfang.petitions.access import get_petition_for
from xinfang.petitions.errors import ActionError

from . import actions
from .access import get_hearing_for, seat_of, visible_hearings
from .models import Hearing, HearingMember, PublishedHearingOpinion

router = Router(tags=["hearings"])


class SeatOut(Schema):
    member_id: int
    name: str
    kind: str
    status: str
    recusal_reason: str
    present: bool | None
    opinion: str
    reasoning: str


class HearingOut(Schema):
    id: int
    petition_id: int
    case_number: str
    title: str
    stage: str
    scheduled_at: datetime
    place: str
    host: str
    status: str
    held_on: date | None
    concluded_on: date | None
    conclusion: str
    conclusion_text: str
    votes: dict[str, int]
    dissent: str
    clock_paused: bool
    seats: list[SeatOut]


class ScheduleIn(Schema):
    petition_id: int
    scheduled_at: datetime
    place: str
    host_id: int


class PanelIn(Schema):
    member_ids: list[int]


class HoldIn(Schema):
    held_on: date
    absent_member_ids: list[int] = []


class OpinionIn(Schema):
    member_id: int | None = None
    opinion: str
    reasoning: str


class ConcludeIn(Schema):
    concluded_on: date
    conclusion_text: str


class PublishedOut(Schema):
    id: int
    title: str
    masked_text: str
    published_at: datetime


def hearing_out(hearing: Hearing, user) -> dict:
    petition = hearing.petition
    seats = hearing.seats.select_related("member")
    if seat_of(user, hearing) is not None:
        # A member sees the panel, not the other members' opinions before the conclusion.
        hide = hearing.status != "concluded"
    else:
        hide = False
    return {
        "id": hearing.pk,
        "petition_id": petition.pk,
        "case_number": petition.case_number,
        "title": petition.title,
        "stage": hearing.stage,
        "scheduled_at": hearing.scheduled_at,
        "place": hearing.place,
        "host": hearing.host.display_name,
        "status": hearing.status,
        "held_on": hearing.held_on,
        "concluded_on": hearing.concluded_on,
        "conclusion": hearing.conclusion,
        "conclusion_text": hearing.conclusion_text,
        "votes": hearing.votes or {},
        "dissent": hearing.dissent,
        "clock_paused": hearing.pause_id is not None and hearing.status == "held",
        "seats": [
            {
                "member_id": s.member_id,
                "name": s.member.name,
                "kind": s.member.kind,
                "status": s.status,
                "recusal_reason": s.recusal_reason,
                "present": s.present,
                "opinion": "" if hide and s.member.user_id != user.pk else s.opinion,
                "reasoning": "" if hide and s.member.user_id != user.pk else s.reasoning,
            }
            for s in seats
        ],
    }


@router.get("/published", response=list[PublishedOut], auth=None)
def published(request):
    """Public: published hearing-based opinions (personal data masked)."""
    return list(PublishedHearingOpinion.objects.all()[:100])


@router.get("/", response={200: list[HearingOut], **ERRORS})
@mapped_errors
def list_hearings(request, status: str = ""):
    user = caller(request)
    qs = visible_hearings(user).select_related("petition", "host")
    if status:
        qs = qs.filter(status=status)
    return [hearing_out(h, user) for h in qs[:200]]


@router.get("/{int:hearing_id}", response={200: HearingOut, **ERRORS})
@mapped_errors
def get_hearing(request, hearing_id: int):
    user = caller(request)
    return hearing_out(get_hearing_for(user, hearing_id), user)


@router.post("/", response={201: HearingOut, **ERRORS})
@mapped_errors
def schedule(request, payload: ScheduleIn):
    user = caller(request)
    petition = get_petition_for(user, payload.petition_id)
    host = User.objects.filter(pk=payload.host_id).first()
    hearing = actions.hearing_schedule(
        actor=user, petition=petition, scheduled_at=payload.scheduled_at, place=payload.place, host=host
    )
    return Status(201, hearing_out(hearing, user))


def _members(ids: list[int]) -> list[HearingMember]:
    found = HearingMember.objects.in_bulk(ids)
    missing = [i for i in ids if i not in found]
    if missing:
        raise ActionError("invalid", "听证员不存在", fields={"member_ids": f"无效的编号：{missing}"})
    return [found[i] for i in ids]


def _opinion_args(user, hearing, payload: OpinionIn) -> dict:
    # A member records their own opinion; staff name the member.
    own = seat_of(user, hearing)
    if own is not None:
        member = own.member
    elif payload.member_id is not None:
        member = _members([payload.member_id])[0]
    else:
        raise ActionError("invalid", "请指定听证员", fields={"member_id": "必填"})
    return {"hearing": hearing, "member": member, "opinion": payload.opinion, "reasoning": payload.reasoning}


steps = ActionRoutes(router, "/{int:hearing_id}", get_hearing_for, hearing_out, HearingOut)
steps.post(
    "panel",
    actions.hearing_select_panel,
    PanelIn,
    summary="选定听证员",
    args=lambda user, h, p: {"hearing": h, "members": _members(p.member_ids)},
)
steps.post(
    "hold",
    actions.hearing_hold,
    HoldIn,
    summary="举行听证（中止复核期限计时）",
    args=lambda user, h, p: {"hearing": h, "held_on": p.held_on, "absent_members": p.absent_member_ids},
)
steps.post(
    "opinions", actions.hearing_record_opinion, OpinionIn, summary="记录听证员意见", args=_opinion_args
)
steps.post("conclude", actions.hearing_conclude, ConcludeIn, summary="形成听证结论（恢复计时）")
steps.post("publish", actions.hearing_publish, summary="公示听证意见")

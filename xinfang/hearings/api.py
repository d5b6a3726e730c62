"""JSON API of hearings (mounted by the API app as `router`).

Errors are {"error": code, "message": 中文, "fields": {...}}.  Hearing members
see only their hearings; staff reach hearings through the petitions they may see.
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import date, datetime

from django.http import Http404
from ninja import Router, Schema
from ninja.responses import Status, codes_4xx

from xinfang.petitions.access import get_petition_for
from xinfang.petitions.errors import ActionError

from . import actions
from .access import get_hearing_for, seat_of, visible_hearings
from .models import Hearing, HearingMember, PublishedHearingOpinion

router = Router(tags=["hearings"])


class ErrorOut(Schema):
    error: str
    message: str
    fields: dict[str, str] = {}


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


class _Unauthorised(ActionError):
    status_code = 401

    def __init__(self) -> None:
        super().__init__("unauthorised", "请先登录")


def actor_of(request):
    """The authenticated user: the API's auth result, else the session user."""
    auth = getattr(request, "auth", None)
    if getattr(auth, "is_authenticated", False):
        return auth
    user = getattr(request, "user", None)
    if getattr(user, "is_authenticated", False) is True:
        return user
    raise _Unauthorised()


def guarded(fn: Callable) -> Status:
    """Run `fn` (which returns (status, body)); action errors and 404s become JSON errors."""
    try:
        return Status(*fn())
    except ActionError as err:
        return Status(err.status_code, err.as_dict())
    except Http404 as err:
        return Status(404, {"error": "not_found", "message": str(err) or "不存在或无权查看"})


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


@router.get("/", response={200: list[HearingOut], codes_4xx: ErrorOut})
def list_hearings(request, status: str = ""):
    def run():
        user = actor_of(request)
        qs = visible_hearings(user).select_related("petition", "host")
        if status:
            qs = qs.filter(status=status)
        return 200, [hearing_out(h, user) for h in qs[:200]]

    return guarded(run)


@router.get("/{int:hearing_id}", response={200: HearingOut, codes_4xx: ErrorOut})
def get_hearing(request, hearing_id: int):
    def run():
        user = actor_of(request)
        return 200, hearing_out(get_hearing_for(user, hearing_id), user)

    return guarded(run)


@router.post("/", response={201: HearingOut, codes_4xx: ErrorOut})
def schedule(request, payload: ScheduleIn):
    from xinfang.accounts.models import User

    def run():
        user = actor_of(request)
        petition = get_petition_for(user, payload.petition_id)
        host = User.objects.filter(pk=payload.host_id).first()
        hearing = actions.hearing_schedule(
            actor=user, petition=petition, scheduled_at=payload.scheduled_at, place=payload.place, host=host
        )
        return 201, hearing_out(hearing, user)

    return guarded(run)


def _step(request, hearing_id: int, do: Callable) -> Status:
    def run():
        user = actor_of(request)
        hearing = get_hearing_for(user, hearing_id)
        do(user, hearing)
        return 200, hearing_out(Hearing.objects.get(pk=hearing.pk), user)

    return guarded(run)


def _members(ids: list[int]) -> list[HearingMember]:
    found = HearingMember.objects.in_bulk(ids)
    missing = [i for i in ids if i not in found]
    if missing:
        raise ActionError("invalid", "听证员不存在", fields={"member_ids": f"无效的编号：{missing}"})
    return [found[i] for i in ids]


@router.post("/{int:hearing_id}/panel", response={200: HearingOut, codes_4xx: ErrorOut})
def select_panel(request, hearing_id: int, payload: PanelIn):
    return _step(
        request,
        hearing_id,
        lambda user, h: actions.hearing_select_panel(
            actor=user, hearing=h, members=_members(payload.member_ids)
        ),
    )


@router.post("/{int:hearing_id}/hold", response={200: HearingOut, codes_4xx: ErrorOut})
def hold(request, hearing_id: int, payload: HoldIn):
    return _step(
        request,
        hearing_id,
        lambda user, h: actions.hearing_hold(
            actor=user, hearing=h, held_on=payload.held_on, absent_members=payload.absent_member_ids
        ),
    )


@router.post("/{int:hearing_id}/opinions", response={200: HearingOut, codes_4xx: ErrorOut})
def record_opinion(request, hearing_id: int, payload: OpinionIn):
    def do(user, hearing):
        own = seat_of(user, hearing)
        if own is not None:
            member = own.member
        elif payload.member_id is not None:
            member = _members([payload.member_id])[0]
        else:
            raise ActionError("invalid", "请指定听证员", fields={"member_id": "必填"})
        actions.hearing_record_opinion(
            actor=user, hearing=hearing, member=member, opinion=payload.opinion, reasoning=payload.reasoning
        )

    return _step(request, hearing_id, do)


@router.post("/{int:hearing_id}/conclude", response={200: HearingOut, codes_4xx: ErrorOut})
def conclude(request, hearing_id: int, payload: ConcludeIn):
    return _step(
        request,
        hearing_id,
        lambda user, h: actions.hearing_conclude(
            actor=user, hearing=h, concluded_on=payload.concluded_on, conclusion_text=payload.conclusion_text
        ),
    )


@router.post("/{int:hearing_id}/publish", response={200: HearingOut, codes_4xx: ErrorOut})
def publish(request, hearing_id: int):
    return _step(request, hearing_id, lambda user, h: actions.hearing_publish(actor=user, hearing=h))

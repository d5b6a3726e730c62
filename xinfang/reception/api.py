"""JSON API of joint reception and online joint handling (mounted by xinfang.api)."""

from datetime import date, datetime, time

from django.shortcuts import get_object_or_404
from ninja import Router, Schema, Status

from xinfang.accounts.models import User
from xinfang.api.endpoints import ActionRoutes, caller, mapped_errors
from xinfang.api.schemas import ERRORS, Id
from xinfang.petitions import access
from xinfang.petitions.errors import ActionError
from xinfang.units.models import Unit

from . import actions
from .access import get_joint_for, get_session_for, visible_joints, visible_sessions
from .models import (
    DEFAULT_PLACE,
    JointHandling,
    JointMode,
    JointReceptionSession,
    LeaderReceptionSlot,
    ReceptionVisit,
)

router = Router(tags=["联合接访"])


class SessionIn(Schema):
    date: date
    place: str = DEFAULT_PLACE
    unit_ids: list[Id] = []
    staff_ids: list[Id] = []  # bounded: 10**30 overflowed the database driver (500)
    leader_on_duty_id: Id | None = None
    notes: str = ""


class SessionOut(Schema):
    id: int
    date: date
    place: str
    unit_ids: list[int]
    staff_ids: list[int]
    leader_on_duty_id: int | None
    notes: str
    visit_count: int


class VisitIn(Schema):
    case_number: str


class OutcomeIn(Schema):
    outcome: str
    note: str = ""


class VisitOut(Schema):
    id: int
    session_id: int
    petition_id: int
    case_number: str
    outcome: str
    outcome_note: str


class ParticipantIn(Schema):
    unit_id: int
    due: date
    task: str = ""


class JointIn(Schema):
    petition_id: int
    lead: ParticipantIn
    cooperating: list[ParticipantIn]
    mode: str = JointMode.ONLINE
    session_id: int | None = None


class ParticipantOut(Schema):
    unit_id: int
    unit: str
    role: str
    task: str
    part: str
    position: str
    due: date
    status: str
    overdue: bool


class PostIn(Schema):
    kind: str
    text: str
    reply_to_id: int | None = None


class PostOut(Schema):
    id: int
    unit_id: int
    unit: str
    author: str
    kind: str
    text: str
    reply_to_id: int | None
    created_at: datetime


class AnswerIn(Schema):
    text: str


class CloseIn(Schema):
    outcome: str
    note: str = ""


class JointOut(Schema):
    id: int
    petition_id: int
    case_number: str
    mode: str
    status: str
    lead_unit_id: int
    lead_unit: str
    opened_at: datetime
    answer_text: str
    answer_parts: list[dict]
    outcome: str
    participants: list[ParticipantOut]


class JointDetailOut(JointOut):
    posts: list[PostOut]


class SlotOut(Schema):
    id: int
    leader_id: int
    leader: str
    date: date
    start_time: time
    end_time: time
    place: str
    capacity: int
    remaining: int
    topic: str


def _session_out(s: JointReceptionSession, user=None) -> dict:
    return {
        "id": s.pk,
        "date": s.date,
        "place": s.place,
        "unit_ids": [u.pk for u in s.units.all()],
        "staff_ids": [u.pk for u in s.staff.all()],
        "leader_on_duty_id": s.leader_on_duty_id,
        "notes": s.notes,
        "visit_count": s.visits.count(),
    }


def _joint_out(joint: JointHandling, posts: bool = False) -> dict:
    out = {
        "id": joint.pk,
        "petition_id": joint.petition_id,
        "case_number": joint.petition.case_number,
        "mode": joint.mode,
        "status": joint.status,
        "lead_unit_id": joint.lead_unit_id,
        "lead_unit": joint.lead_unit.name,
        "opened_at": joint.opened_at,
        "answer_text": joint.answer_text,
        "answer_parts": joint.answer_parts,
        "outcome": joint.outcome,
        "participants": [
            {
                "unit_id": p.unit_id,
                "unit": p.unit.name,
                "role": p.role,
                "task": p.task,
                "part": p.part,
                "position": p.position,
                "due": p.due,
                "status": p.status,
                "overdue": p.is_overdue(),
            }
            for p in joint.participants.select_related("unit")
        ],
    }
    if posts:
        out["posts"] = [_post_out(p) for p in joint.posts.select_related("unit", "author")]
    return out


def _joint_detail_out(joint: JointHandling, user=None) -> dict:
    return _joint_out(joint, posts=True)


def _post_out(p) -> dict:
    return {
        "id": p.pk,
        "unit_id": p.unit_id,
        "unit": p.unit.name,
        "author": str(p.author),
        "kind": p.kind,
        "text": p.text,
        "reply_to_id": p.reply_to_id,
        "created_at": p.created_at,
    }


def _unit(pk: int, field: str) -> Unit:
    unit = Unit.objects.filter(pk=pk, is_active=True).first()
    if unit is None:
        raise ActionError("invalid", "单位不存在", fields={field: "单位不存在"})
    return unit


@router.get("/sessions", response={200: list[SessionOut], **ERRORS})
@mapped_errors
def list_sessions(request):
    user = caller(request)
    return [_session_out(s) for s in visible_sessions(user).prefetch_related("units", "staff")[:200]]


@router.post("/sessions", response={201: SessionOut, **ERRORS})
@mapped_errors
def create_session(request, payload: SessionIn):
    user = caller(request)
    leader = User.objects.filter(pk=payload.leader_on_duty_id).first() if payload.leader_on_duty_id else None
    session = actions.session_create(
        actor=user,
        date=payload.date,
        place=payload.place,
        units=Unit.objects.filter(pk__in=payload.unit_ids),
        staff=User.objects.filter(pk__in=payload.staff_ids, is_active=True),
        leader_on_duty=leader,
        notes=payload.notes,
    )
    return Status(201, _session_out(session))


def _visit_out(visit: ReceptionVisit, user=None) -> dict:
    return {
        "id": visit.pk,
        "session_id": visit.session_id,
        "petition_id": visit.petition_id,
        "case_number": visit.petition.case_number,
        "outcome": visit.outcome,
        "outcome_note": visit.outcome_note,
    }


def _get_visit_for(user, pk: int) -> ReceptionVisit:
    """A visit of a session the user sees, on a petition the user sees."""
    visit = get_object_or_404(ReceptionVisit.objects.filter(session__in=visible_sessions(user)), pk=pk)
    access.get_petition_for(user, visit.petition_id)
    return visit


ActionRoutes(router, "/sessions/{session_id}", get_session_for, _session_out, SessionOut).post(
    "visits",
    actions.visit_register,
    VisitIn,
    summary="登记来访",
    args=lambda user, session, p: {
        "session": session,
        "petition": access.get_petition_by_case_number_for(user, p.case_number.strip()),
    },
    result=(_visit_out, VisitOut),
)
ActionRoutes(router, "/visits/{visit_id}", _get_visit_for, _visit_out, VisitOut).post(
    "outcome", actions.visit_record_outcome, OutcomeIn, summary="登记一站式处理结果"
)


@router.get("/joint", response={200: list[JointOut], **ERRORS})
@mapped_errors
def list_joint(request, status: str = ""):
    user = caller(request)
    qs = visible_joints(user).select_related("petition", "lead_unit")
    if status:
        qs = qs.filter(status=status)
    return [_joint_out(j) for j in qs[:200]]


@router.post("/joint", response={201: JointDetailOut, **ERRORS})
@mapped_errors
def open_joint(request, payload: JointIn):
    user = caller(request)
    petition = access.get_petition_for(user, payload.petition_id)
    session = None
    if payload.session_id:
        session = get_object_or_404(JointReceptionSession, pk=payload.session_id)
    joint = actions.joint_open(
        actor=user,
        petition=petition,
        mode=payload.mode,
        session=session,
        lead=actions.ParticipantInput(
            unit=_unit(payload.lead.unit_id, "lead"), due=payload.lead.due, task=payload.lead.task
        ),
        cooperating=[
            actions.ParticipantInput(unit=_unit(c.unit_id, "cooperating"), due=c.due, task=c.task)
            for c in payload.cooperating
        ],
    )
    return Status(201, _joint_out(joint, posts=True))


@router.get("/joint/{joint_id}", response={200: JointDetailOut, **ERRORS})
@mapped_errors
def get_joint(request, joint_id: int):
    return _joint_out(get_joint_for(caller(request), joint_id), posts=True)


joint_steps = ActionRoutes(router, "/joint/{joint_id}", get_joint_for, _joint_detail_out, JointDetailOut)
joint_steps.post(
    "posts",
    actions.joint_post,
    PostIn,
    summary="在讨论区发言（承担部分、意见）",
    args=lambda user, joint, p: {
        "joint": joint,
        "kind": p.kind,
        "text": p.text,
        "reply_to": joint.posts.filter(pk=p.reply_to_id).first() if p.reply_to_id else None,
    },
    result=(_post_out, PostOut),
)
joint_steps.post("answer", actions.joint_draft_answer, AnswerIn, summary="牵头单位拟写综合答复")
joint_steps.post("close", actions.joint_close, CloseIn, summary="信访部门结束联合办理")


@router.get("/slots", response={200: list[SlotOut], **ERRORS})
@mapped_errors
def list_slots(request, include_past: bool = False):
    caller(request)
    from django.utils import timezone

    qs = LeaderReceptionSlot.objects.filter(is_cancelled=False).select_related("leader")
    if not include_past:
        qs = qs.filter(date__gte=timezone.localdate())
    return [
        {
            "id": s.pk,
            "leader_id": s.leader_id,
            "leader": str(s.leader),
            "date": s.date,
            "start_time": s.start_time,
            "end_time": s.end_time,
            "place": s.place,
            "capacity": s.capacity,
            "remaining": s.remaining,
            "topic": s.topic,
        }
        for s in qs[:200]
    ]

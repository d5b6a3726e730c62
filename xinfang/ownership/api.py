"""JSON API of leader case ownership and backlog cases (mounted by xinfang.api)."""

from datetime import date, datetime

from ninja import Router, Schema, Status

from xinfang.accounts.models import User
from xinfang.api.endpoints import ActionRoutes, caller, mapped_errors
from xinfang.api.schemas import ERRORS
from xinfang.petitions import access
from xinfang.petitions.errors import ActionError

from . import actions
from .models import BacklogCase, CaseOwnership, Risk
from .selectors import get_backlog_for, get_ownership_for, visible_backlog, visible_ownerships

router = Router(tags=["领导包案与积案"])


class MilestoneIn(Schema):
    title: str
    due: date


class OwnershipIn(Schema):
    petition_id: int
    leader_id: int
    plan: str
    report_interval_days: int = 14
    milestones: list[MilestoneIn] = []


class MilestoneOut(Schema):
    id: int
    title: str
    due: date
    done_at: datetime | None
    evidence: str


class ReportOut(Schema):
    id: int
    text: str
    at: datetime
    author: str


class OwnershipOut(Schema):
    id: int
    petition_id: int
    case_number: str
    leader_id: int
    leader: str
    plan: str
    status: str
    started_at: datetime
    report_interval_days: int
    next_report_due: date
    report_overdue: bool
    milestones: list[MilestoneOut]
    reports: list[ReportOut]


class TextIn(Schema):
    text: str


class ResolutionIn(Schema):
    kind: str
    evidence: str
    date: date
    attachment_id: int | None = None


class ReportDueIn(Schema):
    due: date
    kind: str


class BacklogIn(Schema):
    petition_id: int
    source: str
    owner_id: int
    target_date: date
    risk: str = Risk.MEDIUM
    first_petition_date: date | None = None
    assigned_ref: str = ""
    reports: list[ReportDueIn] = []


class ReportDueOut(Schema):
    id: int
    due: date
    kind: str
    submitted_at: datetime | None
    text: str
    overdue: bool


class BacklogOut(Schema):
    id: int
    petition_id: int
    case_number: str
    source: str
    assigned_ref: str
    first_petition_date: date
    age_days: int
    owner_id: int
    owner: str
    target_date: date
    risk: str
    status: str
    resolved_at: datetime | None
    reports: list[ReportDueOut]


class NoteIn(Schema):
    note: str


def _ownership_out(o: CaseOwnership, user=None) -> dict:
    return {
        "id": o.pk,
        "petition_id": o.petition_id,
        "case_number": o.petition.case_number,
        "leader_id": o.leader_id,
        "leader": str(o.leader),
        "plan": o.plan,
        "status": o.status,
        "started_at": o.started_at,
        "report_interval_days": o.report_interval_days,
        "next_report_due": o.next_report_due,
        "report_overdue": o.report_overdue(),
        "milestones": [_milestone_out(m) for m in o.milestones.all()],
        "reports": [_report_out(r) for r in o.reports.select_related("author")],
    }


def _backlog_out(b: BacklogCase, user=None) -> dict:
    return {
        "id": b.pk,
        "petition_id": b.petition_id,
        "case_number": b.petition.case_number,
        "source": b.source,
        "assigned_ref": b.assigned_ref,
        "first_petition_date": b.first_petition_date,
        "age_days": b.age_days(),
        "owner_id": b.owner_id,
        "owner": str(b.owner),
        "target_date": b.target_date,
        "risk": b.risk,
        "status": b.status,
        "resolved_at": b.resolved_at,
        "reports": [
            {
                "id": r.pk,
                "due": r.due,
                "kind": r.kind,
                "submitted_at": r.submitted_at,
                "text": r.text,
                "overdue": r.is_overdue(),
            }
            for r in b.reports_due.all()
        ],
    }


def _user(pk: int, field: str) -> User:
    user = User.objects.filter(pk=pk, is_active=True).select_related("unit").first()
    if user is None:
        raise ActionError("invalid", "人员不存在", fields={field: "人员不存在"})
    return user


@router.get("/ownerships", response={200: list[OwnershipOut], **ERRORS})
@mapped_errors
def list_ownerships(request, status: str = "", leader_id: int | None = None):
    qs = visible_ownerships(caller(request))
    if status:
        qs = qs.filter(status=status)
    if leader_id:
        qs = qs.filter(leader_id=leader_id)
    return [_ownership_out(o) for o in qs.prefetch_related("milestones")[:200]]


@router.post("/ownerships", response={201: OwnershipOut, **ERRORS})
@mapped_errors
def assign(request, payload: OwnershipIn):
    user = caller(request)
    petition = access.get_petition_for(user, payload.petition_id)
    o = actions.ownership_assign(
        actor=user,
        petition=petition,
        leader=_user(payload.leader_id, "leader_id"),
        plan=payload.plan,
        report_interval_days=payload.report_interval_days,
        milestones=[(m.title, m.due) for m in payload.milestones],
    )
    return Status(201, _ownership_out(o))


@router.get("/ownerships/{ownership_id}", response={200: OwnershipOut, **ERRORS})
@mapped_errors
def get_ownership(request, ownership_id: int):
    return _ownership_out(get_ownership_for(caller(request), ownership_id))


def _report_out(r) -> dict:
    return {"id": r.pk, "text": r.text, "at": r.at, "author": str(r.author)}


def _milestone_out(m) -> dict:
    return {"id": m.pk, "title": m.title, "due": m.due, "done_at": m.done_at, "evidence": m.evidence}


def _resolution_args(user, o: CaseOwnership, payload: ResolutionIn) -> dict:
    attachment = (
        o.petition.attachments.filter(pk=payload.attachment_id).first() if payload.attachment_id else None
    )
    return {**payload.model_dump(exclude={"attachment_id"}), "ownership": o, "attachment": attachment}


ownership_steps = ActionRoutes(
    router, "/ownerships/{ownership_id}", get_ownership_for, _ownership_out, OwnershipOut
)
ownership_steps.post(
    "reports",
    actions.ownership_report,
    TextIn,
    summary="报送进展",
    result=(_report_out, ReportOut),
)
ownership_steps.post(
    "milestones",
    actions.milestone_add,
    MilestoneIn,
    summary="添加工作节点",
    result=(_milestone_out, MilestoneOut),
)
ownership_steps.post(
    "resolution", actions.ownership_resolve, ResolutionIn, summary="登记化解", args=_resolution_args
)


@router.get("/backlog", response={200: list[BacklogOut], **ERRORS})
@mapped_errors
def list_backlog(request, sort: str = "risk", status: str = "open"):
    qs = visible_backlog(caller(request))
    if status in ("open", "resolved"):
        qs = qs.filter(status=status)
    qs = qs.by_age() if sort == "age" else qs.by_risk()
    return [_backlog_out(b) for b in qs.prefetch_related("reports_due")[:500]]


@router.post("/backlog", response={201: BacklogOut, **ERRORS})
@mapped_errors
def create_backlog(request, payload: BacklogIn):
    user = caller(request)
    petition = access.get_petition_for(user, payload.petition_id)
    b = actions.backlog_create(
        actor=user,
        petition=petition,
        source=payload.source,
        owner=_user(payload.owner_id, "owner_id"),
        target_date=payload.target_date,
        risk=payload.risk,
        first_petition_date=payload.first_petition_date,
        assigned_ref=payload.assigned_ref,
        reports=[(r.due, r.kind) for r in payload.reports],
    )
    return Status(201, _backlog_out(b))


@router.get("/backlog/{backlog_id}", response={200: BacklogOut, **ERRORS})
@mapped_errors
def get_backlog(request, backlog_id: int):
    return _backlog_out(get_backlog_for(caller(request), backlog_id))


def _submit_args(user, b: BacklogCase, payload: TextIn, report_id: int) -> dict:
    report = b.reports_due.filter(pk=report_id).first()
    if report is None:
        raise ActionError("not_found", "报送期限不存在", fields={"report_id": "不存在"})
    return {"report": report, "text": payload.text}


backlog_steps = ActionRoutes(router, "/backlog/{backlog_id}", get_backlog_for, _backlog_out, BacklogOut)
backlog_steps.post(
    "reports/{report_id}", actions.backlog_submit_report, TextIn, summary="向交办机关报送", args=_submit_args
)
backlog_steps.post("resolve", actions.backlog_resolve, NoteIn, summary="确认积案化解")

"""JSON API of leader case ownership and backlog cases (mounted by xinfang.api)."""

from datetime import date, datetime

from ninja import Router, Schema, Status

from xinfang.accounts.models import User
from xinfang.petitions import access
from xinfang.petitions.errors import ActionError
from xinfang.reception.apiutil import ERRORS, api_errors, api_user

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


def _ownership_out(o: CaseOwnership) -> dict:
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
        "milestones": [
            {"id": m.pk, "title": m.title, "due": m.due, "done_at": m.done_at, "evidence": m.evidence}
            for m in o.milestones.all()
        ],
        "reports": [
            {"id": r.pk, "text": r.text, "at": r.at, "author": str(r.author)}
            for r in o.reports.select_related("author")
        ],
    }


def _backlog_out(b: BacklogCase) -> dict:
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
@api_errors
def list_ownerships(request, status: str = "", leader_id: int | None = None):
    qs = visible_ownerships(api_user(request))
    if status:
        qs = qs.filter(status=status)
    if leader_id:
        qs = qs.filter(leader_id=leader_id)
    return [_ownership_out(o) for o in qs.prefetch_related("milestones")[:200]]


@router.post("/ownerships", response={201: OwnershipOut, **ERRORS})
@api_errors
def assign(request, payload: OwnershipIn):
    user = api_user(request)
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
@api_errors
def get_ownership(request, ownership_id: int):
    return _ownership_out(get_ownership_for(api_user(request), ownership_id))


@router.post("/ownerships/{ownership_id}/reports", response={201: ReportOut, **ERRORS})
@api_errors
def add_report(request, ownership_id: int, payload: TextIn):
    user = api_user(request)
    r = actions.ownership_report(
        actor=user, ownership=get_ownership_for(user, ownership_id), text=payload.text
    )
    return Status(201, {"id": r.pk, "text": r.text, "at": r.at, "author": str(r.author)})


@router.post("/ownerships/{ownership_id}/milestones", response={201: MilestoneOut, **ERRORS})
@api_errors
def add_milestone(request, ownership_id: int, payload: MilestoneIn):
    user = api_user(request)
    m = actions.milestone_add(
        actor=user, ownership=get_ownership_for(user, ownership_id), title=payload.title, due=payload.due
    )
    return Status(
        201, {"id": m.pk, "title": m.title, "due": m.due, "done_at": m.done_at, "evidence": m.evidence}
    )


@router.post("/ownerships/{ownership_id}/resolution", response={200: OwnershipOut, **ERRORS})
@api_errors
def resolve(request, ownership_id: int, payload: ResolutionIn):
    user = api_user(request)
    o = get_ownership_for(user, ownership_id)
    attachment = (
        o.petition.attachments.filter(pk=payload.attachment_id).first() if payload.attachment_id else None
    )
    actions.ownership_resolve(
        actor=user,
        ownership=o,
        kind=payload.kind,
        evidence=payload.evidence,
        date=payload.date,
        attachment=attachment,
    )
    return _ownership_out(get_ownership_for(user, ownership_id))


@router.get("/backlog", response={200: list[BacklogOut], **ERRORS})
@api_errors
def list_backlog(request, sort: str = "risk", status: str = "open"):
    qs = visible_backlog(api_user(request))
    if status in ("open", "resolved"):
        qs = qs.filter(status=status)
    qs = qs.by_age() if sort == "age" else qs.by_risk()
    return [_backlog_out(b) for b in qs.prefetch_related("reports_due")[:500]]


@router.post("/backlog", response={201: BacklogOut, **ERRORS})
@api_errors
def create_backlog(request, payload: BacklogIn):
    user = api_user(request)
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
@api_errors
def get_backlog(request, backlog_id: int):
    return _backlog_out(get_backlog_for(api_user(request), backlog_id))


@router.post("/backlog/{backlog_id}/reports/{report_id}", response={200: BacklogOut, **ERRORS})
@api_errors
def submit_report(request, backlog_id: int, report_id: int, payload: TextIn):
    user = api_user(request)
    b = get_backlog_for(user, backlog_id)
    report = b.reports_due.filter(pk=report_id).first()
    if report is None:
        raise ActionError("not_found", "报送期限不存在", fields={"report_id": "不存在"})
    actions.backlog_submit_report(actor=user, report=report, text=payload.text)
    return _backlog_out(b)


@router.post("/backlog/{backlog_id}/resolve", response={200: BacklogOut, **ERRORS})
@api_errors
def resolve_backlog(request, backlog_id: int, payload: NoteIn):
    user = api_user(request)
    b = actions.backlog_resolve(actor=user, backlog=get_backlog_for(user, backlog_id), note=payload.note)
    return _backlog_out(b)

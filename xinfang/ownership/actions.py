"""Every write of the ownership app: leader case ownership and backlog cases.

Keyword-only, atomic; state changes are conditional updates; each change
leaves a MECHANISM event on the petition's timeline.
"""

from __future__ import annotations

from datetime import date, timedelta

from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from xinfang.accounts.models import Role
from xinfang.petitions.actions._core import (
    OTHER_AREA,
    record_mechanism_event,
    require_bureau,
    require_own_matter,
    require_text,
)
from xinfang.petitions.errors import ActionError, Forbidden, WrongState
from xinfang.petitions.models import Attachment, Petition
from xinfang.units import bureaus

from .backlog import first_petition_date_for
from .models import (
    BacklogCase,
    BacklogReportDue,
    BacklogReportKind,
    BacklogSource,
    BacklogStatus,
    CaseOwnership,
    FieldVisit,
    Milestone,
    OwnershipStatus,
    ProgressReport,
    Resolution,
    ResolutionKind,
    Risk,
)

ASSIGNING_ROLES = (Role.REGISTRAR, Role.BUREAU_LEADER, Role.ADMIN)


def _require_owner_or_bureau(actor, ownership: CaseOwnership) -> None:
    if actor.pk == ownership.leader_id:
        return
    if actor.is_bureau_staff and actor.role in ASSIGNING_ROLES:
        require_own_matter(actor, ownership.petition)
        return
    raise Forbidden(_("只有包案领导或信访部门可以执行此操作"))


def _desk_of(actor, backlog: BacklogCase) -> bool:
    """The bureau that holds the backlog case's matter (not an upper or a sibling bureau)."""
    return (
        actor.is_bureau_staff
        and actor.role in ASSIGNING_ROLES
        and bureaus.owns_matter(actor, backlog.petition)
    )


def _require_active(ownership: CaseOwnership) -> None:
    if ownership.status != OwnershipStatus.ACTIVE:
        raise WrongState(_("该包案已结束"))


# --- case ownership ---------------------------------------------------------------------------------------


@transaction.atomic
def ownership_assign(
    *,
    actor,
    petition: Petition,
    leader,
    plan: str,
    report_interval_days: int = 14,
    milestones: list[tuple[str, date]] = (),
) -> CaseOwnership:
    """A named leader takes a hard case: plan, report rhythm, first milestones."""
    require_bureau(actor, *ASSIGNING_ROLES)
    require_own_matter(actor, petition)
    plan = require_text(plan, "plan", _("请填写化解方案"))
    errors = {}
    if not leader.is_leader or not leader.is_active:
        errors["leader"] = _("包案领导须为在岗领导")
    if not 1 <= int(report_interval_days) <= 90:
        errors["report_interval_days"] = _("报告周期应为1至90天")
    if errors:
        raise ActionError("invalid", _("包案信息有误"), fields=errors)
    if CaseOwnership.objects.filter(petition=petition, status=OwnershipStatus.ACTIVE).exists():
        raise WrongState(_("该事项已有领导包案"))
    today = timezone.localdate()
    ownership = CaseOwnership.objects.create(
        petition=petition,
        leader=leader,
        assigned_by=actor,
        plan=plan,
        report_interval_days=int(report_interval_days),
        next_report_due=today + timedelta(days=int(report_interval_days)),
    )
    for title, due in milestones:
        Milestone.objects.create(ownership=ownership, title=require_text(title, "milestones"), due=due)
    record_mechanism_event(
        petition,
        actor=actor,
        mechanism="case_ownership",
        step="assigned",
        ownership_id=ownership.pk,
        leader_id=leader.pk,
        leader=str(leader),
        next_report_due=ownership.next_report_due.isoformat(),
    )
    return ownership


@transaction.atomic
def ownership_report(*, actor, ownership: CaseOwnership, text: str) -> ProgressReport:
    """A progress report; the next one falls due one interval from today."""
    _require_owner_or_bureau(actor, ownership)
    text = require_text(text, "text", _("请填写进展情况"))
    next_due = timezone.localdate() + timedelta(days=ownership.report_interval_days)
    changed = CaseOwnership.objects.filter(pk=ownership.pk, status=OwnershipStatus.ACTIVE).update(
        next_report_due=next_due
    )
    if changed != 1:
        raise WrongState(_("该包案已结束"))
    ownership.next_report_due = next_due
    report = ProgressReport.objects.create(ownership=ownership, text=text[:5000], author=actor)
    record_mechanism_event(
        ownership.petition,
        actor=actor,
        mechanism="case_ownership",
        step="progress_report",
        ownership_id=ownership.pk,
        report_id=report.pk,
        next_report_due=next_due.isoformat(),
    )
    return report


@transaction.atomic
def milestone_add(*, actor, ownership: CaseOwnership, title: str, due: date) -> Milestone:
    _require_owner_or_bureau(actor, ownership)
    _require_active(ownership)
    milestone = Milestone.objects.create(
        ownership=ownership, title=require_text(title, "title")[:200], due=due
    )
    record_mechanism_event(
        ownership.petition,
        actor=actor,
        mechanism="case_ownership",
        step="milestone_added",
        ownership_id=ownership.pk,
        milestone_id=milestone.pk,
        title=milestone.title,
        due=due.isoformat(),
    )
    return milestone


@transaction.atomic
def milestone_complete(*, actor, milestone: Milestone, evidence: str) -> Milestone:
    ownership = milestone.ownership
    _require_owner_or_bureau(actor, ownership)
    _require_active(ownership)
    evidence = require_text(evidence, "evidence", _("请说明完成情况"))
    now = timezone.now()
    if (
        Milestone.objects.filter(pk=milestone.pk, done_at__isnull=True).update(done_at=now, evidence=evidence)
        != 1
    ):
        raise WrongState(_("该节点已完成"))
    milestone.done_at, milestone.evidence = now, evidence
    record_mechanism_event(
        ownership.petition,
        actor=actor,
        mechanism="case_ownership",
        step="milestone_done",
        ownership_id=ownership.pk,
        milestone_id=milestone.pk,
        title=milestone.title,
    )
    return milestone


@transaction.atomic
def field_visit_record(
    *, actor, ownership: CaseOwnership, date: date, place: str, participants: str, summary: str
) -> FieldVisit:
    """下访: the leader went to the petitioner."""
    _require_owner_or_bureau(actor, ownership)
    _require_active(ownership)
    errors = {}
    for field, value in (("place", place), ("participants", participants), ("summary", summary)):
        if not (value or "").strip():
            errors[field] = _("此项为必填项")
    if date > timezone.localdate():
        errors["date"] = _("下访日期不能晚于今天")
    if errors:
        raise ActionError("invalid", _("下访记录不完整"), fields=errors)
    visit = FieldVisit.objects.create(
        ownership=ownership,
        date=date,
        place=place.strip()[:200],
        participants=participants.strip()[:300],
        summary=summary.strip(),
        recorded_by=actor,
    )
    record_mechanism_event(
        ownership.petition,
        actor=actor,
        mechanism="case_ownership",
        step="field_visit",
        ownership_id=ownership.pk,
        visit_id=visit.pk,
        date=date.isoformat(),
        place=visit.place,
    )
    return visit


@transaction.atomic
def ownership_resolve(
    *,
    actor,
    ownership: CaseOwnership,
    kind: str,
    evidence: str,
    date: date,
    attachment: Attachment | None = None,
) -> Resolution:
    """The case is resolved (息访承诺 / 停访息诉 / 达成协议 …); an open backlog
    record of the same matter is resolved with it."""
    _require_owner_or_bureau(actor, ownership)
    if kind not in ResolutionKind.values:
        raise ActionError("invalid", _("请选择化解方式"), fields={"kind": _("请选择")})
    evidence = require_text(evidence, "evidence", _("请填写化解依据（协议、承诺书等）"))
    if attachment is not None and attachment.petition_id != ownership.petition_id:
        raise ActionError("invalid", _("附件不属于该事项"), fields={"attachment": _("附件不正确")})
    now = timezone.now()
    changed = CaseOwnership.objects.filter(pk=ownership.pk, status=OwnershipStatus.ACTIVE).update(
        status=OwnershipStatus.RESOLVED, ended_at=now
    )
    if changed != 1:
        raise WrongState(_("该包案已结束"))
    ownership.status, ownership.ended_at = OwnershipStatus.RESOLVED, now
    resolution = Resolution.objects.create(
        ownership=ownership, kind=kind, evidence=evidence, date=date, attachment=attachment, recorded_by=actor
    )
    record_mechanism_event(
        ownership.petition,
        actor=actor,
        mechanism="case_ownership",
        step="resolved",
        reason=evidence,
        ownership_id=ownership.pk,
        kind=kind,
        kind_label=str(ResolutionKind(kind).label),
        date=date.isoformat(),
    )
    backlog = BacklogCase.objects.filter(petition=ownership.petition, status=BacklogStatus.OPEN).first()
    if backlog is not None:
        _backlog_resolve(actor=actor, backlog=backlog, note=f"{ResolutionKind(kind).label}：{evidence}")
    return resolution


@transaction.atomic
def ownership_release(*, actor, ownership: CaseOwnership, reason: str) -> CaseOwnership:
    """The bureau ends an ownership without resolution (leader changes post …)."""
    require_bureau(actor, Role.BUREAU_LEADER, Role.ADMIN)
    require_own_matter(actor, ownership.petition)
    reason = require_text(reason, "reason", _("请填写理由"))
    now = timezone.now()
    changed = CaseOwnership.objects.filter(pk=ownership.pk, status=OwnershipStatus.ACTIVE).update(
        status=OwnershipStatus.RELEASED, ended_at=now, end_reason=reason
    )
    if changed != 1:
        raise WrongState(_("该包案已结束"))
    ownership.status, ownership.ended_at, ownership.end_reason = OwnershipStatus.RELEASED, now, reason
    record_mechanism_event(
        ownership.petition,
        actor=actor,
        mechanism="case_ownership",
        step="released",
        reason=reason,
        ownership_id=ownership.pk,
    )
    return ownership


# --- backlog cases --------------------------------------------------------------------------------------


@transaction.atomic
def backlog_create(
    *,
    actor,
    petition: Petition,
    source: str,
    owner,
    target_date: date,
    risk: str = Risk.MEDIUM,
    first_petition_date: date | None = None,
    assigned_ref: str = "",
    reports: list[tuple[date, str]] = (),
) -> BacklogCase:
    """Enter a matter in the backlog (省交办 / 市交办 / 自排).  Its age counts
    from `first_petition_date`, computed from linked petitions when not given."""
    require_bureau(actor, *ASSIGNING_ROLES)
    require_own_matter(actor, petition)
    errors = {}
    if source not in BacklogSource.values:
        errors["source"] = _("请选择来源")
    if risk not in Risk.values:
        errors["risk"] = _("请选择风险等级")
    if not owner.is_leader:
        errors["owner"] = _("责任领导须为领导岗位人员")
    if target_date < timezone.localdate():
        errors["target_date"] = _("化解时限不能早于今天")
    if first_petition_date and first_petition_date > timezone.localdate():
        errors["first_petition_date"] = _("首次信访日期不能晚于今天")
    if errors:
        raise ActionError("invalid", _("积案信息有误"), fields=errors)
    if BacklogCase.objects.filter(petition=petition).exists():
        raise WrongState(_("该事项已列入积案"))
    backlog = BacklogCase.objects.create(
        petition=petition,
        source=source,
        owner=owner,
        target_date=target_date,
        risk=risk,
        first_petition_date=first_petition_date or first_petition_date_for(petition),
        assigned_ref=assigned_ref.strip()[:60],
        created_by=actor,
    )
    for due, kind in reports:
        _add_report_due(backlog, due, kind)
    record_mechanism_event(
        petition,
        actor=actor,
        mechanism="backlog",
        step="listed",
        backlog_id=backlog.pk,
        source=source,
        risk=risk,
        owner=str(owner),
        target_date=target_date.isoformat(),
        first_petition_date=backlog.first_petition_date.isoformat(),
    )
    return backlog


def _add_report_due(backlog: BacklogCase, due: date, kind: str) -> BacklogReportDue:
    if kind not in BacklogReportKind.values:
        raise ActionError("invalid", _("请选择报告类型"), fields={"kind": _("请选择")})
    return BacklogReportDue.objects.create(backlog=backlog, due=due, kind=kind)


@transaction.atomic
def backlog_add_report_due(*, actor, backlog: BacklogCase, due: date, kind: str) -> BacklogReportDue:
    """A feedback date set by the assigning level: the bureau holding the matter or one above it
    (市交办: the city sets the district's report dates, Arts. 37–39)."""
    require_bureau(actor, *ASSIGNING_ROLES)
    if not bureaus.supervises_matter(actor, backlog.petition):
        raise Forbidden(OTHER_AREA)
    if backlog.status != BacklogStatus.OPEN and kind != BacklogReportKind.FINAL:
        raise WrongState(_("积案已化解，只能补报办结报告"))
    report = _add_report_due(backlog, due, kind)
    record_mechanism_event(
        backlog.petition,
        actor=actor,
        mechanism="backlog",
        step="report_due_added",
        backlog_id=backlog.pk,
        due=due.isoformat(),
        kind=kind,
    )
    return report


@transaction.atomic
def backlog_submit_report(*, actor, report: BacklogReportDue, text: str) -> BacklogReportDue:
    backlog = report.backlog
    if not (actor.pk == backlog.owner_id or _desk_of(actor, backlog)):
        raise Forbidden(_("只有责任领导或信访部门可以报送"))
    text = require_text(text, "text", _("请填写报告内容"))
    now = timezone.now()
    changed = BacklogReportDue.objects.filter(pk=report.pk, submitted_at__isnull=True).update(
        submitted_at=now, submitted_by=actor, text=text
    )
    if changed != 1:
        raise WrongState(_("该报告已报送"))
    report.submitted_at, report.submitted_by, report.text = now, actor, text
    record_mechanism_event(
        backlog.petition,
        actor=actor,
        mechanism="backlog",
        step="report_submitted",
        backlog_id=backlog.pk,
        report_id=report.pk,
        kind=report.kind,
        due=report.due.isoformat(),
        late=now.date() > report.due,
    )
    return report


def _backlog_resolve(*, actor, backlog: BacklogCase, note: str) -> BacklogCase:
    now = timezone.now()
    changed = BacklogCase.objects.filter(pk=backlog.pk, status=BacklogStatus.OPEN).update(
        status=BacklogStatus.RESOLVED, resolved_at=now, resolution_note=note
    )
    if changed != 1:
        raise WrongState(_("该积案已化解"))
    backlog.status, backlog.resolved_at, backlog.resolution_note = BacklogStatus.RESOLVED, now, note
    record_mechanism_event(
        backlog.petition,
        actor=actor,
        mechanism="backlog",
        step="resolved",
        reason=note,
        backlog_id=backlog.pk,
        age_days=backlog.age_days(),
        on_time=now.date() <= backlog.target_date,
    )
    return backlog


@transaction.atomic
def backlog_resolve(*, actor, backlog: BacklogCase, note: str) -> BacklogCase:
    """化解: the petitioner stopped petitioning (停访息诉) or an agreement holds."""
    if not (actor.pk == backlog.owner_id or _desk_of(actor, backlog)):
        raise Forbidden(_("只有责任领导或信访部门可以确认化解"))
    return _backlog_resolve(
        actor=actor, backlog=backlog, note=require_text(note, "note", _("请说明化解情况"))
    )

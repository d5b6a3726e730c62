"""Every write of the supervision app: one keyword-only, atomic function per step.

Supervisors and bureau leaders issue, review, escalate and close notices and
make proposals; they "see all but change only supervision records".  The
addressed unit's handlers and leaders reply to notices and give feedback on
proposals.  Each step updates the status conditionally, writes a
SupervisionEvent and, when a petition is concerned, a PetitionEvent with
data {"mechanism": "supervision", ...}.
"""

from __future__ import annotations

from collections.abc import Iterable
from datetime import date, datetime

from django.db import IntegrityError, transaction
from django.db.models import F
from django.utils import timezone
from django.utils.translation import gettext as _

from xinfang.accounts.models import Role
from xinfang.calendars.service import get_calendar
from xinfang.lib.deadlines import add_period
from xinfang.petitions.access import accusation_hidden_q, can_see
from xinfang.petitions.actions._core import record_event, require_text
from xinfang.petitions.choices import PetitionClass
from xinfang.petitions.errors import ActionError, Forbidden, WrongState
from xinfang.petitions.models import EventAction, Petition
from xinfang.units import bureaus
from xinfang.units.models import Unit

from .models import (
    AWAITING_REPLY,
    OPEN_NOTICE,
    AccountabilityProposal,
    Adoption,
    NoticeStatus,
    ProposalKind,
    SupervisionEvent,
    SupervisionNotice,
    SupervisionSequence,
    Trigger,
)
from .summary import proposals_summary, supervision_summary  # noqa: F401  (for the stats helper)

SUPERVISING_ROLES = {Role.SUPERVISOR, Role.BUREAU_LEADER}
REPLYING_ROLES = {Role.HANDLER, Role.UNIT_LEADER}
DEFAULT_REPLY_WORKING_DAYS = 10


def can_supervise(user) -> bool:
    return (
        getattr(user, "is_authenticated", False) and user.role in SUPERVISING_ROLES and user.is_bureau_staff
    )


def require_supervisor(user) -> None:
    if not can_supervise(user):
        raise Forbidden(_("只有督查专员或信访局领导可以执行此操作"))


def require_in_reach(user, unit: Unit) -> None:
    """A bureau supervises the units of its own area, its lower bureaus' included (Arts. 37–39),
    never a sibling bureau's."""
    if not bureaus.reaches(user, unit):
        raise Forbidden(_("该单位不属本级信访部门辖区，不能督办"))


def require_issuer(user, notice: SupervisionNotice) -> None:
    """Only the bureau that issued a 督办函 accepts, returns, escalates or closes it."""
    issuer = notice.issued_by.unit if notice.issued_by_id else None
    if issuer is not None and issuer.pk != user.unit_id:
        raise Forbidden(_("督办函由发函的信访部门处理"))


def require_unit_member(user, unit: Unit) -> None:
    """The user works in `unit` itself as a handler or leader."""
    if (
        not getattr(user, "is_authenticated", False)
        or user.role not in REPLYING_ROLES
        or user.unit_id != unit.pk
    ):
        raise Forbidden(_("只有被督办（建议）单位的承办人或负责人可以回复"))


def default_reply_due(start: date | None = None, days: int = DEFAULT_REPLY_WORKING_DAYS) -> date:
    """A reply period of `days` working days from `start` (today by default)."""
    return add_period(start or timezone.localdate(), days, working_days=True, calendar=get_calendar()).date


def _check_due(value: date | None, field: str) -> date:
    if value is None or value < timezone.localdate():
        raise ActionError("invalid", _("期限不能早于今天"), fields={field: _("请填写今天或以后的日期")})
    return value


def _log(
    *,
    notice=None,
    proposal=None,
    step: str,
    actor=None,
    actor_label: str = "",
    from_status: str = "",
    to_status: str = "",
    text: str = "",
) -> None:
    SupervisionEvent.objects.create(
        notice=notice,
        proposal=proposal,
        step=step,
        actor=actor if getattr(actor, "is_authenticated", False) else None,
        actor_label=actor_label,
        from_status=from_status,
        to_status=to_status,
        text=text,
    )
    petition = (notice or proposal).petition
    if petition is not None:
        data = {"mechanism": "supervision", "step": step}
        if notice is not None:
            data.update(notice_id=notice.pk, number=notice.number, unit=notice.unit.name)
        else:
            data.update(proposal_id=proposal.pk, kind=proposal.kind, unit=proposal.unit.name)
        record_event(
            petition,
            action=EventAction.MECHANISM,
            actor=actor,
            actor_label=actor_label,
            reason=text[:500],
            data=data,
        )


def _move(notice: SupervisionNotice, *, allowed: Iterable[str], to: str, **updates) -> str:
    old = notice.status
    if old not in set(allowed):
        raise WrongState(f"督办函当前状态为“{NoticeStatus(old).label}”，不能执行此操作")
    if SupervisionNotice.objects.filter(pk=notice.pk, status=old).update(status=to, **updates) != 1:
        raise WrongState(_("该督办函已被他人处理，请刷新后重试"))
    notice.status = to
    for key, value in updates.items():
        setattr(notice, key, value)
    return old


def _bureau_for(unit: Unit) -> Unit | None:
    """The petition bureau closest above `unit` (units/bureaus.py), else the first bureau."""
    return bureaus.bureau_for(unit) or next(iter(bureaus.all_bureaus()), None)


def next_notice_number(issuing_unit: Unit | None, year: int) -> str:
    code = issuing_unit.code if issuing_unit else "-"
    SupervisionSequence.objects.get_or_create(unit_code=code, year=year)
    SupervisionSequence.objects.filter(unit_code=code, year=year).update(last=F("last") + 1)
    seq = SupervisionSequence.objects.get(unit_code=code, year=year).last
    short = issuing_unit.display_short if issuing_unit else "信访"
    return f"{short}督〔{year}〕{seq}号"


def _check_petition(actor, petition: Petition | None, unit: Unit) -> None:
    if petition is None:
        return
    if actor is not None and not can_see(actor, petition):
        raise Forbidden(_("您无权查看该信访事项"))
    # Art. 30③: never send an accusation to the unit it accuses.
    if petition.petition_class == PetitionClass.ACCUSATION and petition.respondent_unit_id:
        if petition.respondent_unit.is_within(unit):
            raise ActionError(
                "invalid", _("检举控告事项不得督办至被反映单位"), fields={"unit": _("该单位为被反映单位")}
            )


# --- notices -----------------------------------------------------------------------


@transaction.atomic
def notice_issue(
    *,
    actor,
    unit: Unit,
    trigger: str,
    facts: str,
    reply_due: date | None = None,
    requirements: str = "",
    petition: Petition | None = None,
    flagged: bool = False,
) -> SupervisionNotice:
    """Issue a 督办函 to `unit` (about `petition`, or about the unit's work at large)."""
    require_supervisor(actor)
    require_in_reach(actor, unit)
    if trigger not in Trigger.values:
        raise ActionError("invalid", _("请选择督办事由"), fields={"trigger": _("督办事由不正确")})
    facts = require_text(facts, "facts", _("请填写督办事项"))
    reply_due = _check_due(reply_due or default_reply_due(), "reply_due")
    _check_petition(actor, petition, unit)
    now = timezone.now()
    notice = SupervisionNotice.objects.create(
        number=next_notice_number(actor.unit, timezone.localdate().year),
        petition=petition,
        unit=unit,
        trigger=trigger,
        facts=facts,
        requirements=(requirements or "").strip(),
        issued_by=actor,
        issued_at=now,
        reply_due=reply_due,
        status=NoticeStatus.ESCALATED if flagged else NoticeStatus.ISSUED,
        flagged=flagged,
        flagged_at=now if flagged else None,
    )
    _log(notice=notice, step="issued", actor=actor, to_status=notice.status, text=facts)
    return notice


@transaction.atomic
def notice_reply(*, actor, notice: SupervisionNotice, text: str) -> SupervisionNotice:
    """The addressed unit replies in writing."""
    require_unit_member(actor, notice.unit)
    text = require_text(text, "reply_text", _("请填写书面回复"))
    old = _move(
        notice,
        allowed=AWAITING_REPLY,
        to=NoticeStatus.REPLIED,
        reply_text=text,
        replied_at=timezone.now(),
        replied_by=actor,
    )
    _log(notice=notice, step="replied", actor=actor, from_status=old, to_status=notice.status, text=text)
    return notice


@transaction.atomic
def notice_accept(*, actor, notice: SupervisionNotice, note: str = "") -> SupervisionNotice:
    require_supervisor(actor)
    require_issuer(actor, notice)
    old = _move(notice, allowed={NoticeStatus.REPLIED}, to=NoticeStatus.ACCEPTED)
    _log(
        notice=notice,
        step="accepted",
        actor=actor,
        from_status=old,
        to_status=notice.status,
        text=note.strip(),
    )
    return notice


@transaction.atomic
def notice_reject(*, actor, notice: SupervisionNotice, reason: str, reply_due: date) -> SupervisionNotice:
    """The reply is not good enough: the unit must reply again by `reply_due`."""
    require_supervisor(actor)
    require_issuer(actor, notice)
    reason = require_text(reason, "reason", _("请填写退回理由"))
    reply_due = _check_due(reply_due, "reply_due")
    back = NoticeStatus.ESCALATED if notice.flagged else NoticeStatus.ISSUED
    old = _move(notice, allowed={NoticeStatus.REPLIED}, to=back, reply_due=reply_due, reply_overdue_at=None)
    _log(notice=notice, step="rejected", actor=actor, from_status=old, to_status=notice.status, text=reason)
    return notice


@transaction.atomic
def notice_escalate(
    *, actor, notice: SupervisionNotice, reason: str, reply_due: date | None = None
) -> SupervisionNotice:
    """挂牌督办: the notice becomes flagged supervision; the unit must (again) reply."""
    require_supervisor(actor)
    require_issuer(actor, notice)
    reason = require_text(reason, "reason", _("请填写挂牌督办理由"))
    updates = {"flagged": True, "flagged_at": timezone.now()}
    if reply_due is not None:
        updates.update(reply_due=_check_due(reply_due, "reply_due"), reply_overdue_at=None)
    old = _move(
        notice, allowed={NoticeStatus.ISSUED, NoticeStatus.REPLIED}, to=NoticeStatus.ESCALATED, **updates
    )
    _log(notice=notice, step="escalated", actor=actor, from_status=old, to_status=notice.status, text=reason)
    return notice


@transaction.atomic
def notice_close(*, actor, notice: SupervisionNotice, reason: str = "") -> SupervisionNotice:
    """销号: after an accepted reply, or earlier with a reason."""
    require_supervisor(actor)
    require_issuer(actor, notice)
    if notice.status != NoticeStatus.ACCEPTED:
        reason = require_text(reason, "reason", _("未经认可回复的督办函销号须说明理由"))
    old = _move(notice, allowed=OPEN_NOTICE, to=NoticeStatus.CLOSED, closed_at=timezone.now())
    _log(
        notice=notice,
        step="closed",
        actor=actor,
        from_status=old,
        to_status=notice.status,
        text=reason.strip(),
    )
    return notice


def mark_reply_overdue(notice: SupervisionNotice, *, now: datetime | None = None) -> bool:
    """Flag a late reply once: True only for the caller whose compare-and-set won."""
    now = now or timezone.now()
    with transaction.atomic():
        won = SupervisionNotice.objects.filter(
            pk=notice.pk,
            reply_overdue_at__isnull=True,
            status__in=AWAITING_REPLY,
            reply_due__lt=timezone.localdate(now),
        ).update(reply_overdue_at=now)
        if won != 1:
            return False
        notice.reply_overdue_at = now
        _log(
            notice=notice,
            step="reply_overdue",
            actor_label="系统",
            from_status=notice.status,
            to_status=notice.status,
            text=f"督办函回复期限（{notice.reply_due:%Y-%m-%d}）已过，单位尚未回复",
        )
    return True


def supervision_open_for_missed_commitment(commitment) -> SupervisionNotice:
    """Supervise a missed commitment (践诺问责): a notice with trigger
    missed_commitment to the unit that promised, issued by the system.
    Idempotent per commitment (any object with pk, petition, promised_by_unit,
    text, due)."""
    source = f"commitment:{commitment.pk}"
    existing = SupervisionNotice.objects.filter(source=source).first()
    if existing is not None:
        return existing
    unit = commitment.promised_by_unit
    petition = getattr(commitment, "petition", None)
    due = commitment.due
    due_text = f"{due:%Y年%m月%d日}" if isinstance(due, date) else str(due)
    facts = f"贵单位承诺的事项“{commitment.text}”应于{due_text}前兑现，至今未兑现。"
    if petition is not None:
        facts = f"信访事项{petition.case_number}：{facts}"
    try:
        with transaction.atomic():
            notice = SupervisionNotice.objects.create(
                number=next_notice_number(_bureau_for(unit), timezone.localdate().year),
                petition=petition,
                unit=unit,
                trigger=Trigger.MISSED_COMMITMENT,
                facts=facts,
                requirements="请立即兑现承诺，并书面回复未按期兑现的原因及整改措施。",
                reply_due=default_reply_due(),
                source=source,
            )
            _log(notice=notice, step="issued", actor_label="系统", to_status=notice.status, text=facts)
    except IntegrityError:
        # Another worker issued it first.
        return SupervisionNotice.objects.get(source=source)
    return notice


# --- proposals -------------------------------------------------------------------------


@transaction.atomic
def proposal_make(
    *,
    actor,
    kind: str,
    unit: Unit,
    title: str,
    text: str,
    response_due: date | None = None,
    petition: Petition | None = None,
    notice: SupervisionNotice | None = None,
) -> AccountabilityProposal:
    """An Art. 40 proposal: improve work, improve policy or hold to account."""
    require_supervisor(actor)
    require_in_reach(actor, unit)
    if kind not in ProposalKind.values:
        raise ActionError("invalid", _("请选择建议类型"), fields={"kind": _("建议类型不正确")})
    title = require_text(title, "title")
    text = require_text(text, "text", _("请填写建议内容"))
    response_due = _check_due(response_due or default_reply_due(days=20), "response_due")
    if notice is not None and petition is None:
        petition = notice.petition
    _check_petition(actor, petition, unit)
    proposal = AccountabilityProposal.objects.create(
        kind=kind,
        unit=unit,
        petition=petition,
        notice=notice,
        title=title,
        text=text,
        proposed_by=actor,
        response_due=response_due,
    )
    _log(proposal=proposal, step="proposed", actor=actor, to_status=proposal.adoption, text=title)
    return proposal


@transaction.atomic
def proposal_feedback(
    *, actor, proposal: AccountabilityProposal, adoption: str, feedback: str
) -> AccountabilityProposal:
    """The unit reports in writing whether it adopted the proposal (Art. 40④)."""
    require_unit_member(actor, proposal.unit)
    if adoption not in {Adoption.ADOPTED, Adoption.PARTLY, Adoption.NOT_ADOPTED}:
        raise ActionError(
            "invalid", _("请选择采纳情况"), fields={"adoption": _("请选择采纳、部分采纳或未采纳")}
        )
    feedback = require_text(feedback, "feedback", _("请填写书面反馈"))
    changed = AccountabilityProposal.objects.filter(pk=proposal.pk, adoption=Adoption.PENDING).update(
        adoption=adoption, feedback=feedback, feedback_at=timezone.now(), feedback_by=actor
    )
    if changed != 1:
        raise WrongState(_("该建议已反馈采纳情况"))
    proposal.refresh_from_db()
    _log(
        proposal=proposal,
        step="feedback",
        actor=actor,
        from_status=Adoption.PENDING,
        to_status=adoption,
        text=feedback,
    )
    return proposal


def notices_visible_to(user):
    """Bureau staff see the notices of their area (to its units, or issued by a bureau of it: a
    city's to its districts and the districts' own, never a sibling bureau's); a unit's staff see the
    notices to their unit and its sub-units.  An accusation's supervision is not shown to the
    accused (Art. 30③)."""
    if not getattr(user, "is_authenticated", False) or not user.is_active:
        return SupervisionNotice.objects.none()
    if user.is_bureau_staff:
        if bureaus.sees_everything(user):
            return SupervisionNotice.objects.all()
        qs = SupervisionNotice.objects.filter(
            bureaus.reach_q(user, "unit") | bureaus.reach_q(user, "issued_by__unit")
        )
        return qs.exclude(petition__in=Petition.objects.filter(accusation_hidden_q(user)))
    if user.unit_id is None or user.role == Role.HEARING_MEMBER:
        return SupervisionNotice.objects.none()
    qs = SupervisionNotice.objects.filter(unit__path__startswith=user.unit.path)
    # An accusation's supervision is not shown to the accused (Art. 30③).
    return qs.exclude(petition__in=Petition.objects.filter(accusation_hidden_q(user)))


def proposals_visible_to(user):
    if not getattr(user, "is_authenticated", False) or not user.is_active:
        return AccountabilityProposal.objects.none()
    if user.is_bureau_staff:
        if bureaus.sees_everything(user):
            return AccountabilityProposal.objects.all()
        qs = AccountabilityProposal.objects.filter(
            bureaus.reach_q(user, "unit") | bureaus.reach_q(user, "proposed_by__unit")
        )
        return qs.exclude(petition__in=Petition.objects.filter(accusation_hidden_q(user)))
    if user.unit_id is None or user.role == Role.HEARING_MEMBER:
        return AccountabilityProposal.objects.none()
    qs = AccountabilityProposal.objects.filter(unit__path__startswith=user.unit.path)
    return qs.exclude(petition__in=Petition.objects.filter(accusation_hidden_q(user)))

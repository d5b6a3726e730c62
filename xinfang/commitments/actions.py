"""Every write of the commitments app: promises to petitioners and follow-up answers.

Keyword-only, atomic; state changes are conditional updates; each change
leaves a MECHANISM event on the petition's timeline.
"""

from __future__ import annotations

from datetime import date

from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from xinfang.accounts.models import Role
from xinfang.petitions.actions._core import record_mechanism_event, require_own_matter
from xinfang.petitions.errors import ActionError, Forbidden, WrongState
from xinfang.petitions.models import Attachment, Petition
from xinfang.units import bureaus
from xinfang.units.models import Unit

from .models import Commitment, CommitmentStatus, FollowUp, FollowUpAnswer, FollowUpMethod, FollowUpStatus

RECORDING_ROLES = (Role.REGISTRAR, Role.BUREAU_LEADER)


def _event(
    petition: Petition,
    *,
    actor,
    step: str,
    mechanism: str = "commitment",
    actor_label: str = "",
    reason: str = "",
    **data,
) -> None:
    record_mechanism_event(
        petition, mechanism=mechanism, step=step, actor=actor, actor_label=actor_label, reason=reason, **data
    )


def _speaks_for(actor, unit: Unit, petition: Petition) -> bool:
    """The bureau that holds the matter (never an upper or a sibling bureau in its place), or staff
    of `unit` or of a unit above it."""
    if actor.is_bureau_staff:
        return bureaus.owns_matter(actor, petition)
    return actor.unit_id is not None and unit.path.startswith(actor.unit.path)


# --- commitments ------------------------------------------------------------------------------------------


@transaction.atomic
def commitment_create(*, actor, petition: Petition, unit: Unit, owner, text: str, due: date) -> Commitment:
    """Record a promise made to the petitioner: what, by which unit, who answers for it, by when."""
    if not _speaks_for(actor, unit, petition):
        raise Forbidden(_("只能登记本单位作出的承诺"))
    errors = {}
    text = (text or "").strip()
    if not text:
        errors["text"] = _("请填写承诺内容")
    if due < timezone.localdate():
        errors["due"] = _("兑现期限不能早于今天")
    if (
        not owner.is_active
        or not (owner.unit_id and owner.unit.path.startswith(unit.path))
        and not owner.is_leader
    ):
        errors["owner"] = _("责任人须为承诺单位的工作人员或领导")
    if errors:
        raise ActionError("invalid", _("承诺信息有误"), fields=errors)
    commitment = Commitment.objects.create(
        petition=petition, promised_by_unit=unit, owner=owner, text=text[:2000], due=due, created_by=actor
    )
    _event(
        petition,
        actor=actor,
        step="made",
        commitment_id=commitment.pk,
        unit_id=unit.pk,
        unit=unit.name,
        owner=str(owner),
        due=due.isoformat(),
        text=commitment.text[:200],
    )
    return commitment


@transaction.atomic
def commitment_keep(
    *, actor, commitment: Commitment, evidence: str, attachment: Attachment | None = None
) -> Commitment:
    """The promise is kept (also late: a missed commitment stays flagged for accountability)."""
    if actor.pk != commitment.owner_id and not _speaks_for(
        actor, commitment.promised_by_unit, commitment.petition
    ):
        raise Forbidden(_("只有责任人、承诺单位或信访部门可以登记兑现"))
    evidence = (evidence or "").strip()
    if not evidence:
        raise ActionError("invalid", _("请说明兑现情况"), fields={"evidence": _("此项为必填项")})
    if attachment is not None and attachment.petition_id != commitment.petition_id:
        raise ActionError("invalid", _("附件不属于该事项"), fields={"attachment": _("附件不正确")})
    now = timezone.now()
    changed = Commitment.objects.filter(
        pk=commitment.pk, status__in=[CommitmentStatus.OPEN, CommitmentStatus.MISSED]
    ).update(status=CommitmentStatus.KEPT, evidence=evidence, attachment=attachment, kept_at=now)
    if changed != 1:
        raise WrongState(_("该承诺已登记兑现"))
    late = commitment.missed_flagged_at is not None or timezone.localdate(now) > commitment.due
    commitment.refresh_from_db()
    _event(
        commitment.petition, actor=actor, step="kept", reason=evidence, commitment_id=commitment.pk, late=late
    )
    return commitment


# --- follow-up answers ----------------------------------------------------------------------------------


def _validate_answer(answer: str, comment: str) -> str:
    if answer not in FollowUpAnswer.values:
        raise ActionError("invalid", _("请选择问题是否真正解决"), fields={"answer": _("请选择")})
    comment = (comment or "").strip()
    if answer != FollowUpAnswer.SOLVED and not comment:
        raise ActionError("invalid", _("请说明尚未解决的问题"), fields={"comment": _("请填写")})
    return comment[:2000]


def _apply_answer(
    *, followup: FollowUp, answer: str, comment: str, method: str, recorder, reopen_actor, actor_label: str
) -> FollowUp:
    now = timezone.now()
    changed = FollowUp.objects.filter(pk=followup.pk, status=FollowUpStatus.SCHEDULED).update(
        status=FollowUpStatus.DONE,
        answer=answer,
        comment=comment,
        method=method,
        answered_at=now,
        recorded_by=recorder,
    )
    if changed != 1:
        raise WrongState(_("该回访已完成或已取消"))
    petition = Petition.objects.get(pk=followup.petition_id)
    _event(
        petition,
        actor=recorder,
        actor_label=actor_label,
        mechanism="follow_up",
        step="answered",
        reason=comment,
        followup_id=followup.pk,
        seq=followup.seq,
        method=method,
        answer=answer,
        answer_label=str(FollowUpAnswer(answer).label),
    )
    reopened = needs_action = False
    if answer == FollowUpAnswer.NOT_SOLVED:
        from .followups import reopen_after_followup

        reopened = reopen_after_followup(
            petition=petition, followup=followup, actor=reopen_actor, comment=comment
        )
        needs_action = not reopened
    FollowUp.objects.filter(pk=followup.pk).update(reopened=reopened, needs_action=needs_action)
    followup.refresh_from_db()
    return followup


@transaction.atomic
def followup_record(*, actor, followup: FollowUp, answer: str, comment: str = "", method: str) -> FollowUp:
    """Bureau staff record a phone or home-visit follow-up.  "Not solved"
    reopens the matter with the recording user as the actor."""
    if not (actor.is_bureau_staff and actor.role in RECORDING_ROLES):
        raise Forbidden(_("回访结果由信访部门登记员或领导登记"))
    require_own_matter(actor, followup.petition)
    if method not in {FollowUpMethod.PHONE, FollowUpMethod.VISIT}:
        raise ActionError("invalid", _("请选择回访方式"), fields={"method": _("电话回访或上门回访")})
    comment = _validate_answer(answer, comment)
    return _apply_answer(
        followup=followup,
        answer=answer,
        comment=comment,
        method=method,
        recorder=actor,
        reopen_actor=actor,
        actor_label="",
    )


@transaction.atomic
def followup_answer_portal(*, followup: FollowUp, answer: str, comment: str = "") -> FollowUp:
    """The petitioner answers the questionnaire behind the follow-up's token.
    "Not solved" reopens the matter in the name of the bureau's system
    account (see followups.system_actor_for)."""
    from .followups import system_actor_for

    comment = _validate_answer(answer, comment)
    petition = followup.petition
    return _apply_answer(
        followup=followup,
        answer=answer,
        comment=comment,
        method=FollowUpMethod.PORTAL,
        recorder=None,
        reopen_actor=system_actor_for(petition),
        actor_label="信访人",
    )


@transaction.atomic
def followup_cancel(*, actor, followup: FollowUp, reason: str) -> FollowUp:
    if not actor.is_bureau_staff:
        raise Forbidden()
    require_own_matter(actor, followup.petition)
    reason = (reason or "").strip()
    if not reason:
        raise ActionError("invalid", _("请填写理由"), fields={"reason": _("此项为必填项")})
    if (
        FollowUp.objects.filter(pk=followup.pk, status=FollowUpStatus.SCHEDULED).update(
            status=FollowUpStatus.CANCELLED
        )
        != 1
    ):
        raise WrongState(_("该回访已完成或已取消"))
    followup.status = FollowUpStatus.CANCELLED
    _event(
        followup.petition,
        actor=actor,
        mechanism="follow_up",
        step="cancelled",
        reason=reason,
        followup_id=followup.pk,
    )
    return followup

"""Merge, withdrawal, reopening, recusal, notes, attachments and clock pauses."""

from __future__ import annotations

import hashlib
import mimetypes
from datetime import date

from django.conf import settings
from django.db import transaction
from django.utils import timezone

from ..choices import OPEN_STATUSES, TERMINAL_STATUSES, LinkKind, Stage, Status
from ..deadlines import cancel_deadlines, open_deadline, open_deadline_for, recompute, refresh_current_due
from ..errors import ActionError, Forbidden, WrongState
from ..models import (
    Attachment,
    DeadlinePause,
    EventAction,
    InternalNote,
    Petition,
    PetitionLink,
    PetitionPetitioner,
    Recusal,
)
from ._core import record_event, require_reason, transition
from .decisions import conclude_rule_applies, stage_rule
from .rules import (
    ANY_STAFF,
    BUREAU_DESK,
    DESK_OR_UNIT,
    NOT_SUPERVISOR,
    Allow,
    When,
    decides_recusal_of,
    declare,
    when,
)


def clock_paused(petition: Petition) -> bool:
    deadline = open_deadline_for(petition, stage_rule(petition.stage))
    return deadline is not None and deadline.pauses.filter(end__isnull=True).exists()


def _pausable(petition: Petition) -> WrongState | None:
    if petition.stage != Stage.REREVIEW:
        return WrongState("只有复核办理中的事项可以因听证中止计时")
    if _hearing_in_progress(petition) is None:
        return WrongState(HEARING_ONLY)
    deadline = open_deadline_for(petition, stage_rule(petition.stage))
    if deadline is None:
        return WrongState("没有正在计算的期限")
    if deadline.pauses.filter(end__isnull=True).exists():
        return WrongState("计时已中止")
    return None


HEARING_ONLY = (
    "只有复核阶段举行听证期间可以中止计时：听证所需时间不计算在复核期限内，"
    "其他时间照常计算（《信访工作条例》第三十六条第二款）"
)


def _pause_params(actor, petition: Petition, *, hearing=None, **_) -> WrongState | None:
    """A pause named for a hearing belongs to that hearing, held on this re-review."""
    if hearing is not None and _hearing_in_progress(petition, hearing) is None:
        return WrongState(HEARING_ONLY)
    return None


@transaction.atomic
@declare("merge", Allow(BUREAU_DESK, {Status.REGISTERED, Status.ROUTED}))
def petition_merge(*, actor, petition: Petition, into: Petition, reason: str = "") -> Petition:
    """A new submission repeating an open matter joins it: its petitioners are
    added to the open matter and it closes as merged."""
    if into.pk == petition.pk:
        raise ActionError("invalid", "不能合并到自身")
    if into.status not in OPEN_STATUSES:
        raise ActionError("invalid", "只能合并到正在办理的事项", fields={"into": "目标事项已办结"})
    transition(
        petition,
        allowed_from={Status.REGISTERED, Status.ROUTED},
        to_status=Status.MERGED,
        action=EventAction.MERGE,
        actor=actor,
        reason=reason,
        data={"into_id": into.pk, "into_case_number": into.case_number},
        updates={"closed_at": timezone.now()},
    )
    PetitionLink.objects.get_or_create(
        from_petition=petition, to_petition=into, kind=LinkKind.MERGED_INTO, defaults={"created_by": actor}
    )
    for link in PetitionPetitioner.objects.filter(petition=petition):
        PetitionPetitioner.objects.get_or_create(
            petition=into, petitioner_id=link.petitioner_id, defaults={"order": 100 + link.order}
        )
    cancel_deadlines(petition)
    refresh_current_due(petition)
    record_event(
        into,
        action=EventAction.MERGE,
        actor=actor,
        reason=reason,
        data={"merged_id": petition.pk, "merged_case_number": petition.case_number},
    )
    return petition


@transaction.atomic
@declare("withdraw", Allow(DESK_OR_UNIT, OPEN_STATUSES), petitioner=True)
def petition_withdraw(
    *, petition: Petition, reason: str, actor=None, actor_label: str = "信访人"
) -> Petition:
    """The petitioner withdraws (recorded by staff or on the portal)."""
    reason = require_reason(reason)
    transition(
        petition,
        allowed_from=OPEN_STATUSES,
        to_status=Status.WITHDRAWN,
        action=EventAction.WITHDRAW,
        actor=actor,
        actor_label=actor_label,
        reason=reason,
        updates={"closed_at": timezone.now()},
    )
    cancel_deadlines(petition)
    refresh_current_due(petition)
    return petition


@transaction.atomic
@declare(
    "reopen",
    Allow(
        BUREAU_DESK,
        TERMINAL_STATUSES - {Status.MERGED},
        # Art. 36③: after re-review no body accepts the same matter again.
        when(
            lambda p: not p.is_final,
            lambda p: WrongState(
                "该事项已经复核终结，根据《信访工作条例》第三十六条第三款，不再受理，不能重新办理"
            ),
        ),
    ),
    state_message="只有已办结、不予受理、不再受理、已导入法定途径或已撤回的事项可以重新办理",
)
def petition_reopen(*, actor, petition: Petition, reason: str) -> Petition:
    """The bureau reopens a closed matter: back to handling at its last unit
    with a fresh period, or to routing when it never reached a unit."""
    reason = require_reason(reason)
    now = timezone.now()
    to_handling = petition.handling_unit_id is not None and petition.accepted_at is not None
    transition(
        petition,
        allowed_from=TERMINAL_STATUSES - {Status.MERGED},
        to_status=Status.HANDLING if to_handling else Status.REGISTERED,
        action=EventAction.REOPEN,
        actor=actor,
        reason=reason,
        updates={
            "closed_at": None,
            "is_final": False,
            "is_extended": False,
            "is_simple": False,
            "accepted_at": now if to_handling else petition.accepted_at,
        },
    )
    cancel_deadlines(petition)
    if to_handling and (petition.stage != Stage.INITIAL or conclude_rule_applies(petition)):
        open_deadline(petition, stage_rule(petition.stage), now)
    else:
        open_deadline(petition, "route", now)
    refresh_current_due(petition)
    return petition


def _recusal_authority(actor, petition: Petition, *, user=None, **_) -> ActionError | None:
    if user is not None and not decides_recusal_of(actor, user):
        return Forbidden("回避由本人申请，或由其所在单位、上级单位或上级信访部门的负责人决定（第二十八条）")
    return None


def _undo_authority(actor, petition: Petition, *, user=None, **_) -> ActionError | None:
    if user is None:
        return None
    recusal = petition.recusals.filter(user=user).first()
    if recusal is None:
        return ActionError("invalid", "该工作人员未回避此事项", fields={"user": "未回避"})
    if not may_undo_recusal(actor, recusal):
        return Forbidden("只有作出回避决定的本人或其上级负责人可以撤销回避")
    return None


def may_undo_recusal(actor, recusal: Recusal) -> bool:
    """The same authority that may decide it; a person undoes only their own declaration."""
    if actor.pk == recusal.user_id:
        return recusal.created_by_id == actor.pk
    return decides_recusal_of(actor, recusal.user)


def undoable_recusals(actor, petition: Petition) -> list[Recusal]:
    return [r for r in petition.recusals.select_related("user__unit") if may_undo_recusal(actor, r)]


@transaction.atomic
@declare("recuse", Allow(ANY_STAFF), params=_recusal_authority)
def petition_recuse(*, actor, petition: Petition, user, reason: str) -> Recusal:
    """Art. 28③: a staff member with a direct interest steps aside, declared by
    themself or decided by their superior (rules.decides_recusal_of).  It takes
    away the right to act; supervisors and bureau leaders keep read access."""
    reason = require_reason(reason)
    recusal, created = Recusal.objects.get_or_create(
        petition=petition, user=user, defaults={"reason": reason, "created_by": actor}
    )
    if not created:
        raise ActionError("invalid", "该工作人员已回避此事项")
    handler_cleared = petition.handler_id == user.pk
    if handler_cleared:
        Petition.objects.filter(pk=petition.pk).update(handler=None)
        petition.handler = None
    record_event(
        petition,
        action=EventAction.RECUSE,
        actor=actor,
        reason=reason,
        data={"user_id": user.pk, "handler_cleared": handler_cleared},
    )
    return recusal


@transaction.atomic
@declare(
    "unrecuse",
    Allow(
        ANY_STAFF,
        None,
        When(
            lambda actor, p: bool(undoable_recusals(actor, p)),
            lambda p: WrongState("没有您可以撤销的回避"),
        ),
    ),
    params=_undo_authority,
    recused_may=True,  # one's own declaration may be withdrawn
)
def petition_unrecuse(*, actor, petition: Petition, user, reason: str) -> Petition:
    """Withdraw a recusal (Art. 28③), by the same authority that may decide it, with an event."""
    reason = require_reason(reason)
    recusal = petition.recusals.get(user=user)
    data = {
        "user_id": user.pk,
        "recused_by_id": recusal.created_by_id,
        "recused_at": recusal.created_at.isoformat(),
        "recusal_reason": recusal.reason,
    }
    recusal.delete()
    record_event(petition, action=EventAction.UNRECUSE, actor=actor, reason=reason, data=data)
    return petition


@transaction.atomic
@declare("note", Allow(NOT_SUPERVISOR))
def note_add(*, actor, petition: Petition, text: str) -> InternalNote:
    text = require_reason(text, "text")
    note = InternalNote.objects.create(petition=petition, author=actor, text=text[:5000])
    record_event(petition, action=EventAction.NOTE, actor=actor, data={"note_id": note.pk})
    return note


def _sniff_type(head: bytes, name: str) -> str:
    signatures = [
        (b"%PDF", "application/pdf"),
        (b"\xff\xd8\xff", "image/jpeg"),
        (b"\x89PNG", "image/png"),
        (b"II*\x00", "image/tiff"),
        (b"MM\x00*", "image/tiff"),
        (b"PK\x03\x04", "application/vnd.openxmlformats-officedocument.wordprocessingml.document"),
    ]
    for magic, kind in signatures:
        if head.startswith(magic):
            return kind
    guessed = mimetypes.guess_type(name)[0] or "application/octet-stream"
    if guessed == "text/plain":
        try:
            head.decode("utf-8")
            return guessed
        except UnicodeDecodeError:
            pass
    return "application/octet-stream"


@transaction.atomic
def attachment_add(*, petition: Petition, upload, actor=None, is_public: bool = False) -> Attachment:
    """Store an uploaded file under MEDIA_ROOT after checking size and real type."""
    if upload.size > settings.ATTACHMENT_MAX_BYTES:
        limit = settings.ATTACHMENT_MAX_BYTES // (1024 * 1024)
        raise ActionError(
            "invalid", f"附件不能超过{limit}MB", fields={"attachments": f"文件过大（上限{limit}MB）"}
        )
    head = upload.read(8)
    upload.seek(0)
    content_type = _sniff_type(head, upload.name)
    if content_type not in settings.ATTACHMENT_TYPES:
        raise ActionError(
            "invalid", "附件类型不支持，请上传PDF、图片或Word文件", fields={"attachments": "类型不支持"}
        )
    digest = hashlib.sha256()
    for chunk in upload.chunks():
        digest.update(chunk)
    upload.seek(0)
    attachment = Attachment(
        petition=petition,
        original_name=upload.name[:200],
        content_type=content_type,
        size=upload.size,
        sha256=digest.hexdigest(),
        uploaded_by=actor if getattr(actor, "is_authenticated", False) else None,
        is_public=is_public,
    )
    attachment.file.save(upload.name, upload, save=False)
    attachment.save()
    return attachment


def _hearing_in_progress(petition: Petition, hearing=None):
    """The re-review hearing being held on `petition` (the given one, or the
    one found), or None.  Hearings live in their own app: import late."""
    from xinfang.hearings.models import Hearing, HearingStatus

    qs = Hearing.objects.filter(petition=petition, stage=Stage.REREVIEW, status=HearingStatus.HELD)
    if hearing is not None:
        qs = qs.filter(pk=hearing.pk)
    return qs.order_by("-held_on", "-pk").first()


@transaction.atomic
@declare(
    "pause_clock",
    Allow(DESK_OR_UNIT, Status.HANDLING, when(lambda p: _pausable(p) is None, _pausable)),
    params=_pause_params,
    state_message="只有复核办理中的事项可以因听证中止计时",
)
def petition_pause_clock(
    *, actor, petition: Petition, start: date, reason: str, hearing=None
) -> DeadlinePause:
    """Stop the answer clock for a re-review hearing (Art. 36②: only the time
    the hearing needs is not counted).  The pause belongs to a hearing held on
    this re-review (`hearing`, or the one being held) and starts no earlier
    than the day it was held."""
    reason = require_reason(reason)
    held = _hearing_in_progress(petition, hearing)
    if held.held_on is None or start < held.held_on or start > timezone.localdate():
        raise ActionError("invalid", "中止日期应在听证举行之日至今天之间", fields={"start": "日期不正确"})
    deadline = open_deadline_for(petition, stage_rule(petition.stage))
    pause = DeadlinePause.objects.create(deadline=deadline, start=start, reason=reason)
    type(held).objects.filter(pk=held.pk).update(pause=pause)
    refresh_current_due(petition)
    record_event(
        petition,
        action=EventAction.PAUSE,
        actor=actor,
        reason=reason,
        data={"start": start.isoformat(), "hearing_id": held.pk},
    )
    return pause


@transaction.atomic
@declare("resume_clock", Allow(DESK_OR_UNIT, None, when(clock_paused, lambda p: WrongState("计时未中止"))))
def petition_resume_clock(*, actor, petition: Petition, end: date) -> DeadlinePause:
    deadline = open_deadline_for(petition, stage_rule(petition.stage))
    pause = deadline.pauses.filter(end__isnull=True).first() if deadline else None
    if pause is None:
        raise WrongState("计时未中止")
    if end < pause.start:
        raise ActionError("invalid", "恢复日期不能早于中止日期", fields={"end": "日期不正确"})
    pause.end = end
    pause.save(update_fields=["end"])
    recompute(deadline)
    refresh_current_due(petition)
    record_event(
        petition,
        action=EventAction.RESUME,
        actor=actor,
        data={"start": pause.start.isoformat(), "end": end.isoformat(), "new_due": deadline.due.isoformat()},
    )
    return pause

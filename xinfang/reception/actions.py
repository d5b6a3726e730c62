"""Every write of the reception app: joint reception sessions, joint handling
(on site and online) and leader reception bookings.

Keyword-only, atomic; status changes are conditional updates; each change on a
petition leaves a MECHANISM event on its timeline.
"""

from __future__ import annotations

import secrets
from dataclasses import dataclass
from datetime import date, time

from django.db import IntegrityError, transaction
from django.db.models import F
from django.utils import timezone
from django.utils.translation import gettext as _

from xinfang.accounts.models import Role
from xinfang.lib import crypto
from xinfang.petitions.actions._core import (
    record_mechanism_event,
    require_bureau,
    require_own_matter,
    require_own_unit,
    require_text,
)
from xinfang.petitions.errors import ActionError, Forbidden, WrongState
from xinfang.petitions.models import Petition
from xinfang.units import bureaus
from xinfang.units.models import Unit

from .access import participant_for
from .models import (
    DEFAULT_PLACE,
    BookingStatus,
    JointHandling,
    JointMode,
    JointParticipant,
    JointReceptionSession,
    JointStatus,
    JointThreadPost,
    LeaderBooking,
    LeaderReceptionSlot,
    OneStopOutcome,
    ParticipantRole,
    ParticipantStatus,
    PostKind,
    ReceptionVisit,
)

BUREAU_ROLES = (Role.REGISTRAR, Role.BUREAU_LEADER, Role.SUPERVISOR, Role.ADMIN)


def _runs_session(actor, session: JointReceptionSession) -> bool:
    """The session's own bureau (the one whose staff held it) or the day's reception staff."""
    creator = session.created_by.unit if session.created_by_id else None
    if actor.is_bureau_staff and bureaus.owns(actor, creator):
        return True
    return session.staff.filter(pk=actor.pk).exists()


# --- joint reception sessions -------------------------------------------------------------------------


@transaction.atomic
def session_create(
    *, actor, date: date, place: str = DEFAULT_PLACE, units=(), staff=(), leader_on_duty=None, notes: str = ""
) -> JointReceptionSession:
    require_bureau(actor, *BUREAU_ROLES)
    if leader_on_duty is not None and not leader_on_duty.is_leader:
        raise ActionError(
            "invalid", _("值班领导须为领导岗位人员"), fields={"leader_on_duty": _("请选择领导")}
        )
    session = JointReceptionSession.objects.create(
        date=date,
        place=(place or DEFAULT_PLACE).strip(),
        leader_on_duty=leader_on_duty,
        notes=notes.strip(),
        created_by=actor,
    )
    session.units.set(units)
    session.staff.set(staff)
    return session


@transaction.atomic
def visit_register(*, actor, session: JointReceptionSession, petition: Petition) -> ReceptionVisit:
    """A petitioner received at the session: link the matter to it."""
    if not _runs_session(actor, session):
        raise Forbidden(_("只有信访部门或当日接访人员可以登记"))
    try:
        with transaction.atomic():
            visit = ReceptionVisit.objects.create(session=session, petition=petition, registered_by=actor)
    except IntegrityError:
        raise ActionError(
            "invalid", _("该事项已在本场次登记"), fields={"case_number": _("重复登记")}
        ) from None
    record_mechanism_event(
        petition,
        actor=actor,
        mechanism="joint_reception",
        step="visit_registered",
        session_id=session.pk,
        date=session.date.isoformat(),
        place=session.place,
    )
    return visit


@transaction.atomic
def visit_record_outcome(*, actor, visit: ReceptionVisit, outcome: str, note: str = "") -> ReceptionVisit:
    """The one-stop outcome of a visit, recorded once."""
    if not _runs_session(actor, visit.session):
        raise Forbidden(_("只有信访部门或当日接访人员可以登记处理结果"))
    if outcome not in OneStopOutcome.values:
        raise ActionError("invalid", _("请选择处理结果"), fields={"outcome": _("请选择")})
    note = (note or "").strip()
    if outcome in {OneStopOutcome.RESOLVED_ON_SPOT, OneStopOutcome.OTHER}:
        note = require_text(note, "note", _("请说明处理情况"))
    now = timezone.now()
    changed = ReceptionVisit.objects.filter(pk=visit.pk, outcome="").update(
        outcome=outcome, outcome_note=note, outcome_at=now
    )
    if changed != 1:
        raise WrongState(_("该接访的处理结果已登记"))
    visit.outcome, visit.outcome_note, visit.outcome_at = outcome, note, now
    record_mechanism_event(
        visit.petition,
        actor=actor,
        mechanism="joint_reception",
        step="outcome",
        reason=note,
        session_id=visit.session_id,
        outcome=outcome,
        outcome_label=str(OneStopOutcome(outcome).label),
    )
    return visit


# --- joint handling -------------------------------------------------------------------------------------


@dataclass
class ParticipantInput:
    unit: Unit
    due: date
    task: str = ""


@transaction.atomic
def joint_open(
    *,
    actor,
    petition: Petition,
    lead: ParticipantInput,
    cooperating: list[ParticipantInput],
    mode: str = JointMode.ONLINE,
    session: JointReceptionSession | None = None,
) -> JointHandling:
    """The bureau opens a matter to several units at once: one lead unit and
    at least one cooperating unit, each with a date to state its part."""
    require_bureau(actor, Role.REGISTRAR, Role.BUREAU_LEADER, Role.ADMIN)
    require_own_matter(actor, petition)
    if not petition.is_open:
        raise WrongState(_("已办结的事项不能发起联合办理"))
    errors = {}
    unit_ids = [lead.unit.pk] + [c.unit.pk for c in cooperating]
    if not cooperating:
        errors["cooperating"] = _("请至少选择一个配合单位")
    if len(set(unit_ids)) != len(unit_ids):
        errors["cooperating"] = _("同一单位不能重复参加")
    today = timezone.localdate()
    if any(p.due < today for p in [lead, *cooperating]):
        errors["due"] = _("表态期限不能早于今天")
    if mode not in JointMode.values:
        errors["mode"] = _("方式不正确")
    if errors:
        raise ActionError("invalid", _("联合办理信息不完整"), fields=errors)
    if JointHandling.objects.filter(petition=petition).exclude(status=JointStatus.CLOSED).exists():
        raise WrongState(_("该事项已有进行中的联合办理"))
    joint = JointHandling.objects.create(
        petition=petition, mode=mode, session=session, lead_unit=lead.unit, opened_by=actor
    )
    for role, item in [(ParticipantRole.LEAD, lead)] + [
        (ParticipantRole.COOPERATING, c) for c in cooperating
    ]:
        JointParticipant.objects.create(
            joint=joint, unit=item.unit, role=role, task=item.task.strip(), due=item.due
        )
    record_mechanism_event(
        petition,
        actor=actor,
        mechanism="joint_handling",
        step="opened",
        joint_id=joint.pk,
        mode=mode,
        lead_unit_id=lead.unit.pk,
        lead_unit=lead.unit.name,
        units=[{"unit_id": c.unit.pk, "unit": c.unit.name, "due": c.due.isoformat()} for c in cooperating],
    )
    return joint


@transaction.atomic
def joint_post(
    *, actor, joint: JointHandling, kind: str, text: str, reply_to: JointThreadPost | None = None
) -> JointThreadPost:
    """A message in the shared thread.  A 'part' or 'position' post states the
    unit's share; once both are stated the unit's status becomes 已表态."""
    text = require_text(text, "text", _("请填写内容"))
    if kind not in PostKind.values:
        raise ActionError("invalid", _("请选择类型"), fields={"kind": _("请选择")})
    if joint.status == JointStatus.CLOSED:
        raise WrongState(_("联合办理已结束"))
    participant = participant_for(actor, joint)
    if participant is None and not (actor.is_bureau_staff and bureaus.owns_matter(actor, joint.petition)):
        raise Forbidden(_("只有参加联合办理的单位可以发言"))
    if kind in {PostKind.PART, PostKind.POSITION}:
        if participant is None:
            raise Forbidden(_("信访部门只能提问或答复，承担部分和意见由参加单位表态"))
        if joint.status != JointStatus.OPEN:
            raise WrongState(_("综合答复已拟定，如需修改表态请先由牵头单位重新拟稿"))
    unit = participant.unit if participant else actor.unit
    post = JointThreadPost.objects.create(
        joint=joint, unit=unit, author=actor, kind=kind, text=text[:5000], reply_to=reply_to
    )
    if kind in {PostKind.PART, PostKind.POSITION}:
        field = "part" if kind == PostKind.PART else "position"
        setattr(participant, field, post.text)
        participant.save(update_fields=[field])
        if participant.part and participant.position:
            now = timezone.now()
            JointParticipant.objects.filter(pk=participant.pk, status=ParticipantStatus.PENDING).update(
                status=ParticipantStatus.STATED, stated_at=now
            )
        record_mechanism_event(
            joint.petition,
            actor=actor,
            mechanism="joint_handling",
            step=f"stated_{field}",
            joint_id=joint.pk,
            post_id=post.pk,
            unit_id=unit.pk,
            unit=unit.name,
        )
    return post


def _latest_posts(joint: JointHandling) -> dict[tuple[int, str], JointThreadPost]:
    latest = {}
    for post in joint.posts.filter(kind__in=[PostKind.PART, PostKind.POSITION]).order_by("created_at", "pk"):
        latest[(post.unit_id, post.kind)] = post
    return latest


@transaction.atomic
def joint_draft_answer(*, actor, joint: JointHandling, text: str) -> JointHandling:
    """The lead unit drafts the combined answer once every unit has stated its
    part and position; the answer keeps each unit's share and the posts it came from."""
    text = require_text(text, "text", _("请填写综合答复"))
    participant = participant_for(actor, joint)
    if participant is None or participant.role != ParticipantRole.LEAD:
        raise Forbidden(_("只有牵头单位可以拟写综合答复"))
    participants = list(joint.participants.select_related("unit"))
    missing = [p.unit.name for p in participants if p.status != ParticipantStatus.STATED]
    if missing:
        raise ActionError(
            "invalid", _("以下单位尚未表态：") + "、".join(missing), fields={"text": _("尚有单位未表态")}
        )
    latest = _latest_posts(joint)
    parts = []
    for p in participants:
        posts = [latest.get((p.unit_id, PostKind.PART)), latest.get((p.unit_id, PostKind.POSITION))]
        parts.append(
            {
                "unit_id": p.unit_id,
                "unit": p.unit.name,
                "role": p.role,
                "part": p.part,
                "position": p.position,
                "post_ids": [post.pk for post in posts if post],
            }
        )
    now = timezone.now()
    changed = JointHandling.objects.filter(
        pk=joint.pk, status__in=[JointStatus.OPEN, JointStatus.ANSWER_DRAFTED]
    ).update(
        status=JointStatus.ANSWER_DRAFTED,
        answer_text=text,
        answer_parts=parts,
        answer_by=actor,
        answer_at=now,
    )
    if changed != 1:
        raise WrongState(_("联合办理已结束"))
    joint.refresh_from_db()
    record_mechanism_event(
        joint.petition,
        actor=actor,
        mechanism="joint_handling",
        step="answer_drafted",
        joint_id=joint.pk,
        units=[part["unit"] for part in parts],
    )
    return joint


@transaction.atomic
def joint_reopen_statements(*, actor, joint: JointHandling) -> JointHandling:
    """The lead unit withdraws its draft so units can revise their statements."""
    participant = participant_for(actor, joint)
    if participant is None or participant.role != ParticipantRole.LEAD:
        raise Forbidden(_("只有牵头单位可以撤回综合答复"))
    changed = JointHandling.objects.filter(pk=joint.pk, status=JointStatus.ANSWER_DRAFTED).update(
        status=JointStatus.OPEN
    )
    if changed != 1:
        raise WrongState(_("当前没有可撤回的综合答复"))
    joint.status = JointStatus.OPEN
    record_mechanism_event(
        joint.petition, actor=actor, mechanism="joint_handling", step="answer_withdrawn", joint_id=joint.pk
    )
    return joint


@transaction.atomic
def joint_close(*, actor, joint: JointHandling, outcome: str, note: str = "") -> JointHandling:
    """The bureau closes the joint case.  Online cases need the combined
    answer first; an on-site case may close at once (e.g. resolved on the spot)."""
    require_bureau(actor, Role.REGISTRAR, Role.BUREAU_LEADER, Role.ADMIN)
    require_own_matter(actor, joint.petition)
    if outcome not in OneStopOutcome.values:
        raise ActionError("invalid", _("请选择处理结果"), fields={"outcome": _("请选择")})
    allowed = [JointStatus.ANSWER_DRAFTED]
    if joint.mode == JointMode.ONSITE:
        allowed.append(JointStatus.OPEN)
    if joint.status not in allowed:
        raise WrongState(_("牵头单位尚未拟定综合答复，不能结束网上联合办理"))
    now = timezone.now()
    changed = JointHandling.objects.filter(pk=joint.pk, status__in=allowed).update(
        status=JointStatus.CLOSED, outcome=outcome, closing_note=note.strip(), closed_by=actor, closed_at=now
    )
    if changed != 1:
        raise WrongState(_("联合办理状态已变化，请刷新后重试"))
    joint.refresh_from_db()
    record_mechanism_event(
        joint.petition,
        actor=actor,
        mechanism="joint_handling",
        step="closed",
        joint_id=joint.pk,
        outcome=outcome,
        outcome_label=str(OneStopOutcome(outcome).label),
        reason=note.strip(),
    )
    return joint


# --- leader reception ------------------------------------------------------------------------------------


@transaction.atomic
def slot_create(
    *,
    actor,
    leader,
    date: date,
    start_time: time,
    end_time: time,
    place: str = DEFAULT_PLACE,
    capacity: int = 10,
    topic: str = "",
) -> LeaderReceptionSlot:
    require_bureau(actor, *BUREAU_ROLES)
    errors = {}
    if not leader.is_leader:
        errors["leader"] = _("请选择领导")
    else:
        require_own_unit(actor, leader.unit)
    if end_time <= start_time:
        errors["end_time"] = _("结束时间应晚于开始时间")
    if not 1 <= int(capacity) <= 200:
        errors["capacity"] = _("可预约人数应为1至200")
    if date < timezone.localdate():
        errors["date"] = _("日期不能早于今天")
    if errors:
        raise ActionError("invalid", _("接访安排信息有误"), fields=errors)
    return LeaderReceptionSlot.objects.create(
        leader=leader,
        date=date,
        start_time=start_time,
        end_time=end_time,
        place=(place or DEFAULT_PLACE).strip(),
        capacity=int(capacity),
        topic=topic.strip(),
        created_by=actor,
    )


def _new_booking_code() -> str:
    alphabet = "ABCDEFGHJKMNPQRSTUVWXYZ23456789"
    return "LJ" + "".join(secrets.choice(alphabet) for _i in range(8))


@transaction.atomic
def booking_create(
    *,
    slot: LeaderReceptionSlot,
    name: str,
    phone: str,
    topic: str,
    case_number: str = "",
    query_code: str = "",
) -> LeaderBooking:
    """A petitioner books a leader reception slot from the portal.

    Capacity is taken with a conditional increment, so two people can never
    take the last place; a phone number books a slot once.  A case number is
    linked to its petition only with the right query code."""
    errors = {}
    name = (name or "").strip()
    phone_norm = crypto.normalise(phone)
    if not name:
        errors["name"] = _("请填写姓名")
    if not (phone_norm.isdigit() and 7 <= len(phone_norm) <= 15):
        errors["phone"] = _("请填写正确的联系电话")
    if not (topic or "").strip():
        errors["topic"] = _("请简要说明反映的问题")
    petition = None
    case_number = (case_number or "").strip()
    if case_number:
        petition = Petition.objects.filter(case_number=case_number).first()
        if petition is None or not query_code or not petition.check_query_code(query_code):
            errors["query_code"] = _("信访件编号或查询码不正确")
            petition = None
    if errors:
        raise ActionError("invalid", _("预约信息有误"), fields=errors)
    if slot.is_cancelled or slot.date < timezone.localdate():
        raise WrongState(_("该场次已取消或已过期"))
    phone_hash = crypto.lookup_hash(phone_norm, purpose="phone")
    if LeaderBooking.objects.filter(slot=slot, phone_hash=phone_hash, status=BookingStatus.BOOKED).exists():
        raise ActionError("duplicate", _("该电话已预约本场次"), fields={"phone": _("已预约")})
    taken = LeaderReceptionSlot.objects.filter(
        pk=slot.pk, is_cancelled=False, booked_count__lt=F("capacity")
    ).update(booked_count=F("booked_count") + 1)
    if taken != 1:
        raise ActionError("full", _("该场次已约满，请选择其他场次"), fields={"slot": _("已约满")})
    booking = LeaderBooking.objects.create(
        slot=slot,
        name=name[:60],
        phone_enc=crypto.encrypt(phone_norm),
        phone_hash=phone_hash,
        phone_masked=crypto.mask_phone(phone_norm),
        case_number=case_number if petition else "",
        petition=petition,
        topic=topic.strip()[:2000],
        code=_new_booking_code(),
    )
    if petition is not None:
        record_mechanism_event(
            petition,
            actor=None,
            actor_label="信访人",
            mechanism="leader_reception",
            step="booked",
            slot_id=slot.pk,
            date=slot.date.isoformat(),
            leader=str(slot.leader),
        )
    return booking


@transaction.atomic
def booking_set_status(*, actor, booking: LeaderBooking, status: str, note: str = "") -> LeaderBooking:
    """Mark a booking attended / no-show / cancelled (cancelling frees the place)."""
    own = actor.is_bureau_staff and bureaus.owns(actor, booking.slot.leader.unit)
    if not (own or actor.pk == booking.slot.leader_id):
        raise Forbidden(_("只有信访部门或接访领导可以处理预约"))
    if status not in {BookingStatus.ATTENDED, BookingStatus.NO_SHOW, BookingStatus.CANCELLED}:
        raise ActionError("invalid", _("状态不正确"), fields={"status": _("请选择")})
    changed = LeaderBooking.objects.filter(pk=booking.pk, status=BookingStatus.BOOKED).update(
        status=status, handled_by=actor, note=note.strip()
    )
    if changed != 1:
        raise WrongState(_("该预约已处理"))
    if status == BookingStatus.CANCELLED:
        LeaderReceptionSlot.objects.filter(pk=booking.slot_id, booked_count__gt=0).update(
            booked_count=F("booked_count") - 1
        )
    booking.refresh_from_db()
    if booking.petition_id and status == BookingStatus.ATTENDED:
        record_mechanism_event(
            booking.petition,
            actor=actor,
            mechanism="leader_reception",
            step="received",
            reason=note.strip(),
            slot_id=booking.slot_id,
            leader=str(booking.slot.leader),
        )
    return booking

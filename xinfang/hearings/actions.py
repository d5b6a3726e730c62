"""Every write of the hearings app: one keyword-only, atomic function per step.

Each step that changes a hearing updates its status conditionally and writes a
PetitionEvent (action MECHANISM, data {"mechanism": "hearing", "step": ...})
on the petition's timeline.  Holding a hearing on a re-review pauses the
answer clock and concluding it resumes the clock (Art. 36②).
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import date, datetime

from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from xinfang.accounts.models import Role
from xinfang.petitions.actions import petition_pause_clock, petition_resume_clock
from xinfang.petitions.actions._core import record_mechanism_event, require_text
from xinfang.petitions.choices import OPEN_STATUSES, ClaimRoute, Outcome, PetitionClass, Stage, Status
from xinfang.petitions.errors import ActionError, Forbidden, WrongState
from xinfang.petitions.models import DeadlinePause, Petition
from xinfang.units import bureaus

from .access import can_manage_roster, require_manager
from .masking import mask_text
from .models import (
    Hearing,
    HearingMember,
    HearingNotice,
    HearingStatus,
    NoticeMethod,
    PanelSeat,
    Party,
    PartyAttendance,
    PublishedHearingOpinion,
    SeatStatus,
    tally,
)

MIN_PANEL = 3
MAX_PANEL = 9
PAUSE_REASON = "举行听证，听证所需时间不计算在复核期限内（《信访工作条例》第三十六条第二款）"


def _event(hearing: Hearing, *, actor, step: str, reason: str = "", **data) -> None:
    record_mechanism_event(
        hearing.petition,
        mechanism="hearing",
        step=step,
        actor=actor,
        reason=reason,
        hearing_id=hearing.pk,
        **data,
    )


def _move(hearing: Hearing, *, allowed: Iterable[str], to: str, **updates) -> str:
    """Conditional status update; returns the old status."""
    old = hearing.status
    if old not in set(allowed):
        raise WrongState(f"听证当前状态为“{HearingStatus(old).label}”，不能执行此操作")
    if Hearing.objects.filter(pk=hearing.pk, status=old).update(status=to, **updates) != 1:
        raise WrongState(_("该听证已被他人处理，请刷新后重试"))
    hearing.status = to
    for key, value in updates.items():
        setattr(hearing, key, value)
    return old


# --- the roster ---------------------------------------------------------------


@transaction.atomic
def member_save(
    *,
    actor,
    name: str,
    kind: str,
    organisation: str = "",
    phone: str = "",
    user=None,
    related_units: Iterable = (),
    related_people: str = "",
    is_active: bool = True,
    member: HearingMember | None = None,
) -> HearingMember:
    """Create or update a roster entry (bureau staff only).  An empty `phone`
    on update keeps the stored number."""
    if not can_manage_roster(actor):
        raise Forbidden(_("只有信访部门工作人员可以维护听证员库"))
    name = require_text(name, "name")
    if user is not None and user.role != Role.HEARING_MEMBER:
        raise ActionError(
            "invalid", _("关联账号必须是听证员角色"), fields={"user": _("该账号不是听证员角色")}
        )
    member = member or HearingMember()
    member.name, member.kind, member.organisation = name, kind, organisation.strip()
    member.user, member.related_people, member.is_active = user, related_people.strip(), is_active
    if phone.strip():
        member.set_phone(phone)
    member.save()
    member.related_units.set(list(related_units))
    return member


# --- scheduling and the panel ---------------------------------------------------


@transaction.atomic
def hearing_schedule(*, actor, petition: Petition, scheduled_at: datetime, place: str, host) -> Hearing:
    """Arrange a hearing on a petition in handling (Art. 31(6); Art. 36② for re-reviews)."""
    require_manager(actor, petition)
    if petition.status != Status.HANDLING:
        raise WrongState(_("只有办理中的事项可以组织听证"))
    _require_hearable(petition)
    place = require_text(place, "place")
    if host is None or host.role == Role.HEARING_MEMBER or host.unit_id is None or not host.is_active:
        raise ActionError(
            "invalid", _("主持人须为信访部门或承办单位工作人员"), fields={"host": _("主持人不符合条件")}
        )
    host_bureau = host.is_bureau_staff and bureaus.owns_matter(host, petition)
    if not (host_bureau or petition.handling_unit.is_within(host.unit)):
        raise ActionError(
            "invalid", _("主持人须为信访部门或承办单位工作人员"), fields={"host": _("主持人不符合条件")}
        )
    if petition.hearings.filter(status__in=[HearingStatus.SCHEDULED, HearingStatus.HELD]).exists():
        raise WrongState(_("该事项已有正在进行的听证"))
    hearing = Hearing.objects.create(
        petition=petition,
        stage=petition.stage,
        scheduled_at=scheduled_at,
        place=place,
        host=host,
        created_by=actor,
    )
    _event(
        hearing,
        actor=actor,
        step="scheduled",
        scheduled_at=scheduled_at.isoformat(),
        place=place,
        host=host.display_name,
    )
    return hearing


def _require_hearable(petition: Petition) -> None:
    """Hearings are for claims handled under Art. 31(6) and their review and
    re-review (Art. 36②); never for an accusation (Art. 30: handled by the
    discipline rules, and nothing may reach the accused)."""
    if petition.petition_class == PetitionClass.ACCUSATION:
        raise ActionError(
            "invalid",
            "检举控告类事项不举行听证（《信访工作条例》第三十条）",
            fields={"petition": "不适用听证"},
        )
    if petition.petition_class != PetitionClass.CLAIM or petition.claim_route != ClaimRoute.PETITION_HANDLING:
        raise ActionError(
            "invalid",
            "只有按第三十一条第六项办理的申诉求决类事项可以举行听证（《信访工作条例》第三十一条第六项、第三十六条第二款）",
            fields={"petition": "不适用听证"},
        )


@dataclass
class PanelResult:
    selected: list[PanelSeat]
    recused: list[PanelSeat]
    seated_count: int


@transaction.atomic
def hearing_select_panel(*, actor, hearing: Hearing, members: Iterable[HearingMember]) -> PanelResult:
    """Put members on the panel.  A member with a conflict of interest is not
    seated: the seat is recorded as recused with the reason.  The panel asked
    for (with those already seated) must have at least 3 members."""
    petition = hearing.petition
    require_manager(actor, petition)
    if hearing.status != HearingStatus.SCHEDULED:
        raise WrongState(_("只有尚未举行的听证可以调整听证员"))
    members = [m for m in dict.fromkeys(members)]
    existing = {s.member_id: s for s in hearing.seats.all()}
    new = [m for m in members if m.pk not in existing]
    seated_before = sum(1 for s in existing.values() if s.status == SeatStatus.SELECTED)
    if seated_before + len(new) < MIN_PANEL:
        raise ActionError(
            "invalid", f"听证员不得少于{MIN_PANEL}名", fields={"members": f"请至少选择{MIN_PANEL}名听证员"}
        )
    if seated_before + len(new) > MAX_PANEL:
        raise ActionError("invalid", f"听证员不得多于{MAX_PANEL}名", fields={"members": _("人数过多")})
    now = timezone.now()
    result = PanelResult(selected=[], recused=[], seated_count=seated_before)
    for member in new:
        if not member.is_active:
            raise ActionError(
                "invalid", f"{member.name}已不在听证员库中", fields={"members": _("含已停用的听证员")}
            )
        reasons = member.conflicts_with(petition)
        if reasons:
            seat = PanelSeat.objects.create(
                hearing=hearing,
                member=member,
                status=SeatStatus.RECUSED,
                recusal_reason="；".join(reasons)[:400],
                recusal_automatic=True,
                recused_at=now,
            )
            result.recused.append(seat)
        else:
            result.selected.append(PanelSeat.objects.create(hearing=hearing, member=member))
            result.seated_count += 1
    _event(
        hearing,
        actor=actor,
        step="panel_selected",
        selected=[s.member.name for s in result.selected],
        recused=[{"member": s.member.name, "reason": s.recusal_reason} for s in result.recused],
    )
    return result


@transaction.atomic
def hearing_recuse_member(*, actor, seat: PanelSeat, reason: str) -> PanelSeat:
    """A member declares recusal (or the organiser records it) before the conclusion."""
    hearing = seat.hearing
    reason = require_text(reason, "reason", _("请填写回避理由"))
    own = seat.member.user_id is not None and seat.member.user_id == actor.pk
    if not own:
        require_manager(actor, hearing.petition)
    if hearing.status not in {HearingStatus.SCHEDULED, HearingStatus.HELD}:
        raise WrongState(_("听证已结束，不能再申请回避"))
    changed = PanelSeat.objects.filter(pk=seat.pk, status=SeatStatus.SELECTED).update(
        status=SeatStatus.RECUSED,
        recusal_reason=reason[:400],
        recusal_automatic=False,
        recused_at=timezone.now(),
        opinion="",
        reasoning="",
        opinion_at=None,
    )
    if changed != 1:
        raise WrongState(_("该听证员已回避"))
    seat.refresh_from_db()
    _event(hearing, actor=actor, step="member_recused", reason=reason, member=seat.member.name)
    return seat


# --- notices, holding, minutes --------------------------------------------------


def _notice_text(hearing: Hearing, recipient: str, party: str) -> str:
    petition = hearing.petition
    when = timezone.localtime(hearing.scheduled_at)
    text = (
        f"{recipient}：\n"
        f"兹定于{when:%Y年%m月%d日 %H:%M}在{hearing.place}，就信访事项（编号{petition.case_number}）"
        f"“{petition.title}”举行听证，主持人{hearing.host.display_name}。请准时参加。"
    )
    if party == Party.PETITIONER:
        text += "\n您可以在听证中陈述事实和理由、提交证据；认为听证员与本事项有利害关系的，可以申请其回避。"
    elif party == Party.UNIT:
        text += "\n请派员到场说明情况并提交有关材料。"
    else:
        text += "\n如您与本事项有利害关系，请及时申请回避。"
    return text + "\n依据：《信访工作条例》第三十一条第六项、第三十六条。"


@transaction.atomic
def hearing_notify(*, actor, hearing: Hearing, method: str) -> list[HearingNotice]:
    """Send the hearing notice to every party not yet notified: each petitioner,
    the handling unit (and the respondent unit), each seated member."""
    require_manager(actor, hearing.petition)
    if hearing.status != HearingStatus.SCHEDULED:
        raise WrongState(_("只有尚未举行的听证可以发送通知"))
    if method not in NoticeMethod.values:
        raise ActionError("invalid", _("请选择送达方式"), fields={"method": _("送达方式不正确")})
    petition = hearing.petition
    _require_hearable(petition)
    targets: list[tuple[str, str, dict]] = []
    for link in petition.petitioner_links.select_related("petitioner"):
        targets.append((Party.PETITIONER, link.petitioner.name, {}))
    units = [petition.handling_unit]
    # Art. 30③: nothing about an accusation goes to the accused unit.
    if petition.petition_class != PetitionClass.ACCUSATION:
        units.append(petition.respondent_unit)
    for unit in dict.fromkeys(u for u in units if u is not None):
        targets.append((Party.UNIT, unit.name, {"unit": unit}))
    for seat in hearing.seated().select_related("member"):
        targets.append((Party.MEMBER, seat.member.name, {"member": seat.member}))
    done = {(n.party, n.recipient) for n in hearing.notices.all()}
    created = []
    for party, recipient, extra in targets:
        if (party, recipient) in done:
            continue
        created.append(
            HearingNotice.objects.create(
                hearing=hearing,
                party=party,
                recipient=recipient,
                method=method,
                sent_by=actor,
                text=_notice_text(hearing, recipient, party),
                **extra,
            )
        )
    if created:
        _event(
            hearing,
            actor=actor,
            step="notified",
            method=method,
            recipients=[f"{Party(n.party).label}:{n.recipient}" for n in created],
        )
    return created


def _clock_applies(petition: Petition) -> bool:
    return petition.stage == Stage.REREVIEW and petition.status == Status.HANDLING


@transaction.atomic
def hearing_hold(
    *,
    actor,
    hearing: Hearing,
    held_on: date,
    absent_members: Iterable[int] = (),
    parties: Iterable[tuple[str, str, bool]] = (),
) -> Hearing:
    """The hearing takes place on `held_on` (not in the future) with at least 3
    seated members.  Records attendance: seats listed in `absent_members` (member
    ids) are absent; `parties` are (party, name, present).  On a re-review in
    handling the answer clock stops from `held_on` (Art. 36②)."""
    petition = hearing.petition
    require_manager(actor, petition)
    if held_on > timezone.localdate():
        raise ActionError("invalid", _("举行日期不能晚于今天"), fields={"held_on": _("日期不正确")})
    seats = list(hearing.seated())
    if len(seats) < MIN_PANEL:
        raise ActionError(
            "invalid", f"听证员不足{MIN_PANEL}名，不能举行听证", fields={"members": _("请补充听证员")}
        )
    absent = set(absent_members)
    if len(seats) - sum(1 for s in seats if s.member_id in absent) < MIN_PANEL:
        raise ActionError(
            "invalid", f"出席的听证员不足{MIN_PANEL}名", fields={"attendance": _("出席人数不足")}
        )
    _move(hearing, allowed={HearingStatus.SCHEDULED}, to=HearingStatus.HELD, held_on=held_on)
    for seat in seats:
        PanelSeat.objects.filter(pk=seat.pk).update(present=seat.member_id not in absent)
    for party, name, present in parties:
        if party not in {Party.PETITIONER, Party.UNIT} or not (name or "").strip():
            continue
        PartyAttendance.objects.create(hearing=hearing, party=party, name=name.strip()[:100], present=present)
    pause = None
    if _clock_applies(petition):
        pause = petition_pause_clock(
            actor=actor, petition=petition, start=held_on, reason=PAUSE_REASON, hearing=hearing
        )
        Hearing.objects.filter(pk=hearing.pk).update(pause=pause)
        hearing.pause = pause
    _event(
        hearing,
        actor=actor,
        step="held",
        held_on=held_on.isoformat(),
        clock_paused=pause is not None,
        absent=[s.member.name for s in seats if s.member_id in absent],
    )
    return hearing


@transaction.atomic
def hearing_record_minutes(*, actor, hearing: Hearing, minutes: str) -> Hearing:
    require_manager(actor, hearing.petition)
    minutes = require_text(minutes, "minutes", _("请填写听证笔录"))
    if hearing.status != HearingStatus.HELD:
        raise WrongState(_("只有已举行、尚未形成结论的听证可以记录笔录"))
    Hearing.objects.filter(pk=hearing.pk).update(minutes=minutes)
    hearing.minutes = minutes
    _event(hearing, actor=actor, step="minutes")
    return hearing


@transaction.atomic
def hearing_record_opinion(
    *, actor, hearing: Hearing, member: HearingMember, opinion: str, reasoning: str
) -> PanelSeat:
    """A seated, present member's opinion: support / explain / not support with
    reasons.  The member enters it with their own account, or the organiser
    records it for them.  It may be changed until the conclusion."""
    own = member.user_id is not None and member.user_id == actor.pk
    if not own:
        require_manager(actor, hearing.petition)
    if opinion not in Outcome.values:
        raise ActionError("invalid", _("请选择意见"), fields={"opinion": _("请选择支持、解释说明或不予支持")})
    reasoning = require_text(reasoning, "reasoning", _("请填写理由"))
    if hearing.status != HearingStatus.HELD:
        raise WrongState(_("只有已举行、尚未形成结论的听证可以发表意见"))
    seat = hearing.seats.filter(member=member, status=SeatStatus.SELECTED).first()
    if seat is None or seat.present is False:
        raise Forbidden(_("该听证员未出席本次听证"))
    seat.opinion, seat.reasoning, seat.opinion_at, seat.opinion_recorded_by = (
        opinion,
        reasoning,
        timezone.now(),
        actor,
    )
    seat.save(update_fields=["opinion", "reasoning", "opinion_at", "opinion_recorded_by"])
    _event(hearing, actor=actor, step="member_opinion", member=member.name, opinion=opinion)
    return seat


@transaction.atomic
def hearing_conclude(*, actor, hearing: Hearing, concluded_on: date, conclusion_text: str) -> Hearing:
    """The panel's conclusion is the majority of the present members' opinions
    (every present member must have given one); dissenting opinions are kept.
    The re-review clock resumes on `concluded_on`."""
    petition = hearing.petition
    require_manager(actor, petition)
    conclusion_text = require_text(conclusion_text, "conclusion_text", _("请填写听证意见"))
    if hearing.status != HearingStatus.HELD:
        raise WrongState(_("只有已举行的听证可以形成结论"))
    if concluded_on > timezone.localdate() or (hearing.held_on and concluded_on < hearing.held_on):
        raise ActionError(
            "invalid", _("结论日期应在举行日期和今天之间"), fields={"concluded_on": _("日期不正确")}
        )
    seats = [s for s in hearing.seated().select_related("member") if s.present is not False]
    missing = [s.member.name for s in seats if not s.opinion]
    if missing:
        raise ActionError(
            "invalid", f"尚有听证员未发表意见：{'、'.join(missing)}", fields={"opinions": _("意见不全")}
        )
    outcome, votes = tally([s.opinion for s in seats])
    if not outcome:
        raise ActionError(
            "no_majority",
            _("听证员意见未形成多数，请合议后重新发表意见"),
            fields={"opinions": _("未形成多数意见")},
        )
    dissent = "\n".join(
        f"{s.member.name}（{s.member.get_kind_display()}）：{Outcome(s.opinion).label}。{s.reasoning}"
        for s in seats
        if s.opinion != outcome
    )
    _move(
        hearing,
        allowed={HearingStatus.HELD},
        to=HearingStatus.CONCLUDED,
        concluded_on=concluded_on,
        conclusion=outcome,
        conclusion_text=conclusion_text,
        votes=votes,
        dissent=dissent,
    )
    new_due = _resume(actor=actor, hearing=hearing, end=concluded_on)
    _event(
        hearing,
        actor=actor,
        step="concluded",
        conclusion=outcome,
        votes=votes,
        dissent=bool(dissent),
        new_due=new_due,
    )
    return hearing


def _resume(*, actor, hearing: Hearing, end: date) -> str | None:
    """Close the hearing's clock pause; returns the new due date (ISO) if the clock was running."""
    if (
        hearing.pause_id is None
        or not DeadlinePause.objects.filter(pk=hearing.pause_id, end__isnull=True).exists()
    ):
        return None
    petition = Petition.objects.get(pk=hearing.petition_id)
    try:
        pause = petition_resume_clock(actor=actor, petition=petition, end=end)
    except WrongState:
        # The period ended meanwhile (the matter moved on): just close the span.
        DeadlinePause.objects.filter(pk=hearing.pause_id, end__isnull=True).update(end=end)
        return None
    hearing.petition = petition
    return pause.deadline.due.isoformat()


@transaction.atomic
def hearing_cancel(*, actor, hearing: Hearing, reason: str) -> Hearing:
    """Cancel a scheduled hearing, or abandon a held one (the clock resumes today)."""
    require_manager(actor, hearing.petition)
    reason = require_text(reason, "reason", _("请填写取消原因"))
    _move(
        hearing,
        allowed={HearingStatus.SCHEDULED, HearingStatus.HELD},
        to=HearingStatus.CANCELLED,
        cancel_reason=reason[:200],
    )
    _resume(actor=actor, hearing=hearing, end=timezone.localdate())
    _event(hearing, actor=actor, step="cancelled", reason=reason)
    return hearing


# --- publication ------------------------------------------------------------------


def publication_text(hearing: Hearing) -> tuple[str, str]:
    """(title, masked text) of the hearing-based opinion for the public."""
    petition = hearing.petition
    names = list(petition.petitioner_links.values_list("petitioner__name", flat=True))
    names.append(petition.respondent_person)
    title = mask_text(f"关于“{petition.title}”的听证意见", names)
    held = hearing.held_on.strftime("%Y年%m月%d日") if hearing.held_on else ""
    body = (
        f"{held}，{petition.handling_unit.name if petition.handling_unit else ''}就该信访事项举行听证，"
        f"听证员{hearing.seated().count()}名。\n"
        f"听证意见：{Outcome(hearing.conclusion).label}。\n{hearing.conclusion_text}"
    )
    return title, mask_text(body, names)


@transaction.atomic
def hearing_publish(*, actor, hearing: Hearing) -> PublishedHearingOpinion:
    """Publish the concluded hearing's opinion on the portal, names masked and
    ID and phone numbers removed (Art. 36②: 可以依法向社会公示)."""
    require_manager(actor, hearing.petition)
    if hearing.status != HearingStatus.CONCLUDED:
        raise WrongState(_("只有已形成结论的听证可以公示"))
    if hearing.stage != Stage.REREVIEW:
        raise ActionError(
            "invalid",
            "只有复核阶段经过听证的意见可以向社会公示（《信访工作条例》第三十六条第二款）",
            fields={"hearing": "不适用公示"},
        )
    if PublishedHearingOpinion.objects.filter(hearing=hearing).exists():
        raise WrongState(_("该听证意见已公示"))
    title, text = publication_text(hearing)
    published = PublishedHearingOpinion.objects.create(
        hearing=hearing, title=title, masked_text=text, published_by=actor
    )
    _event(hearing, actor=actor, step="published", publication_id=published.pk)
    return published


def hearing_is_open(petition: Petition) -> bool:
    """True while a hearing on `petition` is scheduled or held."""
    return (
        petition.status in OPEN_STATUSES
        and petition.hearings.filter(status__in=[HearingStatus.SCHEDULED, HearingStatus.HELD]).exists()
    )

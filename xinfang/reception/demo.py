"""Demo rows: joint reception sessions over recent months, online joint cases
with three units, leader reception slots with bookings."""

from __future__ import annotations

from datetime import time, timedelta

from django.utils import timezone

from xinfang.lib import crypto
from xinfang.petitions.actions._core import record_event
from xinfang.petitions.choices import OPEN_STATUSES
from xinfang.petitions.models import EventAction

from .demo_util import at, flat_users, past_weekday, staff_of, working_units
from .models import (
    BookingStatus,
    JointHandling,
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

PARTS = [
    ("核实小区公共停车位的权属和收费备案情况", "收费未按备案标准执行，应予纠正"),
    ("督促物业公司公示收费依据", "支持信访人合理诉求，限期整改"),
    ("对涉及的违建部分依法调查", "如查实将依法处理，结果书面告知"),
    ("协调供水企业排查管网", "本单位负责管网维修，两周内完成"),
    ("提供该地块征收补偿档案", "补偿标准符合当时政策，可作解释说明"),
]
NAMES = ["王秀英", "刘建国", "陈桂兰", "杨明", "赵丽华", "孙志强", "周玉梅", "吴海涛"]


def _event(petition, actor, step, when, **data):
    record_event(
        petition,
        action=EventAction.MECHANISM,
        actor=actor,
        at=when,
        data={"mechanism": data.pop("mechanism", "joint_handling"), "step": step, **data},
    )


def populate(rng, petitions_qs, users_by_role, units) -> None:
    today = timezone.localdate()
    pool = working_units(units)
    bureau = flat_users(users_by_role, "registrar", "bureau_leader")
    leaders = flat_users(users_by_role, "bureau_leader") or flat_users(users_by_role, "unit_leader")
    if not pool or not bureau or len(pool) < 3:
        return
    registrar = bureau[0]
    petitions = list(petitions_qs.order_by("pk")[:400])
    rng.shuffle(petitions)
    # Matters for the online joint cases are set aside before the sessions take theirs.
    open_petitions = [p for p in petitions if p.status in OPEN_STATUSES and p.handling_unit_id][:4]
    petitions = [p for p in petitions if p not in open_petitions]

    # Sessions: one a week over the last four months.
    for week in range(16):
        day = past_weekday(today, 7 * week + rng.randint(0, 2))
        units_here = rng.sample(pool, k=min(len(pool), rng.randint(2, 4)))
        session = JointReceptionSession.objects.create(
            date=day,
            leader_on_duty=rng.choice(leaders) if leaders else None,
            created_by=registrar,
            notes="接访日，各单位派员现场办公" if week % 3 == 0 else "",
        )
        session.units.set(units_here)
        session.staff.set([u for u in (staff_of(unit, users_by_role) for unit in units_here) if u])
        for _ in range(rng.randint(1, 3)):
            if not petitions:
                break
            petition = petitions.pop()
            outcome = rng.choice(
                [
                    OneStopOutcome.RESOLVED_ON_SPOT,
                    OneStopOutcome.HANDED_TO_LEAD,
                    OneStopOutcome.EXPLAINED,
                    OneStopOutcome.DIVERTED,
                ]
            )
            ReceptionVisit.objects.create(
                session=session,
                petition=petition,
                registered_by=registrar,
                registered_at=at(day, 9 + rng.randint(0, 2)),
                outcome=outcome,
                outcome_note="经各单位现场会商，已向信访人说明",
                outcome_at=at(day, 11),
            )
            _event(
                petition,
                registrar,
                "visit_registered",
                at(day, 9),
                mechanism="joint_reception",
                session_id=session.pk,
                date=day.isoformat(),
                place=session.place,
            )
            _event(
                petition,
                registrar,
                "outcome",
                at(day, 11),
                mechanism="joint_reception",
                outcome=outcome,
                outcome_label=str(OneStopOutcome(outcome).label),
            )

    # Online joint cases: three units each, in three states.
    for n, state in enumerate(
        [JointStatus.CLOSED, JointStatus.ANSWER_DRAFTED, JointStatus.OPEN, JointStatus.OPEN]
    ):
        if not open_petitions:
            break
        petition = open_petitions.pop()
        lead = petition.handling_unit
        others = rng.sample([u for u in pool if u.pk != lead.pk], k=2)
        opened = at(today - timedelta(days=12 - n * 2), 9)
        joint = JointHandling.objects.create(
            petition=petition, lead_unit=lead, opened_by=registrar, opened_at=opened
        )
        _event(petition, registrar, "opened", opened, joint_id=joint.pk, mode="online", lead_unit=lead.name)
        parts = []
        for k, (unit, role) in enumerate(
            [(lead, ParticipantRole.LEAD)] + [(u, ParticipantRole.COOPERATING) for u in others]
        ):
            due = (opened + timedelta(days=5)).date()
            participant = JointParticipant.objects.create(
                joint=joint,
                unit=unit,
                role=role,
                due=due,
                task="牵头核实并汇总" if k == 0 else "说明本单位职责范围内情况",
            )
            pending = state == JointStatus.OPEN and k == 2
            author = staff_of(unit, users_by_role)
            if pending or author is None:
                continue
            part, position = rng.choice(PARTS)
            posts = [
                JointThreadPost.objects.create(
                    joint=joint,
                    unit=unit,
                    author=author,
                    kind=kind,
                    text=text,
                    created_at=opened + timedelta(days=1 + k, hours=k),
                )
                for kind, text in ((PostKind.PART, part), (PostKind.POSITION, position))
            ]
            JointParticipant.objects.filter(pk=participant.pk).update(
                part=part, position=position, status=ParticipantStatus.STATED, stated_at=posts[-1].created_at
            )
            parts.append(
                {
                    "unit_id": unit.pk,
                    "unit": unit.name,
                    "role": role,
                    "part": part,
                    "position": position,
                    "post_ids": [p.pk for p in posts],
                }
            )
        JointThreadPost.objects.create(
            joint=joint,
            unit=registrar.unit,
            author=registrar,
            kind=PostKind.QUESTION,
            text="请各单位在期限内说明承担部分和意见。",
            created_at=opened + timedelta(hours=1),
        )
        if state in (JointStatus.ANSWER_DRAFTED, JointStatus.CLOSED):
            when = opened + timedelta(days=5)
            JointHandling.objects.filter(pk=joint.pk).update(
                status=state,
                answer_text="经联合核查，各单位分工如下，现综合答复：" + "；".join(p["part"] for p in parts),
                answer_parts=parts,
                answer_by=staff_of(lead, users_by_role),
                answer_at=when,
                **(
                    {
                        "outcome": OneStopOutcome.HANDED_TO_LEAD,
                        "closed_by": registrar,
                        "closed_at": when + timedelta(days=1),
                    }
                    if state == JointStatus.CLOSED
                    else {}
                ),
            )
            _event(petition, registrar, "answer_drafted", when, joint_id=joint.pk)

    # Leader reception: past and future slots with bookings.
    for offset in (-21, -14, -7, 3, 10, 17, 24):
        day = past_weekday(today, -offset) if offset < 0 else today + timedelta(days=offset)
        if not leaders:
            break
        slot = LeaderReceptionSlot.objects.create(
            leader=rng.choice(leaders),
            date=day,
            start_time=time(9),
            end_time=time(11, 30),
            capacity=8,
            topic=rng.choice(["征地拆迁", "物业管理", "劳动保障", "城市管理", ""]),
            created_by=registrar,
        )
        for k in range(rng.randint(1, 6)):
            phone = f"139{rng.randint(10000000, 99999999)}"
            status = (
                rng.choice([BookingStatus.ATTENDED, BookingStatus.ATTENDED, BookingStatus.NO_SHOW])
                if offset < 0
                else BookingStatus.BOOKED
            )
            LeaderBooking.objects.create(
                slot=slot,
                name=rng.choice(NAMES),
                phone_enc=crypto.encrypt(phone),
                phone_hash=crypto.lookup_hash(phone, purpose="phone"),
                phone_masked=crypto.mask_phone(phone),
                topic=rng.choice(["小区停车费问题", "拆迁补偿款未到位", "欠薪问题", "噪音扰民"]),
                code=f"LJ{slot.pk:03d}{k:02d}{rng.randint(100, 999)}",
                status=status,
                handled_by=slot.leader if offset < 0 else None,
            )
        LeaderReceptionSlot.objects.filter(pk=slot.pk).update(
            booked_count=slot.bookings.filter(status=BookingStatus.BOOKED).count()
        )

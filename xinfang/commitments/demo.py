"""Demo rows: commitments kept, open and missed; follow-ups of closed matters."""

from __future__ import annotations

import logging
from datetime import timedelta

from django.utils import timezone

from xinfang.petitions.actions._core import record_event
from xinfang.petitions.choices import Status
from xinfang.petitions.models import EventAction
from xinfang.reception.demo_util import at, flat_users, staff_of

from . import actions
from .followups import schedule_missing_followups
from .models import Commitment, CommitmentStatus, FollowUp, FollowUpStatus

log = logging.getLogger(__name__)

PROMISES = [
    "15日内督促物业公司退还多收的停车费",
    "一个月内完成小区供水管网维修",
    "本周内约谈用人单位，督促支付拖欠工资",
    "30日内书面答复补偿款核算结果",
    "两周内清理占道经营并建立长效管理",
]


def populate(rng, petitions_qs, users_by_role, units) -> None:
    today = timezone.localdate()
    recorder = (
        flat_users(users_by_role, "registrar") or flat_users(users_by_role, "bureau_leader") or [None]
    )[0]
    petitions = list(petitions_qs.filter(handling_unit__isnull=False).order_by("-received_at")[:60])
    rng.shuffle(petitions)
    for n, petition in enumerate(petitions[:12]):
        unit = petition.handling_unit
        owner = staff_of(unit, users_by_role)
        if owner is None:
            continue
        made = at(today - timedelta(days=rng.randint(10, 70)))
        due = made.date() + timedelta(days=rng.choice([7, 15, 30]))
        kind = n % 4  # 0 kept on time, 1 missed, 2 open, 3 missed then kept late
        if kind == 2:
            due = today + timedelta(days=rng.randint(3, 20))
        elif due >= today:
            due = today - timedelta(days=rng.randint(1, 10))
        missed = kind in (1, 3)
        kept = kind in (0, 3)
        c = Commitment.objects.create(
            petition=petition,
            promised_by_unit=unit,
            owner=owner,
            text=rng.choice(PROMISES),
            due=due,
            status=CommitmentStatus.KEPT
            if kept
            else (CommitmentStatus.MISSED if missed else CommitmentStatus.OPEN),
            created_by=owner,
            created_at=made,
            missed_flagged_at=at(due + timedelta(days=1), 2) if missed else None,
            kept_at=at(due + timedelta(days=3 if kind == 3 else -1)) if kept else None,
            evidence="已按承诺办理，信访人签字确认" if kept else "",
        )
        record_event(
            petition,
            action=EventAction.MECHANISM,
            actor=owner,
            at=made,
            data={"mechanism": "commitment", "step": "made", "commitment_id": c.pk, "unit": unit.name},
        )
        if missed:
            record_event(
                petition,
                action=EventAction.MECHANISM,
                actor_label="系统",
                at=c.missed_flagged_at,
                data={"mechanism": "commitment", "step": "missed", "commitment_id": c.pk},
            )

    schedule_missing_followups()
    due_followups = list(
        FollowUp.objects.filter(status=FollowUpStatus.SCHEDULED, due__lte=today).select_related("petition")[
            :10
        ]
    )
    if recorder is None:
        return
    for n, followup in enumerate(due_followups):
        answer = ["solved", "solved", "partly", "not_solved"][n % 4]
        try:
            actions.followup_record(
                actor=recorder,
                followup=followup,
                answer=answer,
                method="phone",
                comment="" if answer == "solved" else "信访人反映问题尚未彻底解决",
            )
        except Exception:  # a demo row that does not fit the rules is simply skipped
            log.warning("demo follow-up %s skipped", followup.pk)
    for f in FollowUp.objects.filter(petition__status=Status.CLOSED)[:3]:
        log.info("demo questionnaire link: /commitments/followup/%s/", f.token)

"""Demo rows: leader ownerships with plans, milestones, reports and visits;
backlog cases from the province, the city and the district itself."""

from __future__ import annotations

from datetime import timedelta

from django.utils import timezone

from xinfang.petitions.actions._core import record_mechanism_event
from xinfang.petitions.choices import OPEN_STATUSES
from xinfang.reception.demo_util import at, flat_users

from .models import (
    BacklogCase,
    BacklogReportDue,
    BacklogSource,
    BacklogStatus,
    CaseOwnership,
    FieldVisit,
    Milestone,
    OwnershipStatus,
    ProgressReport,
    Resolution,
    Risk,
)

PLANS = [
    "包案领导每月与信访人见面一次；协调住建、街道联合核查历史补偿档案；依法依规提出化解方案。",
    "分管领导牵头，人社部门核实欠薪数额，属地街道做好稳控和帮扶，力争两个月内化解。",
    "成立专班，梳理十余年来的处理经过，逐项回应信访人诉求，必要时组织听证。",
]


def _event(petition, actor, mechanism, step, when, **data):
    record_mechanism_event(petition, mechanism=mechanism, step=step, actor=actor, at=when, **data)


def populate(rng, petitions_qs, users_by_role, units) -> None:
    today = timezone.localdate()
    leaders = flat_users(users_by_role, "bureau_leader", "unit_leader")
    registrar = (
        flat_users(users_by_role, "registrar") or flat_users(users_by_role, "bureau_leader") or [None]
    )[0]
    if not leaders or registrar is None:
        return
    taken = set(CaseOwnership.objects.values_list("petition_id", flat=True)) | set(
        BacklogCase.objects.values_list("petition_id", flat=True)
    )
    candidates = [p for p in petitions_qs.exclude(pk__in=taken).order_by("received_at")[:300]]
    open_ones = [p for p in candidates if p.status in OPEN_STATUSES]

    for n in range(min(5, len(open_ones))):
        petition = open_ones.pop(0)
        leader = leaders[n % len(leaders)]
        started = at(today - timedelta(days=rng.randint(30, 120)), 9)
        interval = rng.choice([14, 14, 30])
        resolved = n == 0
        overdue = n == 1
        last_report = started
        ownership = CaseOwnership.objects.create(
            petition=petition,
            leader=leader,
            assigned_by=registrar,
            plan=PLANS[n % len(PLANS)],
            started_at=started,
            report_interval_days=interval,
            next_report_due=today,
            status=OwnershipStatus.ACTIVE,
        )
        _event(
            petition,
            registrar,
            "case_ownership",
            "assigned",
            started,
            ownership_id=ownership.pk,
            leader=str(leader),
        )
        for k, title in enumerate(["与信访人首次见面", "联合核查事实", "提出化解方案"]):
            due = (started + timedelta(days=15 * (k + 1))).date()
            done = due < today and (resolved or k < 2)
            Milestone.objects.create(
                ownership=ownership,
                title=title,
                due=due,
                done_at=at(due, 16) if done else None,
                evidence="已完成" if done else "",
            )
        t = started + timedelta(days=interval)
        while t.date() < today - timedelta(days=interval if overdue else 0):
            ProgressReport.objects.create(
                ownership=ownership,
                at=t,
                author=leader,
                text=rng.choice(
                    ["已与信访人面谈，情绪平稳", "住建局已提供档案，正在核算", "方案已报区政府审定"]
                ),
            )
            _event(petition, leader, "case_ownership", "progress_report", t, ownership_id=ownership.pk)
            last_report = t
            t += timedelta(days=interval)
        FieldVisit.objects.create(
            ownership=ownership,
            date=(started + timedelta(days=10)).date(),
            place="信访人家中",
            participants=f"{leader}、属地街道、社区书记",
            summary="上门听取诉求，解释政策，约定下次见面时间",
            recorded_by=leader,
        )
        next_due = (last_report + timedelta(days=interval)).date()
        updates = {"next_report_due": next_due}
        if resolved:
            updates.update(status=OwnershipStatus.RESOLVED, ended_at=at(today - timedelta(days=3), 15))
            Resolution.objects.create(
                ownership=ownership,
                kind="agreement",
                evidence="双方签订和解协议，信访人书面承诺息访",
                date=today - timedelta(days=3),
                recorded_by=leader,
            )
            _event(
                petition,
                leader,
                "case_ownership",
                "resolved",
                at(today - timedelta(days=3), 15),
                ownership_id=ownership.pk,
                kind="agreement",
            )
        CaseOwnership.objects.filter(pk=ownership.pk).update(**updates)

    rest = [p for p in candidates if not CaseOwnership.objects.filter(petition=p).exists()]
    sources = [BacklogSource.PROVINCE, BacklogSource.CITY, BacklogSource.SELF]
    for n, petition in enumerate(rest[:8]):
        years = rng.choice([1, 2, 3, 5, 8, 14])
        first = timezone.localdate(petition.received_at) - timedelta(days=365 * years + rng.randint(0, 200))
        resolved = n in (2, 5)
        created = at(today - timedelta(days=rng.randint(60, 200)))
        backlog = BacklogCase.objects.create(
            petition=petition,
            source=sources[n % 3],
            assigned_ref=f"连信交〔{today.year}〕{10 + n}号" if n % 3 < 2 else "",
            first_petition_date=first,
            owner=leaders[n % len(leaders)],
            target_date=today + timedelta(days=rng.randint(-20, 120)),
            risk=[Risk.HIGH, Risk.MEDIUM, Risk.LOW][n % 3],
            status=BacklogStatus.RESOLVED if resolved else BacklogStatus.OPEN,
            resolved_at=at(today - timedelta(days=rng.randint(1, 30))) if resolved else None,
            resolution_note="信访人签署停访息诉承诺书" if resolved else "",
            created_by=registrar,
            created_at=created,
        )
        _event(
            petition, registrar, "backlog", "listed", created, backlog_id=backlog.pk, source=backlog.source
        )
        for k, offset in enumerate((-30, -5, 25)):
            due = today + timedelta(days=offset)
            submitted = offset < -10 or (resolved and offset < 0)
            BacklogReportDue.objects.create(
                backlog=backlog,
                due=due,
                kind="final" if k == 2 else "feedback",
                submitted_at=at(due - timedelta(days=1)) if submitted else None,
                submitted_by=backlog.owner if submitted else None,
                text="按交办要求反馈化解进展" if submitted else "",
            )

"""Demo rows for supervision: notices on slow petitions and units (replied,
accepted, rejected, flagged, late), and Art. 40 proposals adopted and not."""

from __future__ import annotations

import logging
from datetime import timedelta

from django.db.models import F
from django.utils import timezone

from xinfang.accounts.models import Role, User
from xinfang.petitions.choices import Status
from xinfang.petitions.errors import ActionError

from . import actions
from .models import SupervisionNotice

log = logging.getLogger(__name__)

FACTS = {
    "overdue": "该信访事项已超过法定办理期限仍未办结，请说明原因并限期办结。",
    "delay": "承办单位受理后长时间未开展调查核实，信访人多次反映无人答复。",
    "perfunctory": "答复意见未回应信访人的主要诉求，存在敷衍应付情形。",
    "buck_passing": "承办单位以不属本单位职责为由多次退回，存在推诿情形。",
    "poor_handling": "处理意见事实认定不清，依据引用不准确。",
}
REPLIES = [
    "收到督办函后，我单位立即召开专题会议，明确专人负责，已约见信访人当面沟通，预计一周内出具处理意见。",
    "经核查，该事项已于近日办结并书面答复信访人，相关材料附后。对办理迟缓问题已对承办人进行批评教育。",
    "已重新调查核实，补充完善了处理意见，并将加强对承办人员的业务培训。",
]


def _first(users_by_role, *roles):
    for role in roles:
        found = users_by_role.get(role) if isinstance(users_by_role, dict) else None
        if isinstance(found, list | tuple):
            found = found[0] if found else None
        if found is not None:
            return found
    return None


def _replier(unit):
    return User.objects.filter(unit=unit, role__in=[Role.UNIT_LEADER, Role.HANDLER], is_active=True).first()


def populate(rng, petitions_qs, users_by_role, units) -> None:
    supervisor = _first(users_by_role, "supervisor", "bureau_leader")
    leader = _first(users_by_role, "bureau_leader", "supervisor")
    if supervisor is None:
        log.warning("supervision demo: no supervisor or bureau leader, skipped")
        return
    today = timezone.localdate()
    slow = list(
        petitions_qs.filter(status=Status.HANDLING)
        .exclude(petition_class="accusation")
        .order_by(F("current_due").asc(nulls_last=True), "pk")[:10]
    )
    plans = [
        "accepted",
        "closed",
        "replied",
        "rejected",
        "flagged",
        "late",
        "issued",
        "flagged",
        "replied",
        "issued",
    ]
    for petition, plan in zip(slow, plans, strict=False):
        try:
            _notice(rng, supervisor, leader, petition.handling_unit, petition, plan, today)
        except ActionError as err:
            log.warning("supervision demo: %s skipped (%s)", petition.case_number, err.message)
    # Unit-level notices (no single petition) and Art. 40 proposals.
    targets = [p.handling_unit for p in slow if p.handling_unit_id] or []
    for unit, plan in zip(targets[:2], ["replied", "issued"], strict=False):
        _notice(rng, supervisor, leader, unit, None, plan, today, trigger="poor_handling")
    proposals = [
        (
            "improve_work",
            "关于规范受理告知书送达工作的建议",
            "建议统一告知书送达方式，并在系统中留存送达回证。",
            "adopted",
        ),
        ("improve_work", "关于加强承办人员业务培训的建议", "建议每季度组织一次信访业务培训。", "partly"),
        (
            "improve_policy",
            "关于完善老旧小区停车收费政策的建议",
            "多起信访反映停车收费标准不明，建议物价部门牵头完善收费政策。",
            None,
        ),
        (
            "accountability",
            "关于追究有关人员拖延办理责任的建议",
            "对拖延办理造成信访人多次越级上访的有关人员依规追究责任。",
            "not_adopted",
        ),
        (
            "accountability",
            "关于对弄虚作假问题追究责任的建议",
            "对虚报办结情况的有关责任人依规依纪严肃处理。",
            "adopted",
        ),
    ]
    for i, (kind, title, text, adoption) in enumerate(proposals):
        if not targets:
            break
        unit = targets[i % len(targets)]
        proposal = actions.proposal_make(
            actor=leader or supervisor,
            kind=kind,
            unit=unit,
            title=title,
            text=text,
            response_due=today + timedelta(days=rng.randint(10, 30)),
        )
        replier = _replier(unit)
        if adoption and replier is not None:
            actions.proposal_feedback(
                actor=replier, proposal=proposal, adoption=adoption, feedback=rng.choice(REPLIES)
            )


def _notice(rng, supervisor, leader, unit, petition, plan, today, trigger=None) -> None:
    if unit is None:
        return
    trigger = trigger or rng.choice(list(FACTS))
    notice = actions.notice_issue(
        actor=supervisor,
        unit=unit,
        petition=petition,
        trigger=trigger,
        facts=FACTS.get(trigger, FACTS["delay"]),
        requirements="请于回复期限前书面报告办理情况及整改措施。",
        reply_due=today + timedelta(days=rng.randint(5, 10)),
    )
    replier = _replier(unit)
    if plan == "late":
        # A reply period that has run out: the worker's reminders.run_once flags it.
        SupervisionNotice.objects.filter(pk=notice.pk).update(
            reply_due=today - timedelta(days=rng.randint(1, 5))
        )
        return
    if plan == "flagged":
        actions.notice_escalate(
            actor=leader or supervisor, notice=notice, reason="多次督办仍未整改到位，实行挂牌督办"
        )
        return
    if plan == "issued" or replier is None:
        return
    actions.notice_reply(actor=replier, notice=notice, text=rng.choice(REPLIES))
    if plan == "rejected":
        actions.notice_reject(
            actor=supervisor,
            notice=notice,
            reason="回复未说明具体整改措施，请补充",
            reply_due=today + timedelta(days=5),
        )
    elif plan in {"accepted", "closed"}:
        actions.notice_accept(actor=supervisor, notice=notice)
        if plan == "closed":
            actions.notice_close(actor=supervisor, notice=notice)

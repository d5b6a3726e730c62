"""Demo rows for hearings: a roster of 12 members and hearings on re-reviews
(concluded and published, held with the clock paused, scheduled).  Created
through the real actions, so events, pauses and recusals are genuine."""

from __future__ import annotations

import logging
from datetime import timedelta

from django.utils import timezone

from xinfang.petitions.choices import Stage, Status
from xinfang.petitions.errors import ActionError

from . import actions
from .models import HearingMember

log = logging.getLogger(__name__)

ROSTER = [
    ("王建国", "npc_deputy", "海州区人大常委会（区人大代表）"),
    ("陈秀英", "cppcc_member", "海州区政协（区政协委员）"),
    ("刘志强", "lawyer", "江苏海州律师事务所"),
    ("赵丽华", "lawyer", "连云港衡平律师事务所"),
    ("孙明", "expert", "江苏海洋大学法学院"),
    ("周海燕", "expert", "连云港市社会科学院"),
    ("吴德明", "community_rep", "朝阳社区居民代表"),
    ("郑桂兰", "community_rep", "幸福路社区居民代表"),
    ("冯立新", "npc_deputy", "连云港港口集团（市人大代表）"),
    ("何晓东", "cppcc_member", "民盟海州区委"),
    ("许文静", "other", "海州区人民调解委员会"),
    ("韩宝山", "other", "退休法官"),
]
OPINIONS = ["not_support", "not_support", "explain", "not_support", "support"]


def _list(value) -> list:
    if value is None:
        return []
    if isinstance(value, dict):
        return list(value.values())
    return list(value)


def _users(users_by_role, role: str) -> list:
    found = users_by_role.get(role, []) if isinstance(users_by_role, dict) else []
    return found if isinstance(found, list | tuple) else [found]


def populate(rng, petitions_qs, users_by_role, units) -> None:
    organisers = _users(users_by_role, "bureau_leader") or _users(users_by_role, "registrar")
    if not organisers:
        log.warning("hearings demo: no bureau leader or registrar, skipped")
        return
    lead = organisers[0]
    member_users = _users(users_by_role, "hearing_member")
    unit_list = [u for u in _list(units) if getattr(u, "pk", None)]
    roster = []
    for i, (name, kind, org) in enumerate(ROSTER):
        roster.append(
            actions.member_save(
                actor=lead,
                name=name,
                kind=kind,
                organisation=org,
                phone=f"139{rng.randint(10000000, 99999999)}",
                user=member_users[i] if i < len(member_users) else None,
                related_units=[rng.choice(unit_list)] if unit_list and i % 4 == 3 else [],
                related_people="王某某、李某" if i % 5 == 4 else "",
            )
        )
    today = timezone.localdate()
    rereviews = list(petitions_qs.filter(stage=Stage.REREVIEW, status=Status.HANDLING).order_by("pk")[:5])
    if len(rereviews) < 4:
        rereviews += _recent_rereview_requests(petitions_qs, 4 - len(rereviews))
    for n, petition in enumerate(rereviews):
        try:
            _one(
                rng,
                lead,
                petition,
                roster,
                today,
                plan=["published", "concluded", "held", "scheduled"][n % 4],
            )
        except ActionError as err:
            log.warning("hearings demo: %s skipped (%s)", petition.case_number, err.message)


def _recent_rereview_requests(petitions_qs, wanted: int) -> list:
    """A small demo (or one bureau's share of the city) may hold no open 复核: petitioners
    ask for one, through the real action, on review opinions still inside their window."""
    from xinfang.petitions.actions import petition_request_rereview
    from xinfang.petitions.errors import ActionError as Refused

    asked = []
    candidates = petitions_qs.filter(stage=Stage.REVIEW, status=Status.OPINION_ISSUED).order_by("-pk")
    for petition in candidates[: wanted * 10]:
        try:
            petition_request_rereview(petition=petition, reason="对复查意见不服，请求复核")
        except Refused:
            continue
        petition.refresh_from_db()
        asked.append(petition)
        if len(asked) == wanted:
            break
    return asked


def _one(rng, lead, petition, roster: list[HearingMember], today, *, plan: str) -> None:
    accepted = timezone.localdate(petition.accepted_at) if petition.accepted_at else today
    held_on = max(accepted, today - timedelta(days=rng.randint(2, 8)))
    when = (
        timezone.now() + timedelta(days=rng.randint(3, 12))
        if plan == "scheduled"
        else timezone.make_aware(
            timezone.datetime.combine(held_on, timezone.datetime.min.time()).replace(hour=9, minute=30)
        )
    )
    hearing = actions.hearing_schedule(
        actor=lead,
        petition=petition,
        scheduled_at=when,
        place=rng.choice(["海州区信访局听证室", "连云港市信访局听证室", "新海街道矛盾调处中心"]),
        host=lead,
    )
    free = [m for m in roster if not m.conflicts_with(petition)]
    busy = [m for m in roster if m not in free]
    panel = rng.sample(free, 5 if len(free) >= 5 and rng.random() < 0.5 else 3)
    actions.hearing_select_panel(actor=lead, hearing=hearing, members=panel + busy[:1])
    actions.hearing_notify(actor=lead, hearing=hearing, method=rng.choice(["delivered", "post", "sms"]))
    if plan == "scheduled":
        return
    actions.hearing_hold(actor=lead, hearing=hearing, held_on=held_on)
    actions.hearing_record_minutes(
        actor=lead,
        hearing=hearing,
        minutes=(
            "主持人宣布听证纪律和听证员名单，告知当事人申请回避的权利。信访人陈述诉求和理由，"
            "承办单位说明调查核实情况并出示证据，双方进行质证。听证员就有关事实提问。"
        ),
    )
    if plan == "held":
        return
    for member, opinion in zip(panel, OPINIONS, strict=False):
        actions.hearing_record_opinion(
            actor=lead,
            hearing=hearing,
            member=member,
            opinion=opinion,
            reasoning=rng.choice(
                [
                    "经查收费标准已经备案，诉求缺乏事实依据。",
                    "诉求有一定合理性，但缺乏法律依据，应作出解释说明。",
                    "原处理意见认定事实清楚，适用依据正确。",
                ]
            ),
        )
    concluded_on = min(today, held_on + timedelta(days=rng.randint(0, 2)))
    actions.hearing_conclude(
        actor=lead,
        hearing=hearing,
        concluded_on=concluded_on,
        conclusion_text=(
            "听证员多数意见认为：原复查意见认定事实清楚，处理依据正确，信访人的请求缺乏事实根据，建议复核机关维持复查意见，"
            "并做好信访人的疏导解释工作。"
        ),
    )
    if plan == "published":
        actions.hearing_publish(actor=lead, hearing=hearing)

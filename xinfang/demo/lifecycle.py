"""The simulated life of one generated petition: which steps happened, when.

Pure Python: the generator turns a `Life` into rows.  Probabilities follow
what a district bureau sees (most matters concluded, a few late, some
reviewed, very few re-reviewed), so the demo and the benchmarks contain
every state, overdue matters included.
"""

from __future__ import annotations

import random
from dataclasses import dataclass, field
from datetime import datetime, timedelta

from xinfang.petitions.choices import Outcome, Rating, Stage, Status


@dataclass
class Step:
    action: str
    at: datetime
    from_status: str
    to_status: str
    data: dict = field(default_factory=dict)
    reason: str = ""


@dataclass
class Life:
    status: str = Status.REGISTERED
    stage: str = Stage.INITIAL
    steps: list[Step] = field(default_factory=list)
    routed_at: datetime | None = None
    accepted_at: datetime | None = None
    delivered_at: datetime | None = None
    closed_at: datetime | None = None
    assign: bool = False
    extended: bool = False
    outcome: str | None = None
    rating: str | None = None
    claim_route: int | None = None
    reached: str = "registered"  # the last unit level: registered / unit / review / rereview
    final: bool = False
    stalled: bool = False

    def add(self, action: str, at: datetime, to_status: str, **data) -> None:
        reason = data.pop("reason", "")
        self.steps.append(Step(action, at, self.status, to_status, data, reason))
        self.status = to_status


def _days(rng: random.Random, low: float, high: float) -> timedelta:
    return timedelta(days=rng.uniform(low, high))


def simulate(rng: random.Random, received: datetime, now: datetime, petition_class: str) -> Life:
    life = Life()
    life.add("register", received + timedelta(minutes=rng.randint(1, 90)), Status.REGISTERED)
    t = received + (_days(rng, 16, 22) if rng.random() < 0.03 else _days(rng, 0.1, 4))
    if t > now:
        return life
    roll = rng.random()
    if roll < 0.03:
        life.add("reject", t, Status.REJECTED, reason_code="not_a_petition", reason="反映内容不属于信访事项")
        life.closed_at = t
        return life
    if roll < 0.04:
        life.add("merge", t, Status.MERGED, reason="与正在办理的事项属同一事项，合并办理")
        life.closed_at = t
        return life
    if roll < 0.045:
        life.add(
            "refuse_final", t, Status.REFUSED_FINAL, reason="同一事实和理由已经复核终结（第三十六条第三款）"
        )
        life.closed_at = t
        return life
    life.assign = rng.random() < 0.1
    life.routed_at = t
    life.add("assign" if life.assign else "transfer", t, Status.ROUTED)
    life.reached = "unit"
    if rng.random() < 0.03:
        objected = t + _days(rng, 0.5, 4)
        if objected > now:
            return life
        life.add("object", objected, Status.OBJECTED, reason="不属于本单位职权范围")
        decided = objected + _days(rng, 0.5, 3)
        if decided > now:
            return life
        life.add("objection_dismissed", decided, Status.ROUTED, reason="经核实属于该单位职责")
        t = decided
    t = t + (_days(rng, 16, 25) if rng.random() < 0.05 else _days(rng, 0.5, 12))
    if t > now:
        return life
    if rng.random() < 0.01:
        life.add("withdraw", t, Status.WITHDRAWN, reason="信访人主动撤回")
        life.closed_at = t
        return life
    if rng.random() < 0.04:
        life.add("reject", t, Status.REJECTED, reason_code="outside_powers", reason="不属于本机关职权范围")
        life.closed_at = t
        return life
    life.accepted_at = t
    life.add("accept", t, Status.HANDLING)
    if petition_class != "claim":
        t = t + _days(rng, 5, 50)
        if t > now:
            return life
        life.add(
            "conclude",
            t,
            Status.CLOSED,
            reason="已研究答复" if petition_class == "suggestion" else "已核查处理",
        )
        life.closed_at = t
        return _evaluate(rng, life, t, now)
    if rng.random() < 0.1:
        life.claim_route = rng.choice((1, 2, 4))
        t = t + _days(rng, 1, 10)
        if t > now:
            return life
        life.add("divert", t, Status.DIVERTED, claim_route=life.claim_route, reason="依法导入相应法定程序")
        life.closed_at = t
        return life
    life.claim_route = 6
    if rng.random() < 0.04:
        life.stalled = True  # never answered: becomes overdue
        return life
    if rng.random() < 0.06:
        ext_at = t + _days(rng, 40, 58)
        if ext_at > now:
            return life
        life.extended = True
        life.add("extend", ext_at, Status.HANDLING, days=30, reason="情况复杂，需进一步调查核实")
        t = ext_at + _days(rng, 5, 28)
    else:
        t = t + (_days(rng, 61, 75) if rng.random() < 0.05 else _days(rng, 8, 55))
    if t - timedelta(days=3) > now:
        return life
    life.add("draft_opinion", t - timedelta(days=2), Status.OPINION_DRAFTED)
    if t > now:
        return life
    return _opinion(rng, life, t, now)


def _opinion(rng: random.Random, life: Life, t: datetime, now: datetime) -> Life:
    life.outcome = rng.choices([Outcome.SUPPORT, Outcome.EXPLAIN, Outcome.NOT_SUPPORT], [45, 30, 25])[0]
    final = life.stage == Stage.REREVIEW
    life.add(
        "issue_opinion",
        t,
        Status.CLOSED if final else Status.OPINION_ISSUED,
        outcome=life.outcome,
        stage=life.stage,
        final=final,
    )
    life.delivered_at = t
    if final:
        life.final = True
        life.closed_at = t
        return life
    if life.stage == Stage.INITIAL:
        _evaluate(rng, life, t, now)
    review_chance = 0.30 if life.rating == Rating.DISSATISFIED else 0.05
    if life.stage == Stage.REVIEW:
        review_chance = 0.3
    if rng.random() < review_chance:
        ask = t + _days(rng, 3, 27)
        if ask > now:
            return life
        next_stage = Stage.REVIEW if life.stage == Stage.INITIAL else Stage.REREVIEW
        life.add(
            "request_review" if next_stage == Stage.REVIEW else "request_rereview",
            ask,
            Status.HANDLING,
            reason="对处理意见不服",
        )
        life.stage = next_stage
        life.reached = "review" if next_stage == Stage.REVIEW else "rereview"
        answer = ask + _days(rng, 10, 29)
        if answer - timedelta(days=2) > now:
            return life
        life.add("draft_opinion", answer - timedelta(days=2), Status.OPINION_DRAFTED)
        if answer > now:
            return life
        return _opinion(rng, life, answer, now)
    close_at = t + timedelta(days=31)
    if close_at <= now:
        life.add("close", close_at, Status.CLOSED, reason="申请复查（复核）期限届满，未提出申请")
        life.closed_at = close_at
    return life


def _evaluate(rng: random.Random, life: Life, t: datetime, now: datetime) -> Life:
    if rng.random() < 0.65:
        at = t + _days(rng, 0.5, 8)
        if at <= now:
            weights = [60, 25, 15] if life.outcome != Outcome.NOT_SUPPORT else [25, 30, 45]
            life.rating = rng.choices(
                [Rating.SATISFIED, Rating.BASICALLY_SATISFIED, Rating.DISSATISFIED], weights
            )[0]
            life.steps.append(
                Step("evaluate", at, life.status, life.status, {"stage": "handling", "rating": life.rating})
            )
    return life

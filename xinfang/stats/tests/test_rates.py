"""Each rate's formula against hand-computed cases (rollup → rates)."""

from datetime import timedelta

import pytest
from django.utils import timezone

from xinfang.calendars.rules import DeadlineRule
from xinfang.petitions import actions as a
from xinfang.petitions.models import Deadline
from xinfang.stats import dashboard, rates, rollup
from xinfang.testing import advance, make_petition

pytestmark = pytest.mark.django_db


def _totals(unit_ids=None):
    today = timezone.localdate()
    out = dict.fromkeys(rollup.MEASURES, 0)
    for key, counts in rollup.compute(today - timedelta(days=5), today + timedelta(days=200)).stats.items():
        if unit_ids is None or key[1] in unit_ids:
            for name, value in counts.items():
                out[name] += value
    return out


def _value(counts, code):
    return rates.rate_value(counts, rates.RATE_BY_CODE[code])


def _issue(petition, world):
    petition.refresh_from_db()
    a.petition_draft_opinion(
        actor=world.handler_a,
        petition=petition,
        outcome="support",
        request="退费",
        facts_reasons="经查属实",
        findings="经查属实",
        opinion_text="予以支持",
        legal_basis="《物业管理条例》",
    )
    a.petition_approve_opinion(actor=world.leader_a, petition=petition)


def _met(petition, rule, when):
    Deadline.objects.filter(petition=petition, rule=rule).update(met_at=when)


def test_zero_petitions_give_no_rate_not_zero(world):
    counts = _totals()
    assert all(_value(counts, r.code) is None for r in rates.RATES)
    assert rates.percent(None) == "—"
    figures = dashboard.figures(timezone.localdate() - timedelta(days=30), timezone.localdate(), world.town_b)
    assert all(r["value"] is None for r in figures["rates"])


def test_timely_acceptance_counts_decisions_due_including_non_acceptance(world):
    on_time = advance(make_petition(world), world, to="handling")
    late = advance(make_petition(world), world, to="handling")
    notify_due = Deadline.objects.get(petition=late, rule=DeadlineRule.NOTIFY).due
    _met(
        late,
        DeadlineRule.NOTIFY,
        timezone.make_aware(
            timezone.datetime.combine(notify_due + timedelta(days=2), timezone.datetime.min.time())
        ),
    )
    # A unit refuses only a matter it received directly (Art. 23①; a transferred one is objected to).
    rejected = make_petition(world, actor=world.handler_a)
    a.petition_reject(
        actor=world.leader_a,
        petition=rejected,
        reason_code="outside_powers",
        reason="不属本单位职权",
        competent_body="区市场监督管理局",
    )
    undecided = advance(make_petition(world), world, to="routed")
    counts = _totals()
    assert counts["notify_due"] == 4
    # on time: the accepted one and the rejected one; the late one and the open one are not.
    assert counts["notify_on_time"] == 2
    assert _value(counts, "timely_acceptance") == pytest.approx(0.5)
    assert on_time.pk and undecided.pk


def test_on_time_conclusion_honours_extension(world):
    extended = advance(make_petition(world), world, to="handling")
    base_due = Deadline.objects.get(petition=extended, rule=DeadlineRule.CONCLUDE).due
    a.petition_extend(actor=world.leader_a, petition=extended, days=30, reason="情况复杂需进一步调查")
    _issue(extended, world)
    plain = advance(make_petition(world), world, to="issued")
    plain_due = Deadline.objects.get(petition=plain, rule=DeadlineRule.CONCLUDE).due
    # Both concluded 10 days after their original 60-day due date.
    tz = timezone.get_current_timezone()
    for petition, due in ((extended, base_due), (plain, plain_due)):
        when = timezone.datetime.combine(due + timedelta(days=10), timezone.datetime.min.time(), tzinfo=tz)
        _met(petition, DeadlineRule.CONCLUDE, when)
    counts = _totals()
    assert counts["concluded"] == 2
    assert counts["concluded_on_time"] == 1  # only the extended one
    assert _value(counts, "on_time_conclusion") == pytest.approx(0.5)


def test_review_counts_at_reviewing_unit_with_its_own_deadline(world):
    petition = advance(make_petition(world), world, to="review_issued")
    town = _totals(dashboard.scope_ids(world.town_a))
    district_only = _totals([world.district.pk])
    assert town["concluded"] == 1 and town["concluded_on_time"] == 1
    assert district_only["concluded"] == 1 and district_only["concluded_on_time"] == 1
    Deadline.objects.filter(petition=petition, rule=DeadlineRule.REVIEW_ANSWER).update(
        due=timezone.localdate() - timedelta(days=1)
    )
    district_only = _totals([world.district.pk])
    assert district_only["concluded_on_time"] == 0
    assert _value(district_only, "on_time_conclusion") == 0.0


def test_evaluation_and_satisfaction_count_basically_satisfied(world):
    ratings = ["satisfied", "basically_satisfied", "dissatisfied"]
    for rating in ratings:
        p = advance(make_petition(world), world, to="issued")
        a.petition_evaluate(petition=p, stage="handling", rating=rating)
    advance(make_petition(world), world, to="issued")  # concluded, never evaluated
    counts = _totals()
    assert counts["concluded"] == 4 and counts["evaluated"] == 3
    assert _value(counts, "evaluation") == pytest.approx(0.75)
    assert _value(counts, "satisfaction") == pytest.approx(2 / 3)
    assert _value(counts, "satisfaction_strict") == pytest.approx(1 / 3)
    # 解决率: the opinions did not support; two evaluations were (基本)满意.
    assert counts["resolved"] == 2


def test_repeat_and_skip_level_rates(world):
    ps = [make_petition(world) for _ in range(4)]
    from xinfang.petitions.models import Petition

    Petition.objects.filter(pk=ps[0].pk).update(is_repeat=True)
    Petition.objects.filter(pk__in=[ps[1].pk, ps[2].pk]).update(is_skip_level=True)
    counts = _totals()
    assert _value(counts, "repeat") == pytest.approx(0.25)
    assert _value(counts, "skip_level") == pytest.approx(0.5)


def test_league_table_ranks_by_composite_and_puts_empty_last():
    table = rates.league_table(
        {
            1: {
                "notify_due": 10,
                "notify_on_time": 10,
                "concluded": 10,
                "resolved": 5,
                "evaluated": 10,
                "satisfied": 8,
            },
            2: {
                "notify_due": 10,
                "notify_on_time": 5,
                "concluded": 10,
                "resolved": 5,
                "evaluated": 10,
                "satisfied": 8,
            },
            3: {"received": 4},
        },
        {1: "甲", 2: "乙", 3: "丙"},
    )
    assert [r["unit"] for r in table] == ["甲", "乙", "丙"]
    # Rates shrunk toward the pooled rates (response 0.75, resolution 0.5, satisfaction 0.8), K = 5.
    response = (10 + 5 * 0.75) / 15
    assert table[0]["response"] == 1.0
    assert table[0]["score"] == pytest.approx(100 * (0.3 * response + 0.4 * 0.5 + 0.3 * 0.8))
    assert table[0]["rank"] == 1 and table[1]["rank"] == 2 and table[2]["rank"] is None
    assert table[2]["too_few"]
    assert rates.composite({"response": 1.0}) == pytest.approx(100)


def test_league_table_does_not_rank_units_with_too_few_cases_nor_tie_them_at_100():
    busy = {
        "notify_due": 40,
        "notify_on_time": 36,
        "concluded": 40,
        "resolved": 30,
        "evaluated": 40,
        "satisfied": 34,
    }
    one_case = {
        "notify_due": 1,
        "notify_on_time": 1,
        "concluded": 1,
        "resolved": 1,
        "evaluated": 1,
        "satisfied": 1,
    }
    four_perfect = {k: 2 for k in one_case}
    reviews_only = {"concluded": 3, "resolved": 3, "evaluated": 3, "satisfied": 3}  # 0 received
    table = rates.league_table(
        {1: busy, 2: one_case, 3: dict(one_case), 4: four_perfect, 5: reviews_only},
        {1: "新海街道", 2: "甲社区", 3: "乙社区", 4: "丙社区", 5: "连云港市人民政府"},
    )
    assert table[0]["unit"] == "新海街道" and table[0]["rank"] == 1
    assert [r["rank"] for r in table[1:]] == [None] * 4
    assert all(r["score"] is None and r["too_few"] for r in table[1:])


def test_shrinkage_ranks_a_steady_record_above_a_lucky_small_one():
    steady = {
        "notify_due": 60,
        "notify_on_time": 57,
        "concluded": 60,
        "resolved": 54,
        "evaluated": 60,
        "satisfied": 57,
    }
    lucky = {
        "notify_due": 3,
        "notify_on_time": 3,
        "concluded": 3,
        "resolved": 3,
        "evaluated": 3,
        "satisfied": 3,
    }
    weak = {
        "notify_due": 60,
        "notify_on_time": 30,
        "concluded": 60,
        "resolved": 30,
        "evaluated": 60,
        "satisfied": 30,
    }
    table = rates.league_table({1: steady, 2: lucky, 3: weak}, {1: "甲", 2: "乙", 3: "丙"})
    assert [r["unit"] for r in table] == ["甲", "乙", "丙"]
    assert table[1]["score"] < 100


@pytest.mark.django_db
def test_backlog_rate_row_shows_its_numerator_and_denominator(world):
    from datetime import timedelta

    from django.utils import timezone

    from xinfang.ownership import actions as ownership
    from xinfang.stats.dashboard import figures
    from xinfang.testing import make_petition

    today = timezone.localdate()
    cases = [
        ownership.backlog_create(
            actor=world.registrar,
            petition=make_petition(world),
            source="city",
            owner=world.bureau_leader,
            target_date=today + timedelta(days=5),
        )
        for _ in range(3)
    ]
    ownership.backlog_resolve(actor=world.bureau_leader, backlog=cases[0], note="停访息诉")
    row = next(r for r in figures(today, today + timedelta(days=30))["rates"] if r["code"] == "backlog")
    assert (row["numerator"], row["denominator"]) == (1, 3)
    assert row["value"] == pytest.approx(1 / 3)

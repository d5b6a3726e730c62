"""Assessment rates (DOMAIN.md §3) as documented formulas over rollup counts.

Every rate is numerator / denominator over the counts of `DailyStat`
(rollup.py says which date and unit each count belongs to).  A rate whose
denominator is 0 is None and shown as "—" (never 0 % and never an error).

- 及时受理率 timely acceptance = notify_on_time / notify_due
    notify_due: acceptance decisions (告知/受理 deadlines, 15 日, Art. 23) due in
    the period; notify_on_time: those decided (accepted, notified, not accepted,
    or diverted) on or before the due date.
- 按期办结率 on-time conclusion = concluded_on_time / concluded
    concluded: conclusion deadlines met in the period (办结 60 日 or 简易 10 个工作日,
    复查 30 日, 复核 30 日); on time: met on or before the due date, which includes
    an approved extension (Art. 34) and excludes paused hearing time (Art. 36).
    A review or re-review counts at the reviewing unit, with its own deadline.
- 参评率 evaluation = evaluated / concluded
    evaluated: of the concluded, those the petitioner rated (handling stage).
- 满意率 satisfaction = satisfied / evaluated
    satisfied = 满意 + 基本满意 (common practice counts both); the strict figure
    (满意 alone) is `satisfied_strict / evaluated`, shown beside it.
- 重复访率 repeat = repeat / received (petitions flagged 重复访 among those received).
- 越级访率 skip-level = skip_level / received.
- 积案化解率 backlog resolution = resolved backlog cases / backlog cases due in the
    period (xinfang.ownership.backlog.backlog_resolution_rate; None when the
    ownership app does not provide it).

League table (Beijing's monthly ranking of 接诉即办):
- 响应率 response = notify_on_time / notify_due (answered within the notice deadline);
- 解决率 resolution = resolved / concluded (opinion supported the request, or the
  petitioner rated 满意/基本满意);
- 满意率 as above;
- composite score = 100 × (0.3 × 响应率 + 0.4 × 解决率 + 0.3 × 满意率), the weights
  re-normalised over the rates that exist; a unit with none has no score and is
  ranked last.  Ties share a rank.
- Small numbers: a unit with one case answered on time scores 100 by luck.  So
  (a) only units with at least LEAGUE_MIN_CASES cases (应响应 + 办结) are ranked,
  the others are listed after them without a rank; and (b) the score uses each
  rate shrunk toward the table's pooled rate, (num + K·pooled) / (den + K) with
  K = LEAGUE_PRIOR_CASES (a Bayesian average: as if each unit had K more cases
  at the table's average).  The table shows the plain rates; LEAGUE_RULE says
  this in the UI.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from datetime import date

from django.utils.translation import gettext_lazy as _


@dataclass(frozen=True)
class Rate:
    code: str
    label: str
    numerator: str
    denominator: str
    formula: str


RATES = [
    Rate(
        "timely_acceptance",
        _("及时受理率"),
        "notify_on_time",
        "notify_due",
        _("期限内作出受理决定（告知）件数 ÷ 本期到期应作出受理决定件数"),
    ),
    Rate(
        "on_time_conclusion",
        _("按期办结率"),
        "concluded_on_time",
        "concluded",
        _("按期（含经批准延期）办结件数 ÷ 本期办结件数；复查、复核按其期限计入复查（复核）机关"),
    ),
    Rate("evaluation", _("参评率"), "evaluated", "concluded", _("已评价件数 ÷ 本期办结件数")),
    Rate("satisfaction", _("满意率"), "satisfied", "evaluated", _("（满意 + 基本满意）件数 ÷ 已评价件数")),
    Rate(
        "satisfaction_strict",
        _("满意率（仅满意）"),
        "satisfied_strict",
        "evaluated",
        _("满意件数 ÷ 已评价件数"),
    ),
    Rate("repeat", _("重复访率"), "repeat", "received", _("重复访件数 ÷ 本期收到件数")),
    Rate("skip_level", _("越级访率"), "skip_level", "received", _("越级访件数 ÷ 本期收到件数")),
]
RATE_BY_CODE = {r.code: r for r in RATES}
BACKLOG_FORMULA = _("本期到期的积案中已化解件数 ÷ 本期化解时限届满的积案件数")

LEAGUE = [
    Rate("response", _("响应率"), "notify_on_time", "notify_due", _("告知期限内响应件数 ÷ 应响应件数")),
    Rate(
        "resolution",
        _("解决率"),
        "resolved",
        "concluded",
        _("（意见支持诉求 或 评价满意/基本满意）件数 ÷ 办结件数"),
    ),
    Rate("satisfaction", _("满意率"), "satisfied", "evaluated", _("（满意 + 基本满意）件数 ÷ 已评价件数")),
]
LEAGUE_WEIGHTS = {"response": 0.3, "resolution": 0.4, "satisfaction": 0.3}
COMPOSITE_FORMULA = _("综合得分 = 100 ×（0.3 × 响应率 + 0.4 × 解决率 + 0.3 × 满意率），缺项按其余权重折算")
LEAGUE_MIN_CASES = 5
LEAGUE_PRIOR_CASES = 5
LEAGUE_RULE = _(
    "本期应响应件数与办结件数合计不少于 %(min)s 件的单位参与排名，不足的列于表后、不排名；"
    "计算综合得分时，各项比率按全表平均水平修正：（分子 + %(prior)s × 全表平均率）÷"
    "（分母 + %(prior)s），以免件数很少的单位因个别案件排在前列。表中所列为未修正的比率。"
)


def ratio(numerator: int, denominator: int) -> float | None:
    """numerator / denominator, or None when there is nothing to divide by."""
    return numerator / denominator if denominator else None


def rate_value(counts: Mapping[str, int], rate: Rate) -> float | None:
    return ratio(counts.get(rate.numerator, 0), counts.get(rate.denominator, 0))


def all_rates(counts: Mapping[str, int]) -> list[dict]:
    """Each rate with its value, numerator, denominator and formula (for the UI)."""
    return [
        {
            "code": r.code,
            "label": str(r.label),
            "value": rate_value(counts, r),
            "numerator": counts.get(r.numerator, 0),
            "denominator": counts.get(r.denominator, 0),
            "formula": str(r.formula),
        }
        for r in RATES
    ]


def backlog_rate(unit=None, start: date | None = None, end: date | None = None) -> dict:
    """积案化解率 from the ownership app with its numerator and denominator
    (all None when the app is not installed)."""
    try:
        from xinfang.ownership.backlog import backlog_resolution_counts
    except ImportError:
        return {"value": None, "numerator": None, "denominator": None}
    today = date.today()
    counts = backlog_resolution_counts(
        unit, start=start or date(today.year, 1, 1), end=end or date(today.year, 12, 31)
    )
    return {"value": counts.rate, "numerator": counts.resolved, "denominator": counts.due}


def composite(rates: Mapping[str, float | None]) -> float | None:
    present = {k: w for k, w in LEAGUE_WEIGHTS.items() if rates.get(k) is not None}
    if not present:
        return None
    total = sum(present.values())
    return 100 * sum(rates[k] * w for k, w in present.items()) / total


def _shrunk(counts: Mapping[str, int], rate: Rate, pooled: float | None) -> float | None:
    den = counts.get(rate.denominator, 0)
    if not den or pooled is None:
        return None
    return (counts.get(rate.numerator, 0) + LEAGUE_PRIOR_CASES * pooled) / (den + LEAGUE_PRIOR_CASES)


def league_table(by_unit: Mapping[int, Mapping[str, int]], names: Mapping[int, str]) -> list[dict]:
    """Units ranked by composite score (best first; ties share a rank); units
    below LEAGUE_MIN_CASES are listed last without a rank or score (module doc)."""
    pooled = {
        r.code: ratio(
            sum(c.get(r.numerator, 0) for c in by_unit.values()),
            sum(c.get(r.denominator, 0) for c in by_unit.values()),
        )
        for r in LEAGUE
    }
    rows = []
    for unit_id, counts in by_unit.items():
        rates = {r.code: rate_value(counts, r) for r in LEAGUE}
        cases = counts.get("notify_due", 0) + counts.get("concluded", 0)
        ranked = cases >= LEAGUE_MIN_CASES
        shrunk = {r.code: _shrunk(counts, r, pooled[r.code]) for r in LEAGUE}
        rows.append(
            {
                "unit_id": unit_id,
                "unit": names.get(unit_id, "—"),
                **rates,
                "score": composite(shrunk) if ranked else None,
                "too_few": not ranked,
                "received": counts.get("received", 0),
                "concluded": counts.get("concluded", 0),
            }
        )
    rows.sort(key=lambda r: (r["score"] is None, -(r["score"] or 0), r["unit"]))
    rank, previous = 0, object()
    for position, row in enumerate(rows, start=1):
        if row["score"] != previous:
            rank, previous = position, row["score"]
        row["rank"] = rank if row["score"] is not None else None
    return rows


def percent(value: float | None) -> str:
    """0.8734 → "87.3%"; None → "—"."""
    return "—" if value is None else f"{value * 100:.1f}%"

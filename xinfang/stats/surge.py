"""Surge rule: is a series' recent count well above its own baseline? (pure Python)

For one series (a category, a town, a respondent unit) with daily counts:

    baseline  = the BASELINE_DAYS days before the test window (default 56 = 8 weeks),
                S petitions in total, so λ̂ = S / n per day;
    window    = the last `days` days, X petitions;
    predictive distribution of X when nothing changed: Poisson(λ·days) with λ
                unknown, given S ~ Poisson(λ·n) and a Jeffreys prior on λ →
                negative binomial NB(r = S + ½, p = n / (n + days)), mean (S + ½)·days/n;
    alarm     when P(X ≥ x) < alpha (default 0.001) and x ≥ min_count (default 5).

Using the predictive distribution rather than plugging λ̂ into a Poisson keeps
the false-alarm rate at or below `alpha` even when the baseline is short or
small (the plug-in test over-alarms because λ̂ is noisy).  Several windows
(1, 3 and 7 days) are tested with a Bonferroni split of alpha, so a one-day
spike and a slower week-long rise are both caught at the same overall level.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

from scipy.stats import nbinom

BASELINE_DAYS = 56
ALPHA = 0.001
MIN_COUNT = 5
WINDOWS = (1, 3, 7)


@dataclass(frozen=True)
class SurgeResult:
    alarm: bool
    window: int
    observed: int
    expected: float
    p_value: float

    @property
    def ratio(self) -> float:
        return self.observed / self.expected if self.expected else float("inf")


def tail_probability(observed: int, baseline_total: int, baseline_days: int, window_days: int) -> float:
    """P(X ≥ observed) under the negative-binomial predictive distribution."""
    if observed <= 0:
        return 1.0
    r = baseline_total + 0.5
    p = baseline_days / (baseline_days + window_days)
    return float(nbinom.sf(observed - 1, r, p))


def check_window(
    baseline: Sequence[int], window: Sequence[int], *, alpha: float = ALPHA, min_count: int = MIN_COUNT
) -> SurgeResult:
    """Test one window against one baseline (both lists of daily counts)."""
    n, d = len(baseline), len(window)
    total, observed = int(sum(baseline)), int(sum(window))
    expected = (total + 0.5) * d / n if n else 0.0
    p_value = tail_probability(observed, total, n, d) if n else 1.0
    return SurgeResult(observed >= min_count and p_value < alpha, d, observed, expected, p_value)


def detect(
    daily: Sequence[int],
    *,
    windows: Sequence[int] = WINDOWS,
    baseline_days: int = BASELINE_DAYS,
    alpha: float = ALPHA,
    min_count: int = MIN_COUNT,
) -> SurgeResult | None:
    """Test the end of a daily series (oldest first).  Each window w uses the
    `baseline_days` days before its own start.  Returns the most significant
    alarming window, or None."""
    level = alpha / len(windows)
    best = None
    for w in windows:
        if len(daily) < w + baseline_days:
            continue
        window = daily[-w:]
        baseline = daily[-(w + baseline_days) : -w]
        result = check_window(baseline, window, alpha=level, min_count=min_count)
        if result.alarm and (best is None or result.p_value < best.p_value):
            best = result
    return best

"""The surge rule on synthetic series: quiet on noise, loud on a real rise."""

import numpy as np

from xinfang.stats import surge


def test_no_alarm_on_stationary_poisson_noise_below_design_level():
    rng = np.random.default_rng(20240501)
    alarms = trials = 0
    for lam in (0.3, 1.0, 2.0, 5.0, 12.0):
        for _ in range(2000):
            series = rng.poisson(lam, surge.BASELINE_DAYS + 7).tolist()
            trials += 1
            alarms += surge.detect(series) is not None
    assert alarms / trials < surge.ALPHA  # 10,000 quiet series, design level 0.1 %


def test_alarm_on_three_times_baseline_for_three_days():
    rng = np.random.default_rng(7)
    caught = 0
    for _ in range(200):
        # A category with 5 a day that jumps to 15 a day for 3 days.
        series = rng.poisson(5.0, surge.BASELINE_DAYS + 4).tolist() + rng.poisson(15.0, 3).tolist()
        result = surge.detect(series)
        caught += result is not None and result.ratio > 2
    assert caught / 200 > 0.95


def test_min_count_guards_tiny_series():
    series = [0] * surge.BASELINE_DAYS + [0, 0, 4]
    assert surge.detect(series) is None
    series = [0] * surge.BASELINE_DAYS + [0, 0, 6]
    result = surge.detect(series)
    assert result is not None and result.observed == 6 and result.window == 1


def test_tail_probability_matches_poisson_for_long_baselines():
    from scipy.stats import poisson

    p = surge.tail_probability(20, 100_000, 10_000, 1)  # λ ≈ 10 known very well
    assert abs(p - poisson.sf(19, 10.00005)) < 1e-3

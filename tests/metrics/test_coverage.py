"""95% intervals cover the population value 95% of the time (issue 13, item 1).

Test sets of n rows are drawn from a known population (a fixed 4-class
classifier, see ``populations.py``); ``bootstrap_ci``'s default interval must
cover the population value in 92.5-97.5% of 600 test sets. The band is a
binomial tolerance: a method whose true coverage is 95% falls outside it with
probability about 0.5%, a 90% method lands inside it with probability about
2.4%. The "uneven" population (per-class recall 0.87/0.40/0.40/0.97) is where
the old default, stratified resampling, undercovers: the class mix of a new
test set varies, and with unequal recalls that moves accuracy; the last test
shows the band catches it. ``benchmarks/bench_coverage.py`` measures the same
with more test sets and compares methods.
"""

import numpy as np
import pytest

from skyclass.metrics import bootstrap_ci
from tests.metrics.populations import Population

REPLICATES = 600
BAND = (0.925, 0.975)
POPULATIONS = {
    "even": Population.four_class(),
    "uneven": Population.four_class(signal=[3.0, 0.3, 0.3, 3.0]),
}


def _coverage(population: str, metric: str, n: int, **options) -> float:
    pop = POPULATIONS[population]
    truth = pop.true_value(metric)
    rng = np.random.default_rng(n)
    covered = 0
    for r in range(REPLICATES):
        y, proba = pop.sample(n, rng)
        values = proba if metric == "roc_auc" else proba.argmax(axis=1)
        ci = bootstrap_ci(metric, y, values, seed=r, **options)
        covered += ci.low <= truth <= ci.high
    return covered / REPLICATES


@pytest.mark.parametrize("n", [150, 1000])
@pytest.mark.parametrize(
    ("population", "metric"),
    [
        ("even", "accuracy"),
        ("even", "f1_macro"),
        ("even", "balanced_accuracy"),
        ("even", "roc_auc"),
        ("uneven", "accuracy"),
    ],
)
def test_95_percent_intervals_cover_the_population_value(population, metric, n):
    share = _coverage(population, metric, n)
    assert BAND[0] <= share <= BAND[1], f"{metric} at n={n} ({population}): coverage {share:.3f}"


def test_the_band_fails_the_old_stratified_percentile_default():
    share = _coverage("uneven", "accuracy", 1000, stratified=True, method="percentile")
    assert share < BAND[0], f"stratified percentile covered {share:.3f}"

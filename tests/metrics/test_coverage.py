"""95% intervals cover the population value 95% of the time (issue 13, item 1).

Test sets of n rows are drawn from a known population (a fixed 4-class
classifier, see ``populations.py``); ``bootstrap_ci``'s default interval must
cover the population value in 92.5-97.5% of 600 test sets. The band is a
binomial tolerance: a method whose true coverage is 95% falls outside it with
probability about 0.5%, a 90% method lands inside it with probability about
2.4% (and the old stratified percentile default covered macro F1 in ~92% here).
``benchmarks/bench_coverage.py`` measures the same with more test sets and
compares methods.
"""

import numpy as np
import pytest

from skyclass.metrics import bootstrap_ci
from tests.metrics.populations import Population

REPLICATES = 600
BAND = (0.925, 0.975)


@pytest.mark.parametrize("n", [150, 1000])
@pytest.mark.parametrize("metric", ["accuracy", "f1_macro", "balanced_accuracy", "roc_auc"])
def test_95_percent_intervals_cover_the_population_value(metric, n):
    pop = Population.four_class()
    truth = pop.true_value(metric)
    rng = np.random.default_rng(n)
    covered = 0
    for r in range(REPLICATES):
        y, proba = pop.sample(n, rng)
        values = proba if metric == "roc_auc" else proba.argmax(axis=1)
        ci = bootstrap_ci(metric, y, values, seed=r)
        covered += ci.low <= truth <= ci.high
    share = covered / REPLICATES
    assert BAND[0] <= share <= BAND[1], f"{metric} at n={n}: coverage {share:.3f}"

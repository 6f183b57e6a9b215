"""Chi-square goodness of fit of current category counts to the reference shares.

Drift when p < threshold (0.05). Expected counts are the reference counts scaled to the
current size, as Evidently does. A category the reference never saw has an expected
count of zero; its appearance is drift (p = 0) rather than a division by zero.

Example:
    >>> from skyclass.monitor.stattests import ColumnSample, get_stattest
    >>> ref = ColumnSample.categorical({"a": 50, "b": 30, "c": 20})
    >>> get_stattest("chisquare")(ref, ColumnSample.categorical({"a": 5, "b": 3, "c": 2})).score
    1.0
"""

import numpy as np
from scipy.stats import chisquare

from skyclass.monitor.stattests._base import ColumnSample, StatTest, register
from skyclass.monitor.stattests._binning import aligned_counts


@register
class ChiSquare(StatTest):
    """Chi-square goodness of fit of current category counts to the reference shares."""

    name = "chisquare"
    default_threshold = 0.05
    kinds = ("cat", "num")
    score_kind = "p_value"

    def statistic(self, reference: ColumnSample, current: ColumnSample) -> float:
        ref, observed = aligned_counts(reference, current)
        expected = ref * (current.n / reference.n)
        if np.any((expected == 0) & (observed > 0)):
            return 0.0
        keep = expected > 0
        return float(chisquare(observed[keep], expected[keep])[1])

"""Two-proportion z-test for columns with at most two values: drift when p < threshold (0.05).

Example:
    >>> from skyclass.monitor.stattests import ColumnSample, get_stattest
    >>> ref = ColumnSample.categorical({"yes": 500, "no": 500})
    >>> get_stattest("z")(ref, ColumnSample.categorical({"yes": 900, "no": 100})).drifted
    True
"""

import numpy as np
from scipy.stats import norm

from skyclass.monitor.stattests._base import ColumnSample, StatTest, register
from skyclass.monitor.stattests._binning import aligned_counts


@register
class TwoProportionZ(StatTest):
    """Two-proportion z-test for columns with at most two values: drift when p < threshold (0.05)."""

    name = "z"
    default_threshold = 0.05
    kinds = ("cat", "num")
    score_kind = "p_value"

    def statistic(self, reference: ColumnSample, current: ColumnSample) -> float:
        ref, cur = aligned_counts(reference, current)
        if ref.size == 1:
            return 1.0
        n1, n2 = reference.n, current.n
        p1, p2 = ref[0] / n1, cur[0] / n2
        pooled = (p1 * n1 + p2 * n2) / (n1 + n2)
        z = (p1 - p2) / np.sqrt(pooled * (1 - pooled) * (1.0 / n1 + 1.0 / n2))
        return float(2 * (1 - norm.cdf(np.abs(z))))

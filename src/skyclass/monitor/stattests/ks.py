"""Two-sample Kolmogorov-Smirnov test (numeric columns): drift when p ≤ threshold (0.05).

Example:
    >>> import numpy as np
    >>> from skyclass.monitor.stattests import ColumnSample, get_stattest
    >>> r = get_stattest("ks")(ColumnSample.numeric([1, 2, 3, 4, 5, 6]), ColumnSample.numeric([1, 2, 3, 4, 5, 6]))
    >>> (r.score, r.drifted)
    (1.0, False)
"""

from scipy.stats import ks_2samp

from skyclass.monitor.stattests._base import ColumnSample, StatTest, register


@register
class KolmogorovSmirnov(StatTest):
    """Two-sample Kolmogorov-Smirnov test (numeric columns): drift when p ≤ threshold (0.05)."""

    name = "ks"
    default_threshold = 0.05
    kinds = ("num",)
    score_kind = "p_value"

    def score(
        self, reference: ColumnSample, current: ColumnSample, threshold: float
    ) -> tuple[float, bool]:
        p_value = float(ks_2samp(reference.values, current.values)[1])
        return p_value, p_value <= threshold

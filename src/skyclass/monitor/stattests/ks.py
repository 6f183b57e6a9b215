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

    def statistic(self, reference: ColumnSample, current: ColumnSample) -> float:
        return float(ks_2samp(reference.values, current.values)[1])

    def drifted(self, score: float, threshold: float) -> bool:
        """Evidently's KS rule: drift when the p-value is at or below ``threshold``.

        Parameters
        ----------
        score : float
            The KS p-value.
        threshold : float
            The p-value threshold in use.

        Returns
        -------
        bool
            Whether the column drifted.
        """
        return score <= threshold

"""Wasserstein distance normalised by the reference standard deviation (numeric columns).

Drift when the distance ≥ threshold (0.1): the current mean moved by a tenth of a
reference standard deviation or the shape changed as much. The std is floored at 0.001.

Example:
    >>> import numpy as np
    >>> from skyclass.monitor.stattests import ColumnSample, get_stattest
    >>> ref = ColumnSample.numeric(np.arange(1000.0))
    >>> round(get_stattest("wasserstein")(ref, ColumnSample.numeric(np.arange(1000.0) + 100)).score, 3)
    0.346
"""

import numpy as np

from skyclass.monitor.stattests._base import ColumnSample, StatTest, register


def wasserstein_1d(u: np.ndarray, v: np.ndarray) -> float:
    """First Wasserstein distance of two samples: ∫ |F_u - F_v| dx over the merged support.

    The same quantity as ``scipy.stats.wasserstein_distance`` (tests compare them), computed
    with two sorts and ``searchsorted`` instead of an argsort of the merged sample.
    """
    u, v = np.sort(u), np.sort(v)
    support = np.sort(np.concatenate([u, v]))
    widths = np.diff(support)
    cdf_u = np.searchsorted(u, support[:-1], side="right") / u.size
    cdf_v = np.searchsorted(v, support[:-1], side="right") / v.size
    return float(np.dot(np.abs(cdf_u - cdf_v), widths))


@register
class Wasserstein(StatTest):
    """Wasserstein distance normalised by the reference standard deviation (numeric columns)."""

    name = "wasserstein"
    default_threshold = 0.1
    kinds = ("num",)
    score_kind = "distance"

    def statistic(self, reference: ColumnSample, current: ColumnSample) -> float:
        norm = max(float(np.std(reference.values)), 0.001)
        return wasserstein_1d(reference.values, current.values) / norm

"""Wasserstein distance normalised by the reference standard deviation (numeric columns).

Drift when the distance ≥ threshold (0.1): the current mean moved by a tenth of a
reference standard deviation or the shape changed as much. The std is floored at 0.001.

Example:
    >>> import numpy as np
    >>> from skyclass.monitor.stattests import ColumnSample, wasserstein
    >>> ref = ColumnSample.numeric(np.arange(1000.0))
    >>> round(wasserstein.wasserstein_test(ref, ColumnSample.numeric(np.arange(1000.0) + 100)).score, 3)
    0.346
"""

import numpy as np
from scipy.stats import wasserstein_distance

from skyclass.monitor.stattests._base import ColumnSample, StatTest, register


def _wasserstein(
    reference: ColumnSample, current: ColumnSample, threshold: float
) -> tuple[float, bool]:
    norm = max(float(np.std(reference.values)), 0.001)
    value = float(wasserstein_distance(reference.values, current.values)) / norm
    return value, value >= threshold


wasserstein_test = register(StatTest("wasserstein", _wasserstein, 0.1, ("num",), "distance"))

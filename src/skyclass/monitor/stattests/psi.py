"""Population Stability Index over binned shares: drift when PSI ≥ threshold (0.1).

``PSI = Σ (ref - cur) · ln(ref / cur)`` with zero shares filled as Evidently fills them.
Common reading: < 0.1 stable, 0.1-0.25 moderate shift, > 0.25 major shift.

Example:
    >>> from skyclass.monitor.stattests import ColumnSample, get_stattest
    >>> ref = ColumnSample.categorical({"a": 50, "b": 50})
    >>> round(get_stattest("psi")(ref, ColumnSample.categorical({"a": 80, "b": 20})).score, 4)
    0.4159
"""

import numpy as np

from skyclass.monitor.stattests._base import ColumnSample, StatTest, register
from skyclass.monitor.stattests._binning import binned_shares


@register
class PopulationStabilityIndex(StatTest):
    """Population Stability Index over binned shares: drift when PSI ≥ threshold (0.1)."""

    name = "psi"
    default_threshold = 0.1
    kinds = ("num", "cat")
    score_kind = "distance"

    def statistic(self, reference: ColumnSample, current: ColumnSample) -> float:
        ref, cur = binned_shares(reference, current, fill_zeroes=True)
        return float(np.sum((ref - cur) * np.log(ref / cur)))

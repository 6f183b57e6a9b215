"""Jensen-Shannon distance (natural log) between binned shares: drift when ≥ threshold (0.1).

Example:
    >>> from skyclass.monitor.stattests import ColumnSample, get_stattest
    >>> ref = ColumnSample.categorical({"a": 600, "b": 400})
    >>> get_stattest("jensenshannon")(ref, ColumnSample.categorical({"a": 60, "b": 40})).score
    0.0
"""

from scipy.spatial.distance import jensenshannon

from skyclass.monitor.stattests._base import ColumnSample, StatTest, register
from skyclass.monitor.stattests._binning import binned_shares


@register
class JensenShannon(StatTest):
    """Jensen-Shannon distance (natural log) between binned shares: drift when ≥ threshold (0.1)."""

    name = "jensenshannon"
    default_threshold = 0.1
    kinds = ("num", "cat")
    score_kind = "distance"

    def statistic(self, reference: ColumnSample, current: ColumnSample) -> float:
        return float(jensenshannon(*binned_shares(reference, current, fill_zeroes=False)))

"""Drift tests, one module each, registered by name; ``default_stattest`` picks Evidently's default.

Adding a test is one module with one ``@register``-decorated :class:`StatTest`
subclass and one import line below; configs, validation and errors read the names
off :data:`REGISTRY`.

Evidently's rule: with at most 1000 reference rows, numeric columns with more than 5
distinct values use ``ks``; other columns use ``chisquare`` (more than 2 values) or ``z``
(2 values). With more than 1000 reference rows, numeric columns with more than 5
distinct values use ``wasserstein``, everything else ``jensenshannon``.

Example:
    >>> import numpy as np
    >>> from skyclass.monitor.stattests import ColumnSample, default_stattest
    >>> ref = ColumnSample.numeric(np.random.default_rng(0).normal(size=500))
    >>> default_stattest(ref, ref).name
    'ks'
"""

from skyclass.monitor.stattests import chisquare, jensenshannon, ks, psi, wasserstein, ztest
from skyclass.monitor.stattests._base import (
    REGISTRY,
    ColumnSample,
    StatTest,
    StatTestResult,
    get_stattest,
    register,
    stattest_names,
)

__all__ = [
    "REGISTRY",
    "ColumnSample",
    "StatTest",
    "StatTestResult",
    "chisquare",
    "default_stattest",
    "get_stattest",
    "jensenshannon",
    "ks",
    "psi",
    "register",
    "stattest_names",
    "wasserstein",
    "ztest",
]


def default_stattest(
    reference: ColumnSample,
    current: ColumnSample,
    *,
    small_reference_rows: int = 1000,
    numeric_min_unique: int = 5,
) -> StatTest:
    """Evidently's default test for this pair of samples (thresholds of the rule are settable).

    Parameters
    ----------
    reference, current : ColumnSample
        The two samples of one column.
    small_reference_rows : int
        Up to this many reference rows, the small-sample tests are used.
    numeric_min_unique : int
        More distinct values than this make a numeric column "continuous".

    Returns
    -------
    StatTest
        A new instance of the chosen test.
    """
    n_values = reference.n_unique_with(current)
    many_values = reference.kind == "num" and n_values > numeric_min_unique
    if reference.n <= small_reference_rows:
        if many_values:
            return get_stattest("ks")
        return get_stattest("chisquare" if n_values > 2 else "z")
    return get_stattest("wasserstein" if many_values else "jensenshannon")

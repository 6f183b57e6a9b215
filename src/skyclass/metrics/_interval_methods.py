"""Interval endpoints from a bootstrap distribution: BCa and percentile; Wilson for proportions.

BCa (bias-corrected and accelerated, Efron 1987) moves the percentile levels
by a bias term ``z0`` (where the estimate sits in the bootstrap distribution)
and an acceleration ``a`` (the skewness of the jackknife values), so its
coverage error shrinks like ``1/n`` instead of the percentile method's
``1/sqrt(n)``. Ties with the estimate count one half in ``z0``: accuracy-like
metrics take few distinct values on a few hundred rows, and counting ties as
"above" would bias every interval downwards.

Example:
    >>> import numpy as np
    >>> from skyclass.metrics._interval_methods import bca_bounds, wilson_interval
    >>> rng = np.random.default_rng(0)
    >>> samples = rng.normal(0.8, 0.03, 2000)
    >>> low, high = bca_bounds(samples, 0.8, np.array([0.79, 0.80, 0.81]), np.ones(3), 0.95)
    >>> bool(0.73 < low < 0.75 and 0.85 < high < 0.87)
    True
    >>> [round(v, 4) for v in wilson_interval(135, 135, 0.95)]
    [0.9723, 1.0]
"""

from __future__ import annotations

import math

import numpy as np
from scipy import special

__all__ = ["acceleration", "bca_bounds", "percentile_bounds", "wilson_interval"]


def percentile_bounds(samples: np.ndarray, confidence: float) -> tuple[float, float]:
    """The ``(1 - confidence) / 2`` and ``(1 + confidence) / 2`` quantiles of ``samples``."""
    alpha = (1 - confidence) / 2
    low, high = np.quantile(samples, [alpha, 1 - alpha])
    return float(low), float(high)


def acceleration(jack_values: np.ndarray, jack_weights: np.ndarray) -> float:
    """BCa acceleration from (weighted) jackknife values: ``sum d^3 / (6 (sum d^2)^1.5)``.

    ``jack_weights`` counts how many rows each jackknife value stands for (rows that
    share one confusion-matrix cell give the same leave-one-out value).
    """
    ok = np.isfinite(jack_values)
    values, weights = jack_values[ok], jack_weights[ok]
    if values.size < 2 or weights.sum() <= 0:
        return 0.0
    d = np.average(values, weights=weights) - values
    spread = float(np.sum(weights * d**2))
    if spread <= 0:
        return 0.0
    return float(np.sum(weights * d**3) / (6.0 * spread**1.5))


def bca_bounds(
    samples: np.ndarray,
    estimate: float,
    jack_values: np.ndarray,
    jack_weights: np.ndarray,
    confidence: float,
) -> tuple[float, float]:
    """BCa endpoints of ``samples`` (finite bootstrap values) around ``estimate``.

    Falls back to the percentile levels when the estimate lies outside the
    bootstrap distribution (``z0`` would be infinite).
    """
    below = np.count_nonzero(samples < estimate) + 0.5 * np.count_nonzero(samples == estimate)
    share = below / samples.size
    if not 0 < share < 1:
        return percentile_bounds(samples, confidence)
    z0 = float(special.ndtri(share))
    a = acceleration(jack_values, jack_weights)
    alpha = (1 - confidence) / 2
    levels = []
    for z in (special.ndtri(alpha), special.ndtri(1 - alpha)):
        shifted = z0 + z
        denom = 1 - a * shifted
        levels.append(float(special.ndtr(z0 + shifted / denom)) if denom > 0 else float(z > 0))
    low, high = np.quantile(samples, levels)
    return float(low), float(high)


def wilson_interval(successes: float, n: float, confidence: float) -> tuple[float, float]:
    """Wilson score interval for a binomial proportion (never zero-width for ``n > 0``).

    Example:
        >>> [round(v, 4) for v in wilson_interval(0, 20, 0.95)]
        [0.0, 0.1611]
    """
    if n <= 0:
        return math.nan, math.nan
    z = float(special.ndtri(1 - (1 - confidence) / 2))
    p = successes / n
    centre = (p + z * z / (2 * n)) / (1 + z * z / n)
    half = z / (1 + z * z / n) * math.sqrt(p * (1 - p) / n + z * z / (4 * n * n))
    return max(0.0, centre - half), min(1.0, centre + half)

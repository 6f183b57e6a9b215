"""The confidence interval value shared by the bootstrap and DeLong methods.

Example:
    >>> from skyclass.metrics import ConfidenceInterval
    >>> ci = ConfidenceInterval("roc_auc", 0.8, 0.7, 0.9, 0.95, "delong")
    >>> ci.to_dict()["low"], str(ci)
    (0.7, 'roc_auc 0.8000 [0.7000, 0.9000] (95% delong)')
    >>> none = ConfidenceInterval("f1_macro", 1.0, float("nan"), float("nan"), 0.95, "bca",
    ...                           note="every resample gave 1.0000")
    >>> str(none)
    'f1_macro 1.0000 (no 95% interval: every resample gave 1.0000)'
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

import numpy as np

from skyclass.errors import InputError


class UndefinedMetricError(InputError):
    """The metric has no value on the given rows (e.g. ROC AUC of a class that never occurs)."""


@dataclass(frozen=True)
class ConfidenceInterval:
    """A point estimate with a two-sided interval at level ``confidence``.

    ``std`` is the standard error (bootstrap standard deviation or DeLong's
    analytic one); ``distribution`` holds the bootstrap values (empty for DeLong).
    ``note`` explains anything unusual: why ``low``/``high`` are NaN (no interval
    could be estimated), why another method was used, or how many resamples
    were left out. ``defined`` is False when there are no bounds.

    Attributes
    ----------
    metric : str
        The metric's name (e.g. ``"roc_auc"``, ``"f1_macro"``).
    estimate : float
        The metric on the given rows (not a resampling mean).
    low, high : float
        The interval's bounds; NaN when no interval could be estimated (see ``note``).
    confidence : float
        The two-sided level in (0, 1), e.g. 0.95.
    method : str
        How the bounds were found: ``"bca"`` or ``"percentile"`` (bootstrap),
        ``"wilson"`` (accuracy whose resamples all agreed) or ``"delong"``.
    std : float, default=nan
        The standard error: bootstrap standard deviation or DeLong's analytic one.
    n_resamples : int, default=0
        Bootstrap resamples that gave a value (0 for DeLong).
    distribution : numpy.ndarray, default=empty
        The bootstrap values (empty for DeLong; left out of ``to_dict``).
    note : str, default=""
        Why the bounds are NaN, why another method was used, or how many resamples
        were left out; empty when nothing is unusual.
    """

    metric: str
    estimate: float
    low: float
    high: float
    confidence: float
    method: str
    std: float = float("nan")
    n_resamples: int = 0
    distribution: np.ndarray = field(default_factory=lambda: np.empty(0), repr=False)
    note: str = ""

    @property
    def defined(self) -> bool:
        """Whether both bounds are numbers."""
        return self.low == self.low and self.high == self.high

    def to_dict(self) -> dict[str, Any]:
        """The interval as JSON-safe fields.

        Returns
        -------
        dict
            Every field but ``distribution``; NaN becomes None, and so does an empty
            ``note``.
        """

        def clean(value: float) -> float | None:
            return None if value != value else float(value)

        return {
            "metric": self.metric,
            "estimate": clean(self.estimate),
            "low": clean(self.low),
            "high": clean(self.high),
            "confidence": self.confidence,
            "method": self.method,
            "std": clean(self.std),
            "n_resamples": self.n_resamples,
            "note": self.note or None,
        }

    def __str__(self) -> str:
        if not self.defined:
            return f"{self.metric} {self.estimate:.4f} (no {self.confidence:.0%} interval: {self.note})"
        text = (
            f"{self.metric} {self.estimate:.4f} [{self.low:.4f}, {self.high:.4f}] "
            f"({self.confidence:.0%} {self.method})"
        )
        return f"{text}; {self.note}" if self.note else text

"""Per-label counts (true positives, predicted, true, total) from which the set metrics follow.

Example:
    >>> from skyclass.metrics._counts import label_counts
    >>> from skyclass.metrics._targets import check_targets
    >>> c = label_counts(check_targets([0, 1, 1], [0, 1, 0]))
    >>> c.tp.tolist(), c.pred.tolist(), c.true.tolist(), c.total
    ([1, 1], [2, 1], [1, 2], 3)
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from skyclass.metrics._targets import Targets
from skyclass.metrics._validation import lookup


@dataclass(frozen=True, eq=False)
class LabelCounts:
    """Counts per label (weighted sums when there are sample weights)."""

    labels: np.ndarray
    tp: np.ndarray
    pred: np.ndarray
    true: np.ndarray
    total: float | int

    @property
    def fp(self) -> np.ndarray:
        return self.pred - self.tp

    @property
    def fn(self) -> np.ndarray:
        return self.true - self.tp

    @property
    def tn(self) -> np.ndarray:
        return self.total - self.tp - self.fp - self.fn


def label_counts(targets: Targets, labels: np.ndarray | None = None) -> LabelCounts:
    """Counts for ``labels`` (default: every present label, sorted); absent labels count 0."""
    present = targets.present
    yt, yp = targets.codes()
    w = targets.sample_weight
    n = len(present)
    hit = yt == yp
    tp = np.bincount(yt[hit], weights=None if w is None else w[hit], minlength=n)
    pred = np.bincount(yp, weights=w, minlength=n)
    true = np.bincount(yt, weights=w, minlength=n)
    total = len(yt) if w is None else w.sum()
    if not hit.any():  # scikit-learn's counts turn float when nothing is a true positive
        tp, pred, true = (x.astype(np.float64) for x in (tp, pred, true))
    if labels is None:
        return LabelCounts(present, tp, pred, true, total)
    idx = lookup(np.asarray(labels), present)
    found = idx >= 0

    def pick(values: np.ndarray) -> np.ndarray:
        out = np.zeros(len(idx), dtype=values.dtype)
        out[found] = values[idx[found]]
        return out

    return LabelCounts(np.asarray(labels), pick(tp), pick(pred), pick(true), total)

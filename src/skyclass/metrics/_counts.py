"""Per-label counts (true positives, predicted, true, total) from which the set metrics follow.

Example:
    >>> from skyclass.metrics._counts import label_counts
    >>> from skyclass.metrics._targets import check_targets
    >>> c = label_counts(check_targets([0, 1, 1], [0, 1, 0]))
    >>> c.tp.tolist(), c.pred.tolist(), c.true.tolist(), c.total
    ([1, 1], [2, 1], [1, 2], 3)

Integer (and boolean) sample weights are summed in int64, exactly: weights ``[2**53 + 1, 1]``
count ``2**53 + 2``, where a float sum would round. Float weights are summed in float64.
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


def weighted_bincount(codes: np.ndarray, weights: np.ndarray | None, size: int) -> np.ndarray:
    """Count (or sum ``weights`` of) each code in ``range(size)``; int64 for integer weights.

    Example:
        >>> import numpy as np
        >>> weighted_bincount(np.array([0, 0, 2]), np.array([2**53, 1, 1]), 3).tolist()
        [9007199254740993, 0, 1]
    """
    if weights is None:
        return np.bincount(codes, minlength=size)
    if weights.dtype.kind in "biu":
        out = np.zeros(size, dtype=np.int64)
        np.add.at(out, codes, weights.astype(np.int64))
        return out
    return np.bincount(codes, weights=weights, minlength=size)


def label_counts(targets: Targets, labels: np.ndarray | None = None) -> LabelCounts:
    """Counts for ``labels`` (default: every present label, sorted); absent labels count 0."""
    present = targets.present
    yt, yp = targets.codes()
    w = targets.sample_weight
    n = len(present)
    hit = yt == yp
    tp = weighted_bincount(yt[hit], None if w is None else w[hit], n)
    pred = weighted_bincount(yp, w, n)
    true = weighted_bincount(yt, w, n)
    total = len(yt) if w is None else weighted_bincount(np.zeros(len(w), np.intp), w, 1)[0]
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

"""The one-pass engine behind ``evaluate``: one sort per probability column gives everything.

For column ``c`` (scores of class ``c``), sorting once yields

* the one-vs-rest ROC and precision-recall curves of class ``c`` (counts at every
  distinct threshold), hence its ROC AUC and average precision, and
* ``S[c, b]`` = sum over samples ``y`` of class ``b`` of the weight of class-``c``
  samples scored above ``y`` (ties count half), i.e. the Mann-Whitney statistic of
  class ``c`` against every other class ``b`` on column ``c``. One-vs-one AUC for the
  pair (a, b) is then ``(S[a, b] / (W_a W_b) + S[b, a] / (W_b W_a)) / 2``: all
  ``k (k - 1) / 2`` pairs from ``k`` sorts, no per-pair re-sorting.

Example:
    >>> import numpy as np
    >>> from skyclass.metrics._engine import column_pass
    >>> col = column_pass(np.array([0.9, 0.2, 0.6]), np.array([0, 1, 0]), None, 0, 2)
    >>> col.pairwise.tolist()
    [2.0, 2.0]
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np


@dataclass(frozen=True)
class ColumnPass:
    """What one sorted column yields (all counts weighted when weights are given)."""

    fps: np.ndarray  # false positives at each distinct threshold (highest first)
    tps: np.ndarray  # true positives at each distinct threshold
    thresholds: np.ndarray  # the distinct scores, highest first
    pairwise: np.ndarray  # S[c, b] for every class b (see module docstring)


def column_pass(
    score: np.ndarray, codes: np.ndarray, weight: np.ndarray | None, c: int, k: int
) -> ColumnPass:
    """Sort ``score`` once and derive class ``c``'s curves and Mann-Whitney sums."""
    order = np.argsort(score)[::-1]
    s = score[order]
    lab = codes[order]
    pos = lab == c
    last = np.r_[np.flatnonzero(s[1:] != s[:-1]), s.shape[0] - 1]
    if weight is None:
        cum_pos = np.cumsum(pos, dtype=np.float64)
        tps = cum_pos[last]
        fps = 1 + last.astype(np.float64) - tps
        w = None
    else:
        w = weight[order].astype(np.float64, copy=False)
        pos_w = pos * w
        cum_pos = np.cumsum(pos_w)
        tps = cum_pos[last]
        fps = np.cumsum(w - pos_w)[last]
    # positives strictly above each group, and inside it: (above + same / 2) = (start + end) / 2
    end = tps
    start = np.r_[0.0, end[:-1]]
    per_group = (start + end) * 0.5
    group = np.repeat(np.arange(last.shape[0]), np.diff(np.r_[-1, last]))
    contrib = per_group[group]
    if w is not None:
        contrib *= w
    pairwise = np.bincount(lab, weights=contrib, minlength=k)
    return ColumnPass(fps, tps, s[last], pairwise)

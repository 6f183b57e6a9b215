"""The one-pass engine behind ``evaluate``: one sort per probability column gives everything.

For column ``c`` (the scores of class ``c``), one sort yields

* the one-vs-rest ROC and precision-recall curves of class ``c`` (counts at every
  distinct threshold), hence its ROC AUC and average precision, and
* ``pairwise[b]`` = sum over samples ``y`` of class ``b`` of the weight of class-``c``
  samples scored above ``y`` on column ``c`` (ties count half): the Mann-Whitney
  statistic of class ``c`` against each other class ``b``. The one-vs-one AUC of the pair
  (a, b) is ``(S[a, b] + S[b, a]) / (2 W_a W_b)``: all ``k (k - 1) / 2`` pairs from
  ``k`` sorts, no per-pair re-sorting.

Example:
    >>> import numpy as np
    >>> from skyclass.metrics._engine import column_pass
    >>> r = column_pass(np.array([0.9, 0.2, 0.6]), np.array([0, 1, 0]), None, 0, 2, None)
    >>> float(r.pairwise[1]), r.roc_auc, r.average_precision
    (2.0, 1.0, 1.0)
"""

from __future__ import annotations

import math
from dataclasses import dataclass

import numpy as np

from skyclass.metrics._curve import Curve


@dataclass(frozen=True, eq=False)
class ClassPass:
    """What one sorted column yields for its class (weighted when weights are given)."""

    roc: Curve  # scikit-learn's roc_curve(drop_intermediate=True), or at most max_points
    pr: Curve  # scikit-learn's precision_recall_curve(), or at most max_points
    roc_auc: float  # from the full curve; NaN when the class is absent or is everything
    average_precision: float
    pairwise: np.ndarray  # see module docstring


def column_pass(
    score: np.ndarray,
    codes: np.ndarray,
    weight: np.ndarray | None,
    c: int,
    k: int,
    max_points: int | None,
) -> ClassPass:
    """Sort ``score`` once and derive class ``c``'s curves, AUC, AP and Mann-Whitney sums."""
    score = np.ascontiguousarray(score)  # a contiguous column gathers faster
    order = np.argsort(score)[::-1]
    s = score[order]
    lab = codes[order]
    w = None if weight is None else weight[order].astype(np.float64, copy=False)
    del order
    n = s.shape[0]
    change = s[1:] != s[:-1]
    last = None if change.all() else np.append(np.flatnonzero(change), n - 1)
    del change
    pos = lab == c
    if w is None:
        cum = np.cumsum(pos, dtype=np.float64)
    else:
        pos_w = np.where(pos, w, 0.0)
        cum = np.cumsum(pos_w)
    # unweighted, untied: each positive is one recall step of precision cum[i] / (i + 1)
    hits = np.flatnonzero(pos) if w is None and last is None else None
    del pos
    if last is None:  # no ties: every sample is its own threshold
        tps = cum
        contrib = cum if w is None else cum * w
    else:
        tps = cum[last]
        start = np.empty_like(tps)
        start[0] = 0.0
        start[1:] = tps[:-1]
        contrib = np.repeat((start + tps) * 0.5, np.diff(last, prepend=-1))
        del start
        if w is not None:
            contrib *= w
    pairwise = np.bincount(lab, weights=contrib, minlength=k)
    del contrib, lab
    if w is None:
        ends = np.arange(1, n + 1, dtype=np.float64) if last is None else last + 1.0
        fps = ends - tps
        del ends
    else:
        neg = np.cumsum(w - pos_w)
        fps = neg if last is None else neg[last]
        del neg, pos_w
    thresholds = s if last is None else s[last]
    del s, cum
    total_pos, total_neg = tps[-1], fps[-1]
    if total_pos > 0 and total_neg > 0:
        others = pairwise.copy()
        others[c] = 0.0
        roc_auc = float(others.sum() / (total_pos * total_neg))
    else:
        roc_auc = math.nan
    if hits is not None:
        ap = float(np.sum(tps[hits] / (hits + 1.0)) / total_pos) if total_pos > 0 else 0.0
    else:
        ap = _average_precision(fps, tps)
    if max_points is not None:
        keep = _spread(fps, tps, max_points - 1)
        fps, tps, thresholds = fps[keep], tps[keep], thresholds[keep]
    return ClassPass(_roc(fps, tps, thresholds), _pr(fps, tps, thresholds), roc_auc, ap, pairwise)


def _average_precision(fps: np.ndarray, tps: np.ndarray) -> float:
    """Sum over thresholds of (recall step) x precision, as scikit-learn's (no interpolation)."""
    if tps[-1] == 0:
        return 0.0
    precision = tps / (tps + fps)
    area = tps[0] * precision[0] + np.sum(np.diff(tps) * precision[1:])  # no BLAS threads
    return float(max(0.0, area / tps[-1]))


def _spread(fps: np.ndarray, tps: np.ndarray, n_points: int) -> np.ndarray:
    """Indices of about ``n_points`` thresholds evenly spread along the ROC polyline."""
    if fps.shape[0] <= n_points:
        return np.arange(fps.shape[0])
    walked = fps / fps[-1] if fps[-1] > 0 else np.zeros_like(fps)
    if tps[-1] > 0:
        walked = walked + tps / tps[-1]
    idx = np.searchsorted(walked, np.linspace(0.0, walked[-1], n_points), side="left")
    idx = np.unique(np.minimum(idx, fps.shape[0] - 1))
    idx[-1] = fps.shape[0] - 1
    return np.unique(idx)


def _roc(fps: np.ndarray, tps: np.ndarray, thresholds: np.ndarray) -> Curve:
    """scikit-learn's ``roc_curve(..., drop_intermediate=True)`` from the counts."""
    if fps.shape[0] > 2:
        keep = np.empty(fps.shape[0], dtype=bool)
        keep[0] = keep[-1] = True
        np.logical_or(np.diff(fps, 2), np.diff(tps, 2), out=keep[1:-1])
        fps, tps, thresholds = fps[keep], tps[keep], thresholds[keep]
    fps = np.concatenate(([0.0], fps))
    tps = np.concatenate(([0.0], tps))
    thr = np.concatenate(([np.inf], thresholds.astype(np.float64)))
    fpr = fps / fps[-1] if fps[-1] > 0 else np.full(fps.shape, np.nan)
    tpr = tps / tps[-1] if tps[-1] > 0 else np.full(tps.shape, np.nan)
    return Curve("roc", fpr, tpr, thr)


def _pr(fps: np.ndarray, tps: np.ndarray, thresholds: np.ndarray) -> Curve:
    """scikit-learn's ``precision_recall_curve(...)`` from the counts."""
    ps = tps + fps
    precision = np.where(ps != 0, tps / np.where(ps != 0, ps, 1.0), 0.0)
    recall = tps / tps[-1] if tps[-1] != 0 else np.ones(tps.shape)
    precision = np.concatenate((precision[::-1], [1.0]))
    recall = np.concatenate((recall[::-1], [0.0]))
    return Curve("pr", recall, precision, thresholds[::-1])


def ovo_auc(pairwise: np.ndarray, class_weight: np.ndarray) -> tuple[float, float]:
    """(macro, prevalence-weighted) one-vs-one AUC from the k x k Mann-Whitney sums.

    Pair (a, b) scores ``(S[a, b] / (W_a W_b) + S[b, a] / (W_a W_b)) / 2``; only classes
    present (``class_weight > 0``) form pairs, as in scikit-learn.
    """
    present = np.flatnonzero(class_weight > 0)
    if present.shape[0] < 2:
        return math.nan, math.nan
    sums = pairwise[np.ix_(present, present)]
    sizes = class_weight[present]
    both = np.outer(sizes, sizes)
    pair_auc = (sums / both + sums.T / both) / 2
    upper = np.triu_indices(present.shape[0], 1)
    scores = pair_auc[upper]
    prevalence = (sizes[:, None] + sizes[None, :])[upper] / class_weight.sum()
    return float(np.mean(scores)), float(np.average(scores, weights=prevalence))

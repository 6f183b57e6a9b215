"""The shared core of ROC and precision-recall curves: counts at every distinct threshold.

Example:
    >>> import numpy as np
    >>> from skyclass.metrics._binary_curve import clf_curve
    >>> fps, tps, thr = clf_curve(np.array([0, 1, 1]), np.array([0.1, 0.4, 0.8]))
    >>> fps.tolist(), tps.tolist(), thr.tolist()
    ([0.0, 0.0, 1.0], [1.0, 2.0, 2.0], [0.8, 0.4, 0.1])
"""

from __future__ import annotations

import numpy as np

from skyclass.errors import InputError
from skyclass.metrics._validation import as_labels, as_scores, as_weights, check_lengths


def clf_curve(
    positive: np.ndarray, score: np.ndarray, weight: np.ndarray | None = None
) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """False/true positive (weighted) counts at each distinct score, highest score first."""
    if weight is not None:
        keep = weight != 0
        positive, score, weight = positive[keep], score[keep], weight[keep]
    order = np.argsort(score)[::-1]
    score = score[order]
    pos = positive[order].astype(np.float64)
    idx = np.r_[np.flatnonzero(np.diff(score)), score.shape[0] - 1]
    if weight is None:
        tps = np.cumsum(pos)[idx]
        fps = 1 + idx.astype(np.float64) - tps
    else:
        w = weight[order].astype(np.float64)
        tps = np.cumsum(pos * w)[idx]
        fps = np.cumsum((1 - pos) * w)[idx]
    return fps, tps, score[idx]


def single_score_column(score: np.ndarray, target: str, fix: str) -> np.ndarray:
    """``score`` as 1-D: a one-column matrix is flattened, a wider one is an InputError.

    The message reads ``y_score must be 1-D for <target>; got shape <shape>. <fix>``.
    """
    if score.ndim == 2:
        if score.shape[1] != 1:
            raise InputError(f"y_score must be 1-D for {target}; got shape {score.shape}. {fix}")
        score = score[:, 0]
    return score


def resolve_pos_label(y_true: np.ndarray, pos_label: object) -> object:
    """``pos_label`` or, when None, 1 for labels in {0, 1} / {-1, 1}; raise otherwise."""
    if pos_label is not None:
        return pos_label
    classes = np.unique(y_true)
    ok = classes.dtype.kind not in "OUS" and classes.shape[0] <= 2
    if ok:
        values = set(classes.tolist())
        ok = values in ({0, 1}, {-1, 1}, {0}, {-1}, {1})
    if not ok:
        shown = ", ".join(repr(c) for c in classes.tolist())
        raise InputError(
            f"y_true takes value in {{{shown}}} and pos_label is not specified: either make "
            "y_true take value in {0, 1} or {-1, 1} or pass pos_label explicitly."
        )
    return 1.0


def binary_inputs(y_true, y_score, sample_weight, pos_label):
    """Validated (positive mask, 1-D scores, weights) for a binary curve."""
    yt = as_labels(y_true, "y_true")
    score = single_score_column(
        as_scores(y_score, "y_score", keep_dtype=True),
        "a binary target (the positive class's score)",
        "Pass the column of the positive class, e.g. y_score[:, 1].",
    )
    check_lengths(y_true=yt, y_score=score, sample_weight=sample_weight)
    weights = as_weights(sample_weight, len(yt))
    n_classes = len(np.unique(yt))
    if not (n_classes <= 2 or pos_label is not None):
        raise InputError(
            f"y_true has {n_classes} classes (multiclass format is not supported); pass "
            "pos_label to score one class against the rest."
        )
    pos_label = resolve_pos_label(yt, pos_label)
    return yt == pos_label, score, weights

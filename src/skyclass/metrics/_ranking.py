"""Score-based (ranking) metrics with scikit-learn 1.9's names, signatures and results.

Example:
    >>> from skyclass.metrics import roc_auc_score
    >>> roc_auc_score([0, 0, 1, 1], [0.1, 0.4, 0.35, 0.8])
    0.75
"""

from __future__ import annotations

import math
import warnings
from typing import Any

import numpy as np
from numpy.typing import ArrayLike

from skyclass.errors import InputError
from skyclass.metrics._binary_curve import binary_inputs, clf_curve, single_score_column
from skyclass.metrics._docstrings import shared_parameters
from skyclass.metrics._engine import column_pass, ovo_auc
from skyclass.metrics._params import validate_params
from skyclass.metrics._targets import as_label_list
from skyclass.metrics._validation import (
    NotSupportedError,
    as_labels,
    as_scores,
    as_weights,
    check_lengths,
    encode,
    require_nonzero,
)
from skyclass.metrics._warnings import UndefinedMetricWarning


@validate_params
@shared_parameters
def roc_curve(
    y_true: ArrayLike,
    y_score: ArrayLike,
    *,
    pos_label: int | float | bool | str | None = None,
    sample_weight: ArrayLike | None = None,
    drop_intermediate: bool = True,
) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Receiver operating characteristic: (fpr, tpr, thresholds), thresholds[0] = inf.

    Parameters
    ----------
    {y_true}
    {curve_y_score}
    {curve_pos_label}
    {sample_weight}
    drop_intermediate : bool, default=True
        Drop thresholds that are not corners of the ROC curve.

    Returns
    -------
    fpr, tpr : numpy.ndarray
        False and true positive rates, increasing.
    thresholds : numpy.ndarray
        Decreasing score thresholds (float64); ``thresholds[0]`` is ``inf``.

    Example:
        >>> fpr, tpr, thr = roc_curve([0, 0, 1, 1], [0.1, 0.4, 0.35, 0.8])
        >>> fpr.tolist(), tpr.tolist()
        ([0.0, 0.0, 0.5, 0.5, 1.0], [0.0, 0.5, 0.5, 1.0, 1.0])
    """
    positive, score, weight = binary_inputs(y_true, y_score, sample_weight, pos_label)
    fps, tps, thresholds = clf_curve(positive, score, weight)
    return _roc_from_counts(fps, tps, thresholds, drop_intermediate)


def _roc_from_counts(fps, tps, thresholds, drop_intermediate):
    if drop_intermediate and fps.shape[0] > 2:
        keep = np.r_[True, np.logical_or(np.diff(fps, 2), np.diff(tps, 2)), True]
        fps, tps, thresholds = fps[keep], tps[keep], thresholds[keep]
    tps = np.r_[0.0, tps]
    fps = np.r_[0.0, fps]
    thresholds = np.r_[np.inf, thresholds.astype(np.float64)]
    if fps[-1] <= 0:
        warnings.warn(
            "No negative samples in y_true, false positive value should be meaningless",
            UndefinedMetricWarning,
            stacklevel=3,
        )
        fpr = np.full(fps.shape, np.nan)
    else:
        fpr = fps / fps[-1]
    if tps[-1] <= 0:
        warnings.warn(
            "No positive samples in y_true, true positive value should be meaningless",
            UndefinedMetricWarning,
            stacklevel=3,
        )
        tpr = np.full(tps.shape, np.nan)
    else:
        tpr = tps / tps[-1]
    return fpr, tpr, thresholds


@validate_params
@shared_parameters
def precision_recall_curve(
    y_true: ArrayLike,
    y_score: ArrayLike,
    *,
    pos_label: int | float | bool | str | None = None,
    sample_weight: ArrayLike | None = None,
    drop_intermediate: bool = False,
) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Precision-recall pairs for every threshold: (precision, recall, thresholds).

    Parameters
    ----------
    {y_true}
    {curve_y_score}
    {curve_pos_label}
    {sample_weight}
    drop_intermediate : bool, default=False
        Drop thresholds where only the precision changes.

    Returns
    -------
    precision, recall : numpy.ndarray
        At each threshold, ending with precision 1 and recall 0.
    thresholds : numpy.ndarray
        Increasing score thresholds, in the dtype of ``y_score``.

    Example:
        >>> p, r, t = precision_recall_curve([0, 0, 1, 1], [0.1, 0.4, 0.35, 0.8])
        >>> [round(v, 3) for v in p.tolist()], r.tolist()
        ([0.5, 0.667, 0.5, 1.0, 1.0], [1.0, 1.0, 0.5, 0.5, 0.0])
    """
    positive, score, weight = binary_inputs(y_true, y_score, sample_weight, pos_label)
    fps, tps, thresholds = clf_curve(positive, score, weight)
    return _pr_from_counts(fps, tps, thresholds, drop_intermediate)


def _pr_from_counts(fps, tps, thresholds, drop_intermediate):
    if drop_intermediate and fps.shape[0] > 2:
        keep = np.r_[True, np.logical_or(np.diff(tps[:-1]), np.diff(tps[1:])), True]
        fps, tps, thresholds = fps[keep], tps[keep], thresholds[keep]
    ps = tps + fps
    precision = np.where(ps != 0, tps / np.where(ps != 0, ps, 1.0), 0.0)
    if tps[-1] == 0:
        warnings.warn(
            "No positive class found in y_true, recall is set to one for all thresholds.",
            UserWarning,
            stacklevel=3,
        )
        recall = np.ones(tps.shape)
    else:
        recall = tps / tps[-1]
    return np.r_[precision[::-1], 1.0], np.r_[recall[::-1], 0.0], thresholds[::-1]


@validate_params
@shared_parameters
def auc(
    x: ArrayLike,
    y: ArrayLike,
) -> float:
    """Area under a curve by the trapezoidal rule (x monotonic).

    Parameters
    ----------
    x : array-like of shape (n,)
        x coordinates, monotonic (increasing or decreasing).
    y : array-like of shape (n,)
        y coordinates.

    Returns
    -------
    area : float
        The trapezoidal area under (x, y).

    Example:
        >>> auc([0, 0.5, 1], [0, 1, 1])
        0.75
    """
    x = np.asarray(x, dtype=np.float64).ravel()
    y = np.asarray(y, dtype=np.float64).ravel()
    check_lengths(x=x, y=y)
    if x.shape[0] < 2:
        raise InputError(
            f"At least 2 points are needed to compute area under curve, but x.shape = {x.shape}"
        )
    dx = np.diff(x)
    direction = 1
    if np.any(dx < 0):
        if np.all(dx <= 0):
            direction = -1
        else:
            raise InputError(f"x is neither increasing nor decreasing : {x}.")
    return float(direction * np.trapezoid(y, x))


def _binary_auc(positive, score, weight=None, max_fpr=None) -> float:
    if positive.all() or not positive.any():
        warnings.warn(
            "Only one class is present in y_true. ROC AUC score is not defined in that case.",
            UndefinedMetricWarning,
            stacklevel=3,
        )
        return math.nan
    require_nonzero(weight)
    fps, tps, thr = clf_curve(positive, score, weight)
    fpr, tpr, _ = _roc_from_counts(fps, tps, thr, True)
    if max_fpr is None or max_fpr == 1:
        return auc(fpr, tpr)
    if max_fpr <= 0 or max_fpr > 1:
        raise InputError(f"Expected max_fpr in range (0, 1], got: {max_fpr!r}")
    stop = np.searchsorted(fpr, max_fpr, "right")
    x_interp = [fpr[stop - 1], fpr[stop]]
    y_interp = [tpr[stop - 1], tpr[stop]]
    tpr = np.append(tpr[:stop], np.interp(max_fpr, x_interp, y_interp))
    fpr = np.append(fpr[:stop], max_fpr)
    partial = auc(fpr, tpr)
    min_area = 0.5 * max_fpr**2
    return float(0.5 * (1 + (partial - min_area) / (max_fpr - min_area)))


def _binary_ap(positive, score, weight=None) -> float:
    require_nonzero(weight)
    fps, tps, thr = clf_curve(positive, score, weight)
    precision, recall, _ = _pr_from_counts(fps, tps, thr, False)
    return float(max(0.0, -np.sum(np.diff(recall) * precision[:-1])))


def _average_columns(metric, indicator, score, average, weight):
    """scikit-learn's ``_average_binary_score`` for an indicator matrix."""
    if average == "samples":  # one score per row (over its labels), rows weighted
        rows = [metric(indicator[i], score[i], None) for i in range(indicator.shape[0])]
        return float(np.average(np.asarray(rows, dtype=np.float64), weights=weight))
    if average == "micro":
        w = None if weight is None else np.repeat(weight, indicator.shape[1])
        return metric(indicator.ravel(), score.ravel(), w)
    avg_weight = None
    if average == "weighted":
        if weight is None:
            avg_weight = indicator.sum(axis=0).astype(np.float64)
        else:
            avg_weight = (indicator * weight.reshape(-1, 1)).sum(axis=0)
        if np.isclose(avg_weight.sum(), 0):
            return 0
    scores = np.array(
        [metric(indicator[:, c], score[:, c], weight) for c in range(indicator.shape[1])],
        dtype=np.float64,
    )
    if average is None:
        return scores
    if avg_weight is not None:
        scores[avg_weight == 0] = 0
    return float(np.average(scores, weights=avg_weight))


def _indicator(y_true, score: np.ndarray) -> np.ndarray | None:
    """A multilabel indicator ``y_true`` (2-D, 0/1, one column per label) or None."""
    arr = y_true.to_numpy() if hasattr(y_true, "to_numpy") else np.asarray(y_true)
    if arr.ndim != 2 or arr.shape[1] < 2:
        return None
    if arr.dtype.kind not in "biuf" or not np.isin(arr, (0, 1)).all():
        raise InputError(
            f"y_true is 2-D (shape {arr.shape}) but not a 0/1 label indicator matrix; "
            "multiclass-multioutput targets are not supported: pass one label per row."
        )
    if score.shape != arr.shape:
        raise InputError(
            f"y_score has shape {score.shape} but the indicator y_true has shape {arr.shape}; "
            "pass one score column per label column."
        )
    return arr.astype(np.int64)


@validate_params
@shared_parameters
def roc_auc_score(
    y_true: ArrayLike,
    y_score: ArrayLike,
    *,
    average: str | None = "macro",
    sample_weight: ArrayLike | None = None,
    max_fpr: float | None = None,
    multi_class: str = "raise",
    labels: ArrayLike | None = None,
) -> Any:
    """Area under the ROC curve: binary, or multiclass one-vs-rest / one-vs-one.

    Parameters
    ----------
    y_true : array-like of shape (n_samples,) or (n_samples, n_labels)
        True labels (or a 0/1 indicator matrix, one binary AUC per column).
    y_score : array-like of shape (n_samples,) or (n_samples, n_classes)
        Positive-class scores (binary) or class probabilities (multiclass).
    average : {'micro', 'macro', 'weighted', 'samples'} or None, default='macro'
        How per-class (or per-pair) AUCs are combined.
    {sample_weight}
    max_fpr : float in (0, 1], default=None
        Binary only: the McClish-standardised partial AUC up to this false positive rate.
    multi_class : {'raise', 'ovr', 'ovo'}, default='raise'
        Multiclass scheme: one-vs-rest, one-vs-one (Hand & Till), or raise.
    labels : array-like, default=None
        Multiclass: the classes, in the order of the columns of ``y_score``.

    Returns
    -------
    auc : float or numpy.ndarray
        The (averaged) area under the ROC curve; per class with ``average=None``.

    Example:
        >>> import numpy as np
        >>> proba = np.array([[0.7, 0.2, 0.1], [0.2, 0.6, 0.2], [0.1, 0.3, 0.6], [0.3, 0.4, 0.3]])
        >>> roc_auc_score([0, 1, 2, 1], proba, multi_class="ovr")
        1.0
    """
    score = as_scores(y_score, "y_score")
    indicator = _indicator(y_true, score)
    if indicator is not None:  # multilabel: one binary AUC per column
        weight = as_weights(sample_weight, len(indicator), allow_all_zero=True)
        return _average_columns(
            lambda p, s, w: _binary_auc(p.astype(bool), s, w, max_fpr),
            indicator,
            score,
            average,
            weight,
        )
    yt = as_labels(y_true, "y_true")
    classes_present = np.unique(yt)
    multiclass = len(classes_present) > 2 or (score.ndim == 2 and score.shape[1] > 2)
    if multiclass and multi_class == "ovo" and sample_weight is not None:
        raise InputError(
            "sample_weight is not supported for multiclass one-vs-one ROC AUC, "
            "'sample_weight' must be None in this case."
        )
    check_lengths(y_true=yt, y_score=score, sample_weight=sample_weight)
    weight = as_weights(sample_weight, len(yt), allow_all_zero=True)
    if not multiclass:
        positive = (
            yt == classes_present[-1] if len(classes_present) == 2 else np.zeros_like(yt, bool)
        )
        score = single_score_column(
            score,
            f"a binary y_true (the score of class {classes_present[-1]!r})",
            "Pass y_score[:, 1].",
        )
        return _binary_auc(positive, score, weight, max_fpr)
    if max_fpr is not None and max_fpr != 1.0:
        raise InputError(
            "Partial AUC computation not available in multiclass setting, 'max_fpr' must be "
            f"set to `None`, received `max_fpr={max_fpr}` instead"
        )
    if multi_class == "raise":
        raise InputError("multi_class must be in ('ovo', 'ovr') for a multiclass y_true")
    if score.ndim != 2:
        raise InputError(
            "`y_score` needs to be of shape `(n_samples, n_classes)`, since `y_true` contains "
            f"multiple classes. Got `y_score.shape={score.shape}`."
        )
    if not np.allclose(1, score.sum(axis=1)):
        raise InputError(
            "Target scores need to be probabilities for multiclass roc_auc, i.e. they should "
            "sum up to 1.0 over classes (y_score rows)"
        )
    options = ("macro", "weighted", None)
    if multi_class == "ovr":
        options = ("micro",) + options
    if average not in options:
        raise InputError(f"average must be one of {options} for multiclass problems")
    if average is None and multi_class == "ovo":
        raise NotSupportedError("average=None is not implemented for multi_class='ovo'.")
    classes = _class_list(yt, labels, score.shape[1])
    if multi_class == "ovo":
        return _ovo_auc(encode(yt, classes, "y_true"), score, average)
    indicator = (yt[:, None] == classes[None, :]).astype(np.int64)
    return _average_columns(
        lambda p, s, w: _binary_auc(p.astype(bool), s, w), indicator, score, average, weight
    )


def _class_list(yt, labels, n_columns) -> np.ndarray:
    if labels is not None:
        labels = as_label_list(labels)
        classes = np.unique(labels)
        if len(classes) != len(labels):
            raise InputError("Parameter 'labels' must be unique")
        if not np.array_equal(classes, labels):
            raise InputError("Parameter 'labels' must be ordered")
        if len(classes) != n_columns:
            raise InputError(
                f"Number of given labels, {len(classes)}, not equal to the number of columns "
                f"in 'y_score', {n_columns}"
            )
        if len(np.setdiff1d(yt, classes)):
            raise InputError("'y_true' contains labels not in parameter 'labels'")
        return classes
    classes = np.unique(yt)
    if len(classes) != n_columns:
        raise InputError(
            f"Number of classes in y_true ({len(classes)}) not equal to the number of columns "
            f"in 'y_score' ({n_columns}); pass labels= with every class, in column order."
        )
    return classes


def _ovo_auc(codes: np.ndarray, score: np.ndarray, average) -> float:
    """One-vs-one AUC from k sorts (one per column) instead of k (k - 1) re-sorts."""
    k = score.shape[1]
    pairwise = np.stack([column_pass(score[:, c], codes, None, c, k, 2).pairwise for c in range(k)])
    macro, weighted = ovo_auc(pairwise, np.bincount(codes, minlength=k).astype(np.float64))
    return weighted if average == "weighted" else macro


@validate_params
@shared_parameters
def average_precision_score(
    y_true: ArrayLike,
    y_score: ArrayLike,
    *,
    average: str | None = "macro",
    pos_label: int | float | bool | str | None = 1,
    sample_weight: ArrayLike | None = None,
) -> Any:
    """Average precision: area under the step precision-recall curve (no interpolation).

    Parameters
    ----------
    y_true : array-like of shape (n_samples,) or (n_samples, n_labels)
        True labels (or a 0/1 indicator matrix).
    y_score : array-like of shape (n_samples,) or (n_samples, n_classes)
        Scores of the positive class, or one column per class.
    average : {'micro', 'macro', 'weighted', 'samples'} or None, default='macro'
        How per-class scores are combined (multiclass / indicator targets).
    pos_label : int, float, bool or str, default=1
        The positive class of a binary target.
    {sample_weight}

    Returns
    -------
    average_precision : float or numpy.ndarray
        Per class with ``average=None``.

    Example:
        >>> round(average_precision_score([0, 0, 1, 1], [0.1, 0.4, 0.35, 0.8]), 4)
        0.8333
    """
    score = as_scores(y_score, "y_score")
    indicator = _indicator(y_true, score)
    if indicator is not None:  # multilabel: one binary AP per column
        if pos_label != 1:
            raise InputError(
                "Parameter pos_label is fixed to 1 for multilabel-indicator y_true. "
                "Do not set pos_label or set pos_label to 1."
            )
        weight = as_weights(sample_weight, len(indicator), allow_all_zero=True)
        return _average_columns(
            lambda p, s, w: _binary_ap(p.astype(bool), s, w), indicator, score, average, weight
        )
    yt = as_labels(y_true, "y_true")
    check_lengths(y_true=yt, y_score=score, sample_weight=sample_weight)
    weight = as_weights(sample_weight, len(yt), allow_all_zero=True)
    present = np.unique(yt)
    if len(present) <= 2:
        if present.shape[0] == 2 and pos_label not in present:
            raise InputError(
                f"pos_label={pos_label} is not a valid label. It should be one of "
                f"{present.tolist()}"
            )
        score = single_score_column(
            score, "a binary y_true", "Pass the positive class's column, e.g. y_score[:, 1]."
        )
        return _binary_ap(yt == pos_label, score, weight)
    if pos_label != 1:
        raise InputError(
            "Parameter pos_label is fixed to 1 for multiclass y_true. "
            "Do not set pos_label or set pos_label to 1."
        )
    indicator = (yt[:, None] == present[None, :]).astype(np.int64)
    if score.shape != indicator.shape:
        raise InputError(
            "`y_score` needs to be of shape `(n_samples, n_classes)`, since `y_true` contains "
            f"multiple classes. Got `y_score.shape={score.shape}`."
        )
    return _average_columns(
        lambda p, s, w: _binary_ap(p.astype(bool), s, w), indicator, score, average, weight
    )


@validate_params
@shared_parameters
def top_k_accuracy_score(
    y_true: ArrayLike,
    y_score: ArrayLike,
    *,
    k: int = 2,
    normalize: bool = True,
    sample_weight: ArrayLike | None = None,
    labels: ArrayLike | None = None,
) -> float:
    """Share of samples whose true label is among the k highest scores.

    Parameters
    ----------
    {y_true}
    y_score : array-like of shape (n_samples,) or (n_samples, n_classes)
        Scores, one column per class (or the positive-class score for binary).
    k : int >= 1, default=2
        How many of the highest-scored classes count as a hit.
    normalize : bool, default=True
        True: the share of hits; False: their (weighted) count.
    {sample_weight}
    labels : array-like, default=None
        The classes in the order of the columns of ``y_score``.

    Returns
    -------
    top_k_accuracy : float
        The share (or count) of rows whose true label is among the top k.

    Example:
        >>> import numpy as np
        >>> scores = np.array([[0.5, 0.2, 0.2], [0.3, 0.4, 0.2], [0.2, 0.4, 0.3], [0.7, 0.2, 0.1]])
        >>> top_k_accuracy_score([0, 1, 2, 2], scores, k=2)
        0.75
    """
    yt = as_labels(y_true, "y_true")
    kind = "binary" if len(np.unique(yt)) <= 2 else "multiclass"
    if kind == "binary" and labels is not None and len(labels) > 2:
        kind = "multiclass"
    score = as_scores(y_score, "y_score")
    if kind == "binary":
        if score.ndim == 2 and score.shape[1] != 1:
            raise InputError(
                f"`y_true` is binary while y_score is 2d with {score.shape[1]} classes. If "
                "`y_true` does not contain all the labels, `labels` must be provided."
            )
        score = score.ravel()
    elif score.ndim != 2:
        raise InputError(
            "`y_score` needs to be of shape `(n_samples, n_classes)`, since `y_true` contains "
            f"multiple classes. Got `y_score.shape={score.shape}`."
        )
    check_lengths(y_true=yt, y_score=score, sample_weight=sample_weight)
    weight = as_weights(sample_weight, len(yt))
    n_score_classes = score.shape[1] if score.ndim == 2 else 2
    if labels is None:
        classes = np.unique(yt)
        if len(classes) != n_score_classes:
            raise InputError(
                f"Number of classes in 'y_true' ({len(classes)}) not equal to the number of "
                f"classes in 'y_score' ({n_score_classes}).You can provide a list of all known "
                "classes by assigning it to the `labels` parameter."
            )
    else:
        labels = as_label_list(labels)
        classes = np.unique(labels)
        if len(classes) != len(labels):
            raise InputError("Parameter 'labels' must be unique.")
        if not np.array_equal(classes, labels):
            raise InputError("Parameter 'labels' must be ordered.")
        if len(classes) != n_score_classes:
            raise InputError(
                f"Number of given labels ({len(classes)}) not equal to the number of classes "
                f"in 'y_score' ({n_score_classes})."
            )
        if len(np.setdiff1d(yt, classes)):
            raise InputError("'y_true' contains labels not in parameter 'labels'.")
    if k >= len(classes):
        warnings.warn(
            f"'k' ({k}) greater than or equal to 'n_classes' ({len(classes)}) will result in a "
            "perfect score and is therefore meaningless.",
            UndefinedMetricWarning,
            stacklevel=2,
        )
    codes = encode(yt, classes, "y_true")
    if kind == "binary":
        if k == 1:
            threshold = 0.5 if score.min() >= 0 and score.max() <= 1 else 0
            hits = (score > threshold).astype(np.int64) == codes
        else:
            hits = np.ones_like(score, dtype=bool)
    else:
        hits = top_k_hits(score, codes, k)
    if normalize:
        return float(np.average(hits, weights=weight))
    if weight is None:
        return float(np.sum(hits))
    return float(np.dot(hits, weight))


def top_k_hits(score: np.ndarray, codes: np.ndarray, k: int) -> np.ndarray:
    """True where class ``codes[i]`` is among the k top columns of row i.

    Ties are broken like scikit-learn (stable ascending sort, reversed): among equal
    scores the higher column index ranks first.
    """
    own = score[np.arange(score.shape[0]), codes]
    ahead = np.zeros(score.shape[0], dtype=np.int64)
    for j in range(score.shape[1]):
        col = score[:, j]
        ahead += (col > own) | ((col == own) & (j > codes))
    return ahead < k

"""Probability losses: ``log_loss`` and ``brier_score_loss`` (scikit-learn 1.9 semantics).

Example:
    >>> from skyclass.metrics import brier_score_loss, log_loss
    >>> round(log_loss(["a", "b"], [[0.9, 0.1], [0.2, 0.8]]), 4)
    0.1643
    >>> round(brier_score_loss([0, 1], [0.1, 0.8]), 3)
    0.025
"""

from __future__ import annotations

import math
import warnings

import numpy as np
from numpy.typing import ArrayLike

from skyclass.errors import InputError
from skyclass.metrics._binary_curve import resolve_pos_label
from skyclass.metrics._docstrings import shared_parameters
from skyclass.metrics._params import validate_params
from skyclass.metrics._targets import as_label_list
from skyclass.metrics._validation import as_labels, as_scores, as_weights, check_lengths


def _check_range(proba: np.ndarray) -> None:
    if proba.max() > 1:
        raise InputError(f"y_proba contains values greater than 1: {proba.max()}")
    if proba.min() < 0:
        raise InputError(f"y_proba contains values lower than 0: {proba.min()}")


def _one_hot(yt: np.ndarray, labels) -> tuple[np.ndarray, np.ndarray]:
    """(indicator with >= 2 columns, sorted classes) like scikit-learn's LabelBinarizer."""
    if labels is not None:
        given = as_label_list(labels)
        classes = np.unique(given)
        if not np.array_equal(classes, given):
            warnings.warn(
                f"Labels passed were {given.tolist()}. But this function assumes labels are ordered "
                f"lexicographically. Pass the ordered labels={classes.tolist()} and ensure that "
                "the columns of y_prob correspond to this ordering.",
                UserWarning,
                stacklevel=3,
            )
        if not np.isin(yt, classes).all():
            undeclared = set(yt.tolist()) - set(classes.tolist())
            raise InputError(
                f"y_true contains values {undeclared} not belonging to the passed labels "
                f"{given.tolist()}."
            )
    else:
        classes = np.unique(yt)
    if classes.shape[0] == 1:
        if labels is None:
            raise InputError(
                f"y_true contains only one label ({classes[0]}). Please provide the list of all "
                "expected class labels explicitly through the labels argument."
            )
        raise InputError(f"The labels array needs to contain at least two labels, got {classes}.")
    indicator = (yt[:, None] == classes[None, :]).astype(np.int64)
    return indicator, classes


def _multiclass_inputs(yt, proba, weight, labels):
    _check_range(proba)
    check_lengths(y_proba=proba, y_true=yt, sample_weight=weight)
    indicator, classes = _one_hot(yt, labels)
    if proba.ndim == 1:
        proba = proba[:, None]
    if proba.shape[1] == 1:
        proba = np.concatenate([1 - proba, proba], axis=1)
    eps = np.finfo(proba.dtype).eps
    if not np.isclose(proba.sum(axis=1), 1, rtol=math.sqrt(eps)).all():
        warnings.warn(
            "The y_prob values do not sum to one. Make sure to pass probabilities.",
            UserWarning,
            stacklevel=3,
        )
    if classes.shape[0] != proba.shape[1]:
        if labels is None:
            raise InputError(
                f"y_true and y_prob contain different number of classes: {classes.shape[0]} vs "
                f"{proba.shape[1]}. Please provide the true labels explicitly through the labels "
                f"argument. Classes found in y_true: {classes}"
            )
        raise InputError(
            "The number of classes in labels is different from that in y_prob. Classes found "
            f"in labels: {classes}"
        )
    return indicator, proba


@validate_params
@shared_parameters
def log_loss(
    y_true: ArrayLike,
    y_proba: ArrayLike | None = None,
    *,
    normalize: bool = True,
    sample_weight: ArrayLike | None = None,
    labels: ArrayLike | None = None,
    y_pred: ArrayLike | str = "deprecated",
) -> float:
    """Cross-entropy loss, -mean(log p[true class]); probabilities clipped to [eps, 1-eps].

    Parameters
    ----------
    {y_true}
    y_proba : array-like of shape (n_samples,) or (n_samples, n_classes)
        Predicted probabilities (columns in sorted label order; 1-D: P(positive)).
    normalize : bool, default=True
        True: the mean loss per row; False: the sum.
    {sample_weight}
    labels : array-like, default=None
        The classes of the columns of ``y_proba``; None: those in ``y_true``.
    y_pred : array-like, deprecated
        The former name of ``y_proba`` (FutureWarning).

    Returns
    -------
    loss : float
        The (mean) negative log-likelihood of the true labels.

    Example:
        >>> round(log_loss([0, 1, 1], [0.1, 0.9, 0.8]), 4)
        0.1446
    """
    if not (isinstance(y_pred, str) and y_pred == "deprecated"):
        if y_proba is not None:
            raise InputError(
                "Cannot use both `y_pred` and `y_proba`. `y_pred` is deprecated, use `y_proba` "
                "instead."
            )
        warnings.warn(
            "`y_pred` was renamed to `y_proba` in version 1.9 and will be removed in 1.11. Use "
            "`y_proba` instead.",
            FutureWarning,
            stacklevel=2,
        )
        y_proba = y_pred
    if y_proba is None:
        raise InputError("log_loss needs y_proba, the predicted probabilities.")
    proba = as_scores(y_proba, "y_proba")
    yt = as_labels(y_true, "y_true")
    weight = as_weights(sample_weight, len(yt)) if len(yt) == len(proba) else sample_weight
    indicator, proba = _multiclass_inputs(yt, proba, weight, labels)
    eps = np.finfo(proba.dtype).eps
    clipped = np.clip(proba, eps, 1 - eps)
    loss = -np.sum(np.where(indicator == 1, np.log(clipped), 0.0).astype(proba.dtype), axis=1)
    if normalize:
        return float(np.average(loss, weights=weight))
    return float(np.sum(loss if weight is None else loss * weight))


@validate_params
@shared_parameters
def brier_score_loss(
    y_true: ArrayLike,
    y_proba: ArrayLike,
    *,
    sample_weight: ArrayLike | None = None,
    pos_label: int | float | bool | str | None = None,
    labels: ArrayLike | None = None,
    scale_by_half: bool | str = "auto",
) -> float:
    """Mean squared difference between predicted probabilities and the one-hot truth.

    Binary (1-D ``y_proba``) scores are halved by default so they lie in [0, 1],
    matching scikit-learn's ``scale_by_half="auto"``.

    Parameters
    ----------
    {y_true}
    y_proba : array-like of shape (n_samples,) or (n_samples, n_classes)
        Predicted probabilities (1-D: of the positive class).
    {sample_weight}
    pos_label : int, float, bool or str, default=None
        Binary: the positive class; None: the greater label.
    labels : array-like, default=None
        Multiclass: the classes of the columns of ``y_proba``.
    scale_by_half : bool or 'auto', default='auto'
        Halve the score (so it lies in [0, 1]); 'auto': for binary 1-D probabilities.

    Returns
    -------
    brier : float
        The mean squared error of the probabilities.

    Example:
        >>> brier_score_loss([0, 1, 2], [[1, 0, 0], [0, 1, 0], [0, 0.5, 0.5]])
        0.16666666666666666
    """
    if scale_by_half not in ("auto", True, False):
        raise InputError(f"scale_by_half must be 'auto', True or False; got {scale_by_half!r}.")
    proba = as_scores(y_proba, "y_proba")
    yt = as_labels(y_true, "y_true")
    weight = as_weights(sample_weight, len(yt)) if len(yt) == len(proba) else sample_weight
    if proba.ndim == 1 or proba.shape[1] == 1:
        proba = proba.ravel()
        check_lengths(y_proba=proba, y_true=yt, sample_weight=weight)
        if len(np.unique(yt)) > 2:
            raise InputError(
                "The type of the target inferred from y_true is multiclass but should be "
                "binary according to the shape of y_prob."
            )
        if proba.max() > 1:
            raise InputError(f"y_prob contains values greater than 1: {proba.max()}")
        if proba.min() < 0:
            raise InputError(f"y_prob contains values less than 0: {proba.min()}")
        try:
            pos_label = resolve_pos_label(yt, pos_label)
        except InputError:
            classes = np.unique(yt)
            if classes.dtype.kind in "OUS":
                raise
            pos_label = classes[-1]
        pos = (yt == pos_label).astype(np.int64)
        indicator = np.stack([1 - pos, pos], axis=1)
        proba = np.stack([1 - proba, proba], axis=1)
    else:
        indicator, proba = _multiclass_inputs(yt, proba, weight, labels)
    score = np.average(np.sum((indicator.astype(proba.dtype) - proba) ** 2, axis=1), weights=weight)
    if scale_by_half == "auto":
        scale_by_half = proba.shape[1] < 3
    if scale_by_half:
        score *= 0.5
    return float(score)

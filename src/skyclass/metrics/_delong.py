"""DeLong's variance of ROC AUC: a confidence interval and a paired test of two models.

Uses the fast O(n log n) algorithm of Sun & Xu (2014): the placement values
("structural components") of DeLong et al. (1988) come from midranks, so no
n_pos × n_neg comparison matrix is built. Multiclass scores ``[n, k]`` are
handled one-vs-rest, one result per class.

Example:
    >>> from skyclass.metrics import delong_ci, delong_test
    >>> y = [0, 0, 1, 1, 0, 1, 0, 1]
    >>> a = [0.1, 0.4, 0.35, 0.8, 0.2, 0.9, 0.3, 0.7]
    >>> round(delong_ci(y, a).estimate, 4)
    0.9375
    >>> b = [0.5, 0.4, 0.3, 0.6, 0.7, 0.5, 0.2, 0.4]
    >>> t = delong_test(y, a, b)
    >>> round(t.difference, 4), t.p_value < 0.2
    (0.4375, True)
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

import numpy as np
from scipy import stats

from skyclass._jsonsafe import json_scalar
from skyclass.errors import InputError
from skyclass.metrics._bootstrap_interval import ConfidenceInterval
from skyclass.metrics._validation import (
    as_1d,
    as_score_column,
    at_most_two_classes,
    check_lengths,
)

__all__ = ["DeLongTest", "delong_ci", "delong_test"]


@dataclass(frozen=True)
class DeLongTest:
    """Paired comparison of two AUCs on the same rows: ``difference = auc_a - auc_b``.

    ``p_value`` is two-sided; ``low``/``high`` bound the difference at ``confidence``.

    Attributes
    ----------
    auc_a, auc_b : float
        The ROC AUC of each model.
    difference : float
        ``auc_a - auc_b``.
    std : float
        DeLong's standard error of the difference (the two AUCs' covariance included).
    z : float
        ``difference / std`` (0 or +-inf when ``std`` is 0).
    p_value : float
        Two-sided p-value of "the AUCs are equal".
    low, high : float
        Normal-approximation bounds of ``difference`` at ``confidence``.
    confidence : float
        The two-sided level of ``low``/``high``, in (0, 1).
    """

    auc_a: float
    auc_b: float
    difference: float
    std: float
    z: float
    p_value: float
    low: float
    high: float
    confidence: float

    def to_dict(self) -> dict[str, Any]:
        """The test as JSON-safe fields.

        Returns
        -------
        dict
            Every field by name; NaN becomes None.
        """
        return {k: (None if v != v else v) for k, v in self.__dict__.items()}


def _placements(
    positive: np.ndarray, scores: np.ndarray
) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """AUC per model and the placement values V10 (positives) and V01 (negatives).

    ``scores`` is ``[n_models, n]``.
    """
    pos, neg = scores[:, positive], scores[:, ~positive]
    m, n = pos.shape[1], neg.shape[1]
    rank_all = stats.rankdata(np.concatenate([pos, neg], axis=1), axis=1)
    rank_pos = stats.rankdata(pos, axis=1)
    rank_neg = stats.rankdata(neg, axis=1)
    v10 = (rank_all[:, :m] - rank_pos) / n
    v01 = 1.0 - (rank_all[:, m:] - rank_neg) / m
    auc = (rank_all[:, :m].sum(axis=1) - m * (m + 1) / 2) / (m * n)
    return auc, v10, v01


def _covariance(positive: np.ndarray, scores: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """AUCs and DeLong's covariance matrix ``S10 / m + S01 / n``."""
    auc, v10, v01 = _placements(positive, scores)
    m, n = v10.shape[1], v01.shape[1]
    s10 = np.atleast_2d(np.cov(v10)) if m > 1 else np.zeros((len(auc), len(auc)))
    s01 = np.atleast_2d(np.cov(v01)) if n > 1 else np.zeros((len(auc), len(auc)))
    return auc, s10 / m + s01 / n


def _binary_columns(
    y_true: Any, scores: Sequence[Any], pos_label: Any, labels: Sequence[Any] | None
) -> list[tuple[Any, np.ndarray, np.ndarray]]:
    """``[(label, positive_mask, scores[n_models, n])]``: one entry (binary) or one per class."""
    y = as_1d(y_true, "y_true")
    arrays = [np.asarray(s, dtype=np.float64) for s in scores]
    for name, array in zip(("y_score", "score_b"), arrays):
        check_lengths(**{"y_true": y, name: array})
        if not np.isfinite(array).all():
            raise InputError(f"{name} holds NaN or infinite values; scores must be finite")
    if arrays[0].ndim == 2 and arrays[0].shape[1] > 2:
        order = list(labels) if labels is not None else np.unique(y).tolist()
        k = arrays[0].shape[1]
        if len(order) != k or any(a.shape != arrays[0].shape for a in arrays):
            raise InputError(
                f"score matrices must all be [n, {len(order)}] (one column per label {order}); "
                f"got {[a.shape for a in arrays]}"
            )
        out = []
        for j, label in enumerate(order):
            positive = y == label
            _check_both(positive, f"class {label!r}")
            out.append((json_scalar(label), positive, np.stack([a[:, j] for a in arrays])))
        return out
    columns = []
    for array in arrays:
        if array.ndim == 2:
            if array.shape[1] != 2:
                raise InputError(f"binary scores must be 1-D or [n, 2], got shape {array.shape}")
            array = array[:, 1]
        columns.append(as_score_column(array, "y_score"))
    classes = at_most_two_classes(y, "y_true", "the scores are 1-D: pass a [n, k] matrix")
    label = pos_label if pos_label is not None else classes[-1]
    positive = y == label
    _check_both(positive, f"positive label {label!r}")
    return [(json_scalar(label), positive, np.stack(columns))]


def _check_both(positive: np.ndarray, what: str) -> None:
    if positive.all() or not positive.any():
        raise InputError(f"{what}: y_true needs both positive and negative rows to compute ROC AUC")


def delong_ci(
    y_true: Any,
    y_score: Any,
    confidence: float = 0.95,
    *,
    pos_label: Any = None,
    labels: Sequence[Any] | None = None,
) -> ConfidenceInterval | dict[Any, ConfidenceInterval]:
    """ROC AUC with DeLong's normal-approximation interval (clipped to [0, 1]).

    Perfectly separated scores (variance 0) get NaN bounds and a ``note``, never a
    zero-width interval.

    Binary scores (1-D, or ``[n, 2]``) give one interval; a ``[n, k]`` matrix gives
    ``{label: interval}`` one-vs-rest.

    Parameters
    ----------
    y_true : array-like of shape (n_samples,)
        True class labels; both classes (or, one-vs-rest, each class and the rest)
        must occur.
    y_score : array-like of shape (n_samples,), (n_samples, 2) or (n_samples, n_classes)
        Finite scores: the positive class's (1-D), two columns (the second is used), or
        one column per class in ``labels`` order.
    confidence : float, default=0.95
        The two-sided level, strictly between 0 and 1.
    pos_label : label, default=None
        The positive class of a binary target; None: the larger of the two labels.
    labels : sequence, default=None
        Multiclass: the class of each column of ``y_score``; None: the sorted labels
        of ``y_true``.

    Returns
    -------
    ConfidenceInterval or dict of label to ConfidenceInterval
        ``method="delong"``, ``std`` the analytic standard error; one per class for a
        score matrix.

    Raises
    ------
    InputError
        A class without positive or negative rows, non-finite scores, mismatched shapes,
        or ``confidence`` outside (0, 1).

    Example:
        >>> ci = delong_ci([0, 1, 0, 1, 1, 0], [0.2, 0.7, 0.3, 0.9, 0.4, 0.5])
        >>> round(ci.estimate, 3), ci.method
        (0.889, 'delong')
    """
    z = _z(confidence)
    results = {}
    for label, positive, scores in _binary_columns(y_true, [y_score], pos_label, labels):
        auc, cov = _covariance(positive, scores)
        std = math.sqrt(max(cov[0, 0], 0.0))
        low, high, note = max(0.0, auc[0] - z * std), min(1.0, auc[0] + z * std), ""
        if std == 0:  # every positive above (or below) every negative: no spread to measure
            low = high = math.nan
            note = (
                f"DeLong's variance is 0: AUC {auc[0]:.4f} means the scores separate the "
                f"{int(positive.sum())} positive and {int((~positive).sum())} negative rows "
                "perfectly, and the rows hold no variation to estimate an interval from"
            )
        results[label] = ConfidenceInterval(
            metric="roc_auc",
            estimate=float(auc[0]),
            low=float(low),
            high=float(high),
            confidence=float(confidence),
            method="delong",
            std=std,
            note=note,
        )
    if np.asarray(y_score).ndim == 2 and np.asarray(y_score).shape[1] > 2:
        return results
    return next(iter(results.values()))


def delong_test(
    y_true: Any,
    score_a: Any,
    score_b: Any,
    *,
    confidence: float = 0.95,
    pos_label: Any = None,
    labels: Sequence[Any] | None = None,
) -> DeLongTest | dict[Any, DeLongTest]:
    """DeLong's paired test that two models' AUCs on the same rows are equal.

    Binary scores give one :class:`DeLongTest`; ``[n, k]`` matrices give
    ``{label: DeLongTest}`` one-vs-rest.

    Parameters
    ----------
    y_true, pos_label, labels
        As :func:`delong_ci`.
    score_a, score_b : array-like of shape (n_samples,), (n_samples, 2) or (n_samples, n_classes)
        The two models' scores on the same rows, same shape (as ``y_score`` of
        :func:`delong_ci`).
    confidence : float, default=0.95
        The level of the bounds on the difference, strictly between 0 and 1.

    Returns
    -------
    DeLongTest or dict of label to DeLongTest
        One test (binary) or one per class (score matrices).

    Example:
        >>> t = delong_test([0, 1, 0, 1], [0.1, 0.9, 0.2, 0.8], [0.6, 0.5, 0.4, 0.7])
        >>> t.auc_a, t.auc_b
        (1.0, 0.75)
    """
    zq = _z(confidence)
    results = {}
    for label, positive, scores in _binary_columns(y_true, [score_a, score_b], pos_label, labels):
        auc, cov = _covariance(positive, scores)
        diff = float(auc[0] - auc[1])
        var = float(cov[0, 0] + cov[1, 1] - 2 * cov[0, 1])
        std = math.sqrt(max(var, 0.0))
        if std > 0:
            z = diff / std
            p = float(2 * stats.norm.sf(abs(z)))
        else:  # identical placements: no evidence unless the AUCs differ exactly
            z = 0.0 if diff == 0 else math.copysign(math.inf, diff)
            p = 1.0 if diff == 0 else 0.0
        results[label] = DeLongTest(
            auc_a=float(auc[0]),
            auc_b=float(auc[1]),
            difference=diff,
            std=std,
            z=float(z),
            p_value=p,
            low=diff - zq * std,
            high=diff + zq * std,
            confidence=float(confidence),
        )
    if np.asarray(score_a).ndim == 2 and np.asarray(score_a).shape[1] > 2:
        return results
    return next(iter(results.values()))


def _z(confidence: float) -> float:
    if not 0 < confidence < 1:
        raise InputError(f"confidence must be between 0 and 1 (e.g. 0.95), got {confidence!r}")
    return float(stats.norm.ppf(0.5 + confidence / 2))

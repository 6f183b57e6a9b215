"""Calibration: the reliability curve (scikit-learn parity), ECE and MCE.

Probabilities are binned either into ``n_bins`` equal-width bins on [0, 1]
(``strategy="uniform"``) or into bins holding equal numbers of rows
(``"quantile"``), exactly as scikit-learn's ``calibration_curve`` bins them.
Per bin, the gap is ``|observed frequency - mean predicted probability|``;
ECE is the row-weighted mean gap, MCE the largest gap over non-empty bins.
A 1-D ``y_prob`` is the positive class's probability; a matrix ``[n, k]`` is
judged by its top label (confidence = the largest probability, observed =
whether that label was right), the usual multiclass ECE.

Example:
    >>> from skyclass.metrics import calibration_curve, expected_calibration_error
    >>> y = [0, 0, 1, 1, 1, 0]
    >>> p = [0.1, 0.3, 0.7, 0.9, 0.6, 0.4]
    >>> calibration_curve(y, p, n_bins=2)
    (array([0., 1.]), array([0.26666667, 0.73333333]))
    >>> round(expected_calibration_error(y, p, n_bins=2), 4)
    0.2667
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

import numpy as np

from skyclass.errors import InputError
from skyclass.metrics._validation import (
    as_1d,
    as_score_column,
    at_most_two_classes,
    check_lengths,
)

__all__ = [
    "CalibrationBins",
    "calibration_bins",
    "calibration_curve",
    "expected_calibration_error",
    "max_calibration_error",
]


@dataclass(frozen=True)
class CalibrationBins:
    """Per non-empty bin: ``count``, ``prob_true`` (observed), ``prob_pred`` (mean predicted).

    ``edges`` are all ``n_bins + 1`` bin edges; ``ece`` and ``mce`` summarise the gaps.

    Attributes
    ----------
    edges : numpy.ndarray of shape (n_bins + 1,)
        The bin edges in [0, 1] (empty bins included).
    count : numpy.ndarray of shape (n_nonempty,)
        Rows per non-empty bin.
    prob_true : numpy.ndarray of shape (n_nonempty,)
        Per non-empty bin, the share of rows that are positive (top-label: right).
    prob_pred : numpy.ndarray of shape (n_nonempty,)
        Per non-empty bin, the mean predicted probability (top-label: confidence).
    """

    edges: np.ndarray
    count: np.ndarray
    prob_true: np.ndarray
    prob_pred: np.ndarray

    @property
    def gap(self) -> np.ndarray:
        """``|prob_true - prob_pred|`` per bin."""
        return np.abs(self.prob_true - self.prob_pred)

    @property
    def ece(self) -> float:
        """Expected calibration error: the gaps weighted by the share of rows per bin."""
        return float(np.sum(self.count * self.gap) / np.sum(self.count))

    @property
    def mce(self) -> float:
        """Maximum calibration error: the largest gap."""
        return float(self.gap.max())

    def to_dict(self) -> dict[str, Any]:
        """JSON-safe lists and the two summaries (for the report's reliability diagram).

        Returns
        -------
        dict
            ``edges``, ``count``, ``prob_true``, ``prob_pred`` as lists, and the floats
            ``ece`` and ``mce``.
        """
        return {
            "edges": self.edges.tolist(),
            "count": self.count.tolist(),
            "prob_true": self.prob_true.tolist(),
            "prob_pred": self.prob_pred.tolist(),
            "ece": self.ece,
            "mce": self.mce,
        }


def _binary_inputs(y_true: Any, y_prob: Any, pos_label: Any) -> tuple[np.ndarray, np.ndarray]:
    truth = as_1d(y_true, "y_true")
    prob = as_score_column(y_prob, "y_prob")
    check_lengths(y_true=truth, y_prob=prob)
    if prob.min() < 0 or prob.max() > 1:
        raise InputError("y_prob has values outside [0, 1]; pass probabilities, not scores")
    classes = at_most_two_classes(
        truth,
        "y_true",
        "a 1-D y_prob needs a binary target (pass the probability matrix [n, k] for multiclass)",
    )
    if pos_label is None:
        values = set(classes.tolist())
        if not (values <= {0, 1} or values <= {-1, 1}):
            raise InputError(
                f"y_true takes values {sorted(values, key=str)}; pass pos_label= to say which "
                "one is the positive class"
            )
        pos_label = 1
    return truth == pos_label, prob


def _edges(prob: np.ndarray, n_bins: int, strategy: str) -> np.ndarray:
    if not isinstance(n_bins, int | np.integer) or n_bins < 1:
        raise InputError(f"n_bins must be a positive integer, got {n_bins!r}")
    if strategy == "uniform":
        return np.linspace(0.0, 1.0, n_bins + 1)
    if strategy == "quantile":
        return np.percentile(prob, np.linspace(0, 1, n_bins + 1) * 100)
    raise InputError(f"unknown strategy {strategy!r}; use 'uniform' or 'quantile'")


def _bins(positive: np.ndarray, prob: np.ndarray, n_bins: int, strategy: str) -> CalibrationBins:
    edges = _edges(prob, n_bins, strategy)
    ids = np.searchsorted(edges[1:-1], prob)  # scikit-learn's assignment of rows to bins
    total = np.bincount(ids, minlength=n_bins)
    sums = np.bincount(ids, weights=prob, minlength=n_bins)
    hits = np.bincount(ids, weights=positive.astype(np.float64), minlength=n_bins)
    keep = total != 0
    return CalibrationBins(
        edges=edges,
        count=total[keep],
        prob_true=hits[keep] / total[keep],
        prob_pred=sums[keep] / total[keep],
    )


def _top_label(
    y_true: Any, proba: Any, labels: Sequence[Any] | None
) -> tuple[np.ndarray, np.ndarray]:
    truth = as_1d(y_true, "y_true")
    matrix = np.asarray(proba, dtype=np.float64)
    check_lengths(y_true=truth, y_prob=matrix)
    order = np.asarray(labels) if labels is not None else np.unique(truth)
    if order.shape[0] != matrix.shape[1]:
        raise InputError(
            f"y_prob has {matrix.shape[1]} columns but there are {order.shape[0]} labels; "
            "pass labels= in the column order"
        )
    if not np.isfinite(matrix).all() or matrix.min() < 0 or matrix.max() > 1:
        raise InputError("y_prob has values outside [0, 1]; pass probabilities, not scores")
    return order[np.argmax(matrix, axis=1)] == truth, matrix.max(axis=1)


def calibration_bins(
    y_true: Any,
    y_prob: Any,
    *,
    n_bins: int = 10,
    strategy: str = "uniform",
    pos_label: Any = None,
    labels: Sequence[Any] | None = None,
) -> CalibrationBins:
    """Binned reliability data with counts, for plots and for ECE/MCE.

    Parameters
    ----------
    y_true : array-like of shape (n_rows,)
        Truth.
    y_prob : array-like of shape (n_rows,) or (n_rows, n_classes)
        P(positive class), or a probability matrix (then every class one-vs-rest, pooled).
    n_bins : int
        Number of bins.
    strategy : {"uniform", "quantile"}
        Equal-width bins, or bins of equal row counts.
    pos_label : label, optional
        The positive class of a binary ``y_true`` with 1-D ``y_prob``.
    labels : sequence, optional
        The class of each column of a probability matrix (default: sorted labels).

    Returns
    -------
    CalibrationBins
        Per bin: rows, mean predicted probability, observed frequency.

    Example:
        >>> b = calibration_bins([0, 1, 1, 0], [0.2, 0.8, 0.6, 0.3], n_bins=2)
        >>> b.count.tolist(), round(b.mce, 3)
        ([2, 2], 0.3)
    """
    if np.ndim(y_prob) == 2:
        positive, prob = _top_label(y_true, y_prob, labels)
    else:
        positive, prob = _binary_inputs(y_true, y_prob, pos_label)
    return _bins(positive, prob, n_bins, strategy)


def calibration_curve(
    y_true: Any,
    y_prob: Any,
    *,
    pos_label: Any = None,
    n_bins: int = 5,
    strategy: str = "uniform",
) -> tuple[np.ndarray, np.ndarray]:
    """``(prob_true, prob_pred)`` per non-empty bin, as scikit-learn's ``calibration_curve``.

    Parameters
    ----------
    y_true : array-like of shape (n_rows,)
        Binary truth.
    y_prob : array-like of shape (n_rows,)
        P(positive class), within [0, 1].
    pos_label : label, optional
        The positive class (scikit-learn's rule when omitted).
    n_bins : int
        Number of bins.
    strategy : {"uniform", "quantile"}
        Equal-width bins, or bins of equal row counts.

    Returns
    -------
    (numpy.ndarray, numpy.ndarray)
        Observed frequency and mean predicted probability per non-empty bin.

    Example:
        >>> calibration_curve([0, 1, 1, 0], [0.2, 0.8, 0.6, 0.3], n_bins=2)[0].tolist()
        [0.0, 1.0]
    """
    positive, prob = _binary_inputs(y_true, y_prob, pos_label)
    bins = _bins(positive, prob, n_bins, strategy)
    return bins.prob_true, bins.prob_pred


def expected_calibration_error(
    y_true: Any,
    y_prob: Any,
    *,
    n_bins: int = 10,
    strategy: str = "uniform",
    pos_label: Any = None,
    labels: Sequence[Any] | None = None,
) -> float:
    """ECE: the row-weighted mean of ``|observed - predicted|`` over the bins.

    Parameters
    ----------
    y_true, y_prob, n_bins, strategy, pos_label, labels
        As :func:`calibration_bins`.

    Returns
    -------
    float
        The expected calibration error.

    Example:
        >>> round(expected_calibration_error([0, 1], [[0.9, 0.1], [0.2, 0.8]], n_bins=5), 3)
        0.15
    """
    return calibration_bins(
        y_true, y_prob, n_bins=n_bins, strategy=strategy, pos_label=pos_label, labels=labels
    ).ece


def max_calibration_error(
    y_true: Any,
    y_prob: Any,
    *,
    n_bins: int = 10,
    strategy: str = "uniform",
    pos_label: Any = None,
    labels: Sequence[Any] | None = None,
) -> float:
    """MCE: the largest ``|observed - predicted|`` over the non-empty bins.

    Parameters
    ----------
    y_true, y_prob, n_bins, strategy, pos_label, labels
        As :func:`calibration_bins`.

    Returns
    -------
    float
        The maximum calibration error.

    Example:
        >>> round(max_calibration_error([0, 1], [[0.9, 0.1], [0.3, 0.7]], n_bins=5), 3)
        0.3
    """
    return calibration_bins(
        y_true, y_prob, n_bins=n_bins, strategy=strategy, pos_label=pos_label, labels=labels
    ).mce

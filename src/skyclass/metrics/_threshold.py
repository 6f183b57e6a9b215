"""Binary decision thresholds: the exact trade-off curve and the best threshold for an objective.

A row is predicted positive when ``score >= threshold`` (the scikit-learn
convention). Every distinct score is a candidate threshold, plus one just above
the highest score (predict nothing positive), so the optimum is exact, not a
grid search; one sort makes it O(n log n).

Example:
    >>> from skyclass.metrics import best_threshold
    >>> choice = best_threshold([0, 0, 1, 1], [0.1, 0.4, 0.35, 0.8], objective="f1")
    >>> round(choice.threshold, 2), round(choice.f1, 3)
    (0.35, 0.8)
"""

from __future__ import annotations

import math
import re
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Any

import numpy as np

from skyclass._jsonsafe import json_scalar
from skyclass.errors import InputError
from skyclass.metrics._decision_threshold import ThresholdRule
from skyclass.metrics._validation import (
    as_1d,
    as_score_column,
    binary_target,
    check_lengths,
)

__all__ = ["ThresholdChoice", "ThresholdCurve", "best_threshold", "threshold_curve"]

_OBJECTIVES = "'f1', 'fbeta', 'cost', 'youden', 'precision>=X' or 'recall>=X'"


def _ratio(num: np.ndarray, den: np.ndarray) -> np.ndarray:
    """``num / den`` with 0 where ``den`` is 0 (scikit-learn's ``zero_division=0``)."""
    out = np.zeros_like(num, dtype=np.float64)
    np.divide(num, den, out=out, where=den > 0)
    return out


def parse_costs(costs: Any) -> tuple[float, float]:
    """``(cost_fp, cost_fn)`` from a pair, a ``{"fp": .., "fn": ..}`` dict or a 2×2 matrix.

    Parameters
    ----------
    costs : pair, dict or 2 x 2 matrix, or None
        ``(cost_fp, cost_fn)``, ``{"fp": .., "fn": ..}`` or ``C[true, predicted]``;
        ``None`` means ``(1, 1)``.

    Returns
    -------
    (float, float)
        The cost of a false positive and of a false negative (non-negative).
    """
    if costs is None:
        return 1.0, 1.0
    if isinstance(costs, Mapping):
        missing = {"fp", "fn"} - set(costs)
        if missing:
            raise InputError(f"costs dict needs keys 'fp' and 'fn'; missing {sorted(missing)}")
        pair = (costs["fp"], costs["fn"])
    else:
        array = np.asarray(costs, dtype=np.float64)
        if array.shape == (2, 2):  # C[true, predicted]: FP = C[0, 1], FN = C[1, 0]
            pair = (array[0, 1], array[1, 0])
        elif array.shape == (2,):
            pair = (array[0], array[1])
        else:
            raise InputError(
                f"costs must be (cost_fp, cost_fn), {{'fp': .., 'fn': ..}} or a 2x2 matrix, "
                f"got shape {array.shape}"
            )
    fp, fn = float(pair[0]), float(pair[1])
    if not (math.isfinite(fp) and math.isfinite(fn)) or fp < 0 or fn < 0:
        raise InputError(f"costs must be finite and non-negative, got fp={fp}, fn={fn}")
    if fp == 0 and fn == 0:
        raise InputError("costs fp and fn are both 0; give at least one positive cost")
    return fp, fn


@dataclass(frozen=True)
class ThresholdCurve:
    """Confusion counts and rates at every candidate threshold, thresholds ascending.

    ``expected_cost`` is the mean cost per row, ``(cost_fp * FP + cost_fn * FN) / n``
    (the error rate when both costs are 1).

    Attributes
    ----------
    thresholds : numpy.ndarray of shape (n_thresholds,)
        Every distinct score, ascending, then one just above the highest (nothing
        predicted positive).
    tp, fp, fn, tn : numpy.ndarray of shape (n_thresholds,)
        (Weighted) confusion counts when ``score >= threshold`` is predicted positive.
    precision, recall, fpr, f1 : numpy.ndarray of shape (n_thresholds,)
        The rates at each threshold (0 where undefined).
    expected_cost : numpy.ndarray of shape (n_thresholds,)
        ``(cost_fp * fp + cost_fn * fn) / n`` at each threshold.
    cost_fp, cost_fn : float
        The costs of a false positive and a false negative used for ``expected_cost``.
    positive : label
        The positive class.
    """

    thresholds: np.ndarray
    tp: np.ndarray
    fp: np.ndarray
    fn: np.ndarray
    tn: np.ndarray
    precision: np.ndarray
    recall: np.ndarray
    fpr: np.ndarray
    f1: np.ndarray
    expected_cost: np.ndarray
    cost_fp: float
    cost_fn: float
    positive: Any

    def fbeta(self, beta: float) -> np.ndarray:
        """F-beta at every threshold: ``(1+β²)TP / ((1+β²)TP + β²FN + FP)``.

        Parameters
        ----------
        beta : float
            Weight of recall (beta > 1 favours recall, 1 gives F1).

        Returns
        -------
        numpy.ndarray of shape (n_thresholds,)
            F-beta per threshold (0 where undefined).
        """
        b2 = float(beta) ** 2
        return _ratio((1 + b2) * self.tp, (1 + b2) * self.tp + b2 * self.fn + self.fp)

    def to_dict(self) -> dict[str, Any]:
        """JSON-safe columns (lists) for plots and reports.

        Returns
        -------
        dict
            ``thresholds``, ``precision``, ``recall``, ``fpr``, ``f1``,
            ``expected_cost`` as lists, and ``cost_fp``, ``cost_fn``, ``positive``.
        """
        names = ("thresholds", "precision", "recall", "fpr", "f1", "expected_cost")
        out: dict[str, Any] = {name: getattr(self, name).tolist() for name in names}
        out.update(cost_fp=self.cost_fp, cost_fn=self.cost_fn, positive=self.positive)
        return out


def threshold_curve(
    y_true: Any,
    y_score: Any,
    *,
    pos_label: Any = None,
    costs: Any = None,
    sample_weight: Any = None,
) -> ThresholdCurve:
    """Precision, recall, F1, FPR and expected cost at every distinct threshold.

    Parameters
    ----------
    y_true : array-like of shape (n_rows,)
        Binary truth.
    y_score : array-like of shape (n_rows,)
        Scores or probabilities of the positive class.
    pos_label : label, optional
        The positive class (default: the larger label, as scikit-learn).
    costs : pair or dict, optional
        ``(cost_fp, cost_fn)`` for the expected cost per row (default ``(1, 1)``).
    sample_weight : array-like of shape (n_rows,), optional
        Row weights.

    Returns
    -------
    ThresholdCurve
        Arrays over the distinct thresholds, ascending.

    Example:
        >>> curve = threshold_curve([0, 1, 1], [0.2, 0.6, 0.9], costs=(1, 5))
        >>> curve.thresholds.round(2).tolist(), curve.recall.round(2).tolist()
        ([0.2, 0.6, 0.9, 0.9], [1.0, 1.0, 0.5, 0.0])
    """
    positive_mask = binary_target(y_true, pos_label)
    scores = as_score_column(y_score, "y_score")
    check_lengths(y_true=positive_mask, y_score=scores)
    if positive_mask.all() or not positive_mask.any():
        raise InputError(
            "y_true holds only one class; a threshold needs both positive and negative rows"
        )
    weights = _weights(sample_weight, scores.shape[0])
    cost_fp, cost_fn = parse_costs(costs)

    order = np.argsort(-scores, kind="mergesort")
    sorted_scores = scores[order]
    pos_w = np.where(positive_mask[order], weights[order], 0.0)
    neg_w = weights[order] - pos_w
    # the last row of each run of equal scores: predicting every row up to it positive
    last = np.r_[np.flatnonzero(np.diff(sorted_scores)), sorted_scores.size - 1]
    tp = np.r_[0.0, np.cumsum(pos_w)[last]][::-1]
    fp = np.r_[0.0, np.cumsum(neg_w)[last]][::-1]
    above_all = np.nextafter(sorted_scores[0], np.inf)
    thresholds = np.r_[above_all, sorted_scores[last]][::-1]
    n_pos, n_neg = pos_w.sum(), neg_w.sum()
    fn, tn = n_pos - tp, n_neg - fp
    positive = pos_label if pos_label is not None else np.unique(as_1d(y_true, "y_true"))[-1]
    return ThresholdCurve(
        thresholds=thresholds,
        tp=tp,
        fp=fp,
        fn=fn,
        tn=tn,
        precision=_ratio(tp, tp + fp),
        recall=_ratio(tp, tp + fn),
        fpr=_ratio(fp, fp + tn),
        f1=_ratio(2 * tp, 2 * tp + fp + fn),
        expected_cost=(cost_fp * fp + cost_fn * fn) / (n_pos + n_neg),
        cost_fp=cost_fp,
        cost_fn=cost_fn,
        positive=json_scalar(positive),
    )


@dataclass(frozen=True)
class ThresholdChoice:
    """The chosen threshold, the objective's value there, and the metrics it achieves.

    Attributes
    ----------
    threshold : float
        Predict ``positive`` when its score is ``>= threshold``.
    objective : str
        The objective optimised, as given (e.g. ``"f1"``, ``"precision>=0.9"``).
    score : float
        The objective's value at ``threshold``.
    precision, recall, f1, fpr : float
        What the threshold achieves on the rows it was chosen on.
    expected_cost : float
        Mean cost per row there, with the costs given (1 and 1 by default).
    positive : label
        The positive class.
    """

    threshold: float
    objective: str
    score: float
    precision: float
    recall: float
    f1: float
    fpr: float
    expected_cost: float
    positive: Any

    def to_rule(self) -> ThresholdRule:
        """The :class:`ThresholdRule` that applies this threshold with :func:`decide`.

        Returns
        -------
        ThresholdRule
            ``ThresholdRule(threshold, positive=positive)``.
        """
        return ThresholdRule(threshold=self.threshold, positive=self.positive)

    def to_dict(self) -> dict[str, Any]:
        """JSON-safe fields.

        Returns
        -------
        dict
            Every field by name.
        """
        return {
            "threshold": self.threshold,
            "objective": self.objective,
            "score": self.score,
            "precision": self.precision,
            "recall": self.recall,
            "f1": self.f1,
            "fpr": self.fpr,
            "expected_cost": self.expected_cost,
            "positive": self.positive,
        }


def best_threshold(
    y_true: Any,
    y_score: Any,
    objective: str = "f1",
    *,
    beta: float = 1.0,
    costs: Any = None,
    pos_label: Any = None,
    sample_weight: Any = None,
) -> ThresholdChoice:
    """The threshold that optimises ``objective`` exactly over all distinct scores.

    Objectives: ``"f1"``; ``"fbeta"`` (with ``beta``); ``"cost"`` (minimise
    ``costs=(cost_fp, cost_fn)`` per row); ``"youden"`` (max TPR − FPR);
    ``"precision>=0.9"`` (max recall with precision at least 0.9);
    ``"recall>=0.8"`` (max precision with recall at least 0.8). Ties go to the
    lowest threshold, as in scikit-learn's ``TunedThresholdClassifierCV``.

    Parameters
    ----------
    y_true, y_score, pos_label, sample_weight, costs
        As :func:`threshold_curve`.
    objective : str
        One of the objectives above.
    beta : float
        The beta of ``"fbeta"``.

    Returns
    -------
    ThresholdChoice
        The threshold and its precision, recall, F1, FPR and expected cost.

    Example:
        >>> best_threshold([0, 0, 1, 1], [0.1, 0.4, 0.35, 0.8], "cost", costs=(1, 10)).threshold
        0.35
    """
    kind, bound = _parse_objective(objective)
    if kind == "fbeta" and not (math.isfinite(beta) and beta > 0):
        raise InputError(f"beta must be a positive number, got {beta}")
    curve = threshold_curve(
        y_true, y_score, pos_label=pos_label, costs=costs, sample_weight=sample_weight
    )
    if kind in ("precision", "recall"):
        best = _constrained_best(curve, kind, bound)
        score = (curve.recall if kind == "precision" else curve.precision)[best]
    else:
        values = {
            "f1": curve.f1,
            "fbeta": curve.fbeta(beta),
            "cost": -curve.expected_cost,
            "youden": curve.recall - curve.fpr,
        }[kind]
        best = int(np.argmax(values))  # first maximum = lowest threshold (ascending order)
        score = -values[best] if kind == "cost" else values[best]
    return ThresholdChoice(
        threshold=float(curve.thresholds[best]),
        objective=objective if kind != "fbeta" else f"fbeta(beta={beta:g})",
        score=float(score),
        precision=float(curve.precision[best]),
        recall=float(curve.recall[best]),
        f1=float(curve.f1[best]),
        fpr=float(curve.fpr[best]),
        expected_cost=float(curve.expected_cost[best]),
        positive=curve.positive,
    )


def _constrained_best(curve: ThresholdCurve, kind: str, bound: float) -> int:
    """Index for 'precision>=x' (max recall) or 'recall>=x' (max precision).

    Ties on the maximised metric keep the larger constrained metric, then the lowest threshold.
    """
    held, target = (
        (curve.precision, curve.recall) if kind == "precision" else (curve.recall, curve.precision)
    )
    feasible = np.flatnonzero(held >= bound)
    if feasible.size == 0:
        raise InputError(
            f"no threshold reaches {kind} >= {bound:g} (best {kind} is {held.max():.4f}); "
            "lower the bound"
        )
    # lexsort: last key is primary; negate to prefer larger values, then lower index
    order = np.lexsort((feasible, -held[feasible], -target[feasible]))
    return int(feasible[order[0]])


def _parse_objective(objective: str) -> tuple[str, float]:
    if not isinstance(objective, str):
        raise InputError(f"objective must be a string ({_OBJECTIVES}), got {objective!r}")
    text = objective.strip().lower()
    if text in ("f1", "fbeta", "cost", "youden"):
        return text, 0.0
    match = re.fullmatch(r"(precision|recall)\s*>=\s*([0-9]*\.?[0-9]+)", text)
    if match:
        bound = float(match.group(2))
        if not 0.0 <= bound <= 1.0:
            raise InputError(f"objective {objective!r}: the bound must be within [0, 1]")
        return match.group(1), bound
    raise InputError(f"unknown objective {objective!r}; use {_OBJECTIVES}")


def _weights(sample_weight: Sequence[float] | None, n: int) -> np.ndarray:
    if sample_weight is None:
        return np.ones(n)
    weights = as_score_column(sample_weight, "sample_weight")
    if weights.shape[0] != n:
        raise InputError(f"sample_weight has {weights.shape[0]} rows but y_true has {n}")
    if (weights < 0).any():
        raise InputError("sample_weight must be non-negative")
    return weights

"""The cost-matrix decision rule: the Bayes decision that minimises expected cost.

Example:
    >>> from skyclass.metrics import CostMatrix
    >>> CostMatrix([[0, 1], [10, 0]], labels=["ok", "fraud"]).decide([[0.85, 0.15]]).tolist()
    ['fraud']
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any, ClassVar

import numpy as np

from skyclass._jsonsafe import json_scalar
from skyclass.errors import InputError
from skyclass.metrics._decision_base import DecisionRule
from skyclass.metrics._validation import (
    align,
    as_1d,
    as_model_proba,
    labels_tuple,
)

__all__ = ["CostMatrix"]


@dataclass(frozen=True)
class CostMatrix(DecisionRule):
    """Misclassification costs ``C[i, j]``: the cost of predicting ``j`` when the truth is ``i``.

    Costs are non-negative; the Bayes decision minimises the expected cost
    ``sum_i p_i C[i, j]`` per row.

    Parameters
    ----------
    matrix : sequence of sequence of float
        The square ``k x k`` cost matrix (k >= 2), rows the true class and columns the
        predicted one; finite, non-negative numbers.
    labels : sequence, default=None
        The class of each row and column; None: the model's column order.

    Example:
        >>> costs = CostMatrix([[0, 1], [10, 0]], labels=["ok", "fraud"])
        >>> costs.decide([[0.85, 0.15], [0.95, 0.05]]).tolist()
        ['fraud', 'ok']
        >>> costs.total_cost(["ok", "fraud"], ["fraud", "ok"])
        11.0
    """

    matrix: tuple[tuple[float, ...], ...]
    labels: tuple[Any, ...] | None = None
    kind: ClassVar[str] = "cost_matrix"
    fields: ClassVar[frozenset[str]] = frozenset({"matrix"})

    def __post_init__(self) -> None:
        try:
            array = np.asarray(self.matrix, dtype=np.float64)
        except (TypeError, ValueError) as err:
            raise InputError(f"cost matrix must be a square list of numbers: {err}") from err
        if array.ndim != 2 or array.shape[0] != array.shape[1] or array.shape[0] < 2:
            raise InputError(
                f"cost matrix must be square k x k (k >= 2 classes), got shape {array.shape}"
            )
        if not np.isfinite(array).all():
            raise InputError("cost matrix must hold finite numbers")
        negative = np.argwhere(array < 0)
        if negative.size:
            i, j = negative[0]
            raise InputError(
                f"cost matrix entry [{i}][{j}] is {array[i, j]:g}; costs must be >= 0 "
                "(express gains as lower costs)"
            )
        labels = labels_tuple(self.labels)
        if labels is not None and len(labels) != array.shape[0]:
            raise InputError(
                f"cost matrix is {array.shape[0]} x {array.shape[0]} but {len(labels)} labels "
                "were given; give one row and column per label"
            )
        object.__setattr__(self, "matrix", tuple(tuple(float(v) for v in row) for row in array))
        object.__setattr__(self, "labels", labels)

    @classmethod
    def from_binary(
        cls, cost_fp: float, cost_fn: float, labels: Sequence[Any] | None = None
    ) -> CostMatrix:
        """The 2 × 2 matrix ``[[0, cost_fp], [cost_fn, 0]]`` (positive class second).

        Parameters
        ----------
        cost_fp, cost_fn : float
            The cost of a false positive and of a false negative.
        labels : sequence, optional
            The two labels, negative first.

        Returns
        -------
        CostMatrix
            The binary cost matrix.
        """
        return cls(((0.0, float(cost_fp)), (float(cost_fn), 0.0)), labels=labels_tuple(labels))

    @property
    def array(self) -> np.ndarray:
        """The matrix as a float array ``[k, k]``."""
        return np.asarray(self.matrix, dtype=np.float64)

    def expected_costs(self, proba: Any) -> np.ndarray:
        """Expected cost of predicting each class, per row: ``proba @ C`` (``[n, k]``).

        Parameters
        ----------
        proba : array-like of shape (n_rows, k)
            Class probabilities in the matrix's class order.

        Returns
        -------
        numpy.ndarray of shape (n_rows, k)
        """
        proba = as_model_proba(proba)
        matrix = self.array
        if proba.shape[1] != matrix.shape[0]:
            raise InputError(
                f"proba has {proba.shape[1]} classes but the cost matrix has {matrix.shape[0]}"
            )
        return proba @ matrix

    def total_cost(self, y_true: Any, y_pred: Any, labels: Sequence[Any] | None = None) -> float:
        """Total cost of the decisions ``y_pred`` against the truth ``y_true``.

        Parameters
        ----------
        y_true, y_pred : array-like of shape (n_rows,)
            Truth and decisions.
        labels : sequence, optional
            The class order of the matrix when it has no ``labels`` (default ``0 .. k-1``).

        Returns
        -------
        float
        """
        order = self._order(labels)
        truth, pred = as_1d(y_true, "y_true"), as_1d(y_pred, "y_pred")
        if truth.shape[0] != pred.shape[0]:
            raise InputError(f"y_true has {truth.shape[0]} rows but y_pred has {pred.shape[0]}")
        position = {label: i for i, label in enumerate(order)}
        try:
            rows = np.fromiter((position[json_scalar(v)] for v in truth), dtype=np.intp)
            cols = np.fromiter((position[json_scalar(v)] for v in pred), dtype=np.intp)
        except KeyError as err:
            raise InputError(
                f"label {err.args[0]!r} is not one of the labels {list(order)}"
            ) from err
        return float(self.array[rows, cols].sum())

    def _order(self, labels: Sequence[Any] | None) -> tuple[Any, ...]:
        if self.labels is not None:
            return self.labels
        if labels is not None:
            return labels_tuple(labels)
        return tuple(range(len(self.matrix)))

    def _indices(self, proba: np.ndarray, labels: Sequence[Any] | None) -> np.ndarray:
        idx = align(self.labels, labels, len(self.matrix), "cost matrix", proba.shape[1])
        matrix = self.array[np.ix_(idx, idx)]
        return np.argmin(proba @ matrix, axis=1)

    def to_dict(self) -> dict[str, Any]:  # documented on DecisionRule.to_dict
        out: dict[str, Any] = {"kind": self.kind, "matrix": [list(row) for row in self.matrix]}
        if self.labels is not None:
            out["labels"] = list(self.labels)
        return out

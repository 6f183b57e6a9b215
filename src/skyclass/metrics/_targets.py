"""Checking a pair of label arrays (truth and prediction) once, the way every metric needs.

Example:
    >>> from skyclass.metrics._targets import check_targets
    >>> check_targets([0, 1, 2], [0, 2, 2]).kind
    'multiclass'
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from skyclass.errors import InputError
from skyclass.metrics._validation import (
    as_labels,
    as_weights,
    check_lengths,
    same_kind,
    unique_labels,
)


@dataclass(frozen=True, eq=False)
class Targets:
    """Validated ``y_true``/``y_pred`` with their sorted label union and weights."""

    kind: str  # "binary" or "multiclass"
    present: np.ndarray  # sorted union of the labels in y_true and y_pred
    y_true: np.ndarray
    y_pred: np.ndarray
    sample_weight: np.ndarray | None

    def codes(self) -> tuple[np.ndarray, np.ndarray]:
        """Integer codes of y_true and y_pred in ``present``."""
        return (
            np.searchsorted(self.present, self.y_true),
            np.searchsorted(self.present, self.y_pred),
        )


def check_targets(
    y_true: object,
    y_pred: object,
    sample_weight: object = None,
    *,
    names: tuple[str, str] = ("y_true", "y_pred"),
) -> Targets:
    """Validate a truth/prediction pair: 1-D, same length, same label type, finite weights."""
    true_name, pred_name = names
    yt = as_labels(y_true, true_name)
    yp = as_labels(y_pred, pred_name)
    check_lengths(**{true_name: yt, pred_name: yp})
    same_kind(yt, yp, f"{true_name} and {pred_name}")
    weights = as_weights(sample_weight, len(yt))
    present = unique_labels(yt, yp)
    kind = "binary" if len(present) <= 2 else "multiclass"
    return Targets(kind, present, yt, yp, weights)


def as_label_list(labels: object, name: str = "labels") -> np.ndarray:
    """The ``labels`` argument as a 1-D array (may be empty: callers decide)."""
    if hasattr(labels, "to_numpy"):
        labels = labels.to_numpy()
    arr = np.asarray(labels)
    if arr.ndim != 1:
        raise InputError(f"{name} must be a 1-D list of class labels; got shape {arr.shape}.")
    if arr.dtype.kind == "O" and len(arr) and all(isinstance(v, str) for v in arr):
        arr = arr.astype(str)
    return arr

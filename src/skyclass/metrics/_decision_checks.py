"""Input checks shared by the decision, interval, fairness and calibration helpers.

Every check raises :class:`skyclass.errors.InputError` naming the argument and
saying how to fix it.

Example:
    >>> from skyclass.metrics._decision_checks import binary_target
    >>> binary_target(["no", "yes", "yes"], pos_label=None).tolist()
    [False, True, True]
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

import numpy as np

from skyclass.errors import InputError


def as_1d(values: Any, name: str) -> np.ndarray:
    """``values`` as a non-empty 1-D array (a column vector ``(n, 1)`` is flattened)."""
    array = np.asarray(values)
    if array.ndim == 2 and array.shape[1] == 1:
        array = array[:, 0]
    if array.ndim != 1:
        raise InputError(f"{name} must be 1-D, got shape {array.shape}; pass one value per row")
    if array.shape[0] == 0:
        raise InputError(f"{name} is empty; pass at least one row")
    return array


def as_scores(values: Any, name: str) -> np.ndarray:
    """``values`` as a finite 1-D float array."""
    array = as_1d(values, name)
    try:
        array = array.astype(np.float64)
    except (TypeError, ValueError) as err:
        raise InputError(f"{name} must be numeric scores, got dtype {array.dtype}") from err
    bad = np.flatnonzero(~np.isfinite(array))
    if bad.size:
        raise InputError(f"{name} row {int(bad[0])} is {array[bad[0]]}; scores must be finite")
    return array


def as_proba(values: Any, name: str = "proba") -> np.ndarray:
    """``values`` as a finite float matrix ``[n, k]`` with ``k >= 2`` columns."""
    array = np.asarray(values, dtype=np.float64)
    if array.ndim != 2 or array.shape[1] < 2 or array.shape[0] == 0:
        raise InputError(
            f"{name} must be a matrix [n_rows, n_classes] with at least 2 classes, "
            f"got shape {array.shape}"
        )
    bad = np.argwhere(~np.isfinite(array))
    if bad.size:
        row, col = bad[0]
        raise InputError(f"{name} row {int(row)} column {int(col)} is not a finite number")
    return array


def same_length(name_a: str, a: np.ndarray, name_b: str, b: np.ndarray) -> None:
    """Raise when ``a`` and ``b`` hold a different number of rows."""
    if a.shape[0] != b.shape[0]:
        raise InputError(
            f"{name_a} has {a.shape[0]} rows but {name_b} has {b.shape[0]}; "
            "pass one value per row for both"
        )


def binary_target(y_true: Any, pos_label: Any = None, name: str = "y_true") -> np.ndarray:
    """Booleans ``y_true == pos_label`` for a binary target.

    ``pos_label=None`` follows scikit-learn: the larger of the two labels (1 for 0/1 data).
    """
    y = as_1d(y_true, name)
    classes = np.unique(y)
    if classes.size > 2:
        raise InputError(
            f"{name} has {classes.size} classes {classes[:5].tolist()}; this needs a binary "
            "target (use the one-vs-rest or multiclass variant)"
        )
    if pos_label is None:
        pos_label = classes[-1]
    elif classes.size and not np.any(classes == pos_label):
        if classes.size == 2:
            raise InputError(
                f"pos_label={pos_label!r} is not one of the labels {classes.tolist()} in {name}"
            )
    return y == pos_label


def label_index(labels: Sequence[Any], label: Any, what: str) -> int:
    """Position of ``label`` in ``labels``; an InputError listing them when absent.

    An exact match wins; otherwise a unique match of the text forms (``1`` and ``"1"``),
    since labels may have passed through JSON or a CSV on one side only.
    """
    for i, candidate in enumerate(labels):
        if candidate == label:
            return i
    as_text = [i for i, candidate in enumerate(labels) if str(candidate) == str(label)]
    if len(as_text) == 1:
        return as_text[0]
    raise InputError(f"{what} {label!r} is not one of the labels {list(labels)}")


def to_json_value(value: Any) -> Any:
    """A numpy scalar as the plain Python value JSON can hold."""
    if isinstance(value, np.generic):
        return value.item()
    return value


def labels_tuple(labels: Sequence[Any] | None) -> tuple[Any, ...] | None:
    """Labels as a tuple of plain (JSON) values, or ``None``."""
    if labels is None:
        return None
    return tuple(to_json_value(label) for label in labels)


def float_vector(values: Any, name: str, *, positive: bool = False) -> tuple[float, ...]:
    """One finite float per class (at least two), all > 0 when ``positive``."""
    try:
        array = np.asarray(values, dtype=np.float64)
    except (TypeError, ValueError) as err:
        raise InputError(f"{name} must be a list of numbers, got {values!r}") from err
    if array.ndim != 1 or array.size < 2:
        raise InputError(f"{name} must be a list with one number per class, got {values!r}")
    if not np.isfinite(array).all():
        raise InputError(f"{name} must hold finite numbers, got {array.tolist()}")
    if positive and (array <= 0).any():
        raise InputError(f"{name} must be positive, got {array.tolist()}")
    return tuple(float(v) for v in array)


def as_model_proba(proba: Any) -> np.ndarray:
    """A probability matrix; a 1-D array is read as P(second class) of a binary model."""
    array = np.asarray(proba, dtype=np.float64)
    if array.ndim == 1:
        array = np.column_stack([1.0 - array, array])
    return as_proba(array)


def align(
    rule_labels: tuple[Any, ...] | None,
    labels: Sequence[Any] | None,
    size: int,
    what: str,
    n_columns: int,
) -> np.ndarray:
    """Index array mapping the model's columns to the rule's entries."""
    if n_columns != size:
        raise InputError(f"proba has {n_columns} classes but the {what} has {size}")
    if rule_labels is None or labels is None:
        if labels is not None and len(labels) != size:
            raise InputError(f"{what} has {size} classes but the model has {len(labels)} labels")
        return np.arange(size)
    if len(labels) != size:
        raise InputError(f"{what} has {size} classes but the model has {len(labels)} labels")
    return np.array(
        [label_index(rule_labels, to_json_value(name), f"{what}: model label") for name in labels]
    )

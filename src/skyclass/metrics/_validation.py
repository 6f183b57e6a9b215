"""Input checks shared by every metric: shapes, lengths, label types, weights, scores,
probability matrices, binary targets and the vectors of decision rules.

Every failure raises :class:`skyclass.errors.InputError` (a ``ValueError``) whose
message names the argument, what was wrong and how to fix it.

Example:
    >>> from skyclass.metrics._validation import as_labels
    >>> as_labels(["a", "b"], "y_true").tolist()
    ['a', 'b']
"""

from __future__ import annotations

import numbers
from collections.abc import Sequence
from typing import Any

import numpy as np

from skyclass._jsonsafe import json_scalar
from skyclass.errors import InputError
from skyclass.metrics._labels import label_key


class NotSupportedError(InputError, NotImplementedError):
    """A combination of options a metric does not define (scikit-learn raises NotImplementedError)."""


class LabelTypeError(InputError, TypeError):
    """Labels of a type metrics refuse (bytes; scikit-learn raises TypeError)."""


def _as_array(values: object, name: str) -> np.ndarray:
    if hasattr(values, "to_numpy"):  # pandas Series / DataFrame / Index
        values = values.to_numpy()
    try:
        arr = np.asarray(values)
    except ValueError as err:
        raise InputError(f"{name}: could not be turned into an array ({err})") from err
    return arr


def as_1d(values: object, name: str) -> np.ndarray:
    """``values`` as a non-empty 1-D array; an ``(n, 1)`` column is flattened."""
    arr = _as_array(values, name)
    if arr.ndim == 2 and arr.shape[1] == 1:
        arr = arr[:, 0]
    if arr.ndim != 1:
        raise InputError(
            f"{name} must be 1-D (one value per sample); got an array of shape {arr.shape}. "
            "Multilabel or multi-output targets are not supported: pass one label per row."
        )
    if arr.shape[0] == 0:
        raise InputError(f"{name} is empty: at least 1 sample is required.")
    return arr


def _kind(arr: np.ndarray, name: str) -> str:
    """'number' or 'string' for an array of labels; raises on a mix or on NaN."""
    if arr.dtype.kind in "biu":
        return "number"
    if arr.dtype.kind == "f":
        if not np.isfinite(arr).all():
            raise InputError(f"{name} contains NaN or infinity; labels must be finite values.")
        return "number"
    bytes_error = LabelTypeError(
        f"{name}: Support for labels represented as bytes is not supported. Convert the "
        "labels to a string or integer format."
    )
    if arr.dtype.kind == "S":
        raise bytes_error
    if arr.dtype.kind == "U":
        return "string"
    if arr.dtype.kind == "O":
        kinds = set()
        for value in arr:
            if isinstance(value, bytes):
                raise bytes_error
            if isinstance(value, str):
                kinds.add("string")
            elif isinstance(value, numbers.Number) and not isinstance(value, complex):
                if value != value:  # NaN
                    raise InputError(f"{name} contains NaN; labels must not be missing.")
                kinds.add("number")
            else:
                raise InputError(
                    f"{name} contains {value!r} of type {type(value).__name__}; "
                    "labels must be numbers, booleans or strings."
                )
        if len(kinds) > 1:
            raise InputError(
                f"{name}: Mix of label input types (string and number); "
                "use one type for all labels."
            )
        return kinds.pop() if kinds else "number"
    raise InputError(f"{name} has dtype {arr.dtype}; labels must be numbers or strings.")


def as_labels(values: object, name: str) -> np.ndarray:
    """``values`` as a 1-D array of class labels (numbers, bools or strings).

    Raises when labels are continuous floats, NaN, a mix of strings and numbers,
    2-D or empty.
    """
    arr = as_1d(values, name)
    kind = _kind(arr, name)
    if arr.dtype.kind == "O":
        arr = arr.astype(str) if kind == "string" else np.asarray(arr.tolist())
    if arr.dtype.kind == "f" and np.any(arr != np.floor(arr)):
        raise InputError(
            f"{name} contains continuous values (e.g. {arr[arr != np.floor(arr)][0]!r}); "
            "classification metrics need class labels, not scores (y type must be 'binary' or "
            "'multiclass', got 'continuous')."
        )
    return arr


def same_kind(first: np.ndarray, second: np.ndarray, names: str) -> None:
    """Raise when one label array holds strings and the other numbers."""
    a = "string" if first.dtype.kind in "US" else "number"
    b = "string" if second.dtype.kind in "US" else "number"
    if a != b:
        raise InputError(
            f"{names}: Mix of label input types (string and number); "
            "use the same label type in both."
        )


def check_lengths(**arrays: object) -> None:
    """Raise when the named arrays (None skipped) have different first dimensions."""
    lengths = {name: len(arr) for name, arr in arrays.items() if arr is not None}
    if len(set(lengths.values())) > 1:
        detail = ", ".join(f"{name} has {n} rows" for name, n in lengths.items())
        raise InputError(
            "Found input variables with inconsistent numbers of samples: "
            f"{detail}; pass one entry per sample in each."
        )


def as_weights(
    sample_weight: object, n_samples: int, *, allow_all_zero: bool = False
) -> np.ndarray | None:
    """``sample_weight`` as a finite 1-D array of length ``n_samples`` (or None)."""
    if sample_weight is None:
        return None
    arr = _as_array(sample_weight, "sample_weight")
    if arr.ndim == 0:
        return np.full(n_samples, float(arr))
    one_per_row(arr, n_samples, "sample_weight", "pass one weight per row")
    if arr.dtype.kind == "O":  # e.g. a pandas object column of numbers: as scikit-learn, floats
        try:
            arr = arr.astype(np.float64)
        except (TypeError, ValueError) as err:
            raise InputError(
                f"sample_weight must hold numbers; an object array with {err} was given."
            ) from err
    if arr.dtype.kind not in "biuf":
        raise InputError(f"sample_weight must be numeric; got dtype {arr.dtype}.")
    if arr.dtype.kind == "f" and not np.isfinite(arr).all():
        raise InputError("sample_weight contains NaN or infinity; weights must be finite.")
    if not allow_all_zero:
        require_nonzero(arr)
    return arr


def one_per_row(array: np.ndarray, n_rows: int, name: str, fix: str) -> np.ndarray:
    """``array`` when it holds one value per row of ``y_true``; else an ``InputError``.

    ``fix`` ends the length message, saying what to pass instead.
    """
    if array.ndim != 1:
        raise InputError(f"{name} must be one value per row (1-D), got shape {array.shape}")
    if array.shape[0] != n_rows:
        raise InputError(
            f"{name} has {array.shape[0]} values but y_true has {n_rows} rows; {fix}"
        )
    return array


def at_most_two_classes(y: np.ndarray, name: str, fix: str) -> np.ndarray:
    """The sorted classes of ``y``; an ``InputError`` ending in ``fix`` when there are more than two."""
    classes = np.unique(y)
    if classes.size > 2:
        raise InputError(f"{name} has {classes.size} classes {classes[:5].tolist()}; {fix}")
    return classes


def require_nonzero(weights: np.ndarray | None) -> None:
    """Raise when every weight is zero (scikit-learn refuses such weights)."""
    if weights is not None and not weights.any():
        raise InputError("sample_weight: Sample weights must contain at least one non-zero number.")


def as_scores(
    y_score: object, name: str, *, ndim: tuple[int, ...] = (1, 2), keep_dtype: bool = False
) -> np.ndarray:
    """``y_score`` as a finite float array with one of the allowed dimensions.

    ``keep_dtype``: integer, boolean and float32 scores keep their dtype (curve
    thresholds are returned in it, as scikit-learn does); otherwise they become float64.
    """
    arr = _as_array(y_score, name)
    if arr.ndim not in ndim:
        want = " or ".join(f"{d}-D" for d in ndim)
        raise InputError(f"{name} must be {want}; got an array of shape {arr.shape}.")
    if arr.shape[0] == 0:
        raise InputError(f"{name} is empty: at least 1 sample is required.")
    if arr.dtype.kind not in "biuf":
        try:
            arr = arr.astype(np.float64)
        except (TypeError, ValueError) as err:
            raise InputError(f"{name} must hold numbers; got dtype {arr.dtype}.") from err
    if arr.dtype.kind != "f" and not keep_dtype:
        arr = arr.astype(np.float64)
    if arr.dtype.kind in "biu" or np.isfinite(arr.sum()):
        return arr
    finite = np.isfinite(arr)
    if not finite.all():
        where = np.argwhere(~finite)[0]
        raise InputError(
            f"{name} contains NaN or infinity (first at index {tuple(int(i) for i in where)}); "
            "scores must be finite numbers."
        )
    return arr


def unique_labels(*arrays: np.ndarray) -> np.ndarray:
    """Sorted union of the labels in ``arrays``."""
    if len(arrays) == 1:
        return np.unique(arrays[0])
    return np.unique(np.concatenate([np.unique(a) for a in arrays]))


def encode(y: np.ndarray, classes: np.ndarray, name: str) -> np.ndarray:
    """Index of each value of ``y`` in the sorted array ``classes``; raise on unknown values."""
    codes = np.searchsorted(classes, y)
    codes[codes >= len(classes)] = 0
    bad = classes[codes] != y
    if bad.any():
        unknown = sorted(set(np.asarray(y)[bad].tolist()), key=str)[:5]
        raise InputError(
            f"{name} contains labels {unknown} that are not in labels={classes.tolist()}; "
            "add them to labels or remove those rows."
        )
    return codes


def lookup(y: np.ndarray, labels: np.ndarray) -> np.ndarray:
    """Position of each value of ``y`` in the (unsorted) ``labels``; -1 where absent."""
    order = np.argsort(labels, kind="stable")
    sorted_labels = labels[order]
    pos = np.searchsorted(sorted_labels, y)
    pos[pos >= len(labels)] = 0
    found = sorted_labels[pos] == y
    return np.where(found, order[pos], -1)


# Checks of probability matrices, binary targets, labels and decision-rule vectors.


def as_score_column(values: object, name: str) -> np.ndarray:
    """``values`` as a finite 1-D float array (an ``(n, 1)`` column is flattened)."""
    return as_scores(as_1d(values, name), name, ndim=(1,))


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


def as_model_proba(proba: Any) -> np.ndarray:
    """A probability matrix; a 1-D array is read as P(second class) of a binary model."""
    array = np.asarray(proba, dtype=np.float64)
    if array.ndim == 1:
        array = np.column_stack([1.0 - array, array])
    return as_proba(array)


def binary_target(y_true: Any, pos_label: Any = None, name: str = "y_true") -> np.ndarray:
    """Booleans ``y_true == pos_label`` for a binary target.

    ``pos_label=None`` follows scikit-learn: the larger of the two labels (1 for 0/1 data).
    """
    y = as_1d(y_true, name)
    classes = at_most_two_classes(
        y, name, "this needs a binary target (use the one-vs-rest or multiclass variant)"
    )
    if pos_label is None:
        pos_label = classes[-1]
    elif classes.size and not np.any(classes == pos_label):
        if classes.size == 2:
            raise InputError(
                f"pos_label={pos_label!r} is not one of the labels {classes.tolist()} in {name}"
            )
    return y == pos_label


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


def label_index(labels: Sequence[Any], label: Any, what: str) -> int:
    """Position of ``label`` in ``labels``; an InputError listing them when absent.

    An exact match wins; otherwise a unique match of the text forms (``1`` and ``"1"``),
    since labels may have passed through JSON or a CSV on one side only.
    """
    for i, candidate in enumerate(labels):
        if candidate == label:
            return i
    as_text = [i for i, candidate in enumerate(labels) if label_key(candidate) == label_key(label)]
    if len(as_text) == 1:
        return as_text[0]
    raise InputError(f"{what} {label!r} is not one of the labels {list(labels)}")


def labels_tuple(labels: Sequence[Any] | None) -> tuple[Any, ...] | None:
    """Labels as a tuple of plain (JSON) values, or ``None``."""
    if labels is None:
        return None
    return tuple(json_scalar(label) for label in labels)


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
        [label_index(rule_labels, json_scalar(name), f"{what}: model label") for name in labels]
    )

"""Input checks shared by every metric: shapes, lengths, label types, weights, scores.

Every failure raises :class:`skyclass.errors.InputError` (a ``ValueError``) whose
message names the argument, what was wrong and how to fix it.

Example:
    >>> from skyclass.metrics._validation import as_labels
    >>> as_labels(["a", "b"], "y_true").tolist()
    ['a', 'b']
"""

from __future__ import annotations

import numbers

import numpy as np

from skyclass.errors import InputError


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
    if arr.dtype.kind in "US":
        return "string"
    if arr.dtype.kind == "O":
        kinds = set()
        for value in arr:
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
            "classification metrics need class labels, not scores."
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
        detail = ", ".join(f"{name} has {n}" for name, n in lengths.items())
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
    if arr.ndim != 1:
        raise InputError(f"sample_weight must be 1-D; got an array of shape {arr.shape}.")
    if arr.shape[0] != n_samples:
        raise InputError(
            f"sample_weight has {arr.shape[0]} entries but there are {n_samples} samples; "
            "pass one weight per sample."
        )
    if arr.dtype.kind not in "biuf":
        raise InputError(f"sample_weight must be numeric; got dtype {arr.dtype}.")
    if arr.dtype.kind == "f" and not np.isfinite(arr).all():
        raise InputError("sample_weight contains NaN or infinity; weights must be finite.")
    if not allow_all_zero:
        require_nonzero(arr)
    return arr


def require_nonzero(weights: np.ndarray | None) -> None:
    """Raise when every weight is zero (scikit-learn refuses such weights)."""
    if weights is not None and not weights.any():
        raise InputError("sample_weight: Sample weights must contain at least one non-zero number.")


def as_scores(y_score: object, name: str, *, ndim: tuple[int, ...] = (1, 2)) -> np.ndarray:
    """``y_score`` as a finite float array with one of the allowed dimensions."""
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
    if arr.dtype.kind != "f":
        arr = arr.astype(np.float64)
    if np.isfinite(arr.sum()):
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

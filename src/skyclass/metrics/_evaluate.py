"""``evaluate``: every classification metric from one validation and one sort per class.

Example:
    >>> import numpy as np
    >>> from skyclass.metrics import evaluate
    >>> proba = np.array([[0.8, 0.1, 0.1], [0.2, 0.7, 0.1], [0.1, 0.2, 0.7], [0.5, 0.4, 0.1]])
    >>> ev = evaluate(["a", "b", "c", "b"], proba)
    >>> ev.accuracy, ev.labels
    (0.75, ['a', 'b', 'c'])
    >>> ev.roc_auc
    1.0
"""

from __future__ import annotations

import os
from concurrent.futures import ThreadPoolExecutor

import numpy as np
from numpy.typing import ArrayLike

from skyclass.errors import InputError
from skyclass.metrics._engine import ClassPass, column_pass
from skyclass.metrics._evaluation import Evaluation
from skyclass.metrics._validation import (
    as_labels,
    as_scores,
    as_weights,
    check_lengths,
    lookup,
)


def evaluate(
    y_true: ArrayLike,
    y_proba: ArrayLike,
    *,
    labels: ArrayLike | None = None,
    sample_weight: ArrayLike | None = None,
    max_curve_points: int | None = 200,
    ece_bins: int = 10,
    n_jobs: int | None = None,
) -> Evaluation:
    """Evaluate predicted probabilities against true labels, all metrics in one pass.

    Predicted labels are the argmax of each row (first column on ties), as
    ``predict`` of scikit-learn classifiers.

    Parameters
    ----------
    y_true : array-like of shape (n_samples,)
        True labels: list, numpy array or pandas Series.
    y_proba : array-like of shape (n_samples, n_classes) or (n_samples,)
        Probabilities with columns in ``labels`` order, or for binary the probability
        of the second label. Rows must sum to 1.
    labels : array-like, default=None
        The class of each column; None: the sorted labels of ``y_true``.
    sample_weight : array-like of shape (n_samples,), default=None
        Non-negative weight per row; None: all 1.
    max_curve_points : int or None, default=200
        ROC/PR curves kept per class are thinned to at most this many points (at
        least 2; None keeps scikit-learn's full curves). AUC and average precision are
        always computed from the full curves.
    ece_bins : int, default=10
        Equal-width confidence bins for the expected calibration error.
    n_jobs : int or None, default=None
        Threads for the per-class sorts (numpy releases the GIL while sorting). None: 2
        when a CPU core is idle (1-minute load average below cores - 1), else 1.

    Returns
    -------
    Evaluation
        Every metric, per class and averaged, JSON-safe through ``to_dict()``.

    Raises
    ------
    InputError
        Mismatched lengths, probabilities that are not probabilities, labels that do
        not match the columns, or bad option values (the message says which).

    Example:
        >>> ev = evaluate([0, 1, 1, 0], [0.2, 0.9, 0.4, 0.6])
        >>> ev.accuracy, ev.roc_auc
        (0.5, 0.75)
    """
    if not isinstance(ece_bins, int) or ece_bins < 1:
        raise InputError(f"ece_bins must be a positive integer; got {ece_bins!r}.")
    if max_curve_points is not None and max_curve_points < 2:
        raise InputError(f"max_curve_points must be >= 2 or None; got {max_curve_points}.")
    yt = as_labels(y_true, "y_true")
    proba = as_scores(y_proba, "y_proba")
    check_lengths(y_true=yt, y_proba=proba, sample_weight=sample_weight)
    weight = as_weights(sample_weight, len(yt))
    if weight is not None and (weight < 0).any():
        raise InputError("sample_weight contains negative values; weights must be >= 0.")
    classes = _classes(yt, labels, proba)
    k = len(classes)
    if proba.ndim == 1:
        proba = np.stack([1 - proba, proba], axis=1)
    if proba.shape[1] != k:
        raise InputError(
            f"y_proba has {proba.shape[1]} columns but there are {k} labels {classes.tolist()}; "
            "pass labels= naming the class of each column."
        )
    _check_probabilities(proba)
    codes = _codes(yt, classes)
    pred = np.argmax(proba, axis=1)
    cm = np.bincount(codes * k + pred, weights=weight, minlength=k * k).reshape(k, k)
    if weight is not None and weight.dtype.kind in "biu":
        cm = cm.astype(np.int64)
    own = proba[np.arange(len(codes)), codes]
    eps = np.finfo(proba.dtype).eps
    row_loss = -np.log(np.clip(own, eps, 1 - eps))
    brier = _brier(proba, codes, own, weight) * (0.5 if k == 2 else 1.0)
    top_k = _top_k(proba, codes, weight, k)
    ece = _ece(proba, pred, codes, weight, ece_bins)
    passes = _column_passes(proba, codes, weight, k, n_jobs, max_curve_points)
    return Evaluation.build(
        labels=classes,
        confusion=cm,
        n_samples=len(yt),
        weighted=weight is not None,
        log_loss=float(np.average(row_loss, weights=weight)),
        brier_score=brier,
        top_k_accuracy=top_k,
        expected_calibration_error=ece,
        class_weight=np.bincount(codes, weights=weight, minlength=k).astype(np.float64),
        passes=passes,
    )


def _classes(yt: np.ndarray, labels, proba: np.ndarray) -> np.ndarray:
    if labels is None:
        classes = _unique(yt)
        n_cols = 2 if proba.ndim == 1 else proba.shape[1]
        if len(classes) != n_cols:
            raise InputError(
                f"y_true has {len(classes)} distinct labels {classes.tolist()[:10]} but y_proba "
                f"has {n_cols} columns; pass labels= naming the class of each column."
            )
        return classes
    classes = as_labels(labels, "labels")
    if len(np.unique(classes)) != len(classes):
        raise InputError(f"labels must be unique; got {classes.tolist()}.")
    if len(classes) < 2:
        raise InputError(f"labels needs at least two classes; got {classes.tolist()}.")
    if (classes.dtype.kind in "US") != (yt.dtype.kind in "US"):
        raise InputError(
            "labels and y_true: Mix of label input types (string and number); use one type."
        )
    return classes


def _unique(yt: np.ndarray) -> np.ndarray:
    """Sorted distinct labels; a counting pass instead of a sort for small integer labels."""
    if yt.dtype.kind in "iu" and yt.shape[0] > 1000:
        lo, hi = int(yt.min()), int(yt.max())
        if hi - lo < 1 << 20:
            return (np.flatnonzero(np.bincount(yt - lo if lo else yt)) + lo).astype(yt.dtype)
    return np.unique(yt)


def _codes(yt: np.ndarray, classes: np.ndarray) -> np.ndarray:
    if yt.dtype.kind in "biu" and classes.dtype.kind in "biu":
        lo = int(min(yt.min(), classes.min()))
        hi = int(max(yt.max(), classes.max()))
        if hi - lo < 1 << 20:
            table = np.full(hi - lo + 1, -1, dtype=np.int64)
            table[classes.astype(np.int64) - lo] = np.arange(len(classes))
            codes = table[yt.astype(np.int64) - lo]
        else:
            codes = lookup(yt, classes)
    else:
        codes = lookup(yt, classes)
    if (codes < 0).any():
        unknown = sorted(set(yt[codes < 0].tolist()), key=str)[:5]
        raise InputError(
            f"y_true contains labels {unknown} that are not in labels={classes.tolist()}; "
            "add them to labels or drop those rows."
        )
    return codes


def _check_probabilities(proba: np.ndarray) -> None:
    lo, hi = proba.min(), proba.max()
    if lo < 0 or hi > 1:
        bad = lo if lo < 0 else hi
        raise InputError(
            f"y_proba contains {bad!r}, outside [0, 1]; pass probabilities (e.g. predict_proba)."
        )
    sums = proba.sum(axis=1)
    ok = np.isclose(sums, 1.0)  # numpy.allclose tolerance, as scikit-learn's roc_auc_score
    if not ok.all():
        row = int(np.flatnonzero(~ok)[0])
        raise InputError(
            f"y_proba rows must sum to 1 (tolerance rtol=1e-5, atol=1e-8); row {row} sums to "
            f"{float(sums[row])!r}. Normalise the rows or pass predict_proba output."
        )


def _top_k(proba, codes, weight, k) -> dict[int, float]:
    if k < 3:
        return {}
    own = proba[np.arange(len(codes)), codes][:, None]
    ahead = np.count_nonzero(proba > own, axis=1)
    tied = proba == own
    tied &= np.arange(k) > codes[:, None]
    ahead += np.count_nonzero(tied, axis=1)
    return {kk: float(np.average(ahead < kk, weights=weight)) for kk in range(2, min(k, 6))}


def _brier(proba, codes, own, weight) -> float:
    """Mean over rows of sum_j (onehot_j - p_j)^2, without an (n, k) float64 temporary.

    float64 uses sum p^2 - 2 p_true + 1; narrower floats repeat scikit-learn's own
    arithmetic so the float32 result is the same float32 number.
    """
    if proba.dtype == np.float64:
        rows = np.einsum("ij,ij->i", proba, proba) - 2 * own + 1
    else:
        diff = -proba
        diff[np.arange(len(codes)), codes] += 1
        rows = np.sum(diff**2, axis=1)
    return float(np.average(rows, weights=weight))


def _ece(proba, pred, codes, weight, n_bins: int) -> float:
    """Top-label expected calibration error over ``n_bins`` equal-width bins of confidence.

    Rows go to bins like scikit-learn's ``calibration_curve`` (intervals closed on the
    right), so unweighted it equals ``expected_calibration_error(y_true, y_proba)``.
    """
    conf = proba[np.arange(len(pred)), pred].astype(np.float64)
    gap = (pred == codes) - conf
    ids = np.searchsorted(np.linspace(0.0, 1.0, n_bins + 1)[1:-1], conf)
    if weight is not None:
        gap *= weight
    per_bin = np.bincount(ids, weights=gap, minlength=n_bins)
    total = len(conf) if weight is None else weight.sum()
    return float(np.abs(per_bin).sum() / total)


def _default_jobs() -> int:
    """2 threads when a core is idle, else 1 (threads only slow a saturated machine)."""
    cpus = os.cpu_count() or 1
    if cpus < 2:
        return 1
    try:
        load = os.getloadavg()[0]
    except (AttributeError, OSError):  # no load average on this platform
        return 2
    return 2 if load < cpus - 1 else 1


def _column_passes(proba, codes, weight, k, n_jobs, max_points) -> list[ClassPass]:
    if weight is not None and (weight == 0).any():
        keep = weight != 0
        proba, codes, weight = proba[keep], codes[keep], weight[keep]
    jobs = _default_jobs() if n_jobs is None else max(1, int(n_jobs))
    small = np.uint8 if k <= 255 else np.uint16 if k <= 65535 else np.intp
    codes = codes.astype(small)  # a small array gathers much faster after each sort

    def one(c: int) -> ClassPass:
        return column_pass(proba[:, c], codes, weight, c, k, max_points)

    if jobs == 1:
        return [one(c) for c in range(k)]
    with ThreadPoolExecutor(max_workers=jobs) as pool:
        return list(pool.map(one, range(k)))

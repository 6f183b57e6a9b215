"""Bootstrap confidence intervals, vectorised over resamples.

A label metric depends on the rows only through the confusion matrix, so
resampling n rows with replacement is the same as drawing the n rows' cells
from a multinomial over the k × k cells (per true class when stratified).
1000 resamples are then 1000 small matrices, not 1000 passes over the rows.
Probability metrics (``roc_auc``, ``average_precision``, ``log_loss``,
``brier_score_loss``) use resample counts per row as
weights, a chunk of resamples at a time. Any other callable falls back to a
plain loop over index resamples.

Example:
    >>> import numpy as np
    >>> from skyclass.metrics import bootstrap_ci
    >>> rng = np.random.default_rng(0)
    >>> y = rng.integers(0, 3, 2000)
    >>> pred = np.where(rng.random(2000) < 0.8, y, rng.integers(0, 3, 2000))
    >>> ci = bootstrap_ci("f1_macro", y, pred, n_resamples=500)
    >>> ci.low < ci.estimate < ci.high
    True
"""

from __future__ import annotations

import functools
from collections.abc import Callable, Sequence
from typing import Any

import numpy as np

from skyclass.errors import InputError
from skyclass.metrics._bootstrap_interval import ConfidenceInterval
from skyclass.metrics._bootstrap_metrics import (
    LABEL_METRICS,
    brier_rows,
    log_loss_rows,
    weighted_average_precision,
    weighted_binary_auc,
    weighted_mean_loss,
)
from skyclass.metrics._validation import as_1d, check_lengths

__all__ = ["bootstrap_ci"]

PROBA_METRICS = ("roc_auc", "roc_auc_ovr", "average_precision", "log_loss", "brier_score_loss")
_ROW_LOSSES = {"log_loss": log_loss_rows, "brier_score_loss": brier_rows}
_CHUNK_CELLS = 4_000_000  # resamples x rows held in memory at once for probability metrics


def bootstrap_ci(
    metric: str | Callable[[np.ndarray, np.ndarray], float],
    y_true: Any,
    y_pred_or_proba: Any,
    n_resamples: int = 1000,
    confidence: float = 0.95,
    stratified: bool = True,
    seed: int | None = 0,
    *,
    labels: Sequence[Any] | None = None,
) -> ConfidenceInterval:
    """Percentile bootstrap interval for ``metric`` (a name or ``f(y_true, y_pred) -> float``).

    Names: ``accuracy``, ``balanced_accuracy``, ``f1``/``precision``/``recall``
    (binary, positive = last label) and their ``_macro``/``_micro``/``_weighted``
    forms, ``matthews_corrcoef``, ``cohen_kappa`` (labels, or probabilities that
    are turned into labels by argmax), and ``roc_auc`` / ``average_precision``
    (binary, or one-vs-rest macro for a probability matrix), ``log_loss`` and
    ``brier_score_loss`` (probabilities). ``stratified``
    resamples within each true class, keeping class counts fixed.

    Example:
        >>> ci = bootstrap_ci("accuracy", [0, 1, 1, 0, 1, 1], [0, 1, 0, 0, 1, 1], seed=1)
        >>> round(ci.estimate, 3), ci.method
        (0.833, 'percentile')
    """
    if not (isinstance(n_resamples, int | np.integer) and n_resamples >= 2):
        raise InputError(f"n_resamples must be an integer >= 2, got {n_resamples!r}")
    if not 0 < confidence < 1:
        raise InputError(f"confidence must be between 0 and 1 (e.g. 0.95), got {confidence!r}")
    y = as_1d(y_true, "y_true")
    values = np.asarray(y_pred_or_proba)
    if values.ndim not in (1, 2):
        raise InputError(f"y_pred_or_proba must be 1-D or 2-D, got shape {values.shape}")
    check_lengths(y_true=y, y_pred_or_proba=values)
    rng = np.random.default_rng(seed)

    if callable(metric):
        name = getattr(metric, "__name__", "metric")
        estimate, samples = _loop(metric, y, values, n_resamples, stratified, rng)
    elif metric in LABEL_METRICS:
        name = metric
        estimate, samples = _label_bootstrap(
            metric, y, values, labels, n_resamples, stratified, rng
        )
    elif metric in PROBA_METRICS:
        name = metric
        estimate, samples = _proba_bootstrap(
            metric, y, values, labels, n_resamples, stratified, rng
        )
    else:
        known = sorted([*LABEL_METRICS, *PROBA_METRICS])
        raise InputError(f"unknown metric {metric!r}; use a callable or one of {known}")

    valid = samples[np.isfinite(samples)]
    if valid.size == 0:
        raise InputError(
            f"{name} is undefined on every resample (e.g. one class only); use stratified=True"
        )
    alpha = (1 - confidence) / 2
    low, high = np.quantile(valid, [alpha, 1 - alpha])
    return ConfidenceInterval(
        metric=name,
        estimate=float(estimate),
        low=float(low),
        high=float(high),
        confidence=float(confidence),
        method="percentile",
        std=float(valid.std(ddof=1)) if valid.size > 1 else float("nan"),
        n_resamples=int(n_resamples),
        distribution=samples,
    )


def _codes(values: np.ndarray, order: list[Any], name: str) -> np.ndarray:
    lookup = {label: i for i, label in enumerate(order)}
    try:
        return np.fromiter((lookup[v] for v in values.tolist()), dtype=np.intp, count=len(values))
    except KeyError as err:
        raise InputError(f"{name} holds {err.args[0]!r}, which is not one of {order}") from err


def _label_bootstrap(metric, y, values, labels, n_resamples, stratified, rng):
    if values.ndim == 2:  # probabilities → argmax labels
        order = list(labels) if labels is not None else np.unique(y).tolist()
        if len(order) != values.shape[1]:
            raise InputError(
                f"probabilities have {values.shape[1]} columns but there are {len(order)} "
                "labels; pass labels= in the column order"
            )
        pred_codes = np.argmax(values, axis=1)
    else:
        order = list(labels) if labels is not None else np.union1d(y, values).tolist()
        pred_codes = _codes(values, order, "y_pred")
    true_codes = _codes(y, order, "y_true")
    k = len(order)
    if metric in ("f1", "precision", "recall") and k > 2:
        raise InputError(
            f"metric {metric!r} is binary but there are {k} labels; use {metric}_macro, "
            f"{metric}_micro or {metric}_weighted"
        )
    fn = LABEL_METRICS[metric]
    if labels is not None and metric.endswith("_macro"):
        fn = functools.partial(fn, all_labels=True)
    cells = np.bincount(true_codes * k + pred_codes, minlength=k * k).astype(np.float64)
    cm = cells.reshape(k, k)
    estimate = fn(cm[None])[0]
    n = int(cells.sum())
    if stratified:
        cms = np.zeros((n_resamples, k, k))
        for i in range(k):
            n_i = int(cm[i].sum())
            if n_i:
                cms[:, i, :] = rng.multinomial(n_i, cm[i] / n_i, size=n_resamples)
    else:
        cms = rng.multinomial(n, cells / n, size=n_resamples).reshape(n_resamples, k, k)
    return estimate, fn(cms.astype(np.float64))


def _resample_indices(y: np.ndarray, size: int, stratified: bool, rng) -> np.ndarray:
    """``[size, n]`` row indices, drawn within each class when ``stratified``."""
    n = y.shape[0]
    if not stratified:
        return rng.integers(0, n, size=(size, n))
    blocks = []
    for label in np.unique(y):
        members = np.flatnonzero(y == label)
        blocks.append(members[rng.integers(0, members.size, size=(size, members.size))])
    return np.concatenate(blocks, axis=1)


def _counts(y, size, stratified, rng) -> np.ndarray:
    n = y.shape[0]
    idx = _resample_indices(y, size, stratified, rng)
    offsets = (np.arange(size) * n)[:, None]
    return np.bincount((idx + offsets).ravel(), minlength=size * n).reshape(size, n).astype(float)


def _proba_bootstrap(metric, y, values, labels, n_resamples, stratified, rng):
    values = values.astype(np.float64)
    order = list(labels) if labels is not None else np.unique(y).tolist()
    if values.ndim == 1:
        if len(order) != 2:
            raise InputError(
                f"1-D scores need a binary y_true, got {len(order)} classes; pass the "
                "probability matrix [n, k] instead"
            )
        if metric in _ROW_LOSSES:
            values = np.column_stack([1 - values, values])
    elif values.shape[1] != len(order):
        raise InputError(
            f"probabilities have {values.shape[1]} columns but there are {len(order)} labels; "
            "pass labels= in the column order"
        )
    positions = _codes(y, order, "y_true")
    ones = np.ones((1, y.shape[0]))
    if metric in _ROW_LOSSES:
        row_loss = _ROW_LOSSES[metric](positions, values)

        def evaluate(weights: np.ndarray) -> np.ndarray:
            return weighted_mean_loss(weights, row_loss)
    else:
        curve = weighted_average_precision if metric == "average_precision" else weighted_binary_auc
        if values.ndim == 1 or values.shape[1] == 2:  # binary: score of the second label
            scores = [values if values.ndim == 1 else values[:, 1]]
            targets = [positions == 1]
        else:  # one-vs-rest, macro average over classes
            scores = [values[:, j] for j in range(values.shape[1])]
            targets = [positions == j for j in range(values.shape[1])]

        def evaluate(weights: np.ndarray) -> np.ndarray:
            per_class = [curve(weights, t, s) for t, s in zip(targets, scores)]
            return np.mean(per_class, axis=0)

    estimate = evaluate(ones)[0]
    chunk = max(1, _CHUNK_CELLS // y.shape[0])
    samples = [
        evaluate(_counts(y, min(chunk, n_resamples - start), stratified, rng))
        for start in range(0, n_resamples, chunk)
    ]
    return estimate, np.concatenate(samples)


def _loop(metric, y, values, n_resamples, stratified, rng):
    try:
        estimate = float(metric(y, values))
    except (ValueError, TypeError, ZeroDivisionError) as err:
        raise InputError(f"metric {metric!r} failed on the full data: {err}") from err
    samples = np.empty(n_resamples)
    for r in range(n_resamples):
        idx = _resample_indices(y, 1, stratified, rng)[0]
        try:
            samples[r] = metric(y[idx], values[idx])
        except (ValueError, ZeroDivisionError):
            samples[r] = np.nan
    return estimate, samples

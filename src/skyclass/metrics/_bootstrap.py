"""Bootstrap confidence intervals (BCa by default), vectorised over resamples.

The default resamples rows (class totals vary from resample to resample, as
they do between test sets drawn from one population) and reports the BCa
interval, whose coverage stays close to nominal on a few hundred rows.
``stratified=True`` resamples within each true class instead: it answers "how
much would the score move if the class counts were fixed at these", which is
narrower and, for a new test set, too optimistic.

Rows are first grouped into patterns: a label metric depends on the rows only
through the confusion matrix, so the patterns are its k × k cells; a
probability metric's patterns are the distinct (label, probability row) pairs.
Resampling n rows with replacement is then a multinomial draw of pattern
counts (or, when nearly every row is distinct, one index draw per row), and
1000 resamples are 1000 weight vectors handed to a vectorised metric. Any
other callable falls back to a plain loop over index resamples.

Example:
    >>> import numpy as np
    >>> from skyclass.metrics import bootstrap_ci
    >>> rng = np.random.default_rng(0)
    >>> y = rng.integers(0, 3, 2000)
    >>> pred = np.where(rng.random(2000) < 0.8, y, rng.integers(0, 3, 2000))
    >>> ci = bootstrap_ci("f1_macro", y, pred, n_resamples=500)
    >>> ci.low < ci.estimate < ci.high, ci.method
    (True, 'bca')
"""

from __future__ import annotations

import functools
from collections.abc import Callable, Sequence
from typing import Any

import numpy as np

from skyclass.errors import InputError
from skyclass.metrics._bootstrap_interval import ConfidenceInterval, UndefinedMetricError
from skyclass.metrics._bootstrap_metrics import (
    LABEL_METRICS,
    brier_rows,
    log_loss_rows,
    weighted_average_precision,
    weighted_binary_auc,
    weighted_mean_loss,
)
from skyclass.metrics._interval_methods import bca_bounds, percentile_bounds, wilson_interval
from skyclass.metrics._validation import as_1d, check_lengths

__all__ = ["bootstrap_ci"]

PROBA_METRICS = ("roc_auc", "roc_auc_ovr", "average_precision", "log_loss", "brier_score_loss")
METHODS = ("bca", "percentile")
_PROPORTIONS = ("accuracy", "f1_micro", "precision_micro", "recall_micro")  # share of rows right
_ROW_LOSSES = {"log_loss": log_loss_rows, "brier_score_loss": brier_rows}
_CHUNK_CELLS = 4_000_000  # resamples x patterns (or rows) held in memory at once
_EXACT_JACKKNIFE = 256  # patterns up to which every leave-one-out value is computed
_JACKKNIFE_GROUPS = 100  # delete-a-group jackknife beyond that (same acceleration on average)


def bootstrap_ci(
    metric: str | Callable[[np.ndarray, np.ndarray], float],
    y_true: Any,
    y_pred_or_proba: Any,
    n_resamples: int = 1000,
    confidence: float = 0.95,
    stratified: bool = False,
    seed: int | None = 0,
    *,
    labels: Sequence[Any] | None = None,
    method: str = "bca",
) -> ConfidenceInterval:
    """Bootstrap interval for ``metric`` (a name or ``f(y_true, y_pred) -> float``).

    Names: ``accuracy``, ``balanced_accuracy``, ``f1``/``precision``/``recall``
    (binary, positive = last label) and their ``_macro``/``_micro``/``_weighted``
    forms, ``matthews_corrcoef``, ``cohen_kappa`` (labels, or probabilities that
    are turned into labels by argmax), and ``roc_auc`` / ``average_precision``
    (binary, or one-vs-rest macro for a probability matrix), ``log_loss`` and
    ``brier_score_loss`` (probabilities).

    ``method``: ``"bca"`` (bias-corrected and accelerated, the default) or
    ``"percentile"``. Rows are resampled freely; ``stratified=True`` keeps each
    true class's row count fixed (narrower: it leaves out the variation of the
    class mix between test sets). When every resample gives the same value (say
    no errors at all) no zero-width interval is returned: accuracy gets the
    Wilson score interval of the proportion, other metrics get NaN bounds, and
    ``note`` says why. Resamples on which the metric is undefined (a class
    missing) are left out and counted in ``note``. A metric undefined on the
    rows themselves raises :class:`UndefinedMetricError`.

    Parameters
    ----------
    metric : str or callable
        One of the names above, or ``f(y_true, y_pred_or_proba) -> float`` (resampled
        row by row in a Python loop; the names use vectorised counts).
    y_true : array-like of shape (n_samples,)
        True class labels.
    y_pred_or_proba : array-like of shape (n_samples,) or (n_samples, n_classes)
        Predicted labels, or probabilities (one column per class in ``labels`` order;
        1-D: the positive class's for a binary target).
    n_resamples : int, default=1000
        Bootstrap resamples, at least 2.
    confidence : float, default=0.95
        The two-sided level, strictly between 0 and 1.
    stratified : bool, default=False
        Keep each true class's row count fixed in every resample.
    seed : int or None, default=0
        Seed of the resampling (None: fresh entropy, so results vary between calls).
    labels : sequence, default=None
        The classes: column order of a probability matrix, and with a ``_macro`` name
        every class to average over (present or not); None: the sorted labels seen.
    method : {"bca", "percentile"}, default="bca"
        How the bounds are read off the bootstrap distribution.

    Returns
    -------
    ConfidenceInterval
        The estimate on the given rows, its bounds, standard error, the resampled values
        and a ``note`` on anything unusual.

    Raises
    ------
    UndefinedMetricError
        The metric has no value on the given rows.
    InputError
        An unknown metric name or method, bad ``n_resamples``/``confidence``, or
        mismatched inputs.

    Example:
        >>> ci = bootstrap_ci("accuracy", [0, 1, 1, 0, 1, 1], [0, 1, 0, 0, 1, 1], seed=1)
        >>> round(ci.estimate, 3), ci.method
        (0.833, 'bca')
        >>> perfect = bootstrap_ci("accuracy", [0, 1] * 50, [0, 1] * 50)
        >>> perfect.method, round(perfect.low, 3), perfect.high
        ('wilson', 0.963, 1.0)
    """
    if not (isinstance(n_resamples, int | np.integer) and n_resamples >= 2):
        raise InputError(f"n_resamples must be an integer >= 2, got {n_resamples!r}")
    if not 0 < confidence < 1:
        raise InputError(f"confidence must be between 0 and 1 (e.g. 0.95), got {confidence!r}")
    if method not in METHODS:
        raise InputError(f"method must be one of {list(METHODS)}, got {method!r}")
    y = as_1d(y_true, "y_true")
    values = np.asarray(y_pred_or_proba)
    if values.ndim not in (1, 2):
        raise InputError(f"y_pred_or_proba must be 1-D or 2-D, got shape {values.shape}")
    check_lengths(y_true=y, y_pred_or_proba=values)
    rng = np.random.default_rng(seed)

    if callable(metric):
        name = getattr(metric, "__name__", "metric")
        draws = _loop(metric, y, values, n_resamples, stratified, rng)
    elif metric in LABEL_METRICS:
        name = metric
        draws = _label_bootstrap(metric, y, values, labels, n_resamples, stratified, rng)
    elif metric in PROBA_METRICS:
        name = metric
        draws = _proba_bootstrap(metric, y, values, labels, n_resamples, stratified, rng)
    else:
        known = sorted([*LABEL_METRICS, *PROBA_METRICS])
        raise InputError(f"unknown metric {metric!r}; use a callable or one of {known}")
    return _interval(name, draws, y.shape[0], confidence, method, stratified)


def _interval(name, draws, n, confidence, method, stratified) -> ConfidenceInterval:
    estimate, samples, jack_values, jack_weights = draws
    if not np.isfinite(estimate):
        raise UndefinedMetricError(
            f"{name} is undefined on these {n} rows (e.g. a class with no rows, or a single "
            "class present), so there is no value to put an interval around"
        )
    valid = samples[np.isfinite(samples)]
    notes = []
    if valid.size < samples.size:
        notes.append(
            f"{samples.size - valid.size} of {samples.size} resamples left out: {name} is "
            "undefined on them (a class missing from the resample)"
        )
    common = dict(
        metric=name,
        estimate=float(estimate),
        confidence=float(confidence),
        std=float(valid.std(ddof=1)) if valid.size > 1 else float("nan"),
        n_resamples=int(samples.size),
        distribution=samples,
    )
    if valid.size == 0 or np.ptp(valid) == 0:
        why = (
            "stratified resampling fixes each class's row count, and nothing else varies"
            if stratified
            else "the rows hold no variation to resample, e.g. no errors at all"
        )
        if name in _PROPORTIONS:
            right = round(estimate * n)
            low, high = wilson_interval(right, n, confidence)
            notes.insert(
                0,
                f"every resample gave {estimate:.4f} ({why}); Wilson score interval for "
                f"{right} of {n} rows right instead",
            )
            return ConfidenceInterval(
                low=low, high=high, method="wilson", note="; ".join(notes), **common
            )
        notes.insert(0, f"every resample gave {estimate:.4f} ({why})")
        nan = float("nan")
        return ConfidenceInterval(low=nan, high=nan, method=method, note="; ".join(notes), **common)
    if method == "bca":
        low, high = bca_bounds(valid, float(estimate), jack_values, jack_weights, confidence)
    else:
        low, high = percentile_bounds(valid, confidence)
    return ConfidenceInterval(low=low, high=high, method=method, note="; ".join(notes), **common)


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
    cells = np.bincount(true_codes * k + pred_codes, minlength=k * k)
    used = np.flatnonzero(cells)  # patterns: the non-empty cells of the confusion matrix

    def evaluate(weights: np.ndarray) -> np.ndarray:
        cms = np.zeros((weights.shape[0], k * k))
        cms[:, used] = weights
        return fn(cms.reshape(-1, k, k))

    return _resample(evaluate, cells[used], used // k, n_resamples, stratified, rng)


def _patterns(positions: np.ndarray, values: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Distinct (class, score row) pairs: ``(index of one row per pattern, rows per pattern)``."""
    table = np.column_stack([positions.astype(np.float64), values.reshape(len(positions), -1)])
    _, first, counts = np.unique(table, axis=0, return_index=True, return_counts=True)
    return first, counts


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
    first, counts = _patterns(_codes(y, order, "y_true"), values)
    positions = _codes(y[first], order, "y_true")
    values = values[first]
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
            with np.errstate(divide="ignore", invalid="ignore"):
                per_class = [curve(weights, t, s) for t, s in zip(targets, scores)]
            return np.mean(per_class, axis=0)

    return _resample(evaluate, counts, positions, n_resamples, stratified, rng)


def _resample(evaluate, counts, groups, n_resamples, stratified, rng):
    """``(estimate, resample values, jackknife values, jackknife weights)`` over patterns.

    ``counts[u]`` rows share pattern ``u``; ``groups[u]`` is its true class (the
    strata when ``stratified``); ``evaluate(weights[R, U]) -> values[R]``.
    """
    n = int(counts.sum())
    few = counts.size * 10 <= n  # draw pattern counts directly rather than one index per row
    chunk = max(1, _CHUNK_CELLS // (counts.size if few else n))
    if stratified:
        strata = [np.flatnonzero(groups == g) for g in np.unique(groups)]
    else:
        strata = [np.arange(counts.size)]
    samples = []
    for start in range(0, n_resamples, chunk):
        size = min(chunk, n_resamples - start)
        weights = np.zeros((size, counts.size))
        for members in strata:
            weights[:, members] = _draw(counts[members], size, few, rng)
        samples.append(evaluate(weights))
    estimate = float(evaluate(counts[None].astype(np.float64))[0])
    jack_values, jack_weights = _jackknife(evaluate, counts, rng)
    return estimate, np.concatenate(samples), jack_values, jack_weights


def _draw(counts: np.ndarray, size: int, few: bool, rng) -> np.ndarray:
    """``size`` resamples of ``counts.sum()`` rows: new counts per pattern ``[size, U]``."""
    m = int(counts.sum())
    if few:
        return rng.multinomial(m, counts / m, size=size).astype(np.float64)
    rows = np.repeat(np.arange(counts.size), counts)[rng.integers(0, m, size=(size, m))]
    offsets = (np.arange(size) * counts.size)[:, None]
    flat = np.bincount((rows + offsets).ravel(), minlength=size * counts.size)
    return flat.reshape(size, counts.size).astype(np.float64)


def _jackknife(evaluate, counts, rng) -> tuple[np.ndarray, np.ndarray]:
    """Leave-one-row-out values per pattern (weighted by its rows), or a grouped jackknife."""
    u = counts.size
    if u <= _EXACT_JACKKNIFE:
        return evaluate(counts[None] - np.eye(u)), counts.astype(np.float64)
    rows = np.repeat(np.arange(u), counts)
    group = rng.permutation(rows.size) % _JACKKNIFE_GROUPS
    removed = np.bincount(group * u + rows, minlength=_JACKKNIFE_GROUPS * u)
    weights = counts[None] - removed.reshape(_JACKKNIFE_GROUPS, u)
    return evaluate(weights.astype(np.float64)), np.ones(_JACKKNIFE_GROUPS)


def _resample_indices(y: np.ndarray, stratified: bool, rng) -> np.ndarray:
    """One resample's row indices, drawn within each class when ``stratified``."""
    n = y.shape[0]
    if not stratified:
        return rng.integers(0, n, size=n)
    blocks = []
    for label in np.unique(y):
        members = np.flatnonzero(y == label)
        blocks.append(members[rng.integers(0, members.size, size=members.size)])
    return np.concatenate(blocks)


def _safe_call(metric, y, values) -> float:
    try:
        return float(metric(y, values))
    except (ValueError, ZeroDivisionError):
        return np.nan


def _loop(metric, y, values, n_resamples, stratified, rng):
    try:
        estimate = float(metric(y, values))
    except (ValueError, TypeError, ZeroDivisionError) as err:
        raise InputError(f"metric {metric!r} failed on the full data: {err}") from err
    samples = np.empty(n_resamples)
    for r in range(n_resamples):
        idx = _resample_indices(y, stratified, rng)
        samples[r] = _safe_call(metric, y[idx], values[idx])
    n = y.shape[0]
    groups = n if n <= _EXACT_JACKKNIFE else _JACKKNIFE_GROUPS
    member = rng.permutation(n) % groups
    jack = np.array(
        [_safe_call(metric, y[member != g], values[member != g]) for g in range(groups)]
    )
    return estimate, samples, jack, np.ones(groups)

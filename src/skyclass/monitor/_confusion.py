"""Monitor metrics from (stacks of) confusion matrices, so a bootstrap or a simulation is one
array op.

``cm[..., i, j]`` counts rows of true class ``i`` predicted as ``j``. The scores come from
``skyclass.metrics.confusion_scores`` (the one confusion-matrix engine, scikit-learn's
definitions); the monitor adds one rule: a window without rows scores NaN ("no data"),
never 0.

Example:
    >>> import numpy as np
    >>> from skyclass.monitor._confusion import confusion_metrics
    >>> cm = np.array([[5, 1], [2, 2]])
    >>> {k: round(float(v), 4) for k, v in confusion_metrics(cm).items()}
    {'accuracy': 0.7, 'balanced_accuracy': 0.6667, 'f1_macro': 0.6703, 'precision_macro': 0.6905, 'recall_macro': 0.6667}
"""

from __future__ import annotations

import numpy as np

from skyclass.metrics import confusion_scores

METRICS = ("accuracy", "balanced_accuracy", "f1_macro", "precision_macro", "recall_macro")


def confusion_stack(
    true_idx: np.ndarray, pred_idx: np.ndarray, k: int, weights: np.ndarray | None = None
) -> np.ndarray:
    """Confusion matrix ``[k, k]``; with ``weights`` of shape ``[b, n]``, a stack ``[b, k, k]``."""
    cells = true_idx * k + pred_idx
    if weights is None:
        return np.bincount(cells, minlength=k * k).reshape(k, k).astype(np.float64)
    b = weights.shape[0]
    flat = (np.arange(b)[:, None] * (k * k) + cells[None, :]).ravel()
    return np.bincount(flat, weights=weights.ravel(), minlength=b * k * k).reshape(b, k, k)


def confusion_metrics(cm: np.ndarray) -> dict[str, np.ndarray]:
    """Accuracy, balanced accuracy and macro precision/recall/F1 of a confusion matrix (or a stack)."""
    cm = np.asarray(cm, dtype=np.float64)
    empty = cm.sum(axis=(-2, -1)) == 0
    return {
        name: np.where(empty, np.nan, values)
        for name, values in confusion_scores(cm, METRICS).items()
    }


def bootstrap_intervals(
    cm: np.ndarray, *, n_resamples: int = 1000, confidence: float = 0.95, seed: int = 0
) -> dict[str, tuple[float, float]]:
    """Percentile bootstrap interval of every metric in ``METRICS`` for confusion matrix ``cm``.

    Resampling rows with replacement is the same as drawing the k·k cell counts from a
    multinomial with the observed cell shares, so each resample costs O(k²), not O(n).
    """
    cm = np.asarray(cm, dtype=np.float64)
    n = int(round(cm.sum()))
    if n == 0:
        return {name: (float("nan"), float("nan")) for name in METRICS}
    rng = np.random.default_rng(seed)
    k = cm.shape[0]
    draws = rng.multinomial(n, cm.ravel() / cm.sum(), size=n_resamples).reshape(n_resamples, k, k)
    return percentile_intervals(confusion_metrics(draws), confidence)


def percentile_intervals(
    stats: dict[str, np.ndarray], confidence: float
) -> dict[str, tuple[float, float]]:
    """``(low, high)`` central percentile interval of each simulated metric, NaNs ignored."""
    alpha = (1 - confidence) / 2
    out = {}
    for name, values in stats.items():
        finite = values[np.isfinite(values)]
        if finite.size == 0:
            out[name] = (float("nan"), float("nan"))
            continue
        lo, hi = np.quantile(finite, [alpha, 1 - alpha])
        out[name] = (float(lo), float(hi))
    return out

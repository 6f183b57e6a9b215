"""Metrics computed for many bootstrap resamples at once.

Label metrics are functions of the confusion matrix, so they take a confusion
matrix ``[k, k]`` or a stack of them ``[..., k, k]`` (rows = truth, columns =
prediction) and return one value per matrix with scikit-learn's definitions: averages run over the
labels present in the resample's truth or predictions (every label when the
caller lists them, as scikit-learn's ``labels=``), 0 where a ratio is 0/0.
Probability metrics take resample counts per row ``[R, n]`` as weights.

Example:
    >>> import numpy as np
    >>> from skyclass.metrics._bootstrap_metrics import LABEL_METRICS
    >>> cms = np.array([[[3, 1], [0, 4]]], dtype=float)
    >>> LABEL_METRICS["accuracy"](cms).tolist()
    [0.875]
"""

from __future__ import annotations

from collections.abc import Callable, Sequence

import numpy as np
from scipy import sparse

from skyclass.errors import InputError


def _div(num: np.ndarray, den: np.ndarray) -> np.ndarray:
    out = np.zeros(np.broadcast(num, den).shape)
    np.divide(num, den, out=out, where=den != 0)
    return out


def _parts(cms: np.ndarray) -> tuple[np.ndarray, np.ndarray, np.ndarray, np.ndarray]:
    tp = np.diagonal(cms, axis1=-2, axis2=-1)
    true_count = cms.sum(axis=-1)
    pred_count = cms.sum(axis=-2)
    return tp, true_count, pred_count, cms.sum(axis=(-2, -1))


def _average(per_class: np.ndarray, cms: np.ndarray, average: str, all_labels: bool) -> np.ndarray:
    tp, true_count, pred_count, total = _parts(cms)
    if average == "weighted":
        return _div((per_class * true_count).sum(axis=-1), true_count.sum(axis=-1))
    if all_labels:  # scikit-learn with labels=...: every listed label counts, absent ones as 0
        return per_class.mean(axis=-1)
    present = (true_count + pred_count) > 0
    return _div((per_class * present).sum(axis=-1), present.sum(axis=-1))


def _precision(cms: np.ndarray) -> np.ndarray:
    tp, _, pred_count, _ = _parts(cms)
    return _div(tp, pred_count)


def _recall(cms: np.ndarray) -> np.ndarray:
    tp, true_count, _, _ = _parts(cms)
    return _div(tp, true_count)


def _f1(cms: np.ndarray) -> np.ndarray:
    tp, true_count, pred_count, _ = _parts(cms)
    return _div(2 * tp, true_count + pred_count)


def accuracy(cms: np.ndarray) -> np.ndarray:
    """Share of rows on the diagonal."""
    tp, _, _, total = _parts(cms)
    return _div(tp.sum(axis=-1), total)


def balanced_accuracy(cms: np.ndarray) -> np.ndarray:
    """Mean recall over the classes present in the truth."""
    tp, true_count, _, _ = _parts(cms)
    present = true_count > 0
    return _div((_div(tp, true_count) * present).sum(axis=-1), present.sum(axis=-1))


def matthews(cms: np.ndarray) -> np.ndarray:
    """Multiclass Matthews correlation (Gorodkin's R_K), 0 when undefined."""
    tp, t, p, s = _parts(cms)
    c = tp.sum(axis=-1)
    cov_tp = c * s - (t * p).sum(axis=-1)
    cov_pp = s**2 - (p * p).sum(axis=-1)
    cov_tt = s**2 - (t * t).sum(axis=-1)
    return _div(cov_tp, np.sqrt(cov_tt * cov_pp))


def cohen_kappa(cms: np.ndarray) -> np.ndarray:
    """Cohen's kappa (unweighted)."""
    tp, t, p, s = _parts(cms)
    observed = _div(tp.sum(axis=-1), s)
    expected = _div((t * p).sum(axis=-1), s**2)
    with np.errstate(divide="ignore", invalid="ignore"):
        return (observed - expected) / (1 - expected)


def _averaged(per_class: Callable, average: str) -> Callable[..., np.ndarray]:
    def metric(cms: np.ndarray, all_labels: bool = False) -> np.ndarray:
        return _average(per_class(cms), cms, average, all_labels)

    return metric


def _positive(per_class: Callable) -> Callable[[np.ndarray], np.ndarray]:
    def metric(cms: np.ndarray) -> np.ndarray:
        return per_class(cms)[..., -1]  # the positive label is the last one

    return metric


LABEL_METRICS: dict[str, Callable[[np.ndarray], np.ndarray]] = {
    "accuracy": accuracy,
    "balanced_accuracy": balanced_accuracy,
    "matthews_corrcoef": matthews,
    "cohen_kappa": cohen_kappa,
    "f1_micro": accuracy,
    "precision_micro": accuracy,
    "recall_micro": accuracy,
    "f1": _positive(_f1),
    "precision": _positive(_precision),
    "recall": _positive(_recall),
}
for _name, _fn in (("f1", _f1), ("precision", _precision), ("recall", _recall)):
    for _avg in ("macro", "weighted"):
        LABEL_METRICS[f"{_name}_{_avg}"] = _averaged(_fn, _avg)


def confusion_scores(
    cm: np.ndarray,
    names: Sequence[str] = (
        "accuracy",
        "balanced_accuracy",
        "f1_macro",
        "precision_macro",
        "recall_macro",
    ),
) -> dict[str, np.ndarray]:
    """Label metrics of a confusion matrix ``[k, k]`` or a stack ``[..., k, k]``, by name.

    The one confusion-matrix engine of skyclass: bootstrap intervals here and the
    monitor's live and estimated performance both read it. Values follow
    scikit-learn (0 where a ratio is 0/0); ``names`` are keys of ``LABEL_METRICS``.

    Parameters
    ----------
    cm : array-like of shape (..., k, k)
        Counts (or weights): ``cm[..., i, j]`` rows of true class ``i`` decided as ``j``.
    names : sequence of str
        The metrics to compute.

    Returns
    -------
    dict of str to numpy.ndarray
        One array of shape ``cm.shape[:-2]`` per metric.

    Example:
        >>> cm = np.array([[5, 1], [2, 2]])
        >>> {k: round(float(v), 4) for k, v in confusion_scores(cm, ["accuracy", "f1_macro"]).items()}
        {'accuracy': 0.7, 'f1_macro': 0.6703}
    """
    cm = np.asarray(cm, dtype=np.float64)
    unknown = [name for name in names if name not in LABEL_METRICS]
    if unknown:
        raise InputError(f"unknown confusion metric(s) {unknown}; use {sorted(LABEL_METRICS)}")
    return {name: LABEL_METRICS[name](cm) for name in names}


def weighted_mean_loss(weights: np.ndarray, row_loss: np.ndarray) -> np.ndarray:
    """Mean per-row loss under resample counts ``weights`` ``[R, n]``."""
    return (weights @ row_loss) / weights.sum(axis=1)


def log_loss_rows(positions: np.ndarray, proba: np.ndarray) -> np.ndarray:
    """Per-row log loss with scikit-learn's clipping to ``[eps, 1 - eps]``."""
    eps = np.finfo(proba.dtype).eps
    picked = np.clip(proba[np.arange(proba.shape[0]), positions], eps, 1 - eps)
    return -np.log(picked)


def brier_rows(positions: np.ndarray, proba: np.ndarray) -> np.ndarray:
    """Per-row Brier score as scikit-learn defines it.

    Binary: ``(p_positive - y)^2``; multiclass: ``sum_j (p_j - [y = j])^2``.
    """
    onehot = np.zeros_like(proba)
    onehot[np.arange(proba.shape[0]), positions] = 1.0
    loss = ((proba - onehot) ** 2).sum(axis=1)
    return loss / 2 if proba.shape[1] == 2 else loss


def _score_groups(
    weights: np.ndarray, positive: np.ndarray, score: np.ndarray
) -> tuple[np.ndarray, np.ndarray]:
    """Positive and negative weight per distinct score (ascending), per resample: ``[R, V]``."""
    values, inverse = np.unique(score, return_inverse=True)
    n, v = score.shape[0], values.shape[0]
    rows = np.arange(n)
    pos_map = sparse.csr_matrix((positive.astype(float), (rows, inverse)), shape=(n, v))
    neg_map = sparse.csr_matrix(((~positive).astype(float), (rows, inverse)), shape=(n, v))
    return np.asarray(pos_map.T @ weights.T).T, np.asarray(neg_map.T @ weights.T).T


def weighted_average_precision(
    weights: np.ndarray, positive: np.ndarray, score: np.ndarray
) -> np.ndarray:
    """Average precision under resample counts ``weights`` ``[R, n]``; NaN without positives.

    ``sum_t (R_t - R_{t-1}) P_t`` over distinct thresholds from high to low, as scikit-learn.
    """
    pos, neg = _score_groups(weights, positive, score)
    tp = np.cumsum(pos[:, ::-1], axis=1)  # predicted positive: score >= threshold
    fp = np.cumsum(neg[:, ::-1], axis=1)
    total = tp[:, -1:]
    with np.errstate(divide="ignore", invalid="ignore"):
        precision = np.where(tp + fp > 0, tp / (tp + fp), 0.0)
        recall_step = pos[:, ::-1] / total
        return np.where(total[:, 0] > 0, (recall_step * precision).sum(axis=1), np.nan)


def weighted_binary_auc(weights: np.ndarray, positive: np.ndarray, score: np.ndarray) -> np.ndarray:
    """ROC AUC under resample counts ``weights`` ``[R, n]`` (ties count one half); NaN if undefined.

    Rows are grouped by distinct score once; each resample then costs O(distinct scores).
    """
    pos, neg = _score_groups(weights, positive, score)
    below = np.cumsum(neg, axis=1) - neg
    area = (pos * (below + 0.5 * neg)).sum(axis=1)
    with np.errstate(divide="ignore", invalid="ignore"):
        return area / (pos.sum(axis=1) * neg.sum(axis=1))

"""The report's figures, each a function returning an inline SVG string.

Curves come from ``skyclass.metrics`` (identical to scikit-learn's).

Example:
    >>> from skyclass.report import plot_class_distribution
    >>> plot_class_distribution({"a": 5, "b": 3}).startswith("<svg")
    True
"""

from __future__ import annotations

from collections.abc import Iterator, Sequence

import numpy as np

from skyclass.metrics import (
    average_precision_score,
    confusion_matrix,
    precision_recall_curve,
    roc_auc_score,
    roc_curve,
)
from skyclass.report._svg import figure, to_svg

__all__ = [
    "plot_calibration",
    "plot_candidates",
    "plot_class_distribution",
    "plot_confusion",
    "plot_importance",
    "plot_pr",
    "plot_roc",
    "plot_threshold_tradeoff",
]

_MAX_CURVES = 10


def _curve_classes(labels: Sequence, y_true: np.ndarray) -> list[int]:
    """Class indices to draw: the positive class for binary, else up to 10 most frequent."""
    if len(labels) == 2:
        return [1]
    counts = [(int(np.sum(y_true == label)), i) for i, label in enumerate(labels)]
    return [i for _, i in sorted(counts, reverse=True)[:_MAX_CURVES]]


def _one_vs_rest(labels: Sequence, y_true: np.ndarray) -> Iterator[tuple[int, np.ndarray]]:
    """``(class index, 0/1 truth)`` for each class to draw that has both outcomes present."""
    for i in _curve_classes(labels, y_true):
        positive = (y_true == labels[i]).astype(int)
        if positive.min() != positive.max():
            yield i, positive


def _legend(ax) -> None:
    ax.legend(fontsize=8, loc="best", frameon=False)


def plot_class_distribution(counts: dict) -> str:
    """Bar chart of rows per class."""
    fig, ax = figure(6.4, 0.5 + 0.3 * max(3, len(counts)))
    names = [str(k) for k in counts]
    ax.barh(names[::-1], list(counts.values())[::-1])
    ax.set_xlabel("rows")
    ax.set_title("Class distribution")
    return to_svg(fig, "Class distribution")


def plot_confusion(y_true, y_pred, labels: Sequence, *, normalize: bool = False) -> str:
    """Confusion matrix heatmap: counts, or each row divided by its total."""
    matrix = confusion_matrix(y_true, y_pred, labels=list(labels))
    if normalize:
        totals = matrix.sum(axis=1, keepdims=True)
        matrix = np.divide(matrix, totals, out=np.zeros(matrix.shape), where=totals > 0)
    k = len(labels)
    size = min(2.5 + 0.45 * k, 9)
    fig, ax = figure(size, size * 0.85)
    ax.grid(False)
    image = ax.imshow(matrix, cmap="Blues")
    fig.colorbar(image, ax=ax, shrink=0.8)
    names = [str(v) for v in labels]
    ax.set_xticks(range(k), names, rotation=45 if k > 4 else 0, ha="right" if k > 4 else "center")
    ax.set_yticks(range(k), names)
    ax.set_xlabel("predicted")
    ax.set_ylabel("true")
    if k <= 15:
        top = matrix.max() if matrix.size else 1
        for i in range(k):
            for j in range(k):
                text = f"{matrix[i, j]:.2f}" if normalize else f"{int(matrix[i, j])}"
                color = "white" if matrix[i, j] > top / 2 else "black"
                ax.text(j, i, text, ha="center", va="center", fontsize=8, color=color)
    title = "Confusion matrix (row-normalised)" if normalize else "Confusion matrix (counts)"
    ax.set_title(title)
    return to_svg(fig, title)


def plot_roc(y_true, proba: np.ndarray, labels: Sequence) -> str:
    """One-vs-rest ROC curve per class, AUC in the legend."""
    y_true = np.asarray(y_true)
    fig, ax = figure()
    for i, positive in _one_vs_rest(labels, y_true):
        fpr, tpr, _ = roc_curve(positive, proba[:, i])
        auc = roc_auc_score(positive, proba[:, i])
        ax.plot(fpr, tpr, label=f"{labels[i]} (AUC {auc:.3f})")
    ax.plot([0, 1], [0, 1], color="grey", linestyle=":", linewidth=1)
    ax.set_xlabel("false positive rate")
    ax.set_ylabel("true positive rate")
    ax.set_title("ROC curves (one-vs-rest)")
    _legend(ax)
    return to_svg(fig, "ROC curves")


def plot_pr(y_true, proba: np.ndarray, labels: Sequence) -> str:
    """One-vs-rest precision-recall curve per class, average precision in the legend."""
    y_true = np.asarray(y_true)
    fig, ax = figure()
    for i, positive in _one_vs_rest(labels, y_true):
        precision, recall, _ = precision_recall_curve(positive, proba[:, i])
        ap = average_precision_score(positive, proba[:, i])
        ax.plot(recall, precision, label=f"{labels[i]} (AP {ap:.3f})", drawstyle="steps-post")
    ax.set_xlabel("recall")
    ax.set_ylabel("precision")
    ax.set_ylim(0, 1.02)
    ax.set_title("Precision-recall curves (one-vs-rest)")
    _legend(ax)
    return to_svg(fig, "Precision-recall curves")


def plot_threshold_tradeoff(curves: dict, chosen: float | None = None) -> str:
    """Precision, recall and F1 against the threshold, from ``ThresholdCurve.to_dict()`` forms.

    ``curves`` maps a class label to its curve dict (binary: the positive class only).
    """
    fig, ax = figure()
    single = len(curves) == 1
    for label, curve in curves.items():
        t = np.asarray(curve["thresholds"])[1:]
        keep = t <= 1.0
        if single:
            ax.plot(t[keep], np.asarray(curve["precision"])[1:][keep], label="precision")
            ax.plot(t[keep], np.asarray(curve["recall"])[1:][keep], label="recall")
            ax.plot(t[keep], np.asarray(curve["f1"])[1:][keep], label="F1", linewidth=2)
        else:
            ax.plot(t[keep], np.asarray(curve["f1"])[1:][keep], label=f"F1 {label}")
    if chosen is not None:
        ax.axvline(chosen, color="black", linestyle="--", linewidth=1, label=f"chosen {chosen:.3f}")
    ax.set_xlabel("threshold on the class probability")
    ax.set_ylim(0, 1.02)
    name = f" ({next(iter(curves))})" if single else " (F1 per class, one-vs-rest)"
    ax.set_title("Precision / recall / F1 against the threshold" + name)
    _legend(ax)
    return to_svg(fig, "Threshold trade-off")


def plot_calibration(curves: dict) -> str:
    """Reliability diagram: ``curves`` maps a label to ``(prob_true, prob_pred)``."""
    fig, ax = figure(5.5, 4.5)
    for label, (prob_true, prob_pred) in curves.items():
        ax.plot(prob_pred, prob_true, marker="o", markersize=3, label=str(label))
    ax.plot([0, 1], [0, 1], color="grey", linestyle=":", linewidth=1, label="perfect")
    ax.set_xlabel("mean predicted probability")
    ax.set_ylabel("fraction of positives")
    ax.set_title("Calibration (one-vs-rest)")
    _legend(ax)
    return to_svg(fig, "Calibration curve")


def plot_candidates(rows: list[dict], metric: str) -> str:
    """CV score mean ± std per candidate (rows: ``CandidateResult.to_dict()`` forms)."""
    rows = [r for r in rows if r["fold_scores"]]
    fig, ax = figure(6.4, 0.8 + 0.45 * max(2, len(rows)))
    names = [r["name"] for r in rows][::-1]
    means = [r["mean"] for r in rows][::-1]
    stds = [r["std"] for r in rows][::-1]
    ax.barh(names, means, xerr=stds, capsize=4)
    low = min(m - s for m, s in zip(means, stds)) if means else 0
    high = max(m + s for m, s in zip(means, stds)) if means else 1
    pad = max((high - low) * 0.2, 0.01)
    ax.set_xlim(max(low - pad, 0) if low >= 0 else low - pad, high + pad)
    ax.set_xlabel(f"{metric} (CV mean ± std)")
    ax.set_title("Candidate comparison")
    return to_svg(fig, "Candidate comparison")


def plot_importance(rows: list, title: str, xlabel: str) -> str:
    """Horizontal bars for ``[(name, value, std_or_None), ...]`` (drawn top to bottom)."""
    rows = rows[:20]
    fig, ax = figure(6.4, 0.8 + 0.3 * max(3, len(rows)))
    names = [str(r[0]) for r in rows][::-1]
    values = [r[1] for r in rows][::-1]
    errors = [r[2] if len(r) > 2 and r[2] is not None else 0.0 for r in rows][::-1]
    ax.barh(names, values, xerr=errors, capsize=3)
    ax.set_xlabel(xlabel)
    ax.set_title(title)
    return to_svg(fig, title)

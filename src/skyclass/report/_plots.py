"""The report's figures, each a function returning one ``<figure>`` (see ``_charts``).

Curves come from ``skyclass.metrics`` (identical to scikit-learn's). Every
per-class figure colours a class by its position in ``labels`` (one class, one
colour, in every figure) and states the rows behind each curve; a curve drawn
from fewer than :data:`MIN_ROWS` positive or negative rows is greyed, and a note
under the figure names it.

Example:
    >>> from skyclass.report import plot_class_distribution
    >>> plot_class_distribution({"a": 5, "b": 3}).startswith('<figure class="plot"')
    True
"""

from __future__ import annotations

from collections.abc import Iterator, Mapping, Sequence

import numpy as np
from numpy.typing import ArrayLike

from skyclass.metrics import (
    average_precision_score,
    confusion_matrix,
    precision_recall_curve,
    roc_auc_score,
    roc_curve,
)
from skyclass.report._charts import Line, bar_chart, heatmap, line_chart
from skyclass.report._palette import SERIES, Palette

__all__ = [
    "MIN_CALIBRATION_ROWS",
    "MIN_ROWS",
    "plot_calibration",
    "plot_candidates",
    "plot_class_distribution",
    "plot_confusion",
    "plot_importance",
    "plot_pr",
    "plot_roc",
    "plot_threshold_tradeoff",
]

#: Fewest positive (and negative) rows a one-vs-rest curve needs before it is read as evidence.
MIN_ROWS = 10
#: Fewest rows a reliability diagram needs (10 bins of about 10 rows each).
MIN_CALIBRATION_ROWS = 100
_MAX_CURVES = 10


def _palette(palette: Palette | None, labels: Sequence) -> Palette:
    return palette if palette is not None else Palette(labels)


def _curve_classes(labels: Sequence, y_true: np.ndarray) -> list[int]:
    """Class indices to draw: the positive class for binary, else up to 10 most frequent."""
    if len(labels) == 2:
        return [1]
    counts = [(int(np.sum(y_true == label)), i) for i, label in enumerate(labels)]
    return sorted(i for _, i in sorted(counts, reverse=True)[:_MAX_CURVES])


def _one_vs_rest(labels: Sequence, y_true: np.ndarray) -> Iterator[tuple[int, np.ndarray]]:
    """``(class index, 0/1 truth)`` for each class to draw that has both outcomes present."""
    for i in _curve_classes(labels, y_true):
        positive = (y_true == labels[i]).astype(int)
        if positive.min() != positive.max():
            yield i, positive


def _few(positive: np.ndarray) -> bool:
    n_pos = int(positive.sum())
    return min(n_pos, positive.size - n_pos) < MIN_ROWS


def _few_note(names: list[str]) -> list[str]:
    if not names:
        return []
    return [
        f"Greyed: {', '.join(names)} — fewer than {MIN_ROWS} positive or negative test rows, "
        "too few for the curve (or its area) to be read as evidence."
    ]


def _class_lines(
    y_true, proba, labels: Sequence, palette: Palette, curve, *, step: bool = False
) -> tuple[list[Line], list[str]]:
    """A line per drawn class from ``curve(positive, scores) -> (x, y, summary)``, and the
    note naming the classes greyed for too few rows."""
    y_true, proba = np.asarray(y_true), np.asarray(proba)
    lines, few = [], []
    for i, positive in _one_vs_rest(labels, y_true):
        x, y, summary = curve(positive, proba[:, i])
        muted = _few(positive)
        few += [str(labels[i])] if muted else []
        name = f"{labels[i]} ({summary}, {int(positive.sum())} of {positive.size} rows)"
        lines.append(Line(name, x.tolist(), y.tolist(), palette[labels[i]], step=step, muted=muted))
    return lines, _few_note(few)


def _roc(positive: np.ndarray, scores: np.ndarray) -> tuple[np.ndarray, np.ndarray, str]:
    fpr, tpr, _ = roc_curve(positive, scores)
    return fpr, tpr, f"AUC {roc_auc_score(positive, scores):.3f}"


def _pr(positive: np.ndarray, scores: np.ndarray) -> tuple[np.ndarray, np.ndarray, str]:
    precision, recall, _ = precision_recall_curve(positive, scores)
    return recall, precision, f"AP {average_precision_score(positive, scores):.3f}"


def plot_class_distribution(
    counts: Mapping, *, palette: Palette | None = None, caption: str = ""
) -> str:
    """Bar chart of rows per class, each bar in its class colour.

    Parameters
    ----------
    counts : mapping of label to int
        Rows per class, in the model's label order.
    palette : Palette, optional
        Class colours (default: by the order of ``counts``).
    caption : str
        Under the figure.

    Returns
    -------
    str
        The ``<figure>`` HTML.
    """
    names = [str(k) for k in counts]
    palette = _palette(palette, list(counts))
    return bar_chart(
        "class-distribution",
        "Class distribution",
        names,
        {"": [float(v) for v in counts.values()]},
        colours=[palette[k] for k in counts],
        horizontal=True,
        value_label="rows",
        caption=caption,
    )


def plot_confusion(
    y_true: ArrayLike,
    y_pred: ArrayLike,
    labels: Sequence,
    *,
    normalize: bool = False,
    caption: str = "",
) -> str:
    """Confusion matrix heatmap: counts, or each row divided by its total.

    Parameters
    ----------
    y_true, y_pred : array-like of shape (n_rows,)
        True and decided classes.
    labels : sequence
        Row and column order.
    normalize : bool
        Divide each row by its total (recall on the diagonal).
    caption : str
        Under the figure.

    Returns
    -------
    str
        The ``<figure>`` HTML.
    """
    matrix = confusion_matrix(y_true, y_pred, labels=list(labels)).astype(float)
    if normalize:
        totals = matrix.sum(axis=1, keepdims=True)
        matrix = np.divide(matrix, totals, out=np.zeros(matrix.shape), where=totals > 0)
    title = "Confusion matrix (row-normalised)" if normalize else "Confusion matrix (counts)"
    names = [str(v) for v in labels]
    return heatmap(
        "confusion-normalised" if normalize else "confusion",
        title,
        matrix.tolist(),
        names,
        names,
        x_label="predicted",
        y_label="true",
        digits=2 if normalize else 0,
        caption=caption,
    )


def plot_roc(
    y_true: ArrayLike,
    proba: np.ndarray,
    labels: Sequence,
    *,
    palette: Palette | None = None,
    caption: str = "",
) -> str:
    """One-vs-rest ROC curve per class; AUC and positive rows in the legend.

    Parameters
    ----------
    y_true : array-like of shape (n_rows,)
        True classes.
    proba : array of shape (n_rows, n_classes)
        Probabilities, columns in ``labels`` order.
    labels : sequence
        The classes (two: the second one's curve; more: up to the 10 most frequent).
    palette : Palette, optional
        Class colours (default ``Palette(labels)``).
    caption : str
        Under the figure.

    Returns
    -------
    str
        The ``<figure>`` HTML.
    """
    lines, notes = _class_lines(y_true, proba, labels, _palette(palette, labels), _roc)
    return line_chart(
        "roc",
        "ROC curves (one-vs-rest)",
        lines,
        x_label="false positive rate",
        y_label="true positive rate",
        x_range=(0, 1),
        y_range=(0, 1),
        diagonal=True,
        caption=caption,
        notes=notes,
    )


def plot_pr(
    y_true: ArrayLike,
    proba: np.ndarray,
    labels: Sequence,
    *,
    palette: Palette | None = None,
    caption: str = "",
) -> str:
    """One-vs-rest precision-recall curve per class; average precision and rows in the legend.

    Parameters
    ----------
    y_true, proba, labels, palette, caption
        As :func:`plot_roc`.

    Returns
    -------
    str
        The ``<figure>`` HTML.
    """
    lines, notes = _class_lines(y_true, proba, labels, _palette(palette, labels), _pr, step=True)
    return line_chart(
        "pr",
        "Precision-recall curves (one-vs-rest)",
        lines,
        x_label="recall",
        y_label="precision",
        x_range=(0, 1),
        y_range=(0, 1.02),
        caption=caption,
        notes=notes,
    )


def plot_threshold_tradeoff(
    curves: Mapping,
    chosen: float | None = None,
    *,
    counts: Mapping | None = None,
    palette: Palette | None = None,
    caption: str = "",
) -> str:
    """Scores against the threshold, from ``ThresholdCurve.to_dict()`` forms.

    Parameters
    ----------
    curves : mapping of label to dict
        Each class's ``ThresholdCurve.to_dict()``. One class (binary): its precision,
        recall and F1, titled so. Several: F1 per class in the class colours, titled F1
        (precision and recall would be 3 × k lines).
    chosen : float, optional
        The threshold in use, drawn as a labelled line.
    counts : mapping of label to (positive rows, all rows), optional
        Stated in the legend (or title); a class with too few rows is greyed.
    palette : Palette, optional
        Class colours (default: by the order of ``curves``).
    caption : str
        Under the figure.

    Returns
    -------
    str
        The ``<figure>`` HTML.
    """
    palette = _palette(palette, list(curves))
    single = len(curves) == 1
    lines, few = [], []
    for label, curve in curves.items():
        t = np.asarray(curve["thresholds"])[1:]
        keep = t <= 1.0
        n_pos, n_all = (counts or {}).get(label, (None, None))
        muted = n_pos is not None and min(n_pos, n_all - n_pos) < MIN_ROWS
        few += [str(label)] if muted else []
        rows = f", {n_pos} of {n_all} rows" if n_pos is not None else ""
        x = t[keep].tolist()
        if single:
            for j, (key, name) in enumerate(
                (("precision", "precision"), ("recall", "recall"), ("f1", "F1"))
            ):
                values = np.asarray(curve[key])[1:][keep].tolist()
                lines.append(Line(name, x, values, SERIES[j], muted=muted))
        else:
            values = np.asarray(curve["f1"])[1:][keep].tolist()
            lines.append(Line(f"F1 {label}{rows}", x, values, palette[label], muted=muted))
    if single:
        label = next(iter(curves))
        n_pos, n_all = (counts or {}).get(label, (None, None))
        rows = f", {n_pos} of {n_all} rows" if n_pos is not None else ""
        title = f"Precision, recall and F1 against the threshold ({label}{rows})"
    else:
        title = "F1 against the threshold, per class (one-vs-rest)"
    return line_chart(
        "threshold",
        title,
        lines,
        x_label="threshold on the class probability",
        y_label="score",
        x_range=(0, 1),
        y_range=(0, 1.02),
        marker=(chosen, f"chosen threshold {chosen:.3f}") if chosen is not None else None,
        caption=caption,
        notes=_few_note(few),
    )


def plot_calibration(
    curves: Mapping,
    *,
    counts: Mapping | None = None,
    palette: Palette | None = None,
    caption: str = "",
) -> str:
    """Reliability diagram: ``curves`` maps a label to ``(prob_true, prob_pred)``.

    Parameters
    ----------
    curves : mapping of label to (prob_true, prob_pred)
        Each class's reliability curve (``calibration_curve``).
    counts : mapping of label to (positive rows, all rows), optional
        Stated in the legend; a class with fewer than :data:`MIN_CALIBRATION_ROWS` rows
        or :data:`MIN_ROWS` positives is greyed, with a note.
    palette : Palette, optional
        Class colours (default: by the order of ``curves``).
    caption : str
        Under the figure.

    Returns
    -------
    str
        The ``<figure>`` HTML.
    """
    palette = _palette(palette, list(curves))
    lines, few = [], []
    for label, (prob_true, prob_pred) in curves.items():
        n_pos, n_all = (counts or {}).get(label, (None, None))
        muted = n_pos is not None and (n_all < MIN_CALIBRATION_ROWS or n_pos < MIN_ROWS)
        few += [str(label)] if muted else []
        rows = f" ({n_pos} positive of {n_all} rows)" if n_pos is not None else ""
        lines.append(
            Line(
                f"{label}{rows}",
                list(prob_pred),
                list(prob_true),
                palette[label],
                markers=True,
                muted=muted,
            )  # fmt: skip
        )
    notes = []
    if few:
        notes.append(
            f"Greyed: {', '.join(few)} — fewer than {MIN_CALIBRATION_ROWS} rows or {MIN_ROWS} "
            "positives; each point then averages a handful of rows and says little."
        )
    return line_chart(
        "calibration",
        "Calibration (one-vs-rest)",
        lines,
        x_label="mean predicted probability",
        y_label="fraction of positives",
        x_range=(0, 1),
        y_range=(0, 1),
        diagonal=True,
        caption=caption,
        notes=notes,
    )


def plot_candidates(rows: list[dict], metric: str, *, caption: str = "") -> str:
    """CV score mean ± std per candidate.

    Parameters
    ----------
    rows : list of dict
        ``CandidateResult.to_dict()`` forms; failed candidates (no fold scores) are left out.
    metric : str
        The selection metric's name (axis title).
    caption : str
        Under the figure.

    Returns
    -------
    str
        The ``<figure>`` HTML.
    """
    rows = [r for r in rows if r["fold_scores"]]
    return bar_chart(
        "candidates",
        "Candidate comparison",
        [r["name"] for r in rows],
        {"": [r["mean"] for r in rows]},
        errors={"": [r["std"] for r in rows]},
        horizontal=True,
        value_label=f"{metric} (CV mean ± std)",
        caption=caption,
    )


def plot_importance(rows: list, title: str, xlabel: str, *, caption: str = "") -> str:
    """Horizontal bars, top to bottom, of at most 20 ``(name, value, std or None)`` rows.

    Parameters
    ----------
    rows : list of tuples
        ``(name, value)`` or ``(name, value, std)``; a std draws a whisker.
    title : str
        Above the chart.
    xlabel : str
        The value axis title.
    caption : str
        Under the figure.

    Returns
    -------
    str
        The ``<figure>`` HTML.
    """
    rows = rows[:20]
    return bar_chart(
        "importance-" + "".join(c if c.isalnum() else "-" for c in title.lower()),
        title,
        [str(r[0]) for r in rows],
        {"": [float(r[1]) for r in rows]},
        errors={"": [r[2] if len(r) > 2 and r[2] is not None else 0.0 for r in rows]},
        horizontal=True,
        value_label=xlabel,
        caption=caption,
    )

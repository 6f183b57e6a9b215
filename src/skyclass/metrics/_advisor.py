"""The metric advisor: from class balance, error costs and purpose to the metric to watch.

The rules, in order:

- ``priority="ranking"`` (ranking or screening: the threshold is chosen later) → ROC AUC
  (one-vs-rest macro for multiclass), with average precision beside it under imbalance.
- ``priority="probabilities"`` (the probabilities themselves are used) → log loss, with
  the Brier score and the expected calibration error beside it.
- unequal binary costs → F-beta with β = sqrt(cost_FN / cost_FP): β > 1 leans to recall
  (missing a positive is costlier), β < 1 to precision; a k × k matrix with unequal
  off-diagonal costs → the expected cost itself, decided with :class:`CostMatrix`.
- ``priority="recall"`` / ``"precision"`` → that metric (macro over classes for multiclass).
- balanced classes (largest / smallest count < 1.5) → accuracy, with macro F1 beside it.
- imbalanced classes → macro F1, with balanced accuracy and average precision of the
  rare classes beside it (accuracy rewards predicting the majority).

Every reason is a sentence that cites the numbers it used.

Example:
    >>> from skyclass.metrics import recommend_metric
    >>> rec = recommend_metric(["ok"] * 90 + ["fraud"] * 10, costs={"fp": 1, "fn": 9},
    ...                        pos_label="fraud")
    >>> rec.primary, rec.beta
    ('fbeta', 3.0)
"""

from __future__ import annotations

import math
from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any

import numpy as np

from skyclass._jsonsafe import json_scalar
from skyclass.errors import InputError
from skyclass.metrics._decision_costs import CostMatrix
from skyclass.metrics._threshold import parse_costs
from skyclass.metrics._validation import as_1d

__all__ = ["Recommendation", "recommend_metric"]

_PRIORITIES = ("ranking", "screening", "probabilities", "recall", "precision")
_TASKS = ("binary", "multiclass")
_IMBALANCED = 1.5  # largest / smallest class count at which accuracy stops being the default
_EQUAL_COSTS = 1.05  # cost ratios within this factor of 1 count as equal


@dataclass(frozen=True)
class Recommendation:
    """The metric to optimise and report (``primary``), others to show, and why.

    ``beta`` is set when ``primary`` is ``"fbeta"``; ``positive`` is the positive
    label for binary metrics; ``facts`` holds the numbers the reasons cite.

    Attributes
    ----------
    primary : str
        The metric to optimise and report first (e.g. ``"f1_macro"``, ``"roc_auc"``,
        ``"fbeta"``, ``"expected_cost"``).
    secondary : list of str
        Metrics worth showing beside it.
    reasons : list of str
        One sentence per rule that fired, citing the numbers it used.
    task : {"binary", "multiclass"}
        The task the advice is for.
    beta : float or None, default=None
        The F-beta's beta when ``primary`` is ``"fbeta"``.
    positive : label, default=None
        The positive class of binary metrics.
    facts : dict, default={}
        The numbers behind the reasons (class counts, imbalance ratio, costs).
    """

    primary: str
    secondary: list[str]
    reasons: list[str]
    task: str
    beta: float | None = None
    positive: Any = None
    facts: dict[str, Any] = field(default_factory=dict)

    def to_dict(self) -> dict[str, Any]:
        """The advice as JSON-safe fields.

        Returns
        -------
        dict
            ``primary``, ``secondary``, ``reasons``, ``task``, ``beta``, ``positive`` and
            ``facts``, lists copied.
        """
        return {
            "primary": self.primary,
            "secondary": list(self.secondary),
            "reasons": list(self.reasons),
            "task": self.task,
            "beta": self.beta,
            "positive": self.positive,
            "facts": self.facts,
        }

    def __str__(self) -> str:
        name = f"fbeta (beta={self.beta:.2f})" if self.primary == "fbeta" else self.primary
        lines = [f"primary metric: {name}", f"also report: {', '.join(self.secondary)}"]
        return "\n".join(lines + [f"- {reason}" for reason in self.reasons])


def _pct(share: float) -> str:
    return f"{100 * share:.1f}%"


def recommend_metric(
    y: Any,
    *,
    costs: Any = None,
    priority: str | None = None,
    task: str | None = None,
    pos_label: Any = None,
) -> Recommendation:
    """Recommend the primary metric (and secondary ones) for the target ``y``.

    ``costs``: a binary ``(cost_fp, cost_fn)`` pair or ``{"fp": .., "fn": ..}``, or a
    k × k matrix ``C[true, predicted]`` in sorted label order. ``priority``: ``"ranking"``
    (or ``"screening"``), ``"probabilities"``, ``"recall"``, ``"precision"``. ``task``:
    ``"binary"`` or ``"multiclass"`` (inferred from ``y`` when omitted). ``pos_label``:
    the positive class of a binary target (default: the rarer class; the larger
    label when both are equally common).

    Parameters
    ----------
    y : array-like of shape (n_rows,)
        The target.
    costs, priority, task, pos_label
        As described above.

    Returns
    -------
    Recommendation
        The primary metric, secondary ones and the reasons, in words.

    Example:
        >>> rec = recommend_metric([0, 1] * 50)
        >>> rec.primary, rec.secondary
        ('accuracy', ['f1_macro'])
    """
    values = as_1d(y, "y")
    if values.dtype == object or values.dtype.kind == "f":
        missing = [i for i, v in enumerate(values.tolist()) if v is None or v != v]
        if missing:
            raise InputError(
                f"y has {len(missing)} missing label(s), first at row {missing[0]}; "
                "drop or fill those rows first"
            )
    try:
        labels, counts = np.unique(values, return_counts=True)
    except TypeError as err:
        raise InputError(
            f"y mixes label types that cannot be compared ({err}); use one type, e.g. all strings"
        ) from err
    k = labels.size
    if k < 2:
        raise InputError(
            f"y holds a single class {labels.tolist()}; a classifier needs two or more"
        )
    if task is not None and task not in _TASKS:
        raise InputError(f"unknown task {task!r}; use one of {list(_TASKS)} or leave it out")
    inferred = "binary" if k == 2 else "multiclass"
    if task == "binary" and k > 2:
        raise InputError(f"task='binary' but y has {k} classes; use task='multiclass'")
    task = task or inferred
    if priority is not None and priority not in _PRIORITIES:
        raise InputError(f"unknown priority {priority!r}; use one of {list(_PRIORITIES)}")

    shares = counts / counts.sum()
    ratio = float(counts.max() / counts.min())
    rare = [json_scalar(lab) for lab, s in zip(labels, shares) if s <= 0.5 / k]
    share_text = ", ".join(f"{json_scalar(lab)!s} {_pct(s)}" for lab, s in zip(labels, shares))
    reasons = [f"class shares: {share_text} ({int(counts.sum())} rows)."]
    facts: dict[str, Any] = {
        "n_rows": int(counts.sum()),
        "class_shares": {str(json_scalar(lab)): float(s) for lab, s in zip(labels, shares)},
        "imbalance_ratio": ratio,
        "rare_classes": rare,
        "cost_ratio": None,
    }
    imbalanced = ratio >= _IMBALANCED
    if imbalanced:
        reasons.append(
            f"imbalance ratio {ratio:.1f} (largest / smallest class): always predicting the "
            f"majority class already scores accuracy {_pct(shares.max())}, so accuracy misleads."
        )
    else:
        reasons.append(f"imbalance ratio {ratio:.2f} (< {_IMBALANCED}): the classes are balanced.")

    if task == "binary":
        rarer = labels[-1] if counts[0] == counts[1] else labels[np.argmin(counts)]
        positive = pos_label if pos_label is not None else json_scalar(rarer)
        if pos_label is not None and not np.any(labels == pos_label):
            raise InputError(f"pos_label={pos_label!r} is not one of the labels {labels.tolist()}")
        rec = _binary(labels, counts, positive, costs, priority, imbalanced, reasons, facts)
    else:
        if pos_label is not None:
            raise InputError("pos_label is for binary targets; leave it out for multiclass")
        rec = _multiclass(labels, costs, priority, imbalanced, rare, reasons, facts)
    return Recommendation(task=task, facts=facts, **rec)


def _binary(labels, counts, positive, costs, priority, imbalanced, reasons, facts) -> dict:
    positive_share = float(counts[labels == positive][0] / counts.sum())
    out: dict[str, Any] = {"positive": positive}
    if costs is not None:
        if np.ndim(costs) == 2 and np.shape(costs) != (2, 2):
            raise InputError(f"costs is {np.shape(costs)} but y has 2 classes; give a 2x2 matrix")
        if np.ndim(costs) == 2:
            CostMatrix(costs)  # validates non-negative, finite, square
            matrix = np.asarray(costs, dtype=float)
            if labels[1] != positive:  # the matrix is in sorted label order
                matrix = matrix[::-1, ::-1]
            costs = (matrix[0, 1], matrix[1, 0])
        fp, fn = parse_costs(costs)
        cost_ratio = fn / fp if fp > 0 else math.inf
        facts["cost_ratio"] = cost_ratio
    else:
        fp = fn = 1.0
        cost_ratio = 1.0

    if priority in ("ranking", "screening"):
        reasons.append(
            "the task ranks or screens cases and the threshold is set later: ROC AUC measures "
            "ranking quality over every threshold."
        )
        secondary = ["average_precision", "f1"] if imbalanced else ["f1"]
        if imbalanced:
            reasons.append(
                f"the positive class {positive!r} is {_pct(positive_share)} of rows: average "
                "precision shows ranking quality where positives are rare, which ROC AUC hides."
            )
        return {**out, "primary": "roc_auc", "secondary": secondary, "reasons": reasons}
    if priority == "probabilities":
        reasons.append(
            "the probabilities themselves are used: log loss scores them; the Brier score and "
            "expected calibration error show whether they can be taken at face value."
        )
        return {
            **out,
            "primary": "log_loss",
            "secondary": ["brier_score", "ece", "roc_auc"],
            "reasons": reasons,
        }
    if not (1 / _EQUAL_COSTS <= cost_ratio <= _EQUAL_COSTS):
        rule = f"best_threshold(objective='cost', costs=({fp:g}, {fn:g}))"
        if math.isinf(cost_ratio) or fn == 0:
            which = "recall" if math.isinf(cost_ratio) else "precision"
            reasons.append(
                f"only {'false negatives' if which == 'recall' else 'false positives'} cost "
                f"(fp={fp:g}, fn={fn:g}): {which} of {positive!r} is what matters; ship {rule}."
            )
            other = "precision" if which == "recall" else "recall"
            return {
                **out,
                "primary": which,
                "secondary": [other, "average_precision"],
                "reasons": reasons,
            }
        beta = math.sqrt(cost_ratio)
        lean, other = ("recall", "precision") if beta > 1 else ("precision", "recall")
        reasons.append(
            f"cost ratio FN/FP = {fn:g}/{fp:g} = {cost_ratio:.3g}: F-beta with "
            f"beta = sqrt({cost_ratio:.3g}) = {beta:.2f} weighs {lean} of {positive!r} "
            f"{beta:.2f}x as much as {other}; ship the decision rule {rule}."
        )
        return {
            **out,
            "primary": "fbeta",
            "beta": beta,
            "secondary": [lean, other, "average_precision"],
            "reasons": reasons,
        }
    if costs is not None:
        reasons.append(f"costs are equal (fp={fp:g}, fn={fn:g}), so they do not tilt the choice.")
    if priority in ("recall", "precision"):
        other = "precision" if priority == "recall" else "recall"
        reasons.append(
            f"{priority} of {positive!r} was named as the priority; report {other} beside it so "
            "the trade-off stays visible."
        )
        return {**out, "primary": priority, "secondary": [other, "f1"], "reasons": reasons}
    if imbalanced:
        reasons.append(
            "macro F1 averages F1 over both classes, so the rare class counts as much as the "
            "common one; balanced accuracy and average precision of the rare class "
            f"{positive!r} ({_pct(positive_share)}) show the same from other angles."
        )
        return {
            **out,
            "primary": "f1_macro",
            "secondary": ["balanced_accuracy", "average_precision"],
            "reasons": reasons,
        }
    reasons.append(
        "balanced classes and equal costs: accuracy is meaningful; macro F1 beside "
        "it catches one class doing much worse."
    )
    return {**out, "primary": "accuracy", "secondary": ["f1_macro"], "reasons": reasons}


def _multiclass(labels, costs, priority, imbalanced, rare, reasons, facts) -> dict:
    k = labels.size
    reasons.append(
        "multiclass averages: micro (= accuracy) counts every row once so big classes "
        "dominate; macro averages per-class scores so every class counts equally; weighted "
        "averages them by class size."
    )
    if costs is not None:
        if isinstance(costs, Mapping) or np.ndim(costs) != 2:
            raise InputError(
                f"y has {k} classes: give costs as a {k}x{k} matrix C[true][predicted], "
                "not an FP/FN pair"
            )
        matrix = CostMatrix(costs).array
        if matrix.shape != (k, k):
            raise InputError(
                f"costs is {matrix.shape[0]}x{matrix.shape[1]} but y has {k} classes "
                f"{labels.tolist()}; give a {k}x{k} matrix in that label order"
            )
        off = matrix[~np.eye(k, dtype=bool)]
        if off.max() > 0 and (off.min() == 0 or off.max() / off.min() > _EQUAL_COSTS):
            i, j = np.unravel_index(
                np.argmax(np.where(np.eye(k, dtype=bool), -1, matrix)), matrix.shape
            )
            cost_ratio = float(off.max() / off.min()) if off.min() > 0 else math.inf
            facts["cost_ratio"] = cost_ratio
            worst = json_scalar(labels[i])
            reasons.append(
                f"misclassification costs differ (largest/smallest off-diagonal = {cost_ratio:.3g}); "
                f"the costliest error is predicting {json_scalar(labels[j])!r} for a true "
                f"{worst!r} (cost {matrix[i, j]:g}): optimise the expected cost per row and "
                "ship CostMatrix(costs) as the decision rule (the Bayes decision)."
            )
            return {
                "primary": "expected_cost",
                "secondary": [f"recall[{worst}]", "f1_macro", "accuracy"],
                "reasons": reasons,
            }
        facts["cost_ratio"] = 1.0
        reasons.append("all misclassification costs are equal, so they do not tilt the choice.")
    if priority in ("ranking", "screening"):
        reasons.append(
            "the task ranks cases: one-vs-rest ROC AUC, macro-averaged over classes, measures "
            "ranking quality over every threshold."
        )
        return {
            "primary": "roc_auc_ovr",
            "secondary": ["f1_macro", "top_k_accuracy"],
            "reasons": reasons,
        }
    if priority == "probabilities":
        reasons.append(
            "the probabilities themselves are used: log loss scores them; expected "
            "calibration error shows whether they can be taken at face value."
        )
        return {"primary": "log_loss", "secondary": ["ece", "f1_macro"], "reasons": reasons}
    if priority in ("recall", "precision"):
        reasons.append(
            f"{priority} was named as the priority: macro-averaged so every class counts equally."
        )
        other = "precision_macro" if priority == "recall" else "recall_macro"
        return {
            "primary": f"{priority}_macro",
            "secondary": [other, "f1_macro"],
            "reasons": reasons,
        }
    if imbalanced:
        rare_text = ", ".join(map(repr, rare)) or "none below half the uniform share"
        reasons.append(
            "imbalanced classes: pick macro F1 so small classes weigh as much as large ones; "
            f"also watch balanced accuracy, weighted F1 and average precision of the rare "
            f"classes ({rare_text})."
        )
        return {
            "primary": "f1_macro",
            "secondary": ["balanced_accuracy", "f1_weighted", "average_precision"],
            "reasons": reasons,
        }
    reasons.append(
        "balanced classes and equal costs: pick accuracy (= micro F1); macro F1 beside "
        "it catches one class doing much worse."
    )
    return {"primary": "accuracy", "secondary": ["f1_macro"], "reasons": reasons}

"""Choose the decision rule on out-of-fold predictions (never on the test set).

- costs given, two classes: the threshold minimising the FP/FN cost;
- costs given, more classes: the cost matrix itself (Bayes decision);
- two classes, a threshold-sensitive metric (F1 family, balanced accuracy, ROC AUC):
  the threshold maximising F1 (or Youden's J for balanced accuracy / AUC);
- otherwise the most probable class (argmax).

Example:
    >>> import numpy as np
    >>> from skyclass.pipeline import choose_rule
    >>> y = np.array(["n", "n", "y", "y"]); p = np.array([[.9, .1], [.6, .4], [.65, .35], [.2, .8]])
    >>> choose_rule(y, p, ["n", "y"], metric="f1")["rule"]
    {'kind': 'threshold', 'threshold': 0.35, 'positive': 'y'}
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

import numpy as np

from skyclass.metrics import best_threshold, decide, rule_to_dict
from skyclass.pipeline._costs import Costs

__all__ = ["choose_rule"]

_F1_LIKE = ("f1", "fbeta", "f1_macro", "f1_weighted", "precision", "recall", "average_precision")
_YOUDEN = ("balanced_accuracy", "roc_auc", "roc_auc_ovr")


def _mean_cost(costs: Costs, y, pred, labels) -> float:
    return costs.matrix.total_cost(y, pred, labels) / len(y)


def choose_rule(
    y_true: np.ndarray,
    proba: np.ndarray,
    labels: Sequence[Any],
    *,
    metric: str,
    costs: Costs | None = None,
    positive: Any = None,
) -> dict:
    """``{"rule": dict | None, "explanation": str, "oof": {...}}`` from out-of-fold rows.

    ``positive`` is the positive class of a binary target (default: the second label).
    """
    labels = list(labels)
    y_true = np.asarray(y_true)
    argmax = decide(proba, None, labels)
    if len(labels) == 2:
        positive = labels[1] if positive is None else positive
        score = proba[:, labels.index(positive)]
    if costs is not None and len(labels) == 2 and costs.pair is not None:
        choice = best_threshold(y_true, score, "cost", costs=costs.pair, pos_label=positive)
        rule = choice.to_rule()
        pred = decide(proba, rule, labels)
        before, after = (
            _mean_cost(costs, y_true, argmax, labels),
            _mean_cost(costs, y_true, pred, labels),
        )
        text = (
            f"Predict {positive!r} when its probability is at least {choice.threshold:.4f}: the "
            f"threshold with the lowest mean cost (FP {costs.pair[0]:g}, FN {costs.pair[1]:g}) on "
            f"out-of-fold predictions ({after:.4f} per row, against {before:.4f} for argmax)."
        )
        return {
            "rule": rule_to_dict(rule),
            "explanation": text,
            "oof": {"cost_argmax": before, "cost_rule": after},
        }
    if costs is not None:
        pred = decide(proba, costs.matrix, labels)
        before, after = (
            _mean_cost(costs, y_true, argmax, labels),
            _mean_cost(costs, y_true, pred, labels),
        )
        text = (
            "Predict the class with the lowest expected cost under the given cost matrix "
            f"(out-of-fold mean cost {after:.4f} per row, against {before:.4f} for argmax)."
        )
        return {
            "rule": rule_to_dict(costs.matrix),
            "explanation": text,
            "oof": {"cost_argmax": before, "cost_rule": after},
        }
    if len(labels) == 2 and metric in _F1_LIKE + _YOUDEN:
        objective = "f1" if metric in _F1_LIKE else "youden"
        choice = best_threshold(y_true, score, objective, pos_label=positive)
        text = (
            f"Predict {positive!r} when its probability is at least {choice.threshold:.4f}: the "
            f"threshold maximising {'F1' if objective == 'f1' else 'recall − false positive rate'} "
            f"on out-of-fold predictions ({objective} {choice.score:.4f})."
        )
        return {
            "rule": rule_to_dict(choice.to_rule()),
            "explanation": text,
            "oof": choice.to_dict(),
        }
    return {
        "rule": None,
        "explanation": "Predict the most probable class (argmax): no costs were given and the "
        "selection metric does not depend on a threshold.",
        "oof": {},
    }

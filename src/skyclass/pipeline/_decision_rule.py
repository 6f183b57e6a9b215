"""Choose the decision rule on out-of-fold predictions (never on the test set).

- costs given, two classes: the threshold minimising the FP/FN cost;
- costs given, more classes: the cost matrix itself (Bayes decision);
- two classes, a threshold-sensitive metric (F1 family, balanced accuracy, ROC AUC):
  the threshold maximising F1 (or Youden's J for balanced accuracy / AUC);
- more classes, a metric that weighs classes equally (macro F1/precision/recall, balanced
  accuracy): per-class weights on the probabilities (a prior shift: predict the class
  with the largest ``w_j p_j``), found by coordinate ascent on the metric, kept only when
  they beat argmax on the out-of-fold rows;
- otherwise the most probable class (argmax).

The probabilities themselves are never changed: the served probabilities stay
those of the (unweighted) model, and only the served label follows the rule.

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

from skyclass.metrics import PriorShift, best_threshold, decide, rule_to_dict
from skyclass.pipeline._costs import Costs
from skyclass.pipeline._scoring import get_scorer

__all__ = ["choose_rule"]

_F1_LIKE = ("f1", "fbeta", "f1_macro", "f1_weighted", "precision", "recall", "average_precision")
_YOUDEN = ("balanced_accuracy", "roc_auc", "roc_auc_ovr")
_CLASS_WEIGHTED = (
    "balanced_accuracy",
    "f1_macro",
    "precision_macro",
    "recall_macro",
    "f1_weighted",
    "matthews_corrcoef",
    "cohen_kappa",
)
_STEPS = (0.5, 0.7, 0.85, 1.2, 1.4, 2.0)  # multipliers tried per class and pass
_MIN_GAIN = 1e-3  # weights must beat argmax by this much on the out-of-fold rows


def _from_confusion(metric: str, cm: np.ndarray) -> float:
    """``metric`` from a confusion matrix (rows: truth), as scikit-learn defines it."""
    tp = np.diag(cm).astype(float)
    support, predicted, n = cm.sum(axis=1), cm.sum(axis=0), cm.sum()
    with np.errstate(divide="ignore", invalid="ignore"):
        recall = np.where(support > 0, tp / support, 0.0)
        precision = np.where(predicted > 0, tp / predicted, 0.0)
        f1 = np.where(support + predicted > 0, 2 * tp / (support + predicted), 0.0)
    if metric == "balanced_accuracy":
        return float(recall[support > 0].mean())
    if metric == "recall_macro":
        return float(recall.mean())
    if metric == "precision_macro":
        return float(precision.mean())
    if metric == "f1_macro":
        return float(f1.mean())
    if metric == "f1_weighted":
        return float((f1 * support).sum() / n)
    observed, expected = tp.sum() / n, float((support * predicted).sum()) / n**2
    if metric == "cohen_kappa":
        return float((observed - expected) / (1 - expected)) if expected != 1 else 0.0
    # matthews_corrcoef, multiclass form
    cov_yp = tp.sum() * n - float((support * predicted).sum())
    cov_yy = n**2 - float((support**2).sum())
    cov_pp = n**2 - float((predicted**2).sum())
    return float(cov_yp / np.sqrt(cov_yy * cov_pp)) if cov_yy * cov_pp > 0 else 0.0


def _confusion_scorer(metric: str, codes: np.ndarray, k: int):
    """``score(weighted_proba)`` of the argmax decision, by one ``bincount`` per call."""

    def score(weighted: np.ndarray) -> float:
        cells = np.bincount(codes * k + weighted.argmax(axis=1), minlength=k * k)
        return _from_confusion(metric, cells.reshape(k, k))

    return score


def _class_weights(codes: np.ndarray, proba: np.ndarray, score) -> tuple[np.ndarray, float]:
    """Per-class weights maximising ``score(codes, proba * w)`` by coordinate ascent."""
    k = proba.shape[1]
    priors = np.bincount(codes, minlength=k) / len(codes)
    starts = [np.ones(k), 1.0 / np.maximum(priors, 1e-12)]
    best_w, best = starts[0], score(proba)
    for start in starts:
        w, value = start / start.sum() * k, score(proba * start)
        for _ in range(3):
            improved = False
            for j in range(k):
                for step in _STEPS:
                    trial = w.copy()
                    trial[j] *= step
                    got = score(proba * trial)
                    if got > value + 1e-12:
                        w, value, improved = trial, got, True
            if not improved:
                break
        if value > best:
            best_w, best = w, value
    return best_w / best_w.sum(), best


def _weights_rule(y_true, proba, labels, metric: str) -> dict | None:
    scorer = get_scorer(metric, n_classes=len(labels))
    index = {v: i for i, v in enumerate(labels)}
    codes = np.array([index[v] for v in y_true])
    before = scorer.score(codes, proba)
    weights, _ = _class_weights(codes, proba, _confusion_scorer(metric, codes, len(labels)))
    after = scorer.score(codes, np.eye(len(labels))[(proba * weights).argmax(axis=1)])
    if after < before + _MIN_GAIN:
        return None
    priors = np.full(len(labels), 1.0 / len(labels))
    rule = PriorShift(tuple(priors), tuple(weights), labels=tuple(labels))
    text = (
        f"Predict the class with the largest weighted probability w_j p_j (weights "
        f"{', '.join(f'{v}: {w:.3f}' for v, w in zip(labels, weights))}), tuned by coordinate "
        f"ascent on out-of-fold predictions: {metric} {after:.4f} against {before:.4f} for argmax. "
        "The served probabilities are the model's own; only the label follows the weights."
    )
    return {
        "rule": rule_to_dict(rule),
        "explanation": text,
        "oof": {f"{metric}_argmax": before, f"{metric}_rule": after},
    }


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
    """The decision rule for ``metric``, tuned on out-of-fold rows (see the module doc).

    Parameters
    ----------
    y_true : numpy.ndarray
        The true labels of the out-of-fold rows.
    proba : numpy.ndarray
        Their ``[n, k]`` out-of-fold probabilities, columns in ``labels`` order.
    labels : sequence
        The class labels.
    metric : str
        The selection metric the rule aims at (e.g. ``f1_macro``, ``balanced_accuracy``).
    costs : Costs or None
        Misclassification costs; when given they decide the rule.
    positive : Any
        The positive class of a binary target (default: the second label).

    Returns
    -------
    dict
        ``{"rule": dict or None (argmax), "explanation": str, "oof": {...}}``: the rule
        as ``skyclass.metrics.rule_to_dict`` writes it, why, and its out-of-fold effect.
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
    if len(labels) > 2 and metric in _CLASS_WEIGHTED:
        weighted = _weights_rule(y_true, proba, labels, metric)
        if weighted is not None:
            return weighted
        return {
            "rule": None,
            "explanation": f"Predict the most probable class (argmax): per-class weights did not "
            f"improve {metric} on out-of-fold predictions.",
            "oof": {},
        }
    return {
        "rule": None,
        "explanation": "Predict the most probable class (argmax): no costs were given and the "
        "selection metric does not depend on a threshold.",
        "oof": {},
    }

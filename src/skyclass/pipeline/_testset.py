"""Test-set numbers: the selection and headline metrics with 95% intervals, calibration, fairness.

Example:
    >>> import numpy as np
    >>> prior_baseline(np.array([0, 0, 1]), np.array([0, 1]), 2)["log_loss"] > 0
    True
"""

from __future__ import annotations

from typing import Any

import numpy as np

from skyclass import metrics as M
from skyclass.pipeline._costs import Costs
from skyclass.pipeline._scoring import Scorer

__all__ = ["calibration", "fairness", "prior_baseline", "score_decided", "test_metrics"]

HEADLINE = ("accuracy", "balanced_accuracy", "f1_macro", "roc_auc", "log_loss")


def score_decided(
    scorer: Scorer, codes: np.ndarray, proba: np.ndarray, decided: np.ndarray
) -> float:
    """``scorer`` on rows whose label was ``decided`` (codes) by a rule; probability metrics use ``proba``."""
    if scorer.uses_proba:
        return scorer.score(codes, proba)
    return scorer.score(codes, np.eye(proba.shape[1])[decided])


def prior_baseline(
    train_codes: np.ndarray, test_codes: np.ndarray, k: int, scorer: Scorer | None = None
) -> dict[str, float]:
    """Log loss (and ``scorer``) of predicting the training class frequencies for every test row."""
    freq = np.bincount(train_codes, minlength=k) / len(train_codes)
    proba = np.tile(freq, (len(test_codes), 1))
    out = {"log_loss": float(M.log_loss(test_codes, proba, labels=list(range(k))))}
    if scorer is not None:
        out[scorer.name] = score_decided(scorer, test_codes, proba, proba.argmax(axis=1))
    return out


def _label_metric(scorer: Scorer, labels: list):
    """``f(y_true, y_pred)`` for a scorer bootstrap_ci does not know by name."""
    codes = {v: i for i, v in enumerate(labels)}
    eye = np.eye(len(labels))

    def metric(y_true, y_pred):
        onehot = eye[[codes[v] for v in y_pred]]
        return scorer.score(np.array([codes[v] for v in y_true]), onehot)

    metric.__name__ = scorer.name
    return metric


def test_metrics(
    y_test, proba, y_pred, labels, scorer: Scorer, seed: int, positive, costs: Costs | None
) -> dict:
    """The selection metric and the headline metrics on the test rows, with 95% intervals."""
    names = list(dict.fromkeys([scorer.name, *HEADLINE]))
    binary = len(labels) == 2
    # probability metrics cost a pass over every row per resample: fewer resamples on big
    # test sets (the interval's Monte Carlo error stays small; label metrics keep 1,000)
    heavy = {"n_resamples": max(200, min(1000, 5_000_000 // max(len(y_test), 1)))}
    out = {}
    for name in names:
        if name in ("roc_auc", "roc_auc_ovr"):
            if binary:
                ci = M.delong_ci(y_test, proba[:, labels.index(positive)], pos_label=positive)
            else:
                ci = M.bootstrap_ci("roc_auc", y_test, proba, labels=labels, seed=seed, **heavy)
        elif name == "expected_cost" and costs is not None:

            def expected_cost(y_true, y_hat):
                return costs.matrix.total_cost(y_true, y_hat, labels) / len(y_true)

            ci = M.bootstrap_ci(expected_cost, y_test, y_pred, seed=seed)
        elif name == "fbeta" or (name in ("f1", "precision", "recall") and positive != labels[-1]):
            ci = M.bootstrap_ci(_label_metric(scorer, labels), y_test, y_pred, seed=seed)
        elif name == "average_precision":
            continue
        else:
            extra = heavy if name == "log_loss" else {}
            values = proba if name == "log_loss" else y_pred
            ci = M.bootstrap_ci(name, y_test, values, labels=labels, seed=seed, **extra)
        d = ci.to_dict()  # NaN bounds (no interval could be estimated) become None, with a note
        out[name] = {"value": d["estimate"]} | {k: d[k] for k in ("low", "high", "method")}
        if ci.note:
            out[name]["note"] = ci.note
    return out


def calibration(y_test, proba, labels) -> dict:
    """Reliability curves (10 bins) per class, the positive class only for two classes."""
    chosen = [1] if len(labels) == 2 else range(min(len(labels), 10))
    out = {}
    for i in chosen:
        positive = (np.asarray(y_test) == labels[i]).astype(int)
        if 0 < positive.sum() < len(positive):
            prob_true, prob_pred = M.calibration_curve(positive, proba[:, i], n_bins=10)
            out[str(labels[i])] = {"prob_true": prob_true.tolist(), "prob_pred": prob_pred.tolist()}
    return out


def fairness(column: str, groups: np.ndarray, y_test, y_pred, labels) -> dict[str, Any]:
    """Per-group accuracy and rates on the test rows, and Fairlearn's parity gaps."""
    names = ["count", "accuracy", "selection_rate", "true_positive_rate", "false_positive_rate"]
    pos = labels[1] if len(labels) == 2 else None
    table = M.group_metrics(y_test, y_pred, groups, metrics=names, pos_label=pos).to_dict()
    rows = [{"group": g, "n": int(v.pop("count")), **v} for g, v in table["by_group"].items()]
    gaps = {f"{k} (max - min)": v for k, v in table["difference"].items() if k != "count"}
    kwargs = {"sensitive_features": groups, "pos_label": pos}
    gaps["demographic parity difference"] = M.demographic_parity_difference(
        y_test, y_pred, **kwargs
    )
    gaps["equalized odds difference"] = M.equalized_odds_difference(y_test, y_pred, **kwargs)
    return {"column": column, "groups": rows, "gaps": gaps}

"""The test stage's honesty checks: the class-prior baseline and too-good-to-be-true warnings.

One call gives what ``train`` records beside the test metrics: the comparison
with the class-prior baseline (training class shares, the majority class as the
label; see :func:`skyclass.metrics.compare_to_baseline`) and the warnings a
reader must see first: a model not significantly better than that baseline on
the selection metric, and a test score implausibly high for the data
(:func:`skyclass.metrics.plausibility_warnings`).

Example:
    >>> import numpy as np, pandas as pd
    >>> y = np.array(["a"] * 60 + ["b"] * 40, dtype=object)
    >>> proba = np.where((y == "a")[:, None], [0.7, 0.3], [0.2, 0.8])
    >>> X = pd.DataFrame({"x": range(100)})
    >>> checks = honesty_checks(y, proba, y, ["a", "b"], np.array([0] * 6 + [1] * 4),
    ...                         metric="accuracy", cv=None, X_train=X, X_test=X + 1000)
    >>> checks.baseline["headline"][:40]
    'accuracy 1.000 vs 0.600 for the class-pr'
    >>> checks.warnings[0][:44]  # 100 of 100 right: too good to be true?
    'accuracy 1.000 on 100 evaluated rows (0 wron'"""

from __future__ import annotations

from dataclasses import dataclass, field

import numpy as np
import pandas as pd

from skyclass import metrics as M
from skyclass.data import shared_rows

__all__ = ["HonestyChecks", "honesty_checks"]


@dataclass
class HonestyChecks:
    """``baseline``: ``BaselineReport.to_dict()`` plus ``headline``; ``warnings``: texts."""

    baseline: dict
    warnings: list[str] = field(default_factory=list)


def honesty_checks(
    y_test: np.ndarray,
    proba: np.ndarray,
    y_pred: np.ndarray,
    labels: list,
    train_codes: np.ndarray,
    *,
    metric: str,
    cv: tuple[float, float, bool] | None,
    X_train: pd.DataFrame,
    X_test: pd.DataFrame,
    test_low: float | None = None,
    seed: int = 0,
) -> HonestyChecks:
    """Baseline comparison and warnings for one test set (see the module doc).

    ``metric`` is the selection metric (the headline uses it when the baseline
    compares it, else accuracy); ``cv`` its ``(mean, std, greater_is_better)`` over
    the CV folds, ``test_low`` the lower end of its test interval.
    """
    prior = np.bincount(train_codes, minlength=len(labels)) / len(train_codes)
    report = M.compare_to_baseline(
        y_test, proba, labels=labels, y_pred=y_pred, prior=prior, seed=seed
    )
    headline_metric = metric if metric in M.BASELINE_METRICS else "accuracy"
    headline = report.headline(headline_metric)
    warnings = [headline] if report.better_on(headline_metric) is False else []
    accuracy = report.comparisons["accuracy"]
    mean, std, greater = cv if cv is not None else (None, None, True)
    warnings += M.plausibility_warnings(
        test_accuracy=accuracy.model,
        n_test=len(y_test),
        majority_share=accuracy.baseline,
        metric=metric,
        test_low=test_low,
        cv_mean=mean,
        cv_std=std,
        greater_is_better=greater,
        shared_rows=shared_rows(X_train, X_test),
    )
    return HonestyChecks(report.to_dict() | {"headline": headline}, warnings)

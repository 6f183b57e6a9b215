"""The class-prior baseline beside the monitor's live scores, with a significance statement.

Live scores from feedback labels mean little until they beat what a model with no
features gets. Each comparison is :func:`skyclass.metrics.compare_to_baseline` (exact
McNemar test for accuracy, paired bootstrap for the rest) at ``alpha = 1 - confidence``.

The prior: a bundle records no training class shares (its reference holds the shares
of its *predictions*), so the baseline predicts the class shares of the very rows
compared. That flatters the baseline (no fixed prior scores higher on those rows on
accuracy or log loss), so a model that beats it beats the training prior too.

A comparison on fewer than ``MIN_ROWS`` labelled rows is flagged ``small_sample`` and
its headline says first that it is not conclusive.

Example:
    >>> import numpy as np
    >>> from skyclass.monitor._baseline import compare_live
    >>> y = np.array(["a"] * 50 + ["b"] * 50, dtype=object)
    >>> proba = np.where((y == "a")[:, None], [0.9, 0.1], [0.1, 0.9])
    >>> out = compare_live(y, proba, y, ["a", "b"], confidence=0.95, n_resamples=200)
    >>> out["headline"][:46], out["small_sample"], out["not_better"]
    ('accuracy 1.000 vs 0.500 for the class-prior ba', False, [])
"""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np

from skyclass.metrics import compare_to_baseline

__all__ = ["LABEL_METRICS", "MIN_ROWS", "PRIOR_SOURCE", "PROBABILITY_METRICS", "compare_live"]

#: below this many labelled rows a comparison is flagged as a small sample
MIN_ROWS = 30
#: compared from the served labels alone (every live-performance group)
LABEL_METRICS = ("accuracy", "balanced_accuracy", "f1_macro")
#: compared when the logged probabilities are used too (the current window)
PROBABILITY_METRICS = (*LABEL_METRICS, "roc_auc", "log_loss")
PRIOR_SOURCE = (
    "class shares of the labelled rows compared (the bundle records no training class prior)"
)


def compare_live(
    y_true: Sequence,
    proba: np.ndarray | None,
    y_pred: Sequence,
    labels: Sequence,
    *,
    confidence: float,
    n_resamples: int,
    seed: int = 0,
) -> dict:
    """The baseline comparison of labelled rows, JSON-safe, with the monitor's headline.

    ``proba`` (``[n, k]`` in ``labels`` order) adds ROC AUC and log loss; without it
    only the label metrics are compared (the served ``y_pred`` against ``y_true``).
    Returns ``BaselineReport.to_dict()`` plus ``prior_source``, ``small_sample``,
    ``not_better`` (metrics where the model is not significantly better) and
    ``headline``: the not-better verdict first when there is one, else accuracy's
    statement; prefixed by a small-sample warning below ``MIN_ROWS`` rows.
    """
    labels = list(labels)
    y_pred = np.asarray(y_pred, dtype=object)
    metrics = PROBABILITY_METRICS if proba is not None else LABEL_METRICS
    if proba is None:  # label metrics read y_pred only; the one-hot rows fill the shape
        index = {label: i for i, label in enumerate(labels)}
        proba = np.eye(len(labels))[[index[v] for v in y_pred.tolist()]]
    report = compare_to_baseline(
        np.asarray(y_true, dtype=object),
        proba,
        labels=labels,
        y_pred=y_pred,
        metrics=metrics,
        n_resamples=n_resamples,
        alpha=1.0 - confidence,
        seed=seed,
    )
    comps = report.comparisons
    not_better = [m for m, c in comps.items() if not c.undefined and not c.significant]
    if not_better:
        first = comps[not_better[0]]
        headline = (
            f"NOT significantly better than predicting the class prior on "
            f"{', '.join(not_better)} ({report.n_rows} labelled rows): {first.statement()}"
        )
    else:
        headline = report.headline("accuracy")
    small = report.n_rows < MIN_ROWS
    if small:
        headline = (
            f"Only {report.n_rows} labelled rows (fewer than {MIN_ROWS}): not conclusive. "
            + headline
        )
    return {
        **report.to_dict(),
        "prior_source": PRIOR_SOURCE,
        "small_sample": small,
        "not_better": not_better,
        "headline": headline,
    }

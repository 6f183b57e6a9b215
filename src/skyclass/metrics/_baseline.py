"""The class-prior baseline beside every headline score, with a paired significance test.

The baseline predicts the class prior for every row: probabilities equal to the
class shares (of the training rows, or of the evaluated rows when no prior is
given) and the most frequent class as its label. It is what a model with no
features achieves, so a score means little until it beats this one.

Each headline metric gets the model's value, the baseline's, their difference
(in the metric's "better" direction, so positive means the model is better)
with a paired bootstrap interval, and a one-sided p-value for "the model is no
better than the baseline": the exact McNemar test for accuracy (the rows only
one of the two gets right), and the paired bootstrap for the other metrics
(share of row resamples in which the model is not ahead, ``(1 + count) / (1 + R)``).

Example:
    >>> import numpy as np
    >>> from skyclass.metrics import compare_to_baseline
    >>> y = np.array([0] * 60 + [1] * 40)
    >>> proba = np.where(y[:, None] == [0, 1], 0.8, 0.2)
    >>> result = compare_to_baseline(y, proba, labels=[0, 1])
    >>> acc = result.comparisons["accuracy"]
    >>> acc.model, acc.baseline, acc.significant
    (1.0, 0.6, True)
    >>> result.headline("accuracy")
    'accuracy 1.000 vs 0.600 for the class-prior baseline: significantly better (p < 0.001, McNemar exact test)'
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Any

import numpy as np
from scipy import sparse, stats

from skyclass._jsonsafe import json_scalar
from skyclass.errors import InputError
from skyclass.metrics._bootstrap import _draw
from skyclass.metrics._bootstrap_metrics import LABEL_METRICS, log_loss_rows, weighted_binary_auc
from skyclass.metrics._validation import as_1d, check_lengths

__all__ = [
    "BASELINE_METRICS",
    "BaselineComparison",
    "BaselineReport",
    "compare_to_baseline",
    "prior_scores",
]

BASELINE_METRICS = ("accuracy", "balanced_accuracy", "f1_macro", "roc_auc", "log_loss")
MAJORITY = "majority class"
RANDOM = "random at the prior rates"
_CHUNK_CELLS = 4_000_000


@dataclass(frozen=True)
class BaselineComparison:
    """One metric: model vs class-prior baseline on the same rows.

    ``difference`` is oriented so that positive means the model is better (for
    ``log_loss`` it is baseline minus model); ``low``/``high`` bound it (paired
    bootstrap percentile); ``p_value`` is one-sided for "no better". ``strategy`` says
    which trivial model the baseline is (the majority class; for macro F1 possibly
    classes at random at the prior rates, whichever scores higher). ``undefined``
    holds the reason when the metric has no value on these rows.

    Attributes
    ----------
    metric : str
        One of ``BASELINE_METRICS``.
    model, baseline : float
        The model's and the baseline's value of the metric on the same rows.
    difference : float
        How far the model is ahead (positive: better, whatever the metric's direction).
    low, high : float
        Paired bootstrap percentile bounds of ``difference``.
    p_value : float
        One-sided p-value of "the model is no better than the baseline".
    significant : bool
        ``p_value < alpha``.
    test : str
        The test used, in words (``"McNemar exact test"`` or ``"paired bootstrap, R
        resamples"``).
    strategy : str, default="majority class"
        Which trivial model the baseline is.
    undefined : str or None, default=None
        Why the metric has no value on these rows (then the numbers are NaN).
    """

    metric: str
    model: float
    baseline: float
    difference: float
    low: float
    high: float
    p_value: float
    significant: bool
    test: str
    strategy: str = MAJORITY
    undefined: str | None = None

    def statement(self) -> str:
        """One sentence: both values and the verdict (what the report and CLI print).

        Returns
        -------
        str
            E.g. ``"accuracy 0.910 vs 0.600 for the class-prior baseline: significantly
            better (p < 0.001, McNemar exact test)"``.
        """
        if self.undefined:
            return f"{self.metric}: no baseline comparison ({self.undefined})"
        verdict = "significantly better" if self.significant else "NOT significantly better"
        p = "p < 0.001" if self.p_value < 0.001 else f"p = {self.p_value:.3f}"
        how = " (classes at random at the prior rates)" if self.strategy == RANDOM else ""
        return (
            f"{self.metric} {self.model:.3f} vs {self.baseline:.3f} for the class-prior "
            f"baseline{how}: {verdict} ({p}, {self.test})"
        )

    def to_dict(self) -> dict[str, Any]:
        """The comparison as JSON-safe fields.

        Returns
        -------
        dict
            Every field (NaN becomes None) plus ``statement``, the sentence.
        """
        out = {
            k: (None if isinstance(v, float) and v != v else v) for k, v in self.__dict__.items()
        }
        out["statement"] = self.statement()
        return out


@dataclass(frozen=True)
class BaselineReport:
    """Every compared metric, the prior used and the significance level ``alpha``.

    Attributes
    ----------
    prior : dict
        The class shares the baseline predicted, by label.
    majority : label
        The baseline's predicted label (the most frequent class of ``prior``).
    alpha : float
        The significance level of every comparison.
    n_rows : int
        Rows compared on.
    comparisons : dict of str to BaselineComparison
        One comparison per metric, by name.
    """

    prior: dict
    majority: Any
    alpha: float
    n_rows: int
    comparisons: dict[str, BaselineComparison] = field(default_factory=dict)

    def better_on(self, metric: str) -> bool | None:
        """Whether the model is significantly better on ``metric``.

        Parameters
        ----------
        metric : str
            A metric name of ``comparisons``.

        Returns
        -------
        bool or None
            None when it was not compared or is undefined on these rows.
        """
        comp = self.comparisons.get(metric)
        if comp is None or comp.undefined:
            return None
        return comp.significant

    def headline(self, metric: str) -> str:
        """The sentence a report leads with for ``metric``; a warning first when not better.

        Falls back to the first defined metric when ``metric`` was not compared.

        Parameters
        ----------
        metric : str
            The metric to lead with (normally the one the model was selected on).

        Returns
        -------
        str
            The comparison's sentence, prefixed with "Not significantly better than
            predicting the class prior on N rows:" when the model is not ahead.
        """
        comp = self.comparisons.get(metric)
        if comp is None or comp.undefined:
            comp = next((c for c in self.comparisons.values() if not c.undefined), comp)
        if comp is None:
            return "no baseline comparison: no metric is defined on these rows"
        if comp.undefined or comp.significant:
            return comp.statement()
        return (
            f"Not significantly better than predicting the class prior on {self.n_rows} rows: "
            + comp.statement()
        )

    def to_dict(self) -> dict[str, Any]:
        """The report as JSON-safe fields.

        Returns
        -------
        dict
            ``baseline`` ("class prior"), ``prior`` (keys as text), ``majority``,
            ``alpha``, ``n_rows`` and ``metrics``: each comparison's ``to_dict()``.
        """
        return {
            "baseline": "class prior",
            "prior": {str(k): v for k, v in self.prior.items()},
            "majority": json_scalar(self.majority),
            "alpha": self.alpha,
            "n_rows": self.n_rows,
            "metrics": {k: c.to_dict() for k, c in self.comparisons.items()},
        }


def compare_to_baseline(
    y_true: Any,
    proba: Any,
    *,
    labels: Sequence[Any],
    y_pred: Any = None,
    prior: Sequence[float] | None = None,
    metrics: Sequence[str] = BASELINE_METRICS,
    n_resamples: int = 1000,
    alpha: float = 0.05,
    seed: int | None = 0,
) -> BaselineReport:
    """Compare a model with the class-prior baseline on ``metrics`` (see the module doc).

    ``proba`` is ``[n, k]`` in ``labels`` order; ``y_pred`` the model's labels
    (default: argmax of ``proba``, e.g. pass the decision rule's labels);
    ``prior`` the class shares the baseline predicts (default: those of ``y_true``,
    which flatters the baseline, so a model that beats it beats the training prior too).

    Parameters
    ----------
    y_true : array-like of shape (n_samples,)
        True labels, each one of ``labels``.
    proba : array-like of shape (n_samples, n_classes)
        The model's probabilities, columns in ``labels`` order.
    labels : sequence
        The classes, in column order.
    y_pred : array-like of shape (n_samples,), default=None
        The model's predicted labels; None: argmax of ``proba``.
    prior : sequence of float, default=None
        The class shares the baseline predicts (non-negative, summing to 1); None: the
        shares of ``y_true``.
    metrics : sequence of str, default=BASELINE_METRICS
        Which metrics to compare, some of ``BASELINE_METRICS``.
    n_resamples : int, default=1000
        Paired bootstrap resamples (the same row draws for model and baseline).
    alpha : float, default=0.05
        Significance level, strictly between 0 and 1.
    seed : int or None, default=0
        Seed of the resampling.

    Returns
    -------
    BaselineReport
        One :class:`BaselineComparison` per metric.

    Example:
        >>> r = compare_to_baseline([0, 1, 1, 1], [[0.6, 0.4], [0.3, 0.7], [0.4, 0.6], [0.2, 0.8]],
        ...                         labels=[0, 1], metrics=["accuracy"])
        >>> r.comparisons["accuracy"].baseline, r.majority
        (0.75, 1)
    """
    labels = list(labels)
    k = len(labels)
    y = as_1d(y_true, "y_true")
    p = np.asarray(proba, dtype=np.float64)
    if p.ndim != 2 or p.shape[1] != k:
        raise InputError(f"proba must be [n, {k}] (one column per label {labels}); got {p.shape}")
    check_lengths(y_true=y, proba=p)
    unknown = [m for m in metrics if m not in BASELINE_METRICS]
    if unknown:
        raise InputError(
            f"unknown baseline metrics {unknown}; use some of {list(BASELINE_METRICS)}"
        )
    if not 0 < alpha < 1:
        raise InputError(f"alpha must be between 0 and 1 (e.g. 0.05), got {alpha!r}")
    index = {label: i for i, label in enumerate(labels)}
    truth = _codes(y, index, "y_true")
    pred = p.argmax(axis=1) if y_pred is None else _codes(as_1d(y_pred, "y_pred"), index, "y_pred")
    n = truth.shape[0]
    if prior is None:
        shares = np.bincount(truth, minlength=k) / n
    else:
        shares = np.asarray(prior, dtype=np.float64)
        if shares.shape != (k,) or (shares < 0).any() or not math.isclose(shares.sum(), 1.0):
            raise InputError(f"prior must be {k} non-negative class shares summing to 1")
    majority = int(np.argmax(shares))
    weights = _weights(n, n_resamples, np.random.default_rng(seed))
    report = BaselineReport(
        prior={json_scalar(label): float(s) for label, s in zip(labels, shares)},
        majority=json_scalar(labels[majority]),
        alpha=float(alpha),
        n_rows=int(n),
    )
    for metric in metrics:
        if metric == "roc_auc":
            values = _auc(truth, p, weights)
        elif metric == "log_loss":
            values = _log_loss(truth, p, shares, weights)
        else:
            values = _label(metric, truth, pred, majority, shares, weights)
        report.comparisons[metric] = _compare(metric, *values, truth, pred, majority, alpha)
    return report


def prior_scores(class_weight: np.ndarray) -> dict[str, float]:
    """What the class-prior baseline scores on rows with these class totals (its own prior).

    Macro F1 averages over every label (as ``evaluate``'s ``averages["macro"]``) and
    takes the stronger trivial model, classes at random at the prior rates (1/k in
    expectation, above the majority class's ``2 p / (1 + p) / k``); balanced accuracy
    runs over the classes present; ROC AUC of constant scores is 1/2.

    Parameters
    ----------
    class_weight : numpy.ndarray of shape (n_classes,)
        The (weighted) number of rows of each class; at least one positive.

    Returns
    -------
    dict of str to float
        ``accuracy``, ``balanced_accuracy``, ``f1_macro``, ``roc_auc`` and ``log_loss``
        of the baseline.

    Example:
        >>> prior_scores(np.array([6.0, 3.0, 1.0]))["accuracy"]
        0.6
    """
    share = np.asarray(class_weight, dtype=np.float64) / np.sum(class_weight)
    top = float(share.max())
    present = share > 0
    return {
        "accuracy": top,
        "balanced_accuracy": 1.0 / int(present.sum()),
        "f1_macro": 1.0 / share.size,
        "roc_auc": 0.5,
        "log_loss": float(-np.sum(share[present] * np.log(share[present]))),
    }


def _codes(values: np.ndarray, index: dict, name: str) -> np.ndarray:
    try:
        return np.fromiter((index[v] for v in values.tolist()), dtype=np.intp, count=len(values))
    except KeyError as err:
        raise InputError(
            f"{name} holds {err.args[0]!r}, which is not one of the labels {list(index)}; "
            "drop those rows or pass labels= including it"
        ) from err


def _weights(n: int, n_resamples: int, rng) -> list[np.ndarray]:
    """Row-count weights of the paired resamples, in chunks ``[R_i, n]`` (full data first)."""
    chunk = max(1, _CHUNK_CELLS // n)
    ones = np.ones(n, dtype=np.int64)
    out = [np.ones((1, n))]
    for start in range(0, n_resamples, chunk):
        out.append(_draw(ones, min(chunk, n_resamples - start), False, rng))
    return out


def _label(metric, truth, pred, majority, shares, weights):
    """Model and baseline values per resample; macro F1's baseline is the stronger strategy.

    Predicting the majority class scores 0 on every other class, so for macro F1
    predicting classes at random at the prior rates (scikit-learn's
    ``DummyClassifier(strategy="stratified")``, in expectation) is the stronger
    trivial model; whichever scores higher on the full data is the baseline.
    """
    fn = LABEL_METRICS[metric]
    n, k = truth.shape[0], shares.size
    rows = np.arange(n)
    model_map = sparse.csr_matrix((np.ones(n), (rows, truth * k + pred)), shape=(n, k * k))
    base_map = sparse.csr_matrix((np.ones(n), (rows, truth * k + majority)), shape=(n, k * k))
    truth_map = sparse.csr_matrix((np.ones(n), (rows, truth)), shape=(n, k))
    model, base, random = [], [], []
    for w in weights:
        model.append(fn(np.asarray((model_map.T @ w.T).T).reshape(-1, k, k)))
        base.append(fn(np.asarray((base_map.T @ w.T).T).reshape(-1, k, k)))
        if metric == "f1_macro":
            random.append(_random_f1_macro(np.asarray((truth_map.T @ w.T).T), shares))
    base = np.concatenate(base)
    if random and np.concatenate(random)[0] > base[0]:
        return np.concatenate(model), np.concatenate(random), True, RANDOM
    return np.concatenate(model), base, True, MAJORITY


def _random_f1_macro(truth_counts: np.ndarray, shares: np.ndarray) -> np.ndarray:
    """Macro F1 of predicting class ``c`` at rate ``shares[c]`` (expected counts), per row.

    Expected true positives ``t_c q_c`` and predictions ``n q_c``; like scikit-learn
    without ``labels=``, the average runs over the classes in the truth or predicted.
    """
    n = truth_counts.sum(axis=1, keepdims=True)
    tp, predicted = truth_counts * shares, n * shares
    denom = truth_counts + predicted
    f1 = np.divide(2 * tp, denom, out=np.zeros_like(denom), where=denom > 0)
    present = (truth_counts > 0) | (shares > 0)
    return (f1 * present).sum(axis=1) / present.sum(axis=1)


def _auc(truth, p, weights):
    k = p.shape[1]
    columns = [1] if k == 2 else range(k)
    model = []
    for w in weights:
        with np.errstate(divide="ignore", invalid="ignore"):
            model.append(np.mean([weighted_binary_auc(w, truth == j, p[:, j]) for j in columns], 0))
    model = np.concatenate(model)
    return model, np.where(np.isfinite(model), 0.5, np.nan), True, "constant scores"


def _log_loss(truth, p, shares, weights):
    model_rows = log_loss_rows(truth, p)
    base_rows = log_loss_rows(truth, np.broadcast_to(shares, p.shape))
    model = np.concatenate([(w @ model_rows) / w.sum(axis=1) for w in weights])
    base = np.concatenate([(w @ base_rows) / w.sum(axis=1) for w in weights])
    return model, base, False, "prior probabilities"


def _compare(
    metric, model, base, greater, strategy, truth, pred, majority, alpha
) -> BaselineComparison:
    """Model vs baseline from the full-data values (index 0) and the paired resamples."""
    nan = float("nan")
    if not (np.isfinite(model[0]) and np.isfinite(base[0])):
        return BaselineComparison(
            metric,
            float(model[0]),
            float(base[0]),
            nan,
            nan,
            nan,
            nan,
            False,
            "none",
            strategy=strategy,
            undefined="undefined on these rows (e.g. a class with no rows)",
        )
    sign = 1.0 if greater else -1.0
    diff = sign * (model - base)
    samples = diff[1:][np.isfinite(diff[1:])]
    low, high = np.quantile(samples, [alpha / 2, 1 - alpha / 2]) if samples.size else (nan, nan)
    if metric == "accuracy":
        right, base_right = pred == truth, truth == majority
        only_model = int(np.sum(right & ~base_right))
        only_base = int(np.sum(~right & base_right))
        discordant = only_model + only_base
        p = (
            float(stats.binomtest(only_model, discordant, 0.5, alternative="greater").pvalue)
            if discordant
            else 1.0
        )
        test = "McNemar exact test"
    else:
        p = float((1 + np.sum(samples <= 0)) / (1 + samples.size))
        test = f"paired bootstrap, {samples.size} resamples"
    return BaselineComparison(
        metric=metric,
        model=float(model[0]),
        baseline=float(base[0]),
        difference=float(diff[0]),
        low=float(low),
        high=float(high),
        p_value=p,
        significant=bool(p < alpha),
        test=test,
        strategy=strategy,
    )

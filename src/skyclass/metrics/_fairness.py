"""Fairness by group: per-group metrics, and Fairlearn's parity measures.

``demographic_parity_*`` compare selection rates ``P(pred = positive | group)``;
``equalized_odds_*`` compare true and false positive rates. The definitions are
Fairlearn's (0.15): *difference* is ``max - min`` over groups (``between_groups``)
or the largest ``|group - overall|`` (``to_overall``); *ratio* is ``min / max``
or the smallest of ``group / overall`` taken below 1. A rate over no rows is 0,
as in Fairlearn. For more than two labels every class is treated one-vs-rest and
the worst class is returned (``per_class=True`` shows them all).

Example:
    >>> from skyclass.metrics import demographic_parity_difference, group_metrics
    >>> y_true = [1, 0, 1, 0, 1, 0]
    >>> y_pred = [1, 0, 1, 1, 0, 0]
    >>> group = ["a", "a", "a", "b", "b", "b"]
    >>> round(demographic_parity_difference(y_true, y_pred, sensitive_features=group), 3)
    0.333
    >>> group_metrics(y_true, y_pred, group).by_group["a"]["accuracy"]
    1.0
"""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from typing import Any

import numpy as np

from skyclass._jsonsafe import json_scalar
from skyclass.errors import InputError
from skyclass.metrics._validation import as_1d, one_per_row

__all__ = [
    "GroupMetrics",
    "demographic_parity_difference",
    "demographic_parity_ratio",
    "equalized_odds_difference",
    "equalized_odds_ratio",
    "group_metrics",
]

_METHODS = ("between_groups", "to_overall")
_RATES = (
    "selection_rate",
    "true_positive_rate",
    "false_positive_rate",
    "true_negative_rate",
    "false_negative_rate",
    "precision",
    "recall",
    "f1",
)
_DEFAULT_METRICS = (
    "count",
    "accuracy",
    "selection_rate",
    "true_positive_rate",
    "false_positive_rate",
)


def _div(num: float, den: float) -> float:
    return float(num / den) if den else 0.0


def _binary_rates(truth: np.ndarray, pred: np.ndarray, w: np.ndarray) -> dict[str, float]:
    """Rates of a one-vs-rest problem (booleans ``truth``/``pred``), weighted by ``w``."""
    tp = float(w[truth & pred].sum())
    fp = float(w[~truth & pred].sum())
    fn = float(w[truth & ~pred].sum())
    tn = float(w[~truth & ~pred].sum())
    return {
        "selection_rate": _div(tp + fp, tp + fp + fn + tn),
        "true_positive_rate": _div(tp, tp + fn),
        "false_positive_rate": _div(fp, fp + tn),
        "true_negative_rate": _div(tn, fp + tn),
        "false_negative_rate": _div(fn, tp + fn),
        "precision": _div(tp, tp + fp),
        "recall": _div(tp, tp + fn),
        "f1": _div(2 * tp, 2 * tp + fp + fn),
    }


def _groups(sensitive: Any, n: int) -> tuple[list[Any], np.ndarray]:
    """Sorted group keys and each row's group index; several features give tuple keys."""
    if isinstance(sensitive, Mapping):
        if not sensitive:
            raise InputError("sensitive is an empty dict; give at least one feature column")
        columns = {
            name: _column(values, n, f"sensitive feature {name!r}")
            for name, values in sensitive.items()
        }
        keys = list(zip(*(col.tolist() for col in columns.values())))
    else:
        keys = _column(sensitive, n, "sensitive").tolist()
    keys = [
        json_scalar(k) if not isinstance(k, tuple) else tuple(map(json_scalar, k)) for k in keys
    ]
    unique = sorted(set(keys), key=lambda k: (str(type(k)), str(k)))
    index = {k: i for i, k in enumerate(unique)}
    return unique, np.fromiter((index[k] for k in keys), dtype=np.intp, count=n)


def _column(values: Any, n: int, name: str) -> np.ndarray:
    return one_per_row(
        np.asarray(values, dtype=object),
        n,
        name,
        "pass the sensitive column for exactly the evaluated rows",
    )


def _prepare(
    y_true: Any, y_pred: Any, sample_weight: Any
) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    truth = as_1d(y_true, "y_true")
    pred = as_1d(y_pred, "y_pred")
    if truth.shape[0] != pred.shape[0]:
        raise InputError(f"y_true has {truth.shape[0]} rows but y_pred has {pred.shape[0]}")
    if sample_weight is None:
        weights = np.ones(truth.shape[0])
    else:
        weights = np.asarray(sample_weight, dtype=np.float64)
        if weights.shape != truth.shape:
            raise InputError(
                f"sample_weight has shape {weights.shape} but y_true has {truth.shape[0]} rows"
            )
    return truth, pred, weights


def _positive_labels(truth: np.ndarray, pred: np.ndarray, pos_label: Any) -> list[Any]:
    """The label(s) treated as positive: one for binary data, every label for multiclass."""
    if pos_label is not None:
        return [pos_label]
    labels = np.union1d(truth, pred).tolist()
    if len(labels) <= 2:
        if set(labels) <= {0, 1} or set(labels) <= {-1, 1}:
            return [1]  # Fairlearn's default
        return [labels[-1]]  # scikit-learn's: the larger label
    return labels


@dataclass(frozen=True)
class GroupMetrics:
    """Metrics per group of a sensitive feature, overall, and their gaps.

    ``by_group[group][metric]`` and ``overall[metric]``; multiclass rate metrics
    are named ``"<rate>[<label>]"`` (one-vs-rest).

    Attributes
    ----------
    groups : list
        The groups in sorted order: values of the sensitive feature, or tuples of
        values when several features were given.
    metrics : list of str
        The metric columns, in order.
    by_group : dict
        ``by_group[group][metric]``: each metric on the group's rows.
    overall : dict of str to float
        Each metric on all rows.
    """

    groups: list[Any]
    metrics: list[str]
    by_group: dict[Any, dict[str, float]]
    overall: dict[str, float]

    def difference(self, method: str = "between_groups") -> dict[str, float]:
        """Per metric: ``max - min`` across groups, or the largest ``|group - overall|``.

        Parameters
        ----------
        method : {"between_groups", "to_overall"}, default="between_groups"
            Compare the groups with each other, or each group with the overall value.

        Returns
        -------
        dict of str to float
            The gap per metric (0 means equal across groups).
        """
        _check_method(method)
        out = {}
        for name in self.metrics:
            values = np.array([self.by_group[g][name] for g in self.groups])
            if method == "between_groups":
                out[name] = float(values.max() - values.min())
            else:
                out[name] = float(np.abs(values - self.overall[name]).max())
        return out

    def ratio(self, method: str = "between_groups") -> dict[str, float]:
        """Per metric: ``min / max`` across groups, or the smallest group/overall ratio (≤ 1).

        Parameters
        ----------
        method : {"between_groups", "to_overall"}, default="between_groups"
            As in :meth:`difference`: smallest over largest group, or each group's
            ratio to the overall value (the smaller of it and its inverse).

        Returns
        -------
        dict of str to float
            The ratio per metric (1 means equal; NaN for 0/0, inf for x/0 between groups).
        """
        _check_method(method)
        out = {}
        for name in self.metrics:
            values = np.array([self.by_group[g][name] for g in self.groups])
            if method == "between_groups":
                out[name] = _safe_ratio(values.min(), values.max())
            else:
                overall = self.overall[name]
                ratios = np.array(
                    [min(_safe_ratio(v, overall), _safe_ratio(overall, v)) for v in values]
                )
                finite = ratios[~np.isnan(ratios)]  # Fairlearn skips 0/0 groups
                out[name] = float(finite.min()) if finite.size else float("nan")
        return out

    def to_dict(self) -> dict[str, Any]:
        """The table as JSON-safe fields, with ``difference()`` and ``ratio()``.

        Returns
        -------
        dict
            ``metrics``, ``by_group`` (group keys as text, tuples joined with ``" & "``),
            ``overall``, ``difference`` and ``ratio`` (between groups); NaN and inf
            become None.
        """

        def key(group: Any) -> str:
            return " & ".join(map(str, group)) if isinstance(group, tuple) else str(group)

        def clean(values: dict[str, float]) -> dict[str, float | None]:
            return {k: (v if np.isfinite(v) else None) for k, v in values.items()}

        return {
            "metrics": list(self.metrics),
            "by_group": {key(g): clean(self.by_group[g]) for g in self.groups},
            "overall": clean(self.overall),
            "difference": clean(self.difference()),
            "ratio": clean(self.ratio()),
        }


def _safe_ratio(num: float, den: float) -> float:
    if den == 0:
        return float("nan") if num == 0 else float("inf")
    return float(num / den)


def _check_method(method: str) -> None:
    if method not in _METHODS:
        raise InputError(f"unknown method {method!r}; use one of {list(_METHODS)}")


def _evaluate(
    specs: list[tuple[str, str | Callable]],
    truth: np.ndarray,
    pred: np.ndarray,
    weights: np.ndarray,
    positives: list[Any],
) -> dict[str, float]:
    values: dict[str, float] = {}
    per_label = {
        label: _binary_rates(truth == label, pred == label, weights) for label in positives
    }
    for name, metric in specs:
        if callable(metric):
            values[name] = float(metric(truth, pred))
        elif metric == "count":
            values[name] = float(weights.sum())
        elif metric == "accuracy":
            values[name] = _div(float(weights[truth == pred].sum()), float(weights.sum()))
        elif len(positives) == 1:
            values[name] = per_label[positives[0]][metric]
        else:
            for label in positives:
                values[f"{name}[{label}]"] = per_label[label][metric]
    return values


def group_metrics(
    y_true: Any,
    y_pred: Any,
    sensitive: Any,
    metrics: Sequence[str | Callable] | Mapping[str, Callable] | None = None,
    *,
    pos_label: Any = None,
    sample_weight: Any = None,
) -> GroupMetrics:
    """A per-group table of ``metrics`` plus overall values, differences and ratios.

    ``sensitive`` is one value per row, or a dict ``{feature: values}`` whose
    combinations form the groups. ``metrics`` are names from ``count``,
    ``accuracy``, ``selection_rate``, ``true_positive_rate``,
    ``false_positive_rate``, ``true_negative_rate``, ``false_negative_rate``,
    ``precision``, ``recall``, ``f1`` and/or callables ``f(y_true, y_pred)``
    (a dict names them). Binary rates use ``pos_label`` (default: 1 for 0/1 or ±1
    labels, as Fairlearn; otherwise the larger label); with more than two labels
    each rate is reported per class, one-vs-rest, as ``"<rate>[<label>]"``.

    Parameters
    ----------
    y_true, y_pred : array-like of shape (n_rows,)
        Truth and decisions.
    sensitive : array-like of shape (n_rows,) or dict of str to array-like
        The group of each row (combinations of several features when a dict).
    metrics : sequence of names or callables, or dict of name to callable, optional
        What to compute per group (see above).
    pos_label : label, optional
        The positive class of the binary rates.
    sample_weight : array-like of shape (n_rows,), optional
        Row weights.

    Returns
    -------
    GroupMetrics
        ``by_group``, ``overall``, ``difference()`` and ``ratio()``.

    Example:
        >>> table = group_metrics([1, 0, 1, 1], [1, 0, 0, 1], ["x", "x", "y", "y"],
        ...                       metrics=["accuracy", "selection_rate"])
        >>> table.difference()["accuracy"], table.ratio()["selection_rate"]
        (0.5, 1.0)
    """
    truth, pred, weights = _prepare(y_true, y_pred, sample_weight)
    groups, index = _groups(sensitive, truth.shape[0])
    positives = _positive_labels(truth, pred, pos_label)
    specs = _metric_specs(metrics)
    overall = _evaluate(specs, truth, pred, weights, positives)
    by_group = {}
    for i, group in enumerate(groups):
        mask = index == i
        by_group[group] = _evaluate(specs, truth[mask], pred[mask], weights[mask], positives)
    return GroupMetrics(groups=groups, metrics=list(overall), by_group=by_group, overall=overall)


def _metric_specs(metrics: Any) -> list[tuple[str, str | Callable]]:
    """``[(column name, builtin name or callable)]`` from the ``metrics`` argument."""
    if metrics is None:
        metrics = _DEFAULT_METRICS
    if isinstance(metrics, str) or callable(metrics):
        metrics = [metrics]
    if isinstance(metrics, Mapping):
        items = list(metrics.items())
    else:
        items = [
            (m if isinstance(m, str) else getattr(m, "__name__", f"metric_{i}"), m)
            for i, m in enumerate(metrics)
        ]
    known = ("count", "accuracy", *_RATES)
    for _, metric in items:
        if not callable(metric) and metric not in known:
            raise InputError(
                f"unknown group metric {metric!r}; use a callable or one of {list(known)}"
            )
    return items


def _disparity(
    kind: str,
    rates: tuple[str, ...],
    y_true: Any,
    y_pred: Any,
    sensitive_features: Any,
    method: str,
    sample_weight: Any,
    pos_label: Any,
    agg: str,
    per_class: bool,
) -> float | dict[Any, float]:
    _check_method(method)
    if agg not in ("worst_case", "mean"):
        raise InputError(f"agg must be 'worst_case' or 'mean', got {agg!r}")
    table = group_metrics(
        y_true,
        y_pred,
        sensitive_features,
        list(rates),
        pos_label=pos_label,
        sample_weight=sample_weight,
    )
    gaps = table.difference(method) if kind == "difference" else table.ratio(method)
    truth, pred, _ = _prepare(y_true, y_pred, sample_weight)
    results = {}
    for label in _positive_labels(truth, pred, pos_label):
        keys = [r if r in gaps else f"{r}[{label}]" for r in rates]
        values = [gaps[k] for k in keys]
        if agg == "mean":
            results[json_scalar(label)] = float(np.mean(values))
        else:
            results[json_scalar(label)] = float(
                max(values) if kind == "difference" else min(values)
            )
    if per_class:
        return results
    finite = [v for v in results.values() if v == v]
    if not finite:
        return float("nan")
    return float(max(finite) if kind == "difference" else min(finite))


def demographic_parity_difference(
    y_true: Any,
    y_pred: Any,
    *,
    sensitive_features: Any,
    method: str = "between_groups",
    sample_weight: Any = None,
    pos_label: Any = None,
    per_class: bool = False,
) -> float | dict[Any, float]:
    """Largest minus smallest group selection rate (Fairlearn's definition).

    Parameters
    ----------
    y_true, y_pred : array-like of shape (n_rows,)
        Truth (unused by the definition, kept for Fairlearn's signature) and decisions.
    sensitive_features : array-like or dict of str to array-like
        The group of each row.
    method : {"between_groups", "to_overall"}
        Compare groups with each other, or each with the overall value.
    sample_weight : array-like, optional
        Row weights.
    pos_label : label, optional
        The positive class.
    per_class : bool
        Multiclass: one value per class (one-vs-rest) instead of the worst.

    Returns
    -------
    float or dict of label to float

    Example:
        >>> demographic_parity_difference([0, 0, 0, 0], [1, 1, 0, 1],
        ...                               sensitive_features=["a", "a", "b", "b"])
        0.5
    """
    return _disparity(
        "difference",
        ("selection_rate",),
        y_true,
        y_pred,
        sensitive_features,
        method,
        sample_weight,
        pos_label,
        "worst_case",
        per_class,
    )


def demographic_parity_ratio(
    y_true: Any,
    y_pred: Any,
    *,
    sensitive_features: Any,
    method: str = "between_groups",
    sample_weight: Any = None,
    pos_label: Any = None,
    per_class: bool = False,
) -> float | dict[Any, float]:
    """Smallest over largest group selection rate (Fairlearn's definition).

    Parameters
    ----------
    y_true, y_pred, sensitive_features, method, sample_weight, pos_label, per_class
        As :func:`demographic_parity_difference`.

    Returns
    -------
    float or dict of label to float

    Example:
        >>> demographic_parity_ratio([0, 0, 0, 0], [1, 1, 0, 1],
        ...                          sensitive_features=["a", "a", "b", "b"])
        0.5
    """
    return _disparity(
        "ratio",
        ("selection_rate",),
        y_true,
        y_pred,
        sensitive_features,
        method,
        sample_weight,
        pos_label,
        "worst_case",
        per_class,
    )


def equalized_odds_difference(
    y_true: Any,
    y_pred: Any,
    *,
    sensitive_features: Any,
    method: str = "between_groups",
    sample_weight: Any = None,
    agg: str = "worst_case",
    pos_label: Any = None,
    per_class: bool = False,
) -> float | dict[Any, float]:
    """The larger (``agg="mean"``: the mean) of the TPR and FPR differences (Fairlearn's).

    Parameters
    ----------
    y_true, y_pred, sensitive_features, method, sample_weight, pos_label, per_class
        As :func:`demographic_parity_difference`.
    agg : {"worst_case", "mean"}
        How the TPR and FPR differences are combined.

    Returns
    -------
    float or dict of label to float

    Example:
        >>> equalized_odds_difference([1, 0, 1, 0], [1, 0, 0, 0],
        ...                           sensitive_features=["a", "a", "b", "b"])
        1.0
    """
    return _disparity(
        "difference",
        ("true_positive_rate", "false_positive_rate"),
        y_true,
        y_pred,
        sensitive_features,
        method,
        sample_weight,
        pos_label,
        agg,
        per_class,
    )


def equalized_odds_ratio(
    y_true: Any,
    y_pred: Any,
    *,
    sensitive_features: Any,
    method: str = "between_groups",
    sample_weight: Any = None,
    agg: str = "worst_case",
    pos_label: Any = None,
    per_class: bool = False,
) -> float | dict[Any, float]:
    """The smaller (``agg="mean"``: the mean) of the TPR and FPR ratios (Fairlearn's).

    Parameters
    ----------
    y_true, y_pred, sensitive_features, method, sample_weight, pos_label, per_class
        As :func:`demographic_parity_difference`.
    agg : {"worst_case", "mean"}
        How the TPR and FPR ratios are combined.

    Returns
    -------
    float or dict of label to float

    Example:
        >>> equalized_odds_ratio([1, 0, 1, 0, 1, 1], [1, 1, 0, 0, 1, 1],
        ...                      sensitive_features=["a", "a", "b", "b", "a", "b"])
        0.0
    """
    return _disparity(
        "ratio",
        ("true_positive_rate", "false_positive_rate"),
        y_true,
        y_pred,
        sensitive_features,
        method,
        sample_weight,
        pos_label,
        agg,
        per_class,
    )

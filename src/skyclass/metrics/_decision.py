"""Decision rules: turning class probabilities into one label per row.

The same rule object (or its JSON dict) is applied at evaluation time and at
serving time by :func:`decide`, so a bundle ships exactly the decision that was
evaluated. Rules:

- ``None`` / ``{"kind": "argmax"}``: the most probable class.
- :class:`ThresholdRule` ``{"kind": "threshold", "threshold": t, "positive": label}``:
  ``positive`` when its probability is ``>= t``, else the most probable other class.
- :class:`CostMatrix` ``{"kind": "cost_matrix", "matrix": C}``: the Bayes decision
  ``argmin_j sum_i p_i C[i, j]`` where ``C[i, j]`` is the cost of predicting ``j``
  when the truth is ``i``.
- :class:`ClassThresholds` ``{"kind": "class_thresholds", "thresholds": [t_0, ...]}``:
  the class with the largest margin ``p_j - t_j`` (a class is "over its threshold"
  when its margin is >= 0; for two classes with ``t_0 = 1 - t_1`` this is the
  binary threshold ``t_1``).
- :class:`PriorShift` ``{"kind": "prior_shift", "train_priors": [...],
  "target_priors": [...]}``: reweights ``p_j`` by ``target_j / train_j``,
  renormalises, then argmax (class shares differ between training and use).

Every rule may carry ``labels`` (the class order its numbers refer to); ``decide``
reorders it to the model's ``labels`` when they are given.

Example:
    >>> import numpy as np
    >>> from skyclass.metrics import decide, rule_from_dict
    >>> proba = np.array([[0.7, 0.3], [0.4, 0.6]])
    >>> decide(proba, {"kind": "threshold", "threshold": 0.25, "positive": "spam"},
    ...        labels=["ham", "spam"]).tolist()
    ['spam', 'spam']
    >>> decide(proba, None, labels=["ham", "spam"]).tolist()
    ['ham', 'spam']
"""

from __future__ import annotations

import math
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Any, ClassVar

import numpy as np

from skyclass.errors import InputError
from skyclass.metrics._decision_checks import as_1d, as_proba, label_index, to_json_value

__all__ = [
    "ClassThresholds",
    "CostMatrix",
    "PriorShift",
    "ThresholdRule",
    "decide",
    "rule_from_dict",
    "rule_to_dict",
]


def _labels_tuple(labels: Sequence[Any] | None) -> tuple[Any, ...] | None:
    if labels is None:
        return None
    return tuple(to_json_value(label) for label in labels)


def _float_vector(values: Any, name: str, *, positive: bool = False) -> tuple[float, ...]:
    try:
        array = np.asarray(values, dtype=np.float64)
    except (TypeError, ValueError) as err:
        raise InputError(f"{name} must be a list of numbers, got {values!r}") from err
    if array.ndim != 1 or array.size < 2:
        raise InputError(f"{name} must be a list with one number per class, got {values!r}")
    if not np.isfinite(array).all():
        raise InputError(f"{name} must hold finite numbers, got {array.tolist()}")
    if positive and (array <= 0).any():
        raise InputError(f"{name} must be positive, got {array.tolist()}")
    return tuple(float(v) for v in array)


@dataclass(frozen=True)
class ThresholdRule:
    """Predict ``positive`` when its probability is ``>= threshold``.

    Example:
        >>> ThresholdRule(0.3, positive=1).decide([[0.75, 0.25], [0.6, 0.4]]).tolist()
        [0, 1]
    """

    threshold: float
    positive: Any = 1
    kind: ClassVar[str] = "threshold"

    def __post_init__(self) -> None:
        if not isinstance(self.threshold, int | float) or not math.isfinite(self.threshold):
            raise InputError(f"threshold must be a finite number, got {self.threshold!r}")
        object.__setattr__(self, "threshold", float(self.threshold))
        object.__setattr__(self, "positive", to_json_value(self.positive))

    def decide(self, proba: Any, labels: Sequence[Any] | None = None) -> np.ndarray:
        """Labels for ``proba`` (see :func:`decide`)."""
        return decide(proba, self, labels)

    def _indices(self, proba: np.ndarray, labels: Sequence[Any]) -> np.ndarray:
        pos = label_index(labels, self.positive, "threshold rule positive label")
        others = proba.copy()
        others[:, pos] = -np.inf
        fallback = np.argmax(others, axis=1)
        return np.where(proba[:, pos] >= self.threshold, pos, fallback)

    def to_dict(self) -> dict[str, Any]:
        """JSON-safe form (see :func:`rule_from_dict`)."""
        return {"kind": self.kind, "threshold": self.threshold, "positive": self.positive}


@dataclass(frozen=True)
class CostMatrix:
    """Misclassification costs ``C[i, j]``: the cost of predicting ``j`` when the truth is ``i``.

    Costs are non-negative; the Bayes decision minimises the expected cost
    ``sum_i p_i C[i, j]`` per row.

    Example:
        >>> costs = CostMatrix([[0, 1], [10, 0]], labels=["ok", "fraud"])
        >>> costs.decide([[0.85, 0.15], [0.95, 0.05]]).tolist()
        ['fraud', 'ok']
        >>> costs.total_cost(["ok", "fraud"], ["fraud", "ok"])
        11.0
    """

    matrix: tuple[tuple[float, ...], ...]
    labels: tuple[Any, ...] | None = None
    kind: ClassVar[str] = "cost_matrix"

    def __post_init__(self) -> None:
        try:
            array = np.asarray(self.matrix, dtype=np.float64)
        except (TypeError, ValueError) as err:
            raise InputError(f"cost matrix must be a square list of numbers: {err}") from err
        if array.ndim != 2 or array.shape[0] != array.shape[1] or array.shape[0] < 2:
            raise InputError(
                f"cost matrix must be square k x k (k >= 2 classes), got shape {array.shape}"
            )
        if not np.isfinite(array).all():
            raise InputError("cost matrix must hold finite numbers")
        negative = np.argwhere(array < 0)
        if negative.size:
            i, j = negative[0]
            raise InputError(
                f"cost matrix entry [{i}][{j}] is {array[i, j]:g}; costs must be >= 0 "
                "(express gains as lower costs)"
            )
        labels = _labels_tuple(self.labels)
        if labels is not None and len(labels) != array.shape[0]:
            raise InputError(
                f"cost matrix is {array.shape[0]} x {array.shape[0]} but {len(labels)} labels "
                "were given; give one row and column per label"
            )
        object.__setattr__(self, "matrix", tuple(tuple(float(v) for v in row) for row in array))
        object.__setattr__(self, "labels", labels)

    @classmethod
    def from_binary(cls, cost_fp: float, cost_fn: float, labels: Sequence[Any] | None = None):
        """The 2 × 2 matrix ``[[0, cost_fp], [cost_fn, 0]]`` (positive class second)."""
        return cls(((0.0, float(cost_fp)), (float(cost_fn), 0.0)), labels=_labels_tuple(labels))

    @property
    def array(self) -> np.ndarray:
        """The matrix as a float array ``[k, k]``."""
        return np.asarray(self.matrix, dtype=np.float64)

    def expected_costs(self, proba: Any) -> np.ndarray:
        """Expected cost of predicting each class, per row: ``proba @ C`` (``[n, k]``)."""
        proba = _as_model_proba(proba)
        matrix = self.array
        if proba.shape[1] != matrix.shape[0]:
            raise InputError(
                f"proba has {proba.shape[1]} classes but the cost matrix has {matrix.shape[0]}"
            )
        return proba @ matrix

    def decide(self, proba: Any, labels: Sequence[Any] | None = None) -> np.ndarray:
        """Labels for ``proba`` (see :func:`decide`)."""
        return decide(proba, self, labels)

    def total_cost(self, y_true: Any, y_pred: Any, labels: Sequence[Any] | None = None) -> float:
        """Total cost of the decisions ``y_pred`` against the truth ``y_true``."""
        order = self._order(labels)
        truth, pred = as_1d(y_true, "y_true"), as_1d(y_pred, "y_pred")
        if truth.shape[0] != pred.shape[0]:
            raise InputError(f"y_true has {truth.shape[0]} rows but y_pred has {pred.shape[0]}")
        position = {label: i for i, label in enumerate(order)}
        try:
            rows = np.fromiter((position[to_json_value(v)] for v in truth), dtype=np.intp)
            cols = np.fromiter((position[to_json_value(v)] for v in pred), dtype=np.intp)
        except KeyError as err:
            raise InputError(
                f"label {err.args[0]!r} is not one of the labels {list(order)}"
            ) from err
        return float(self.array[rows, cols].sum())

    def _order(self, labels: Sequence[Any] | None) -> tuple[Any, ...]:
        if self.labels is not None:
            return self.labels
        if labels is not None:
            return _labels_tuple(labels)
        return tuple(range(len(self.matrix)))

    def _indices(self, proba: np.ndarray, labels: Sequence[Any]) -> np.ndarray:
        idx = _align(self.labels, labels, len(self.matrix), "cost matrix", proba.shape[1])
        matrix = self.array[np.ix_(idx, idx)]
        return np.argmin(proba @ matrix, axis=1)

    def to_dict(self) -> dict[str, Any]:
        """JSON-safe form (see :func:`rule_from_dict`)."""
        out: dict[str, Any] = {"kind": self.kind, "matrix": [list(row) for row in self.matrix]}
        if self.labels is not None:
            out["labels"] = list(self.labels)
        return out


@dataclass(frozen=True)
class ClassThresholds:
    """One threshold per class; the class with the largest ``p_j - t_j`` wins.

    Example:
        >>> rule = ClassThresholds([0.5, 0.2, 0.5])
        >>> rule.decide([[0.5, 0.25, 0.25]]).tolist()
        [1]
    """

    thresholds: tuple[float, ...]
    labels: tuple[Any, ...] | None = None
    kind: ClassVar[str] = "class_thresholds"

    def __post_init__(self) -> None:
        thresholds = _float_vector(self.thresholds, "class thresholds")
        labels = _labels_tuple(self.labels)
        if labels is not None and len(labels) != len(thresholds):
            raise InputError(
                f"{len(thresholds)} class thresholds but {len(labels)} labels; give one per class"
            )
        object.__setattr__(self, "thresholds", thresholds)
        object.__setattr__(self, "labels", labels)

    @classmethod
    def fit(
        cls,
        y_true: Any,
        proba: Any,
        *,
        labels: Sequence[Any] | None = None,
        objective: str = "f1",
        **options: Any,
    ) -> ClassThresholds:
        """Per class, the one-vs-rest :func:`best_threshold` for ``objective`` on ``proba[:, j]``."""
        from skyclass.metrics._threshold import best_threshold

        proba = as_proba(proba)
        y = as_1d(y_true, "y_true")
        order = list(labels) if labels is not None else np.unique(y).tolist()
        if len(order) != proba.shape[1]:
            raise InputError(
                f"proba has {proba.shape[1]} columns but there are {len(order)} labels; "
                "pass labels= in the column order"
            )
        thresholds = [
            best_threshold(y == label, proba[:, j], objective, pos_label=True, **options).threshold
            for j, label in enumerate(order)
        ]
        return cls(tuple(thresholds), labels=_labels_tuple(order))

    def decide(self, proba: Any, labels: Sequence[Any] | None = None) -> np.ndarray:
        """Labels for ``proba`` (see :func:`decide`)."""
        return decide(proba, self, labels)

    def _indices(self, proba: np.ndarray, labels: Sequence[Any]) -> np.ndarray:
        idx = _align(self.labels, labels, len(self.thresholds), "class thresholds", proba.shape[1])
        return np.argmax(proba - np.asarray(self.thresholds)[idx], axis=1)

    def to_dict(self) -> dict[str, Any]:
        """JSON-safe form (see :func:`rule_from_dict`)."""
        out: dict[str, Any] = {"kind": self.kind, "thresholds": list(self.thresholds)}
        if self.labels is not None:
            out["labels"] = list(self.labels)
        return out


@dataclass(frozen=True)
class PriorShift:
    """Adjust probabilities from training class shares to the shares expected in use.

    Example:
        >>> rule = PriorShift(train_priors=[0.5, 0.5], target_priors=[0.9, 0.1])
        >>> rule.adjust([[0.4, 0.6]]).round(3).tolist()
        [[0.857, 0.143]]
    """

    train_priors: tuple[float, ...]
    target_priors: tuple[float, ...]
    labels: tuple[Any, ...] | None = None
    kind: ClassVar[str] = "prior_shift"

    def __post_init__(self) -> None:
        train = _float_vector(self.train_priors, "train_priors", positive=True)
        target = _float_vector(self.target_priors, "target_priors", positive=True)
        if len(train) != len(target):
            raise InputError(
                f"train_priors has {len(train)} classes but target_priors has {len(target)}"
            )
        labels = _labels_tuple(self.labels)
        if labels is not None and len(labels) != len(train):
            raise InputError(f"{len(train)} priors but {len(labels)} labels; give one per class")
        object.__setattr__(self, "train_priors", train)
        object.__setattr__(self, "target_priors", target)
        object.__setattr__(self, "labels", labels)

    @classmethod
    def from_labels(
        cls, y_train: Any, target_priors: Any, labels: Sequence[Any] | None = None
    ) -> PriorShift:
        """Training priors counted from ``y_train`` (class order ``labels`` or sorted)."""
        y = as_1d(y_train, "y_train")
        order = list(labels) if labels is not None else np.unique(y).tolist()
        counts = np.array([np.count_nonzero(y == label) for label in order], dtype=np.float64)
        return cls(tuple(counts / counts.sum()), tuple(target_priors), _labels_tuple(order))

    @classmethod
    def estimate(
        cls,
        proba: Any,
        train_priors: Any,
        labels: Sequence[Any] | None = None,
        *,
        max_iter: int = 1000,
        tol: float = 1e-8,
    ) -> PriorShift:
        """Estimate the target priors from unlabelled predictions (EM, Saerens et al. 2002).

        Alternates re-weighting ``proba`` by ``target / train`` and setting ``target``
        to the mean adjusted probability, until it moves less than ``tol``.

        Example:
            >>> proba = [[0.9, 0.1], [0.7, 0.3], [0.2, 0.8], [0.6, 0.4]]
            >>> [round(p, 2) for p in PriorShift.estimate(proba, [0.5, 0.5]).target_priors]
            [0.84, 0.16]
        """
        proba = _as_model_proba(proba)
        train = np.asarray(_float_vector(train_priors, "train_priors", positive=True))
        if train.size != proba.shape[1]:
            raise InputError(
                f"proba has {proba.shape[1]} classes but train_priors has {train.size}"
            )
        target = train / train.sum()
        for _ in range(max_iter):
            adjusted = proba * (target / train)
            adjusted /= np.maximum(adjusted.sum(axis=1, keepdims=True), np.finfo(float).tiny)
            updated = adjusted.mean(axis=0)
            done = np.abs(updated - target).max() < tol
            target = updated
            if done:
                break
        target = np.maximum(target, np.finfo(float).tiny)  # priors stay positive
        return cls(tuple(train), tuple(target), _labels_tuple(labels))

    def adjust(self, proba: Any, labels: Sequence[Any] | None = None) -> np.ndarray:
        """Probabilities re-weighted by ``target / train`` and renormalised per row."""
        proba = _as_model_proba(proba)
        idx = _align(self.labels, labels, len(self.train_priors), "prior shift", proba.shape[1])
        weights = (np.asarray(self.target_priors) / np.asarray(self.train_priors))[idx]
        adjusted = proba * weights
        total = adjusted.sum(axis=1, keepdims=True)
        return np.divide(
            adjusted, total, out=np.full_like(adjusted, 1.0 / idx.size), where=total > 0
        )

    def decide(self, proba: Any, labels: Sequence[Any] | None = None) -> np.ndarray:
        """Labels for ``proba`` (see :func:`decide`)."""
        return decide(proba, self, labels)

    def _indices(self, proba: np.ndarray, labels: Sequence[Any]) -> np.ndarray:
        idx = _align(self.labels, labels, len(self.train_priors), "prior shift", proba.shape[1])
        weights = (np.asarray(self.target_priors) / np.asarray(self.train_priors))[idx]
        return np.argmax(proba * weights, axis=1)

    def to_dict(self) -> dict[str, Any]:
        """JSON-safe form (see :func:`rule_from_dict`)."""
        out: dict[str, Any] = {
            "kind": self.kind,
            "train_priors": list(self.train_priors),
            "target_priors": list(self.target_priors),
        }
        if self.labels is not None:
            out["labels"] = list(self.labels)
        return out


Rule = ThresholdRule | CostMatrix | ClassThresholds | PriorShift
_RULES: dict[str, type] = {
    rule.kind: rule for rule in (ThresholdRule, CostMatrix, ClassThresholds, PriorShift)
}


def _as_model_proba(proba: Any) -> np.ndarray:
    """A probability matrix; a 1-D array is read as P(second class) of a binary model."""
    array = np.asarray(proba, dtype=np.float64)
    if array.ndim == 1:
        array = np.column_stack([1.0 - array, array])
    return as_proba(array)


def _align(
    rule_labels: tuple[Any, ...] | None,
    labels: Sequence[Any] | None,
    size: int,
    what: str,
    n_columns: int,
) -> np.ndarray:
    """Index array mapping the model's columns to the rule's entries."""
    if n_columns != size:
        raise InputError(f"proba has {n_columns} classes but the {what} has {size}")
    if rule_labels is None or labels is None:
        if labels is not None and len(labels) != size:
            raise InputError(f"{what} has {size} classes but the model has {len(labels)} labels")
        return np.arange(size)
    if len(labels) != size:
        raise InputError(f"{what} has {size} classes but the model has {len(labels)} labels")
    return np.array(
        [label_index(rule_labels, to_json_value(name), f"{what}: model label") for name in labels]
    )


def rule_to_dict(rule: Rule | Mapping[str, Any] | None) -> dict[str, Any]:
    """The JSON-safe dict of a rule (``None`` → ``{"kind": "argmax"}``).

    Example:
        >>> rule_to_dict(CostMatrix([[0, 1], [5, 0]]))
        {'kind': 'cost_matrix', 'matrix': [[0.0, 1.0], [5.0, 0.0]]}
    """
    if rule is None:
        return {"kind": "argmax"}
    if isinstance(rule, Mapping):
        return rule_to_dict(rule_from_dict(rule))
    if isinstance(rule, tuple(_RULES.values())):
        return rule.to_dict()
    raise InputError(f"not a decision rule: {rule!r}; use ThresholdRule, CostMatrix, ...")


def rule_from_dict(data: Mapping[str, Any] | None) -> Rule | None:
    """A rule object from its dict (``None`` or ``{"kind": "argmax"}`` → ``None``).

    Example:
        >>> rule_from_dict({"kind": "threshold", "threshold": 0.3, "positive": "yes"})
        ThresholdRule(threshold=0.3, positive='yes')
    """
    if data is None:
        return None
    if not isinstance(data, Mapping):
        raise InputError(f"a decision rule must be a dict with a 'kind', got {data!r}")
    kind = data.get("kind")
    if kind == "argmax":
        return None
    if kind not in _RULES:
        raise InputError(f"unknown decision rule kind {kind!r}; use one of {['argmax', *_RULES]}")
    fields = {key: value for key, value in data.items() if key != "kind"}
    required = {
        "threshold": {"threshold", "positive"},
        "cost_matrix": {"matrix"},
        "class_thresholds": {"thresholds"},
        "prior_shift": {"train_priors", "target_priors"},
    }[kind]
    missing = required - set(fields)
    if missing:
        raise InputError(f"decision rule {kind!r} is missing field(s) {sorted(missing)}")
    allowed = required | {"labels"}
    extra = set(fields) - allowed
    if extra:
        raise InputError(f"decision rule {kind!r} has unknown field(s) {sorted(extra)}")
    if kind == "cost_matrix":
        fields["matrix"] = tuple(tuple(row) for row in _rows(fields["matrix"]))
    return _RULES[kind](**fields)


def _rows(matrix: Any) -> list[Any]:
    if not isinstance(matrix, Sequence | np.ndarray) or not all(
        isinstance(row, Sequence | np.ndarray) for row in matrix
    ):
        raise InputError("cost matrix must be a list of rows (a k x k list of lists)")
    return list(matrix)


def decide(
    proba: Any, rule: Rule | Mapping[str, Any] | None = None, labels: Sequence[Any] | None = None
) -> np.ndarray:
    """One label per row of ``proba`` ``[n, k]`` under ``rule`` (``None`` → argmax).

    ``labels`` names the columns of ``proba`` (default: the rule's own ``labels``,
    else ``0 .. k-1`` so indices come back). A 1-D ``proba`` is read as P(second class) of a binary model.

    Example:
        >>> decide([[0.2, 0.5, 0.3]], {"kind": "cost_matrix",
        ...        "matrix": [[0, 1, 1], [1, 0, 1], [20, 20, 0]]}).tolist()
        [2]
    """
    proba = _as_model_proba(proba)
    k = proba.shape[1]
    if isinstance(rule, Mapping):
        rule = rule_from_dict(rule)
    if labels is None and getattr(rule, "labels", None) is not None:
        labels = rule.labels  # the rule names the columns
    if labels is None:
        names: Sequence[Any] = list(range(k))
        given = None
    else:
        names = [to_json_value(label) for label in labels]
        given = names
        if len(names) != k:
            raise InputError(f"proba has {k} columns but {len(names)} labels were given")
    if rule is None:
        indices = np.argmax(proba, axis=1)
    elif isinstance(rule, ThresholdRule):
        indices = rule._indices(proba, names)
    elif isinstance(rule, tuple(_RULES.values())):
        indices = rule._indices(proba, given)
    else:
        raise InputError(f"not a decision rule: {rule!r}; pass a rule object, its dict, or None")
    if labels is None:
        return indices
    return np.asarray(labels)[indices]

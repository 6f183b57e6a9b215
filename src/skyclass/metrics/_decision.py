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

from collections.abc import Mapping, Sequence
from typing import Any

import numpy as np

from skyclass.errors import InputError
from skyclass.metrics._decision_checks import as_model_proba, to_json_value
from skyclass.metrics._decision_costs import CostMatrix
from skyclass.metrics._decision_priors import PriorShift
from skyclass.metrics._decision_threshold_rules import ClassThresholds, ThresholdRule

__all__ = [
    "ClassThresholds",
    "CostMatrix",
    "PriorShift",
    "ThresholdRule",
    "decide",
    "rule_from_dict",
    "rule_to_dict",
]


Rule = ThresholdRule | CostMatrix | ClassThresholds | PriorShift
_RULES: dict[str, type] = {
    rule.kind: rule for rule in (ThresholdRule, CostMatrix, ClassThresholds, PriorShift)
}


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
    proba = as_model_proba(proba)
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

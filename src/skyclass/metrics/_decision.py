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
from skyclass.metrics._decision_base import DecisionRule, apply_rule
from skyclass.metrics._decision_class_thresholds import ClassThresholds
from skyclass.metrics._decision_costs import CostMatrix
from skyclass.metrics._decision_priors import PriorShift
from skyclass.metrics._decision_threshold import ThresholdRule

__all__ = [
    "ClassThresholds",
    "CostMatrix",
    "DecisionRule",
    "PriorShift",
    "ThresholdRule",
    "decide",
    "rule_from_dict",
    "rule_to_dict",
]


Rule = ThresholdRule | CostMatrix | ClassThresholds | PriorShift
#: Every rule by its JSON ``kind``; a new rule is one module and one entry here.
_RULES: dict[str, type[DecisionRule]] = {
    rule.kind: rule for rule in (ThresholdRule, CostMatrix, ClassThresholds, PriorShift)
}


def rule_to_dict(rule: Rule | Mapping[str, Any] | None) -> dict[str, Any]:
    """The JSON-safe dict of a rule (``None`` → ``{"kind": "argmax"}``).

    Parameters
    ----------
    rule : DecisionRule, dict or None
        A rule object, its dict, or ``None`` (argmax).

    Returns
    -------
    dict
        ``{"kind": ..., fields...}``, ready for JSON.

    Example:
        >>> rule_to_dict(CostMatrix([[0, 1], [5, 0]]))
        {'kind': 'cost_matrix', 'matrix': [[0.0, 1.0], [5.0, 0.0]]}
    """
    if rule is None:
        return {"kind": "argmax"}
    if isinstance(rule, Mapping):
        return rule_to_dict(rule_from_dict(rule))
    if isinstance(rule, DecisionRule):
        return rule.to_dict()
    raise InputError(f"not a decision rule: {rule!r}; use ThresholdRule, CostMatrix, ...")


def rule_from_dict(data: Mapping[str, Any] | None) -> Rule | None:
    """A rule object from its dict (``None`` or ``{"kind": "argmax"}`` → ``None``).

    Parameters
    ----------
    data : dict or None
        ``{"kind": ..., fields...}`` as :func:`rule_to_dict` writes it.

    Returns
    -------
    DecisionRule or None
        The rule (``None`` for argmax).

    Raises
    ------
    InputError
        Unknown kind, missing or unknown fields; the message names them.

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
    required = _RULES[kind].fields
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

    Parameters
    ----------
    proba : array-like of shape (n_rows, n_classes)
        Class probabilities; a 1-D array is read as P(second class) of a binary model.
    rule : DecisionRule, dict or None
        A rule object, its JSON dict (see :func:`rule_from_dict`), or ``None`` for argmax.
    labels : sequence, optional
        The class of each column of ``proba`` (default: the rule's own ``labels``,
        else ``0 .. k-1`` so indices come back).

    Returns
    -------
    numpy.ndarray of shape (n_rows,)
        The decided label (or column index) per row.

    Example:
        >>> decide([[0.2, 0.5, 0.3]], {"kind": "cost_matrix",
        ...        "matrix": [[0, 1, 1], [1, 0, 1], [20, 20, 0]]}).tolist()
        [2]
    """
    if isinstance(rule, Mapping):
        rule = rule_from_dict(rule)
    if rule is not None and not isinstance(rule, DecisionRule):
        raise InputError(f"not a decision rule: {rule!r}; pass a rule object, its dict, or None")
    return apply_rule(rule, proba, labels)

"""``DecisionRule``: the contract every decision rule implements, and the one place it is applied.

A rule turns a probability matrix ``[n, k]`` into one class per row. An
implementation is a frozen dataclass that subclasses :class:`DecisionRule` and

- sets ``kind`` (its name in JSON) and ``fields`` (the keys its JSON form must hold);
- validates its numbers in ``__post_init__`` (raising ``InputError`` naming the field);
- implements ``_indices(proba, labels)``: the chosen column per row, where ``labels``
  names the model's columns (or is ``None`` when the caller gave no names);
- implements ``to_dict()``: its JSON-safe form, read back by ``rule_from_dict``.

Rules are immutable values: safe to share between threads and to ship in a bundle.
:meth:`DecisionRule.decide` (and :func:`skyclass.metrics.decide`) go through
:func:`apply_rule`, so column naming and label alignment are written once.

Example:
    >>> from skyclass.metrics import ThresholdRule
    >>> isinstance(ThresholdRule(0.3, positive=1), DecisionRule)
    True
    >>> apply_rule(None, [[0.2, 0.8]], ["no", "yes"]).tolist()
    ['yes']
"""

from __future__ import annotations

from abc import ABC, abstractmethod
from collections.abc import Sequence
from typing import Any, ClassVar

import numpy as np

from skyclass._jsonsafe import json_scalar
from skyclass.errors import InputError
from skyclass.metrics._validation import as_model_proba

__all__ = ["DecisionRule", "apply_rule"]


class DecisionRule(ABC):
    """Base of every decision rule (see the module docstring for what a rule implements)."""

    kind: ClassVar[str]
    fields: ClassVar[frozenset[str]]

    def decide(self, proba: Any, labels: Sequence[Any] | None = None) -> np.ndarray:
        """One label per row of ``proba`` (see :func:`skyclass.metrics.decide`).

        Parameters
        ----------
        proba : array-like of shape (n_rows, n_classes)
            Class probabilities; a 1-D array is P(second class) of a binary model.
        labels : sequence, optional
            The class of each column; default the rule's own ``labels``, else indices.

        Returns
        -------
        numpy.ndarray of shape (n_rows,)
            The chosen label (or column index) per row.
        """
        return apply_rule(self, proba, labels)

    @abstractmethod
    def _indices(self, proba: np.ndarray, labels: Sequence[Any] | None) -> np.ndarray:
        """The chosen column of each row of a validated ``proba``."""

    @abstractmethod
    def to_dict(self) -> dict[str, Any]:
        """The rule's JSON-safe form, read back by :func:`skyclass.metrics.rule_from_dict`.

        Returns
        -------
        dict
            ``{"kind": <the rule's kind>, <each of its fields>: ...}`` plus ``labels``
            when the rule names its classes; plain lists, floats and label scalars.
        """


def apply_rule(
    rule: DecisionRule | None, proba: Any, labels: Sequence[Any] | None = None
) -> np.ndarray:
    """``rule`` (``None`` → argmax) applied to ``proba`` with columns named by ``labels``.

    Parameters
    ----------
    rule : DecisionRule or None
        The rule; ``None`` picks the most probable column.
    proba : array-like of shape (n_rows, n_classes)
        Probabilities (1-D: P(second class) of a binary model).
    labels : sequence, optional
        The class of each column (default: the rule's ``labels``, else indices).

    Returns
    -------
    numpy.ndarray of shape (n_rows,)
        The decided label (or column index) per row.
    """
    proba = as_model_proba(proba)
    k = proba.shape[1]
    if labels is None and getattr(rule, "labels", None) is not None:
        labels = rule.labels  # the rule names the columns
    names = None
    if labels is not None:
        names = [json_scalar(label) for label in labels]
        if len(names) != k:
            raise InputError(f"proba has {k} columns but {len(names)} labels were given")
    indices = np.argmax(proba, axis=1) if rule is None else rule._indices(proba, names)
    if labels is None:
        return indices
    return np.asarray(labels)[indices]

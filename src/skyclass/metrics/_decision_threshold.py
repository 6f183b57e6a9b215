"""The threshold decision rule: predict the positive class when its probability reaches t.

Example:
    >>> from skyclass.metrics import ThresholdRule
    >>> ThresholdRule(0.3, positive="spam").decide([[0.75, 0.25]], labels=["ham", "spam"]).tolist()
    ['ham']
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any, ClassVar

import numpy as np

from skyclass._jsonsafe import json_scalar
from skyclass.errors import InputError
from skyclass.metrics._decision_base import DecisionRule
from skyclass.metrics._validation import label_index

__all__ = ["ThresholdRule"]


@dataclass(frozen=True)
class ThresholdRule(DecisionRule):
    """Predict ``positive`` when its probability is ``>= threshold``.

    Below the threshold the row gets the most probable of the other classes.

    Parameters
    ----------
    threshold : float
        The probability of ``positive`` from which it is predicted (a finite number;
        an ``InputError`` otherwise).
    positive : label, default=1
        The class the threshold applies to: a label of the model, or a column index when
        ``decide`` is called without labels.

    Example:
        >>> ThresholdRule(0.3, positive=1).decide([[0.75, 0.25], [0.6, 0.4]]).tolist()
        [0, 1]
    """

    threshold: float
    positive: Any = 1
    kind: ClassVar[str] = "threshold"
    fields: ClassVar[frozenset[str]] = frozenset({"threshold", "positive"})

    def __post_init__(self) -> None:
        if not isinstance(self.threshold, int | float) or not math.isfinite(self.threshold):
            raise InputError(f"threshold must be a finite number, got {self.threshold!r}")
        object.__setattr__(self, "threshold", float(self.threshold))
        object.__setattr__(self, "positive", json_scalar(self.positive))

    def _indices(self, proba: np.ndarray, labels: Sequence[Any] | None) -> np.ndarray:
        names = range(proba.shape[1]) if labels is None else labels
        pos = label_index(list(names), self.positive, "threshold rule positive label")
        others = proba.copy()
        others[:, pos] = -np.inf
        fallback = np.argmax(others, axis=1)
        return np.where(proba[:, pos] >= self.threshold, pos, fallback)

    def to_dict(self) -> dict[str, Any]:  # documented on DecisionRule.to_dict
        return {"kind": self.kind, "threshold": self.threshold, "positive": self.positive}

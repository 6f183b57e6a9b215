"""Threshold decision rules: one threshold (binary) or one per class.

Example:
    >>> from skyclass.metrics import ClassThresholds, ThresholdRule
    >>> ThresholdRule(0.3, positive="spam").decide([[0.75, 0.25]], labels=["ham", "spam"]).tolist()
    ['ham']
    >>> ClassThresholds([0.5, 0.2, 0.5]).decide([[0.5, 0.25, 0.25]]).tolist()
    [1]
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any, ClassVar

import numpy as np

from skyclass.errors import InputError
from skyclass.metrics._decision_checks import (
    align,
    as_1d,
    as_proba,
    float_vector,
    label_index,
    labels_tuple,
    to_json_value,
)

__all__ = ["ClassThresholds", "ThresholdRule"]


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
        from skyclass.metrics._decision import decide

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
        thresholds = float_vector(self.thresholds, "class thresholds")
        labels = labels_tuple(self.labels)
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
        return cls(tuple(thresholds), labels=labels_tuple(order))

    def decide(self, proba: Any, labels: Sequence[Any] | None = None) -> np.ndarray:
        """Labels for ``proba`` (see :func:`decide`)."""
        from skyclass.metrics._decision import decide

        return decide(proba, self, labels)

    def _indices(self, proba: np.ndarray, labels: Sequence[Any]) -> np.ndarray:
        idx = align(self.labels, labels, len(self.thresholds), "class thresholds", proba.shape[1])
        return np.argmax(proba - np.asarray(self.thresholds)[idx], axis=1)

    def to_dict(self) -> dict[str, Any]:
        """JSON-safe form (see :func:`rule_from_dict`)."""
        out: dict[str, Any] = {"kind": self.kind, "thresholds": list(self.thresholds)}
        if self.labels is not None:
            out["labels"] = list(self.labels)
        return out

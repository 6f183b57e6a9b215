"""The per-class thresholds decision rule: the class with the largest margin ``p_j - t_j``.

Example:
    >>> from skyclass.metrics import ClassThresholds
    >>> ClassThresholds([0.5, 0.2, 0.5]).decide([[0.5, 0.25, 0.25]]).tolist()
    [1]
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any, ClassVar

import numpy as np

from skyclass.errors import InputError
from skyclass.metrics._decision_base import DecisionRule
from skyclass.metrics._threshold import best_threshold
from skyclass.metrics._validation import align, as_1d, as_proba, float_vector, labels_tuple

__all__ = ["ClassThresholds"]


@dataclass(frozen=True)
class ClassThresholds(DecisionRule):
    """One threshold per class; the class with the largest ``p_j - t_j`` wins.

    Parameters
    ----------
    thresholds : sequence of float
        One finite threshold per class, in column (or ``labels``) order.
    labels : sequence, default=None
        The class of each threshold; None: the thresholds follow the model's columns.

    Example:
        >>> rule = ClassThresholds([0.5, 0.2, 0.5])
        >>> rule.decide([[0.5, 0.25, 0.25]]).tolist()
        [1]
    """

    thresholds: tuple[float, ...]
    labels: tuple[Any, ...] | None = None
    kind: ClassVar[str] = "class_thresholds"
    fields: ClassVar[frozenset[str]] = frozenset({"thresholds"})

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
        """Per class, the one-vs-rest :func:`best_threshold` for ``objective`` on ``proba[:, j]``.

        Parameters
        ----------
        y_true : array-like of shape (n_rows,)
            Truth.
        proba : array-like of shape (n_rows, k)
            Probabilities, columns in ``labels`` order.
        labels : sequence, optional
            The class of each column (default: sorted labels of ``y_true``).
        objective : str
            A :func:`best_threshold` objective.
        **options
            Passed to :func:`best_threshold` (``beta``, ``costs``, ``sample_weight``).

        Returns
        -------
        ClassThresholds
        """
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

    def _indices(self, proba: np.ndarray, labels: Sequence[Any] | None) -> np.ndarray:
        idx = align(self.labels, labels, len(self.thresholds), "class thresholds", proba.shape[1])
        return np.argmax(proba - np.asarray(self.thresholds)[idx], axis=1)

    def to_dict(self) -> dict[str, Any]:  # documented on DecisionRule.to_dict
        out: dict[str, Any] = {"kind": self.kind, "thresholds": list(self.thresholds)}
        if self.labels is not None:
            out["labels"] = list(self.labels)
        return out

"""The prior-shift decision rule: class shares differ between training and use.

Example:
    >>> from skyclass.metrics import PriorShift
    >>> PriorShift([0.5, 0.5], [0.9, 0.1]).decide([[0.4, 0.6]]).tolist()
    [0]
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any, ClassVar

import numpy as np

from skyclass.errors import InputError
from skyclass.metrics._decision_base import DecisionRule
from skyclass.metrics._validation import (
    align,
    as_1d,
    as_model_proba,
    float_vector,
    labels_tuple,
)

__all__ = ["PriorShift"]


@dataclass(frozen=True)
class PriorShift(DecisionRule):
    """Adjust probabilities from training class shares to the shares expected in use.

    Each probability is reweighted by ``target_priors / train_priors`` and the row
    renormalised (Saerens et al. 2002), then the most probable class is predicted.

    Parameters
    ----------
    train_priors : sequence of float
        The class shares of the training data, one positive number per class.
    target_priors : sequence of float
        The class shares expected where the model is used, same length.
    labels : sequence, default=None
        The class of each prior; None: the model's column order.

    Example:
        >>> rule = PriorShift(train_priors=[0.5, 0.5], target_priors=[0.9, 0.1])
        >>> rule.adjust([[0.4, 0.6]]).round(3).tolist()
        [[0.857, 0.143]]
    """

    train_priors: tuple[float, ...]
    target_priors: tuple[float, ...]
    labels: tuple[Any, ...] | None = None
    kind: ClassVar[str] = "prior_shift"
    fields: ClassVar[frozenset[str]] = frozenset({"train_priors", "target_priors"})

    def __post_init__(self) -> None:
        train = float_vector(self.train_priors, "train_priors", positive=True)
        target = float_vector(self.target_priors, "target_priors", positive=True)
        if len(train) != len(target):
            raise InputError(
                f"train_priors has {len(train)} classes but target_priors has {len(target)}"
            )
        labels = labels_tuple(self.labels)
        if labels is not None and len(labels) != len(train):
            raise InputError(f"{len(train)} priors but {len(labels)} labels; give one per class")
        object.__setattr__(self, "train_priors", train)
        object.__setattr__(self, "target_priors", target)
        object.__setattr__(self, "labels", labels)

    @classmethod
    def from_labels(
        cls, y_train: Any, target_priors: Any, labels: Sequence[Any] | None = None
    ) -> PriorShift:
        """Training priors counted from ``y_train`` (class order ``labels`` or sorted).

        Parameters
        ----------
        y_train : array-like of shape (n_rows,)
            The training target.
        target_priors : sequence of float
            The class shares expected in use.
        labels : sequence, optional
            The class order (default: sorted labels of ``y_train``).

        Returns
        -------
        PriorShift
        """
        y = as_1d(y_train, "y_train")
        order = list(labels) if labels is not None else np.unique(y).tolist()
        counts = np.array([np.count_nonzero(y == label) for label in order], dtype=np.float64)
        return cls(tuple(counts / counts.sum()), tuple(target_priors), labels_tuple(order))

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

        Parameters
        ----------
        proba : array-like of shape (n_rows, k)
            The model's probabilities on unlabelled production rows.
        train_priors : sequence of float
            The training class shares.
        labels : sequence, optional
            The class order.
        max_iter : int
            EM iterations at most.
        tol : float
            Stop when no prior moves more than this.

        Returns
        -------
        PriorShift

        Example:
            >>> proba = [[0.9, 0.1], [0.7, 0.3], [0.2, 0.8], [0.6, 0.4]]
            >>> [round(p, 2) for p in PriorShift.estimate(proba, [0.5, 0.5]).target_priors]
            [0.84, 0.16]
        """
        proba = as_model_proba(proba)
        train = np.asarray(float_vector(train_priors, "train_priors", positive=True))
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
        return cls(tuple(train), tuple(target), labels_tuple(labels))

    def adjust(self, proba: Any, labels: Sequence[Any] | None = None) -> np.ndarray:
        """Probabilities re-weighted by ``target / train`` and renormalised per row.

        Parameters
        ----------
        proba : array-like of shape (n_rows, k)
            Probabilities under the training priors.
        labels : sequence, optional
            The model's class of each column (aligned to the rule's ``labels``).

        Returns
        -------
        numpy.ndarray of shape (n_rows, k)
        """
        proba = as_model_proba(proba)
        idx = align(self.labels, labels, len(self.train_priors), "prior shift", proba.shape[1])
        weights = (np.asarray(self.target_priors) / np.asarray(self.train_priors))[idx]
        adjusted = proba * weights
        total = adjusted.sum(axis=1, keepdims=True)
        return np.divide(
            adjusted, total, out=np.full_like(adjusted, 1.0 / idx.size), where=total > 0
        )

    def _indices(self, proba: np.ndarray, labels: Sequence[Any] | None) -> np.ndarray:
        idx = align(self.labels, labels, len(self.train_priors), "prior shift", proba.shape[1])
        weights = (np.asarray(self.target_priors) / np.asarray(self.train_priors))[idx]
        return np.argmax(proba * weights, axis=1)

    def to_dict(self) -> dict[str, Any]:  # documented on DecisionRule.to_dict
        out: dict[str, Any] = {
            "kind": self.kind,
            "train_priors": list(self.train_priors),
            "target_priors": list(self.target_priors),
        }
        if self.labels is not None:
            out["labels"] = list(self.labels)
        return out

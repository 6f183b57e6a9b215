"""A known population for coverage simulations: a fixed 4-class classifier with discrete scores.

The classifier outputs one of ``M`` probability rows ("prototypes"), so a test
set of ``n`` rows is a multinomial draw over the ``k x M`` (class, prototype)
cells and every metric's population value is an exact sum over those cells.

Example:
    >>> pop = Population.four_class()
    >>> y, proba = pop.sample(150, np.random.default_rng(0))
    >>> y.shape, proba.shape, round(pop.true_value("accuracy"), 3)
    ((150,), (150, 4), 0.733)
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np

METRICS = ("accuracy", "f1_macro", "balanced_accuracy", "roc_auc")


@dataclass(frozen=True)
class Population:
    """``joint[c, m]``: probability of a row of class ``c`` getting prototype row ``proto[m]``."""

    joint: np.ndarray
    proto: np.ndarray

    @classmethod
    def four_class(
        cls, seed: int = 3, per_class: int = 30, signal: float | Sequence[float] = 1.6
    ) -> Population:
        """Priors 0.4/0.3/0.2/0.1; a softmax model whose logits are ``signal`` (one value, or
        one per class) on the true class plus standard normal noise, drawn ``per_class``
        times per class (equally likely rows)."""
        rng = np.random.default_rng(seed)
        priors = np.array([0.4, 0.3, 0.2, 0.1])
        k = priors.size
        owner = np.repeat(np.arange(k), per_class)
        strength = np.broadcast_to(np.asarray(signal, dtype=np.float64), (k,))[owner]
        logits = strength[:, None] * np.eye(k)[owner] + rng.normal(size=(owner.size, k))
        proto = np.exp(logits) / np.exp(logits).sum(axis=1, keepdims=True)
        joint = np.eye(k)[owner].T * (priors / per_class)[:, None]
        return cls(joint, proto)

    @property
    def confusion(self) -> np.ndarray:
        """Population confusion matrix (truth x argmax prediction), summing to 1."""
        k = self.joint.shape[0]
        return self.joint @ np.eye(k)[self.proto.argmax(axis=1)]

    def true_value(self, metric: str) -> float:
        """The population value of ``metric`` (one of ``METRICS``)."""
        cm = self.confusion
        tp, truth, pred = np.diag(cm), cm.sum(axis=1), cm.sum(axis=0)
        if metric == "accuracy":
            return float(tp.sum())
        if metric == "balanced_accuracy":
            return float(np.mean(tp / truth))
        if metric == "f1_macro":
            return float(np.mean(2 * tp / (truth + pred)))
        if metric == "roc_auc":
            return float(np.mean([self._auc(c) for c in range(len(truth))]))
        raise ValueError(metric)

    def _auc(self, c: int) -> float:
        """One-vs-rest AUC of class ``c``: P(score+ > score-) + P(tie) / 2."""
        pos = self.joint[c] / self.joint[c].sum()
        rest = np.delete(self.joint, c, axis=0).sum(axis=0)
        neg = rest / rest.sum()
        score = self.proto[:, c]
        above = score[:, None] > score[None, :]
        tie = score[:, None] == score[None, :]
        return float(pos @ (above + 0.5 * tie) @ neg)

    def sample(self, n: int, rng: np.random.Generator) -> tuple[np.ndarray, np.ndarray]:
        """One test set of ``n`` rows: true labels and probability rows."""
        counts = rng.multinomial(n, self.joint.ravel())
        cells = np.repeat(np.arange(counts.size), counts)
        m = self.joint.shape[1]
        return cells // m, self.proto[cells % m]

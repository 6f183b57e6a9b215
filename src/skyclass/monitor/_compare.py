"""Compare two models on the same held-out rows with a paired bootstrap.

Resampling rows with replacement is a multinomial draw over the joint cells
``(true label, champion's label, challenger's label)``, so every resample costs O(k³)
whatever the number of rows, and both models always see the same resampled rows.

Example:
    >>> from skyclass.monitor import paired_comparison
    >>> y = ["a", "b"] * 50
    >>> old = ["a", "a"] * 50          # right half the time
    >>> new = ["a", "b"] * 45 + ["b", "a"] * 5
    >>> result = paired_comparison(y, old, new, metric="accuracy")
    >>> (result.champion, result.challenger, result.verdict)
    (0.5, 0.9, 'better')
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import asdict, dataclass

import numpy as np

from skyclass.errors import InputError
from skyclass.metrics import label_positions
from skyclass.monitor._confusion import METRICS, confusion_metrics

__all__ = ["Comparison", "paired_comparison"]


@dataclass(frozen=True)
class Comparison:
    """Champion vs challenger on the same rows: values, difference (challenger − champion),
    its bootstrap interval, a two-sided bootstrap p-value and the verdict
    (``better`` / ``worse`` when the interval excludes 0, else ``no significant difference``).

    Parameters
    ----------
    metric : str
        The compared metric (``accuracy``, ``f1_macro``...).
    n : int
        Held-out rows both models were scored on.
    champion, challenger : float
        Each model's value of the metric on those rows.
    difference : float
        ``challenger - champion``.
    interval : tuple of float
        Paired-bootstrap interval ``(low, high)`` of the difference.
    p_value : float
        Two-sided bootstrap p-value of "no difference".
    verdict : str
        ``"better"``, ``"worse"`` or ``"no significant difference"`` (for the challenger).
    confidence : float
        Level of ``interval``.
    """

    metric: str
    n: int
    champion: float
    challenger: float
    difference: float
    interval: tuple[float, float]
    p_value: float
    verdict: str
    confidence: float

    def to_dict(self) -> dict:
        """JSON-safe dict.

        Returns
        -------
        dict
            Every field by name, ``interval`` as a two-item list.
        """
        return {**asdict(self), "interval": list(self.interval)}


def paired_comparison(
    y_true: Sequence,
    champion_pred: Sequence,
    challenger_pred: Sequence,
    *,
    metric: str = "accuracy",
    n_resamples: int = 2000,
    confidence: float = 0.95,
    seed: int = 0,
) -> Comparison:
    """Paired bootstrap of ``metric`` (one of accuracy, balanced_accuracy, f1_macro,
    precision_macro, recall_macro) for two sets of predicted labels on the same rows.

    Parameters
    ----------
    y_true : sequence
        The labelled truth of the held-out rows.
    champion_pred, challenger_pred : sequence
        Each model's decided labels on the same rows, in the same order.
    metric : str
        One of the metrics above.
    n_resamples : int
        Bootstrap resamples (rows drawn together, so the two models stay paired).
    confidence : float
        Level of the interval on the difference, in (0, 1).
    seed : int
        Seed of the paired resampling: the same seed gives the same interval and p-value.

    Returns
    -------
    Comparison
        Both point values, the difference with its interval, and the verdict.
    """
    if metric not in METRICS:
        raise InputError(f"metric {metric!r} cannot be compared; use one of {list(METRICS)}")
    n = len(y_true)
    if n == 0 or len(champion_pred) != n or len(challenger_pred) != n:
        raise InputError(
            f"comparison needs the same non-zero number of rows: y_true {n}, champion "
            f"{len(champion_pred)}, challenger {len(challenger_pred)}"
        )
    t, labels = label_positions(list(y_true), [], extend=True)
    a, labels = label_positions(list(champion_pred), labels, extend=True)
    b, labels = label_positions(list(challenger_pred), labels, extend=True)
    k = len(labels)
    joint = np.bincount((t * k + a) * k + b, minlength=k**3).astype(np.float64)
    cells = joint.reshape(k, k, k)
    point_a = float(confusion_metrics(cells.sum(axis=-1))[metric])
    point_b = float(confusion_metrics(cells.sum(axis=-2))[metric])
    rng = np.random.default_rng(seed)
    diffs = []
    chunk = max(1, 2_000_000 // k**3)
    for start in range(0, n_resamples, chunk):
        draws = rng.multinomial(n, joint / n, size=min(chunk, n_resamples - start)).reshape(
            -1, k, k, k
        )
        draws = draws.astype(np.float64)
        champion_stats = confusion_metrics(draws.sum(axis=-1))[metric]
        challenger_stats = confusion_metrics(draws.sum(axis=-2))[metric]
        diffs.append(challenger_stats - champion_stats)
    diff = np.concatenate(diffs)
    diff = diff[np.isfinite(diff)]
    alpha = (1 - confidence) / 2
    lo, hi = (float(v) for v in np.quantile(diff, [alpha, 1 - alpha]))
    # (count + 1) / (B + 1): a bootstrap p-value is never exactly 0
    tail = min(np.sum(diff <= 0), np.sum(diff >= 0))
    p_value = float(min(1.0, 2 * (tail + 1) / (diff.size + 1)))
    verdict = "better" if lo > 0 else "worse" if hi < 0 else "no significant difference"
    return Comparison(
        metric, n, point_a, point_b, point_b - point_a, (lo, hi), p_value, verdict, confidence
    )

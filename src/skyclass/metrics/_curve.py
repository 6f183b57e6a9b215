"""A plotted curve (ROC or precision-recall) and thinning it to a few points for drawing.

Thinning only drops points for plotting: the AUC / average-precision values in an
:class:`~skyclass.metrics.Evaluation` are always computed from the full curves.

Example:
    >>> import numpy as np
    >>> from skyclass.metrics import Curve
    >>> c = Curve("roc", np.linspace(0, 1, 101), np.linspace(0, 1, 101) ** 0.5, np.arange(101.0))
    >>> len(c.thin(10).x)
    10
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np


@dataclass(frozen=True, eq=False)
class Curve:
    """Points of a curve: ``x``/``y`` (fpr/tpr for ROC, recall/precision for PR) and thresholds.

    ``thresholds`` has one value per point for ROC curves (the first is ``inf``) and
    one fewer than the points for precision-recall curves (the last point has none),
    exactly as scikit-learn returns them.

    Attributes
    ----------
    kind : {"roc", "pr"}
        Which curve: receiver operating characteristic or precision-recall.
    x : numpy.ndarray of shape (n_points,)
        False positive rate (ROC) or recall (PR), in [0, 1].
    y : numpy.ndarray of shape (n_points,)
        True positive rate (ROC) or precision (PR), in [0, 1].
    thresholds : numpy.ndarray
        The score threshold of each point: ``n_points`` values for ROC (the first is
        ``inf``), ``n_points - 1`` for PR.
    """

    kind: str
    x: np.ndarray
    y: np.ndarray
    thresholds: np.ndarray

    def __len__(self) -> int:
        return int(self.x.shape[0])

    def thin(self, max_points: int) -> Curve:
        """At most ``max_points`` points, evenly spread along the curve, ends always kept.

        Parameters
        ----------
        max_points : int
            The most points to keep; at least 2 (a ``ValueError`` otherwise).

        Returns
        -------
        Curve
            ``self`` when it has no more points than that, else a new, thinner curve of
            the same kind (thresholds kept for the kept points).

        Example:
            >>> Curve("roc", np.array([0, .5, 1.]), np.array([0, .8, 1.]), np.array([np.inf, .5, .1])).thin(2).x.tolist()
            [0.0, 1.0]
        """
        if max_points < 2:
            raise ValueError(f"max_points must be >= 2; got {max_points}.")
        n = len(self)
        if n <= max_points:
            return self
        step = np.abs(np.diff(self.x)) + np.abs(np.diff(self.y))
        step = np.nan_to_num(step, nan=0.0)
        walked = np.r_[0.0, np.cumsum(step)]
        if walked[-1] > 0:
            targets = np.linspace(0.0, walked[-1], max_points)
            idx = np.searchsorted(walked, targets, side="left")
        else:
            idx = np.linspace(0, n - 1, max_points).round().astype(np.int64)
        idx = np.unique(np.clip(np.r_[0, idx, n - 1], 0, n - 1))
        if len(idx) > max_points:  # duplicates removed; still too many only by rounding
            keep = np.linspace(0, len(idx) - 1, max_points).round().astype(np.int64)
            idx = idx[np.unique(keep)]
        thr_idx = idx[idx < self.thresholds.shape[0]]
        return Curve(self.kind, self.x[idx], self.y[idx], self.thresholds[thr_idx])

    def to_dict(self) -> dict:
        """The curve as JSON-safe lists.

        Returns
        -------
        dict
            ``{"kind", "x", "y", "thresholds"}``, floats as lists (inf and NaN become None).
        """
        return {
            "kind": self.kind,
            "x": _floats(self.x),
            "y": _floats(self.y),
            "thresholds": _floats(self.thresholds),
        }


def _floats(values: np.ndarray) -> list:
    return [float(v) if np.isfinite(v) else None for v in np.asarray(values, dtype=np.float64)]

"""Performance estimated without labels (confidence-based, as NannyML's CBPE does for multiclass).

1. Calibrate: fit one isotonic regression per class, one-vs-rest, on a labelled reference
   set that the model was not trained on (a held-out set, or production rows that got
   feedback), then renormalise each row to sum to 1 — the same calibration as
   scikit-learn's ``CalibratedClassifierCV(method="isotonic")``.
2. Estimate: with calibrated ``p``, the expected confusion matrix is
   ``E[i, j] = Σ_{rows predicted j} p[row, i]``; accuracy and per-class precision, recall
   and F1 (macro-averaged) follow from it.
3. Interval: if ``p`` is calibrated, the true labels are draws from it; simulating them
   gives the distribution of the realised metric and its central interval. The
   calibration's own uncertainty is included by refitting it on bootstrap resamples of the
   reference set and spreading the simulations over those refits.

Example:
    >>> import numpy as np
    >>> from skyclass.monitor import PerformanceEstimator
    >>> rng = np.random.default_rng(0)
    >>> p = rng.dirichlet([1, 1, 1], size=2000)
    >>> y = np.array([rng.choice(3, p=row) for row in p])
    >>> est = PerformanceEstimator(labels=[0, 1, 2]).fit(y[:1000], p[:1000])
    >>> result = est.estimate(p[1000:])
    >>> low, high = result.intervals["accuracy"]
    >>> bool(low < (y[1000:] == p[1000:].argmax(1)).mean() < high)
    True
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
from numpy.typing import ArrayLike
from sklearn.isotonic import IsotonicRegression

from skyclass.errors import InputError
from skyclass.metrics import label_positions
from skyclass.monitor._confusion import METRICS, confusion_metrics, percentile_intervals

__all__ = ["PerformanceEstimate", "PerformanceEstimator"]


@dataclass(frozen=True)
class PerformanceEstimate:
    """Estimated metrics, their ``(low, high)`` intervals and the expected confusion matrix.

    Parameters
    ----------
    n : int
        Unlabelled rows the estimate is for.
    metrics : dict of str to float
        Estimated accuracy and macro precision, recall and F1 (``METRICS``).
    intervals : dict of str to tuple of float
        Metric → central ``confidence`` interval ``(low, high)`` of the realised value.
    expected_confusion : ndarray
        ``k x k`` expected counts, true class by row, predicted class by column.
    """

    n: int
    metrics: dict[str, float]
    intervals: dict[str, tuple[float, float]]
    expected_confusion: np.ndarray

    def to_dict(self) -> dict:
        """JSON-safe dict.

        Returns
        -------
        dict
            ``n``, one key per metric, ``intervals`` (metric → ``[low, high]``) and
            ``expected_confusion`` as nested lists.
        """
        return {
            "n": self.n,
            **self.metrics,
            "intervals": {k: list(v) for k, v in self.intervals.items()},
            "expected_confusion": self.expected_confusion.tolist(),
        }


class PerformanceEstimator:
    """Confidence-based performance estimation for a multiclass model.

    Not thread-safe while fitting; a fitted estimator only reads its calibrators.

    Parameters
    ----------
    labels : list
        Class labels in the column order of the probabilities.
    n_simulations : int
        Label draws used for the interval.
    n_calibrations : int
        Bootstrap refits of the calibration that the draws are spread over (0: the
        interval ignores the calibration's own uncertainty).
    confidence : float
        Coverage of the intervals, in (0, 1).
    seed : int
        Seeds the calibration resampling and the label simulation.
    """

    def __init__(
        self,
        labels: list,
        *,
        n_simulations: int = 500,
        n_calibrations: int = 20,
        confidence: float = 0.95,
        seed: int = 0,
    ) -> None:
        self.labels = list(labels)
        self.n_simulations = n_simulations
        self.n_calibrations = n_calibrations
        self.confidence = confidence
        self.seed = seed
        self.calibrators_: list[IsotonicRegression] | None = None
        self.resampled_: list[list[IsotonicRegression]] = []
        self.n_reference_: int = 0

    def fit(self, y_true: ArrayLike, y_proba: ArrayLike) -> PerformanceEstimator:
        """Fit the per-class isotonic calibrators on a labelled reference set (not training data).

        Parameters
        ----------
        y_true : array-like of shape (n,)
            The reference rows' true labels, each one of ``labels``.
        y_proba : array-like of shape (n, k)
            The model's probabilities for those rows, one column per label.

        Returns
        -------
        PerformanceEstimator
            ``self``, fitted.

        Raises
        ------
        InputError
            When the rows do not match, a label is not a model class, or the
            probabilities have the wrong shape or non-finite values.
        """
        proba = self._check(y_proba)
        y = np.asarray(y_true, dtype=object).ravel()
        if y.size != proba.shape[0]:
            raise InputError(
                f"y_true has {y.size} rows but y_proba has {proba.shape[0]}; pass matching rows"
            )
        idx, seen = label_positions(list(y), self.labels, extend=True)
        if len(seen) > len(self.labels):
            raise InputError(
                f"reference labels {[str(v) for v in seen[len(self.labels) :]]} are not among the "
                f"model's classes {[str(v) for v in self.labels]}"
            )
        self.calibrators_ = _fit_isotonic(proba, idx, len(self.labels))
        rng = np.random.default_rng(self.seed)
        self.resampled_ = [
            _fit_isotonic(proba[rows], idx[rows], len(self.labels))
            for rows in rng.integers(0, y.size, size=(self.n_calibrations, y.size))
        ]
        self.n_reference_ = int(y.size)
        return self

    def calibrate(self, y_proba: ArrayLike) -> np.ndarray:
        """Calibrated probabilities: isotonic per class, rows renormalised (uniform when all zero).

        Parameters
        ----------
        y_proba : array-like of shape (n, k)
            The model's probabilities.

        Returns
        -------
        ndarray of shape (n, k)
            Calibrated probabilities; each row sums to 1.

        Raises
        ------
        InputError
            When the estimator is not fitted or ``y_proba`` is malformed.
        """
        if self.calibrators_ is None:
            raise InputError(
                "PerformanceEstimator is not fitted; call fit(y_true, y_proba) on a reference set"
            )
        return _apply(self.calibrators_, self._check(y_proba))

    def estimate(self, y_proba: ArrayLike, y_pred: ArrayLike | None = None) -> PerformanceEstimate:
        """Estimated metrics for unlabelled rows; ``y_pred`` are the served labels (default argmax).

        Parameters
        ----------
        y_proba : array-like of shape (n, k)
            The model's probabilities for the unlabelled rows.
        y_pred : array-like of shape (n,), optional
            The labels actually served (after the bundle's decision rule); default: the
            most probable class of each row.

        Returns
        -------
        PerformanceEstimate
            Point estimates, intervals and the expected confusion matrix.

        Raises
        ------
        InputError
            When the estimator is not fitted, a served label is not a model class or
            ``y_proba`` is malformed.
        """
        p = self.calibrate(y_proba)
        n, k = p.shape
        if y_pred is None:
            pred = np.asarray(y_proba, dtype=np.float64).argmax(axis=1)
        else:
            pred, seen = label_positions(
                list(np.asarray(y_pred, dtype=object).ravel()), self.labels, extend=True
            )
            if len(seen) > k:
                raise InputError(
                    f"predicted labels {[str(v) for v in seen[k:]]} are not model classes"
                )
        expected = np.zeros((k, k))
        np.add.at(expected.T, pred, p)  # column j sums p over rows predicted j
        point = confusion_metrics(expected)
        return PerformanceEstimate(
            n=n,
            metrics={name: float(point[name]) for name in METRICS},
            intervals=percentile_intervals(self._simulate(y_proba, p, pred), self.confidence),
            expected_confusion=expected,
        )

    def _simulate(self, y_proba, p: np.ndarray, pred: np.ndarray) -> dict[str, np.ndarray]:
        proba = np.asarray(y_proba, dtype=np.float64)
        rng = np.random.default_rng(self.seed + 1)
        refits = [_apply(cal, proba) for cal in self.resampled_] or [p]
        per_refit = np.diff(np.linspace(0, self.n_simulations, len(refits) + 1).round().astype(int))
        stacks = [_draw(rng, q, pred, b) for q, b in zip(refits, per_refit) if b > 0]
        return confusion_metrics(np.concatenate(stacks).astype(np.float64))

    def _check(self, y_proba) -> np.ndarray:
        proba = np.asarray(y_proba, dtype=np.float64)
        if proba.ndim != 2 or proba.shape[1] != len(self.labels):
            raise InputError(
                f"y_proba must have shape [n, {len(self.labels)}] (one column per class), got {proba.shape}"
            )
        if proba.shape[0] == 0:
            raise InputError("y_proba has no rows; estimate needs at least one prediction")
        if not np.all(np.isfinite(proba)):
            raise InputError("y_proba has NaN or infinite values; check the logged probabilities")
        return proba


def _fit_isotonic(proba: np.ndarray, idx: np.ndarray, k: int) -> list[IsotonicRegression]:
    return [
        IsotonicRegression(out_of_bounds="clip").fit(proba[:, c], (idx == c).astype(np.float64))
        for c in range(k)
    ]


def _apply(calibrators: list[IsotonicRegression], proba: np.ndarray) -> np.ndarray:
    # np.interp on the fitted steps is IsotonicRegression.predict with out_of_bounds="clip"
    out = np.column_stack(
        [
            np.interp(proba[:, c], cal.X_thresholds_, cal.y_thresholds_)
            for c, cal in enumerate(calibrators)
        ]
    )
    total = out.sum(axis=1, keepdims=True)
    return np.divide(out, total, out=np.full_like(out, 1.0 / out.shape[1]), where=total > 0)


def _draw(rng: np.random.Generator, p: np.ndarray, pred: np.ndarray, draws: int) -> np.ndarray:
    """``draws`` confusion matrices with true labels drawn from ``p`` (chunked to bound memory)."""
    n, k = p.shape
    cumulative = np.cumsum(p, axis=1)
    cumulative[:, -1] = 1.0
    chunk = max(1, 4_000_000 // max(n * k, 1))
    stacks = []
    for start in range(0, draws, chunk):
        b = min(chunk, draws - start)
        u = rng.random((b, n))
        truth = np.zeros((b, n), dtype=np.int64)
        for j in range(k - 1):  # the label is the number of cumulative shares below u
            truth += u > cumulative[:, j]
        cells = (np.arange(b)[:, None] * k * k + truth * k + pred[None, :]).ravel()
        stacks.append(np.bincount(cells, minlength=b * k * k).reshape(b, k, k))
    return np.concatenate(stacks)

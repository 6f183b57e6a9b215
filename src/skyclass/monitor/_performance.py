"""Live performance: logged predictions joined with feedback labels, with bootstrap intervals.

Rows are grouped by any of ``window`` (time buckets such as ``"1h"``), ``region``,
``model_name`` and ``model_version``. The prediction compared with the truth is the label
the server returned (its decision rule included).

Example:
    >>> from skyclass.monitor import live_performance, read_prediction_log
    >>> log = read_prediction_log("skyclass-predictions.db")  # doctest: +SKIP
    >>> live_performance(log, by=("window", "region"), window="1h").to_frame()  # doctest: +SKIP
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass, field

import numpy as np
import pandas as pd

from skyclass._jsonsafe import json_scalar
from skyclass.errors import InputError
from skyclass.metrics import label_positions
from skyclass.monitor._baseline import compare_live
from skyclass.monitor._confusion import (
    METRICS,
    bootstrap_intervals,
    confusion_metrics,
    confusion_stack,
)
from skyclass.monitor._log import PredictionLog

__all__ = [
    "PerformanceRow",
    "PerformanceTable",
    "live_performance",
    "window_seconds",
]

GROUP_KEYS = ("window", "region", "model_name", "model_version")


_UNITS = {"s": 1, "sec": 1, "m": 60, "min": 60, "h": 3600, "d": 86400, "w": 604800}
_DURATION = re.compile(r"^\s*(\d+(?:\.\d+)?)\s*(s|sec|m|min|h|d|w)?\s*$", re.IGNORECASE)


def window_seconds(window: str | float | int) -> float:
    """Seconds in a window given as ``"30s"``, ``"15min"`` (or ``"15m"``), ``"1h"``, ``"1d"``,
    ``"1w"`` or a number of seconds.

    Example:
        >>> window_seconds("15min"), window_seconds("2h"), window_seconds(90)
        (900.0, 7200.0, 90.0)
    """
    if isinstance(window, int | float):
        seconds = float(window)
    else:
        match = _DURATION.match(str(window))
        if match is None:
            raise InputError(
                f"window {window!r} is not a duration; write e.g. '30s', '15min', '1h', '1d' or '1w'"
            )
        seconds = float(match.group(1)) * _UNITS[(match.group(2) or "s").lower()]
    if seconds <= 0:
        raise InputError(f"window {window!r} must be a positive duration")
    return seconds


@dataclass(frozen=True)
class PerformanceRow:
    """Metrics of one group: its keys, row count, point values and ``(low, high)`` intervals.

    ``baseline`` compares the group with the class-prior baseline on accuracy, balanced
    accuracy and macro F1, with a significance test and a headline
    (``skyclass.monitor._baseline.compare_live``; the prior is the group's own class shares).

    Parameters
    ----------
    keys : dict
        The group: ``{"window": start}`` (epoch seconds) and/or log columns such as
        ``{"region": "eu"}``.
    n : int
        Labelled rows in the group.
    metrics : dict of str to float
        Accuracy, balanced accuracy, macro precision/recall/F1 of the served labels.
    intervals : dict of str to tuple of float
        Metric → bootstrap interval ``(low, high)``.
    confusion : list of list of int
        Confusion counts, true class by row, served class by column, in label order.
    baseline : dict
        The class-prior comparison (values, differences, p-values, verdicts, headline).
    """

    keys: dict
    n: int
    metrics: dict[str, float]
    intervals: dict[str, tuple[float, float]]
    confusion: list[list[int]] = field(repr=False)
    baseline: dict = field(default_factory=dict, repr=False)

    @property
    def baseline_accuracy(self) -> float:
        """What always predicting the group's most frequent true class scores."""
        return float(self.baseline["metrics"]["accuracy"]["baseline"])

    @property
    def beats_baseline(self) -> bool:
        """Whether accuracy is significantly above the class-prior baseline's (McNemar)."""
        return bool(self.baseline["metrics"]["accuracy"]["significant"])

    @property
    def small_sample(self) -> bool:
        """Too few labelled rows for a conclusive comparison (``_baseline.MIN_ROWS``)."""
        return bool(self.baseline["small_sample"])

    def to_dict(self) -> dict:
        """JSON-safe dict.

        Returns
        -------
        dict
            The keys, ``n``, the metrics, ``intervals``, ``confusion`` and the baseline
            fields (``baseline_accuracy``, ``beats_baseline``, ``small_sample``, ``baseline``).
        """
        return {
            **self.keys,
            "n": self.n,
            **self.metrics,
            "intervals": {k: list(v) for k, v in self.intervals.items()},
            "confusion": self.confusion,
            "baseline_accuracy": self.baseline_accuracy,
            "beats_baseline": self.beats_baseline,
            "small_sample": self.small_sample,
            "baseline": self.baseline,
        }


@dataclass(frozen=True)
class PerformanceTable:
    """Live performance per group (``by``) over the labels in ``labels``.

    Parameters
    ----------
    by : tuple of str
        The group keys, e.g. ``("window",)`` or ``("region",)``.
    labels : list
        The classes, in the order of every confusion matrix.
    rows : list of PerformanceRow
        One per group, in key order.
    confidence : float
        Level of every interval.
    """

    by: tuple[str, ...]
    labels: list
    rows: list[PerformanceRow]
    confidence: float

    def to_frame(self) -> pd.DataFrame:
        """One row per group: keys, n, each metric and its interval bounds.

        Returns
        -------
        DataFrame
            Columns: the keys, ``n``, each metric, ``baseline_accuracy`` and
            ``<metric>_low`` / ``<metric>_high``.
        """
        records = []
        for row in self.rows:
            record = {**row.keys, "n": row.n, **row.metrics}
            record["baseline_accuracy"] = row.baseline_accuracy
            for name, (lo, hi) in row.intervals.items():
                record[f"{name}_low"], record[f"{name}_high"] = lo, hi
            records.append(record)
        return pd.DataFrame.from_records(records)

    def to_dict(self) -> dict:
        """JSON-safe dict.

        Returns
        -------
        dict
            ``by``, ``labels`` (as text), ``confidence`` and ``rows`` (each
            :meth:`PerformanceRow.to_dict`).
        """
        return {
            "by": list(self.by),
            "labels": [str(v) for v in self.labels],
            "confidence": self.confidence,
            "rows": [r.to_dict() for r in self.rows],
        }


def live_performance(
    log: PredictionLog,
    *,
    labels: list | None = None,
    by: Sequence[str] = ("window",),
    window: str | float = "1h",
    n_resamples: int = 1000,
    confidence: float = 0.95,
    seed: int = 0,
) -> PerformanceTable:
    """Accuracy, balanced accuracy and macro precision/recall/F1 per group, with bootstrap intervals.

    Only predictions with feedback count. ``labels`` (the bundle's) fixes the class order;
    classes outside it are appended. Groups are sorted by their keys; the ``window`` key is
    the window's start time in epoch seconds.

    Parameters
    ----------
    log : PredictionLog
        Predictions joined with their feedback.
    labels : list, optional
        The bundle's classes, in order.
    by : sequence of str
        Group keys: ``"window"`` and/or log columns (``"region"``, ``"model_version"``).
    window : str or float
        Width of a ``"window"`` group (``"15min"``, ``"1h"`` or seconds).
    n_resamples : int
        Bootstrap resamples per group.
    confidence : float
        Level of every group's bootstrap interval, in (0, 1).
    seed : int
        Seed of the bootstrap: the same seed gives the same intervals.

    Returns
    -------
    PerformanceTable
        One row per group: keys, labelled rows, values and intervals.
    """
    unknown = [key for key in by if key not in GROUP_KEYS]
    if unknown:
        raise InputError(
            f"cannot group live performance by {unknown}; use any of {list(GROUP_KEYS)}"
        )
    frame = log.labelled().frame
    true_idx, all_labels = label_positions(list(frame["feedback"]), labels or [], extend=True)
    pred_idx, all_labels = label_positions(list(frame["label"]), all_labels, extend=True)
    if labels is None:
        order = sorted(range(len(all_labels)), key=lambda i: str(all_labels[i]))
        remap = np.argsort(order)
        all_labels = [all_labels[i] for i in order]
        true_idx, pred_idx = remap[true_idx], remap[pred_idx]
    k = len(all_labels)
    names = np.empty(k, dtype=object)
    names[:] = all_labels
    keys = pd.DataFrame(index=frame.index)
    step = window_seconds(window)
    for key in by:
        keys[key] = np.floor(frame["ts"] / step) * step if key == "window" else frame[key]
    rows: list[PerformanceRow] = []
    grouped = keys.groupby(list(by), sort=True).indices if by else {(): np.arange(len(frame))}
    for group, positions in grouped.items():
        group = group if isinstance(group, tuple) else (group,)
        positions = np.asarray(positions)
        if positions.size == 0:
            continue
        cm = confusion_stack(true_idx[positions], pred_idx[positions], k)
        values = confusion_metrics(cm)
        rows.append(
            PerformanceRow(
                keys={name: json_scalar(v) for name, v in zip(by, group)},
                n=int(positions.size),
                metrics={name: float(values[name]) for name in METRICS},
                intervals=bootstrap_intervals(
                    cm, n_resamples=n_resamples, confidence=confidence, seed=seed
                ),
                confusion=cm.astype(int).tolist(),
                baseline=compare_live(
                    names[true_idx[positions]],
                    None,
                    names[pred_idx[positions]],
                    all_labels,
                    confidence=confidence,
                    n_resamples=n_resamples,
                    seed=seed,
                ),
            )
        )
    return PerformanceTable(by=tuple(by), labels=all_labels, rows=rows, confidence=confidence)

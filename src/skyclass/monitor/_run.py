"""One monitoring pass: drift, prediction drift, live and estimated performance, alerts.

Example:
    >>> from skyclass.monitor import monitor
    >>> result = monitor("registry-uri-or-bundle-dir", ["skyclass-predictions.db"])  # doctest: +SKIP
    >>> result.drift.dataset_drift  # doctest: +SKIP
    False
"""

from __future__ import annotations

import os
import time
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

import numpy as np

from skyclass._jsonsafe import json_safe
from skyclass.errors import InputError
from skyclass.metrics import label_key
from skyclass.monitor._alerts import Alert, AlertManager
from skyclass.monitor._baseline import compare_live
from skyclass.monitor._config import MonitorConfig
from skyclass.monitor._drift import ColumnDrift, DriftReport, data_drift, prediction_drift
from skyclass.monitor._estimate import PerformanceEstimator
from skyclass.monitor._log import PredictionLog, read_prediction_log
from skyclass.monitor._performance import PerformanceTable, live_performance, window_seconds
from skyclass.monitor._quality import logged_quality, quality_lines

__all__ = ["MonitorResult", "WindowValues", "monitor"]

LIVE_METRICS = ("accuracy", "balanced_accuracy", "f1_macro", "precision_macro", "recall_macro")
PROBABILITY_METRICS = (
    "log_loss", "brier_score", "expected_calibration_error", "roc_auc_ovr_macro", "roc_auc_ovo_macro",
    "average_precision_macro",
)  # fmt: skip


@dataclass(frozen=True)
class WindowValues:
    """Every alertable metric over the window ``[start, end)``; missing ones are absent.

    Parameters
    ----------
    window : str
        The window's width as configured (``"1h"``).
    start, end : float
        The window's bounds, in seconds since the epoch (``end`` excluded).
    n_predictions : int
        Predictions of the model in the window.
    n_labelled : int
        Of those, the ones with feedback.
    values : dict of str to float
        Metric name → value: what alert rules read (live and estimated metrics,
        ``drift_share``, ``n_predictions``...).
    drift : DriftReport or None
        Data drift of the window's inputs against the reference (``None``: no traffic).
    prediction_drift : ColumnDrift or None
        Drift of the served labels against training's prediction shares.
    prediction_shares : dict of str to float
        Share of each served label in the window.
    """

    window: str
    start: float
    end: float
    n_predictions: int
    n_labelled: int
    values: dict[str, float]
    drift: DriftReport | None
    prediction_drift: ColumnDrift | None
    prediction_shares: dict[str, float] = field(default_factory=dict)


@dataclass
class MonitorResult:
    """Everything one monitoring pass found; ``to_dict()`` is JSON-safe.

    Attributes
    ----------
    model : str
        The monitored model's name.
    labels : list
        Its classes, in probability-column order.
    generated_at : float
        The pass's ``now``, in seconds since the epoch.
    config : MonitorConfig
        The configuration used.
    n_predictions, n_labelled : int
        Predictions of the model in the whole log, and those with feedback.
    current : WindowValues
        The values over ``config.window``.
    windows : dict of str to WindowValues
        The values over every window a rule names (the current one included).
    live : dict of str to PerformanceTable
        Live performance from feedback by ``"window"``, ``"region"`` and
        ``"model_version"`` (empty without feedback).
    estimated : list of dict
        The label-free estimate per trend bucket (``window`` start plus
        :meth:`PerformanceEstimate.to_dict`).
    estimator_reference : str or None
        What the estimator was calibrated on (``None``: no estimate).
    models, regions : list of dict
        Per model version and per region: predictions, labelled rows, first and last time.
    reference_predictions : dict of str to float
        Training's share of each predicted label (the bundle's reference).
    data_quality : dict
        What the server imputed or scored as unknown in the current window
        (``DataQuality.to_dict`` with ``rows`` = the window's predictions).
    data_quality_lines : list of str
        The same, one sentence per column.
    alerts : list of Alert
        The alert state changes of this pass.
    firing : list of str
        Names of the rules firing after it.
    notes : list of str
        What could not be computed and why.
    baseline : dict or None
        The current window's labelled rows against the class-prior baseline, with the
        headline the summary and page lead with; ``None`` without labels.
    """

    model: str
    labels: list
    generated_at: float
    config: MonitorConfig
    n_predictions: int
    n_labelled: int
    current: WindowValues
    windows: dict[str, WindowValues]
    live: dict[str, PerformanceTable]
    estimated: list[dict]
    estimator_reference: str | None
    models: list[dict]
    regions: list[dict]
    reference_predictions: dict[str, float] = field(default_factory=dict)
    data_quality: dict = field(default_factory=dict)
    data_quality_lines: list[str] = field(default_factory=list)
    alerts: list[Alert] = field(default_factory=list)
    firing: list[str] = field(default_factory=list)
    notes: list[str] = field(default_factory=list)
    baseline: dict | None = None

    @property
    def drift(self) -> DriftReport | None:
        return self.current.drift

    @property
    def prediction_drift(self) -> ColumnDrift | None:
        return self.current.prediction_drift

    def to_dict(self) -> dict:
        """JSON-safe dict of the whole result.

        Returns
        -------
        dict
            Every attribute but ``config`` (windows, tables, estimates and alerts as their
            own dicts), what ``skyclass monitor --json`` prints.
        """

        def window(w: WindowValues) -> dict:
            return {
                "window": w.window,
                "start": w.start,
                "end": w.end,
                "n_predictions": w.n_predictions,
                "n_labelled": w.n_labelled,
                "values": w.values,
                "drift": w.drift.to_dict() if w.drift else None,
                "prediction_drift": vars(w.prediction_drift) if w.prediction_drift else None,
                "prediction_shares": w.prediction_shares,
            }

        return json_safe(
            {
                "model": self.model,
                "labels": [str(v) for v in self.labels],
                "generated_at": self.generated_at,
                "n_predictions": self.n_predictions,
                "n_labelled": self.n_labelled,
                "current": window(self.current),
                "windows": {k: window(v) for k, v in self.windows.items()},
                "live": {k: v.to_dict() for k, v in self.live.items()},
                "estimated": self.estimated,
                "estimator_reference": self.estimator_reference,
                "models": self.models,
                "regions": self.regions,
                "reference_predictions": self.reference_predictions,
                "data_quality": {**self.data_quality, "lines": self.data_quality_lines},
                "alerts": [a.to_dict() for a in self.alerts],
                "firing": self.firing,
                "notes": self.notes,
                "baseline": self.baseline,
            }
        )


def model_source(model) -> tuple[Mapping, list, str]:
    """``(reference, labels, name)`` of a Bundle-like object, or of the bundle a path/URI names."""
    if isinstance(model, str | os.PathLike):
        from skyclass.bundle import load

        model = load(model)
    reference = getattr(model, "reference", None)
    labels = getattr(model, "labels", None)
    if reference is None or labels is None:
        raise InputError(
            "monitor needs a bundle (path or registry URI) with reference.json and labels"
        )
    return reference, list(labels), str(getattr(model, "name", "model"))


def _this_models_rows(
    log: PredictionLog,
    name: str,
    reference: Mapping,
    allow_other_model: bool,
    bundle_sha256: str | None = None,
    notes: list[str] | None = None,
) -> PredictionLog:
    """The rows of model ``name``; a log of another model is an ``InputError`` unless allowed.

    Rows that carry a bundle hash are checked against ``bundle_sha256`` (the given bundle's
    ``manifest_sha256``): a log none of whose hashes is the bundle's is refused; one that
    mixes it with other bundles (a rollout) is kept whole, with a note. Rows without a hash
    (logs written before it was stored) are checked by model name and columns only.
    """
    if not len(log):
        return log
    names = sorted(map(str, set(log.frame["model_name"])))
    if name in names:
        log = log.where(model_name=name)
    elif not allow_other_model:
        raise InputError(
            f"the prediction log holds predictions of model {', '.join(map(repr, names))}, not "
            f"of the bundle's model {name!r}; monitor it with that model's bundle, or pass "
            "--allow-other-model to compare them anyway"
        )
    if bundle_sha256 and "bundle_sha256" in log.frame:
        logged_hashes = log.frame["bundle_sha256"].dropna().astype(str)
        hashes = sorted(set(logged_hashes))
        if hashes and bundle_sha256 not in hashes and not allow_other_model:
            raise InputError(
                f"the prediction log was written by bundle(s) {', '.join(h[:12] for h in hashes)} "
                f"(manifest SHA-256), not by the bundle given ({bundle_sha256[:12]}), although "
                f"both are model {name!r}: monitor it with the bundle that served it, or pass "
                "--allow-other-model to compare them anyway"
            )
        others = int((logged_hashes != bundle_sha256).sum())
        if others and notes is not None:
            notes.append(
                f"{others:,} logged predictions were served by another bundle of {name!r} "
                f"than the one given ({bundle_sha256[:12]}); they are monitored together"
            )
    expected = set(reference.get("columns") or {})
    logged = set().union(*(set(row) for row in log.frame["inputs"].head(100) if row))
    if expected and logged and not expected & logged and not allow_other_model:
        raise InputError(
            f"the prediction log's inputs {sorted(logged)[:8]} share no column with the "
            f"bundle's {sorted(expected)[:8]}: it was written for another bundle; monitor it "
            "with that bundle, or pass --allow-other-model"
        )
    return log


def _usable(log: PredictionLog, labels: list) -> PredictionLog:
    """Rows this model's classes describe: ``len(labels)`` probabilities and a known served label
    (another model version with other classes is left out)."""
    known = {label_key(v) for v in labels}
    frame = log.frame
    keep = [
        len(p) == len(labels) and label_key(v) in known
        for p, v in zip(frame["probabilities"], frame["label"])
    ]
    return PredictionLog(frame[np.array(keep, dtype=bool)])


def _known_feedback(log: PredictionLog, labels: list) -> PredictionLog:
    """Usable rows whose feedback label is one of the model's classes."""
    rows = _usable(log.labelled(), labels)
    known = {label_key(v) for v in labels}
    keep = [label_key(v) in known for v in rows.frame["feedback"]]
    return PredictionLog(rows.frame[np.array(keep, dtype=bool)])


def _window_values(
    name: str,
    log: PredictionLog,
    start: float,
    end: float,
    reference: Mapping,
    labels: list,
    config: MonitorConfig,
    estimator: PerformanceEstimator | None,
) -> WindowValues:
    part = log.between(start, end)
    values: dict[str, float] = {"n_predictions": float(len(part))}
    drift = pred_drift = None
    if len(part):
        drift = data_drift(reference, part.features(), config=config.drift)
        values.update(
            drift_share=drift.share,
            dataset_drift=float(drift.dataset_drift),
            drifted_columns=float(drift.n_drifted),
        )
        for col in drift.columns:
            values[f"drift.{col.column}"] = col.score
            values[f"psi.{col.column}"] = col.psi
        if reference.get("predictions"):
            pred_drift = prediction_drift(
                reference, part.frame["label"].tolist(), config=config.drift
            )
            values["prediction_drift"] = pred_drift.score
            values["prediction_drifted"] = float(pred_drift.drifted)
    labelled = part.labelled()
    values["n_labelled"] = float(len(labelled))
    if len(labelled):
        table = live_performance(labelled, labels=labels, by=(), n_resamples=1, seed=0)
        values.update({m: table.rows[0].metrics[m] for m in LIVE_METRICS})
        values.update(_probability_quality(labelled, labels))
    usable = _usable(part, labels)
    if estimator is not None and len(usable):
        estimate = estimator.estimate(usable.probabilities(), usable.frame["label"].tolist())
        values.update({f"estimated_{m}": v for m, v in estimate.metrics.items()})
    shares = part.frame["label"].map(str).value_counts(normalize=True) if len(part) else {}
    return WindowValues(
        name, start, end, len(part), len(labelled), values, drift, pred_drift,
        {str(k): float(v) for k, v in dict(shares).items()},
    )  # fmt: skip


def _probability_quality(labelled: PredictionLog, labels: list) -> dict[str, float]:
    """Probability-based metrics of labelled rows from ``skyclass.metrics.evaluate``."""
    from skyclass.metrics import evaluate

    rows = _known_feedback(labelled, labels)
    known = {str(v): v for v in labels}
    if len(rows) < 2:
        return {}
    y_true = [known[str(v)] for v in rows.frame["feedback"]]
    try:
        result = evaluate(y_true, rows.probabilities(), labels=labels, max_curve_points=2).to_dict()
    except ValueError:  # e.g. probabilities that do not sum to one in an old log
        return {}
    return {
        k: float(result[k]) for k in PROBABILITY_METRICS if isinstance(result.get(k), int | float)
    }


def _current_baseline(log: PredictionLog, labels: list, config: MonitorConfig) -> dict | None:
    """The current window's labelled rows (known feedback) against the class prior."""
    rows = _known_feedback(log.labelled(), labels)
    if not len(rows):
        return None
    known = {label_key(v): v for v in labels}
    truth = [known[label_key(v)] for v in rows.frame["feedback"]]
    served = [known[label_key(v)] for v in rows.frame["label"]]
    proba = rows.probabilities()
    return compare_live(
        truth,
        proba if np.isfinite(proba).all() else None,
        served,
        labels,
        confidence=config.confidence,
        n_resamples=config.n_resamples,
    )


def _estimator(
    log: PredictionLog, labels: list, calibration, before: float, notes: list[str]
) -> tuple[PerformanceEstimator | None, str | None]:
    estimator = PerformanceEstimator(labels)
    if calibration is not None:
        y_true, proba = calibration
        return estimator.fit(y_true, proba), f"{len(y_true)} labelled reference rows"
    labelled = _known_feedback(log, labels)
    earlier = labelled.between(None, before)
    source = earlier if len(earlier) >= 100 else labelled
    if len(source) < 30:
        notes.append(
            "estimated performance needs labelled reference rows: send feedback for at least 30 "
            "predictions, or pass --reference-data with a labelled held-out table"
        )
        return None, None
    what = "before the current window" if source is earlier else "in the log"
    estimator.fit(source.frame["feedback"].tolist(), source.probabilities())
    return estimator, f"{len(source)} labelled production rows {what}"


def _estimated_trend(
    log: PredictionLog, estimator: PerformanceEstimator, step: float
) -> list[dict]:
    rows = []
    starts = np.floor(log.frame["ts"].to_numpy() / step) * step
    for start in np.unique(starts):
        part = PredictionLog(log.frame[starts == start])
        est = estimator.estimate(part.probabilities(), part.frame["label"].tolist())
        rows.append({"window": float(start), **est.to_dict()})
    return rows


def _inventory(log: PredictionLog, key: Sequence[str]) -> list[dict]:
    if not len(log):
        return []
    frame = log.frame
    grouped = frame.groupby(list(key), sort=True)
    out = grouped.agg(
        n=("id", "size"),
        first_ts=("ts", "min"),
        last_ts=("ts", "max"),
        n_labelled=("feedback", "count"),
    ).reset_index()
    return out.to_dict(orient="records")


def monitor(
    model: Any,
    logs: Sequence[str] | PredictionLog,
    *,
    config: MonitorConfig | None = None,
    now: float | None = None,
    calibration: tuple[Sequence, np.ndarray] | None = None,
    alerts: AlertManager | None = None,
    allow_other_model: bool = False,
) -> MonitorResult:
    """Run one monitoring pass over the prediction log(s) of ``model``.

    Parameters
    ----------
    model : Bundle or str
        A ``Bundle`` (anything with ``reference``, ``labels``, ``name``) or a bundle
        path / registry URI.
    logs : sequence of str, or PredictionLog
        Prediction log paths or URIs (``skyclass serve --log``), or a ``PredictionLog``.
    config : MonitorConfig, optional
        Windows, drift thresholds and alert rules.
    now : float, optional
        End of the current window, epoch seconds (default: the time now).
    calibration : (y_true, y_proba), optional
        A labelled held-out set for estimated performance; by default labelled
        production rows are used.
    alerts : AlertManager, optional
        Keeps state between passes (default: one from the config).
    allow_other_model : bool
        Compare the bundle with a log of another model (by default a log whose rows
        carry another model name, only other bundles' hashes (``Bundle.manifest_sha256``),
        or none of the bundle's input columns, is refused
        with an ``InputError``: its drift would be meaningless).

    Returns
    -------
    MonitorResult
        Counts, the current window's drift and performance, trends, alerts and notes.
    """
    config = config or MonitorConfig()
    if isinstance(model, str | os.PathLike):
        from skyclass.bundle import load

        model = load(model)
    reference, labels, name = model_source(model)
    log = logs if isinstance(logs, PredictionLog) else read_prediction_log(*logs)
    notes: list[str] = []
    log = _this_models_rows(
        log, name, reference, allow_other_model, getattr(model, "manifest_sha256", None), notes
    )
    now = time.time() if now is None else float(now)
    if not len(log):
        notes.append("the prediction log has no predictions for this model yet; send traffic first")
    current_len = window_seconds(config.window)
    estimator, estimator_reference = _estimator(log, labels, calibration, now - current_len, notes)
    windows: dict[str, WindowValues] = {}
    for window in {config.window, *(r.window or config.window for r in config.rules)}:
        start = now - window_seconds(window)
        windows[window] = _window_values(
            window, log, start, now, reference, labels, config, estimator
        )
    current = windows[config.window]
    if len(log) and current.n_predictions == 0:
        notes.append(f"no predictions in the last {config.window}; drift needs recent traffic")
    trend = window_seconds(config.trend_window)
    live = {}
    if len(log.labelled()):
        for key, by in {
            "window": ("window",),
            "region": ("region",),
            "model_version": ("model_version",),
        }.items():
            live[key] = live_performance(
                log,
                labels=labels,
                by=by,
                window=trend,
                n_resamples=config.n_resamples,
                confidence=config.confidence,
            )
    else:
        notes.append(
            "no feedback labels yet: live performance needs POST /v2/models/{name}/feedback"
        )
    quality = logged_quality(log.between(now - current_len, now))
    usable = _usable(log, labels)
    estimated = (
        _estimated_trend(usable, estimator, trend) if estimator is not None and len(usable) else []
    )
    result = MonitorResult(
        model=name,
        labels=labels,
        generated_at=now,
        config=config,
        n_predictions=len(log),
        n_labelled=len(log.labelled()),
        current=current,
        windows=windows,
        live=live,
        estimated=estimated,
        estimator_reference=estimator_reference,
        models=_inventory(log, ("model_name", "model_version")),
        regions=_inventory(log, ("region",)),
        reference_predictions={
            str(k): float(v) for k, v in (reference.get("predictions") or {}).items()
        },
        data_quality=quality.to_dict(),
        data_quality_lines=quality_lines(quality),
        notes=notes,
        baseline=_current_baseline(log.between(now - current_len, now), labels, config),
    )
    manager = alerts or AlertManager(config.rules, webhook=config.webhook, state_path=config.state)
    rule_values = {}
    for rule in manager.rules:
        w = windows[rule.window or config.window]
        live = rule.metric in LIVE_METRICS or rule.metric in PROBABILITY_METRICS
        rows = w.n_labelled if live else w.n_predictions
        if rows >= rule.min_rows and rule.metric in w.values:
            rule_values[rule.name] = w.values[rule.metric]
    result.alerts = manager.evaluate(rule_values, now=now, context={"model": name})
    result.firing = sorted(manager.firing)
    return result

"""Evaluate a packaged bundle on new labelled data: metrics with intervals, a baseline, a report.

Real holdouts are small and messy: a class may have no rows, a label the model
never saw may appear. Every metric that is defined is reported; one that is
not is marked with the reason instead of aborting the run. Rows whose label
the bundle does not know are dropped and counted (``unknown_labels="error"``
refuses them instead), and accuracy is also given counting them as errors,
since the model could never have got them right.

Example:
    >>> from skyclass.pipeline import evaluate_bundle
    >>> result = evaluate_bundle("out/wine/bundle", "examples/wine.csv")  # doctest: +SKIP
    >>> result["metrics"]["accuracy"]["value"]  # doctest: +SKIP
    1.0
    >>> result["baseline"]["headline"]  # doctest: +SKIP
    'accuracy 1.000 vs 0.399 for the class-prior baseline: significantly better (p < 0.001, ...)'
"""

from __future__ import annotations

import os
from pathlib import Path
from typing import Any

import numpy as np

from skyclass import metrics as M
from skyclass.data import DataQuality, load_table
from skyclass.errors import InputError
from skyclass.pipeline._batch import _bundle

__all__ = ["UNKNOWN_LABEL_ACTIONS", "evaluate_bundle"]

_LABEL_METRICS = ("accuracy", "balanced_accuracy", "f1_macro", "f1_weighted")
UNKNOWN_LABEL_ACTIONS = ("drop", "error")


def _interval(ci: M.ConfidenceInterval) -> dict:
    d = ci.to_dict()
    return {"value": d["estimate"], "low": d["low"], "high": d["high"], "method": ci.method} | (
        {"note": ci.note} if ci.note else {}
    )


def _undefined(reason: str) -> dict:
    return {"value": None, "low": None, "high": None, "method": None, "undefined": reason}


def _split_known(y: np.ndarray, labels: list) -> tuple[np.ndarray, np.ndarray, dict]:
    """``(labels mapped onto the bundle's, known-row mask, {unknown label: rows})``.

    ``"1"`` and ``1`` are the same label (CSV files hold text).
    """
    by_text = {str(v): v for v in labels}
    text = np.array([str(v) for v in y], dtype=object)
    known = np.array([t in by_text for t in text], dtype=bool)
    values, counts = np.unique(text[~known], return_counts=True)
    mapped = np.array([by_text[t] for t in text[known]], dtype=object)
    return mapped, known, {str(v): int(c) for v, c in zip(values, counts)}


def _auc(y: np.ndarray, proba: np.ndarray, labels: list, seed: int) -> dict:
    absent = [v for v in labels if not np.any(y == v)]
    if len(labels) - len(absent) < 2:
        return _undefined(f"only one class ({y[0]!r}) has rows here; ROC AUC needs two")
    if absent:
        return _undefined(
            f"one-vs-rest ROC AUC is undefined for {absent} (no rows here), so their macro "
            "average is too; see evaluation.per_class.roc_auc for the classes present"
        )
    if len(labels) == 2:
        return _interval(M.delong_ci(y, proba[:, 1], pos_label=labels[1]))
    return _interval(M.bootstrap_ci("roc_auc", y, proba, labels=labels, seed=seed))


def _metrics(y, y_pred, proba, labels, seed) -> dict[str, Any]:
    """Headline metrics with 95% intervals; undefined ones carry the reason.

    Label metrics average over the classes present in the truth or the predictions
    (scikit-learn without ``labels=``), so a class with no rows is not scored as 0.
    """
    out: dict[str, Any] = {}
    for name in _LABEL_METRICS:
        try:
            out[name] = _interval(M.bootstrap_ci(name, y, y_pred, seed=seed))
        except M.UndefinedMetricError as err:
            out[name] = _undefined(str(err))
    out["roc_auc"] = _auc(y, proba, labels, seed)
    out["log_loss"] = _interval(M.bootstrap_ci("log_loss", y, proba, labels=labels, seed=seed))
    return out


def _headline_metric(model) -> str:
    chosen = model.manifest.get("params", {}).get("metric")
    return chosen if chosen in M.BASELINE_METRICS else "accuracy"


def evaluate_bundle(
    bundle: Any,
    data: Any,
    *,
    target: str | None = None,
    report: str | os.PathLike | None = None,
    seed: int = 0,
    encoding: str | None = None,
    unknown_labels: str = "drop",
    strict: bool = False,
) -> dict:
    """Metrics of ``bundle`` on labelled ``data`` (JSON-safe); writes ``report`` HTML when given.

    ``target`` defaults to the bundle's target column. Rows whose target is missing
    are dropped and counted; so are rows whose label the bundle does not know
    (``unknown_labels="error"`` raises instead). Label metrics use the bundle's
    decision rule. ``baseline`` compares the model with predicting the class prior
    of these rows; ``warnings`` lists what a reader must know (absent classes,
    dropped rows, a model no better than the baseline, and what scoring had to impute or
    map to unknown: ``data_quality``); ``strict`` makes any imputation an ``InputError``.

    Parameters
    ----------
    bundle : str, os.PathLike or skyclass.bundle.Bundle
        A bundle directory, ``.skyclass`` file, registry URI or a loaded bundle.
    data : str, os.PathLike or pandas.DataFrame
        The labelled table (any format ``skyclass.data.load_table`` reads).
    target : str or None
        The label column (default: the bundle's target).
    report : str, os.PathLike or None
        Also write an HTML evaluation report here.
    seed : int
        Seed of the bootstrap intervals (default 0).
    encoding : str or None
        Text encoding of the file (default: sniffed).
    unknown_labels : str
        ``"drop"`` (default: such rows are dropped and counted) or ``"error"``.
    strict : bool
        Raise ``InputError`` when any cell had to be imputed or mapped to unknown.

    Returns
    -------
    dict
        JSON-safe metrics with intervals, ``baseline``, ``warnings``, ``data_quality`` and
        the full evaluation.
    """
    if unknown_labels not in UNKNOWN_LABEL_ACTIONS:
        raise InputError(
            f"unknown_labels must be one of {list(UNKNOWN_LABEL_ACTIONS)}, got {unknown_labels!r}"
        )
    model = _bundle(bundle)
    frame = load_table(data, encoding=encoding)
    target = target or model.target
    if not target:
        raise InputError("the bundle does not record its target column; pass --target COL")
    if target not in frame.columns:
        raise InputError(
            f"target column {target!r} not found; the columns are: {', '.join(map(str, frame.columns))}"
        )
    labels = list(model.labels)
    present = frame[target].notna().to_numpy()
    frame = frame[present].reset_index(drop=True)
    if frame.empty:
        raise InputError(f"target {target!r}: every value is missing; nothing to evaluate")
    y, known, unknown = _split_known(frame[target].to_numpy(), labels)
    if unknown and unknown_labels == "error":
        raise InputError(
            f"target values {list(unknown)[:5]} are not among the bundle's labels {labels}; "
            "drop those rows or use --unknown-labels drop to count and skip them"
        )
    if not known.any():
        raise InputError(
            f"no row of {target!r} holds one of the bundle's labels {labels} "
            f"(found {list(unknown)[:5]}); evaluate on data with the same classes"
        )
    frame = frame[known].reset_index(drop=True)
    quality = DataQuality()
    features = frame.drop(columns=[target])
    proba = np.asarray(model.predict_proba(features, quality), dtype=np.float64)
    if strict:
        quality.check_strict(str(data) if not hasattr(data, "columns") else "DataFrame")
    proba = proba / proba.sum(axis=1, keepdims=True)
    y_pred = np.asarray(model.decide(proba), dtype=object)
    evaluation = M.evaluate(y, proba, labels=labels)
    metrics = _metrics(y, y_pred, proba, labels, seed)
    baseline = M.compare_to_baseline(y, proba, labels=labels, y_pred=y_pred, seed=seed)
    headline = baseline.headline(_headline_metric(model))
    warnings = [f"class {v!r} has no rows here" for v in labels if not np.any(y == v)]
    warnings += [
        f"{k} not reported: {m['undefined']}" for k, m in metrics.items() if "undefined" in m
    ]
    if unknown:
        n_unknown = sum(unknown.values())
        right = (metrics["accuracy"]["value"] or 0.0) * len(y)
        metrics["accuracy_unknown_as_errors"] = {"value": right / (len(y) + n_unknown)}
        warnings.append(
            f"{n_unknown} rows have labels the bundle does not know ({unknown}); they are "
            "left out of the metrics, and accuracy_unknown_as_errors counts them as errors"
        )
    warnings += quality.lines()
    accuracy = baseline.comparisons["accuracy"]
    warnings += M.plausibility_warnings(
        test_accuracy=accuracy.model, n_test=len(y), majority_share=accuracy.baseline
    )  # e.g. evaluating on the training file, or on data that holds the answer
    if baseline.better_on(_headline_metric(model)) is False:
        warnings.insert(0, headline)
    result = {
        "bundle": model.name if model.version is None else f"{model.name}:{model.version}",
        "data": str(data) if not hasattr(data, "columns") else "DataFrame",
        "target": target,
        "n_rows": int(len(frame)),
        "rows_without_target": int((~present).sum()),
        "unknown_labels": unknown,
        "rows_with_unknown_label": int(sum(unknown.values())),
        "decision_rule": model.decision_rule,
        "headline": headline,
        "warnings": warnings,
        "metrics": metrics,
        "baseline": baseline.to_dict() | {"headline": headline},
        "evaluation": evaluation.to_dict(curves=False),
        "data_quality": quality.to_dict(),
    }
    if report is not None:
        result["report"] = _write_report(report, model, result, y, y_pred, proba, labels)
    return result


def _write_report(report, model, result, y, y_pred, proba, labels) -> str:
    from skyclass.report import render_report, write_report

    context = {
        "title": f"skyclass evaluation: {model.name}",
        "data": {
            "source": result["data"],
            "target": result["target"],
            "labels": labels,
            "n_rows": result["n_rows"],
        },
        "test": {
            "metrics": result["metrics"],
            "per_class": M.classification_report(
                y, y_pred, labels=labels, output_dict=True, zero_division=0
            ),
        },
        "baseline": result["baseline"],
        "warnings": result["warnings"],
    }
    html = render_report(context, y_true=y, proba=proba, y_pred=y_pred, labels=labels)
    return str(write_report(Path(report), html))

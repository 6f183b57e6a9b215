"""Evaluate a packaged bundle on new labelled data: metrics with intervals, and a report.

Example:
    >>> from skyclass.pipeline import evaluate_bundle
    >>> result = evaluate_bundle("out/wine/bundle", "examples/wine.csv")  # doctest: +SKIP
    >>> result["metrics"]["accuracy"]["value"]  # doctest: +SKIP
    1.0
"""

from __future__ import annotations

import os
from pathlib import Path
from typing import Any

import numpy as np

from skyclass import metrics as M
from skyclass.data import load_table
from skyclass.errors import InputError
from skyclass.pipeline._batch import _bundle

__all__ = ["evaluate_bundle"]

_LABEL_METRICS = ("accuracy", "balanced_accuracy", "f1_macro", "f1_weighted")


def _interval(ci) -> dict:
    return {"value": ci.estimate, "low": ci.low, "high": ci.high, "method": ci.method}


def _align_labels(y: np.ndarray, labels: list) -> np.ndarray:
    """Map the data's target values onto the bundle's labels (``"1"`` and ``1`` are the same)."""
    by_text = {str(v): v for v in labels}
    unknown = sorted({str(v) for v in y} - set(by_text))
    if unknown:
        raise InputError(
            f"target values {unknown[:5]} are not among the bundle's labels {labels}; "
            "evaluate on data with the same classes"
        )
    return np.array([by_text[str(v)] for v in y], dtype=object)


def evaluate_bundle(
    bundle: Any,
    data: Any,
    *,
    target: str | None = None,
    report: str | os.PathLike | None = None,
    seed: int = 0,
    encoding: str | None = None,
) -> dict:
    """Metrics of ``bundle`` on labelled ``data`` (JSON-safe); writes ``report`` HTML when given.

    ``target`` defaults to the bundle's target column. Rows whose target is missing
    are dropped and counted. Label metrics use the bundle's decision rule.
    """
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
    y = _align_labels(frame[target].to_numpy(), labels)
    proba = np.asarray(model.predict_proba(frame.drop(columns=[target])), dtype=np.float64)
    proba = proba / proba.sum(axis=1, keepdims=True)
    y_pred = np.asarray(model.decide(proba), dtype=object)
    evaluation = M.evaluate(y, proba, labels=labels)
    metrics: dict[str, Any] = {}
    for name in _LABEL_METRICS:
        metrics[name] = _interval(M.bootstrap_ci(name, y, y_pred, labels=labels, seed=seed))
    if len(set(y.tolist())) > 1:
        scores = proba[:, 1] if len(labels) == 2 else proba
        if len(labels) == 2:
            metrics["roc_auc"] = _interval(M.delong_ci(y, scores, pos_label=labels[1]))
        else:
            metrics["roc_auc"] = _interval(
                M.bootstrap_ci("roc_auc", y, proba, labels=labels, seed=seed)
            )
    metrics["log_loss"] = _interval(M.bootstrap_ci("log_loss", y, proba, labels=labels, seed=seed))
    result = {
        "bundle": model.name if model.version is None else f"{model.name}:{model.version}",
        "data": str(data) if not hasattr(data, "columns") else "DataFrame",
        "target": target,
        "n_rows": int(len(frame)),
        "rows_without_target": int((~present).sum()),
        "decision_rule": model.decision_rule,
        "metrics": metrics,
        "evaluation": evaluation.to_dict(curves=False),
    }
    if report is not None:
        from skyclass.report import render_report, write_report

        context = {
            "title": f"skyclass evaluation: {model.name}",
            "data": {
                "source": result["data"],
                "target": target,
                "labels": labels,
                "n_rows": len(frame),
            },
            "test": {
                "metrics": metrics,
                "per_class": M.classification_report(
                    y, y_pred, labels=labels, output_dict=True, zero_division=0
                ),
            },
        }
        html = render_report(context, y_true=y, proba=proba, y_pred=y_pred, labels=labels)
        result["report"] = str(write_report(Path(report), html))
    return result

"""``package``: turn a fitted preprocessor + model into a verified bundle directory.

Example:
    >>> import pandas as pd
    >>> from sklearn.linear_model import LogisticRegression
    >>> from skyclass.data import infer_schema
    >>> from skyclass.pipeline import Preprocessor
    >>> df = pd.DataFrame({"x": [0.0, 1.0, 2.0, 3.0] * 5, "y": ["a", "a", "b", "b"] * 5})
    >>> schema = infer_schema(df, target="y")
    >>> pre = Preprocessor(schema).fit(df)
    >>> model = LogisticRegression().fit(pre.transform(df), df["y"])
    >>> path = package("/tmp/doc-bundle", preprocessor=pre, model=model, schema=schema,
    ...                labels=list(model.classes_), target="y", name="demo", X_reference=df)
    >>> from skyclass.bundle import load
    >>> load(path).predict([{"x": 3.0}]).tolist()
    ['b']
"""

from __future__ import annotations

import hashlib
import math
import os
from collections.abc import Mapping, Sequence
from pathlib import Path
from typing import Any

import numpy as np
import onnxruntime as ort
import pandas as pd

from skyclass._jsonsafe import json_safe, json_scalar
from skyclass.bundle import save
from skyclass.data import Schema
from skyclass.errors import InputError, IntegrityError
from skyclass.metrics import rule_to_dict
from skyclass.pipeline._export import ONNX_OPSET, export_onnx, input_types
from skyclass.pipeline._preprocess import Preprocessor

__all__ = ["build_reference", "package"]

N_GOLDEN = 24
SAMPLE_SIZE = 5000  # per numeric column at most ...
SAMPLE_TOTAL = 100_000  # ... and about this many over all of them (keeps wide bundles small)
EXPORT_TOLERANCE = 1e-5


def package(
    out_dir: str | os.PathLike[str],
    *,
    preprocessor: Preprocessor,
    model: Any,
    schema: Schema,
    labels: Sequence[Any],
    target: str | None,
    name: str,
    X_reference: pd.DataFrame,
    predictions: Sequence[Any] | None = None,
    decision_rule: Any = None,
    metrics: Mapping[str, Any] | None = None,
    params: Mapping[str, Any] | None = None,
    card_extra: str | None = None,
    seed: int = 0,
) -> Path:
    """Export, check and write a bundle; returns its directory (or ``.skyclass`` file).

    The ONNX graph must reproduce the in-memory model on the golden rows within 1e-5,
    else ``IntegrityError`` and nothing is written.

    Parameters
    ----------
    out_dir : str or os.PathLike
        Where the bundle goes (a directory, or a ``.skyclass`` file name).
    preprocessor : Preprocessor
        The fitted preprocessor.
    model : Any
        The classifier fitted on ``preprocessor.transform(...)`` (one ``export_onnx``
        can export, an ``Ensemble`` of such models included).
    schema : skyclass.data.Schema
        The input schema the bundle validates requests against.
    labels : sequence
        The model's ``classes_`` in order, or the label of each class code when it was
        fitted on codes ``0..k-1``.
    target : str or None
        The target column's name (recorded; ``evaluate`` uses it).
    name : str
        The model name.
    X_reference : pandas.DataFrame
        The training table: reference distributions (drift) and golden rows.
    predictions : sequence or None
        Labels predicted on ``X_reference`` (reference prediction shares); computed by
        argmax when omitted.
    decision_rule : Any
        A ``skyclass.metrics`` rule or its dict (``None``: argmax).
    metrics : mapping or None
        Test metrics to record in the bundle and its card.
    params : mapping or None
        Training parameters to record (JSON-safe after conversion).
    card_extra : str or None
        Markdown appended to the model card.
    seed : int
        Seed of the golden-row and reference samples (default 0).

    Returns
    -------
    pathlib.Path
        The written bundle.

    Raises
    ------
    skyclass.errors.InputError
        When ``labels`` disagree with the model's classes or the model cannot be exported.
    skyclass.errors.IntegrityError
        When the ONNX graph differs from the model by more than 1e-5.
    """
    labels = [json_scalar(v) for v in labels]
    classes = [json_scalar(v) for v in getattr(model, "classes_", labels)]
    if classes != labels and classes != list(range(len(labels))):
        raise InputError(
            f"labels {labels} differ from the model's classes_ {classes}; pass model.classes_, "
            "or fit the model on class codes 0..k-1 and pass the label of each code"
        )
    if not isinstance(X_reference, pd.DataFrame) or len(X_reference) == 0:
        raise InputError("X_reference must be a non-empty DataFrame (the training table)")
    frame = schema.coerce(X_reference)
    graph = export_onnx(preprocessor, model, labels=labels)
    golden_frame = _golden_frame(frame, seed)
    expected = np.asarray(
        model.predict_proba(preprocessor.transform(golden_frame)), dtype=np.float64
    )
    session = ort.InferenceSession(graph.SerializeToString(), providers=["CPUExecutionProvider"])
    arrays = schema.to_arrays(golden_frame)
    feeds = {c: arrays[c].reshape(-1, 1) for c in schema.names}
    got = session.run(["probabilities"], feeds)[0].astype(np.float64)
    worst = float(np.abs(got - expected).max())
    if worst > EXPORT_TOLERANCE:
        raise IntegrityError(
            f"ONNX export of {type(model).__name__} differs from the in-memory model by {worst:.3g} "
            f"(> {EXPORT_TOLERANCE}) on the golden rows; refusing to ship it"
        )
    golden = [
        {"row": row, "probabilities": [float(p) for p in probs]}
        for row, probs in zip(_records(golden_frame, schema), expected)
    ]
    if predictions is None:
        proba = model.predict_proba(preprocessor.transform(frame))
        predictions = [labels[i] for i in np.argmax(proba, axis=1)]
    reference = build_reference(frame, schema, predictions, labels, seed=seed)
    metrics = dict(metrics or {})
    return save(
        out_dir,
        onnx_model=graph.SerializeToString(),
        schema=schema,
        labels=labels,
        target=target,
        name=name,
        inputs=input_types(preprocessor),
        reference=reference,
        golden=golden,
        card=_card(
            name, schema, labels, target, type(model).__name__, len(frame), metrics, card_extra
        ),
        decision_rule=None if decision_rule is None else rule_to_dict(decision_rule),
        metrics=json_safe(metrics),
        params=json_safe(dict(params or {})),
        data_fingerprint={"sha256": _fingerprint(frame, schema), "rows": len(frame)},
        model_info={
            "type": f"{type(model).__module__}.{type(model).__name__}",
            "onnx_opset": ONNX_OPSET,
            "features": [str(f) for f in preprocessor.get_feature_names_out()],
            "preprocessing": {
                "numeric": preprocessor.numeric_,
                "categorical": preprocessor.categorical_,
                "min_frequency": preprocessor.min_frequency,
            },
            "export_max_abs_error": worst,
        },
    )


def build_reference(
    frame: pd.DataFrame,
    schema: Schema,
    predictions: Sequence[Any],
    labels: Sequence[Any],
    *,
    seed: int = 0,
) -> dict[str, Any]:
    """The reference.json dict of an already-coerced training ``frame``.

    numeric (and datetime, as epoch seconds): n (non-missing), missing, mean,
    std, 11 quantiles (0%..100%), a seeded sample of up to 5000 values (7 significant
    digits; fewer per column when there are over 20 numeric columns, at least 500);
    categorical/boolean: n, missing, frequencies; text: n, missing.

    Parameters
    ----------
    frame : pandas.DataFrame
        The training rows, already coerced to ``schema``.
    schema : skyclass.data.Schema
        Their schema.
    predictions : sequence
        The model's predicted label for each row.
    labels : sequence
        The class labels, in order.
    seed : int
        Seed of the value samples (default 0).

    Returns
    -------
    dict
        The reference: per-column statistics and samples, and the prediction shares.
    """
    rng = np.random.default_rng(seed)
    columns: dict[str, Any] = {}
    arrays = schema.to_arrays(frame)
    n_numeric = sum(c.kind in ("numeric", "datetime") for c in schema)
    sample_size = min(SAMPLE_SIZE, max(500, SAMPLE_TOTAL // max(n_numeric, 1)))
    for col in schema:
        series = frame[col.name]
        missing = int(series.isna().sum())
        entry: dict[str, Any] = {
            "kind": col.kind,
            "n": int(len(series) - missing),
            "missing": missing,
        }
        if col.kind in ("numeric", "datetime"):
            values = arrays[col.name]
            values = values[~np.isnan(values)]
            if len(values):
                sample = (
                    values
                    if len(values) <= sample_size
                    else rng.choice(values, sample_size, replace=False)
                )
                entry.update(
                    mean=float(values.mean()),
                    std=float(values.std()),
                    quantiles=[float(q) for q in np.quantile(values, np.linspace(0, 1, 11))],
                    sample=[float(f"{v:.7g}") for v in sample],
                )
            else:
                entry.update(mean=None, std=None, quantiles=[], sample=[])
        elif col.kind in ("categorical", "boolean"):
            counts = series.dropna().map(_category_key).value_counts()
            entry["frequencies"] = {str(k): int(v) for k, v in sorted(counts.items())}
        columns[col.name] = entry
    shares = pd.Series([json_scalar(p) for p in predictions], dtype=object).value_counts(
        normalize=True
    )
    return {
        "n_rows": int(len(frame)),
        "columns": columns,
        "predictions": {str(label): float(shares.get(label, 0.0)) for label in labels},
    }


def _category_key(value: Any) -> str:
    if isinstance(value, (bool, np.bool_)):
        return "true" if value else "false"
    return str(value)


def _golden_frame(frame: pd.DataFrame, seed: int) -> pd.DataFrame:
    rng = np.random.default_rng(seed)
    take = np.sort(rng.choice(len(frame), size=min(N_GOLDEN, len(frame)), replace=False))
    rows = frame.iloc[take].reset_index(drop=True)
    empty = {c: None for c in frame.columns}  # one all-missing row exercises imputation
    return pd.concat(
        [rows, frame.__class__([empty]).astype(frame.dtypes.to_dict())], ignore_index=True
    )


def _records(frame: pd.DataFrame, schema: Schema) -> list[dict[str, Any]]:
    out = []
    for i in range(len(frame)):
        row = {}
        for col in schema:
            value = frame[col.name].iloc[i]
            if (
                value is None
                or value is pd.NA
                or value is pd.NaT
                or (isinstance(value, float) and math.isnan(value))
            ):
                row[col.name] = None
            elif col.kind == "datetime":
                row[col.name] = pd.Timestamp(value).isoformat()
            else:
                row[col.name] = json_scalar(value)
        out.append(row)
    return out


def _fingerprint(frame: pd.DataFrame, schema: Schema) -> str:
    digest = hashlib.sha256()
    for name, values in schema.to_arrays(frame).items():
        digest.update(name.encode() + b"\0")
        if values.dtype == object:
            digest.update("\0".join(values.tolist()).encode())
        else:
            digest.update(np.ascontiguousarray(values).tobytes())
    return digest.hexdigest()


def _metric_text(value: Any) -> str:
    """``0.91``, or ``0.91 (95% CI 0.88 to 0.93)`` for ``{"value", "ci": [low, high]}``/``low``/``high``."""
    if not isinstance(value, Mapping):
        return f"{value:.4g}" if isinstance(value, float) else str(value)
    low, high = (value.get("ci") or [value.get("low"), value.get("high")])[:2]
    text = _metric_text(value.get("value", "see manifest.json"))
    if low is not None and high is not None:
        text += f" (95% CI {_metric_text(low)} to {_metric_text(high)})"
    return text


def _card(
    name: str,
    schema: Schema,
    labels: list[Any],
    target: str | None,
    model_type: str,
    n_rows: int,
    metrics: Mapping[str, Any],
    extra: str | None,
) -> str:
    lines = [
        f"# Model card: {name}",
        "",
        "## Intended use",
        f"Predicts `{target}` (one of {', '.join(map(str, labels))}) from {len(schema)} input columns. "
        "Use it on data like the training table; check the drift report before trusting it elsewhere.",
        "",
        "## Model",
        f"{model_type} on skyclass preprocessing (median imputation, standardisation, one-hot with rare "
        "grouping), exported to ONNX and checked on golden rows within 1e-5.",
        "",
        "## Data",
        f"{n_rows} training rows. Inputs:",
        "",
        "| column | kind | required |",
        "|---|---|---|",
        *[f"| {c.name} | {c.kind} | {'yes' if c.required else 'no'} |" for c in schema],
        "",
        "## Metrics",
    ]
    if metrics:
        lines += [f"- {k}: {_metric_text(v)}" for k, v in metrics.items()]
    else:
        lines.append("No metrics were recorded at packaging time.")
    lines += [
        "",
        "## Limitations",
        "- A category never seen in training is encoded as all zeros.",
        "- Values outside the training range are extrapolated, not refused.",
        "- Probabilities are only as calibrated as the training data allows.",
    ]
    if extra:
        lines += ["", extra.strip()]
    return "\n".join(lines) + "\n"

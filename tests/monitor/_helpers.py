"""Test helpers for monitoring: reference.json dicts in the bundle contract format, built here
so monitor tests don't depend on the bundle writer; and a prediction log writer (SQLite/JSONL)
with the serving contract's exact schema."""

from __future__ import annotations

import json
import sqlite3
from pathlib import Path

import numpy as np
import pandas as pd


def reference_from_frame(
    frame: pd.DataFrame, kinds: dict[str, str], *, predictions=None, seed: int = 0
) -> dict:
    """reference.json content for ``frame`` (numeric sample ≤ 5000 seeded values)."""
    rng = np.random.default_rng(seed)
    columns = {}
    for name, kind in kinds.items():
        col = frame[name]
        missing = int(col.isna().sum())
        present = col.dropna()
        if kind == "numeric":
            values = present.to_numpy(dtype=float)
            sample = values if values.size <= 5000 else rng.choice(values, 5000, replace=False)
            columns[name] = {
                "kind": "numeric",
                "n": int(len(col)),
                "missing": missing,
                "mean": float(values.mean()),
                "std": float(values.std()),
                "quantiles": np.quantile(values, np.linspace(0, 1, 11)).tolist(),
                "sample": sample.tolist(),
            }
        else:
            freq = present.astype(str).value_counts()
            columns[name] = {
                "kind": kind,
                "n": int(len(col)),
                "missing": missing,
                "frequencies": {str(k): int(v) for k, v in freq.items()},
            }
    out = {"n_rows": int(len(frame)), "columns": columns}
    if predictions is not None:
        shares = pd.Series(predictions).astype(str).value_counts(normalize=True)
        out["predictions"] = {str(k): float(v) for k, v in shares.items()}
    return out


def write_sqlite_log(path: Path, predictions: list[dict], feedback: list[dict]) -> Path:
    """A prediction log in the serving contract's SQLite schema."""
    con = sqlite3.connect(path)
    con.execute("PRAGMA journal_mode=WAL")
    con.execute(
        "CREATE TABLE IF NOT EXISTS predictions(id TEXT PRIMARY KEY, ts REAL, model_name TEXT, "
        "model_version TEXT, region TEXT, inputs TEXT, probabilities TEXT, label TEXT)"
    )
    con.execute("CREATE TABLE IF NOT EXISTS feedback(id TEXT, ts REAL, label TEXT)")
    con.executemany(
        "INSERT INTO predictions VALUES (?,?,?,?,?,?,?,?)",
        [
            (
                p["id"],
                p["ts"],
                p["model_name"],
                p["model_version"],
                p["region"],
                json.dumps(p["inputs"]),
                json.dumps(p["probabilities"]),
                json.dumps(p["label"]),
            )
            for p in predictions
        ],
    )
    con.executemany(
        "INSERT INTO feedback VALUES (?,?,?)",
        [(f["id"], f["ts"], json.dumps(f["label"])) for f in feedback],
    )
    con.commit()
    con.close()
    return path


def write_jsonl_log(path: Path, predictions: list[dict], feedback: list[dict]) -> Path:
    """A prediction log in the serving contract's JSON Lines format."""
    with open(path, "w") as fh:
        for p in predictions:
            fh.write(json.dumps({**p, "kind": "prediction"}) + "\n")
        for f in feedback:
            fh.write(json.dumps({**f, "kind": "feedback"}) + "\n")
    return path

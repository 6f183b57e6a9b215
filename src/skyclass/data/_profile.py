"""Explore a labelled table: class balance, missing values, summaries, mutual information.

Example:
    >>> import pandas as pd
    >>> from skyclass.data import profile
    >>> df = pd.DataFrame({"x": [1.0, 2.0, 3.0, 4.0], "c": list("abab"), "y": list("ppqq")})
    >>> p = profile(df, "y")
    >>> p["classes"], p["imbalance_ratio"]
    ({'p': 2, 'q': 2}, 1.0)
"""

from __future__ import annotations

import numpy as np
import pandas as pd
from sklearn.feature_selection import mutual_info_classif

__all__ = ["profile"]

_TOP = 5


def _plain(value):
    if isinstance(value, np.generic):
        return value.item()
    if isinstance(value, pd.Timestamp):
        return value.isoformat()
    return value


def _key(value) -> str:
    return str(_plain(value))


def _numeric_summary(values: pd.Series) -> dict:
    present = values.dropna().astype("float64")
    if present.empty:
        return {"count": 0}
    q = np.quantile(present.to_numpy(), [0.0, 0.25, 0.5, 0.75, 1.0])
    return {
        "count": int(present.size),
        "mean": float(present.mean()),
        "std": float(present.std(ddof=1)) if present.size > 1 else 0.0,
        "min": float(q[0]),
        "q25": float(q[1]),
        "median": float(q[2]),
        "q75": float(q[3]),
        "max": float(q[4]),
    }


def _category_summary(values: pd.Series) -> dict:
    counts = values.dropna().astype(str).value_counts()
    return {
        "n_unique": int(counts.size),
        "top": [[str(k), int(v)] for k, v in counts.head(_TOP).items()],
    }


def _mutual_information(
    frame: pd.DataFrame, target: str, numeric: list[str], seed: int, max_rows: int
) -> dict[str, float]:
    features = [c for c in frame.columns if c != target]
    if not features:
        return {}
    if len(frame) > max_rows:
        frame = frame.sample(n=max_rows, random_state=seed)
    columns, discrete = [], []
    for name in features:
        col = frame[name]
        if pd.api.types.is_datetime64_any_dtype(col):
            col = col.astype("int64").where(col.notna()) / 1e9  # seconds: continuous, not codes
        if name in numeric or pd.api.types.is_numeric_dtype(col):
            values = col.astype("float64")
            columns.append(values.fillna(values.median() if values.notna().any() else 0.0))
            discrete.append(False)
        else:
            codes, _ = pd.factorize(col.astype(str).where(col.notna(), "\x00missing"))
            columns.append(pd.Series(codes, index=col.index))
            discrete.append(True)
    X = np.column_stack([c.to_numpy(dtype="float64") for c in columns])
    y = pd.factorize(frame[target])[0]
    mi = mutual_info_classif(X, y, discrete_features=np.array(discrete), random_state=seed)
    pairs = sorted(zip(features, mi), key=lambda p: -p[1])
    return {name: float(value) for name, value in pairs}


def profile(frame: pd.DataFrame, target: str, *, seed: int = 0, max_rows: int = 20000) -> dict:
    """Summarise ``frame`` for the report; JSON-safe.

    Keys: ``n_rows``, ``n_features``, ``classes`` (label → count, largest first),
    ``imbalance_ratio`` (largest / smallest class), ``missing`` (column → share),
    ``numeric`` (column → mean/std/min/quartiles/max), ``categorical`` (column →
    distinct count and top 5), ``datetime`` (column → first and last ISO timestamp),
    ``mutual_information`` (column → nats, highest
    first; estimated on at most ``max_rows`` seeded rows).
    """
    counts = frame[target].value_counts()
    numeric = [
        c
        for c in frame.columns
        if c != target
        and (pd.api.types.is_numeric_dtype(frame[c]) and not pd.api.types.is_bool_dtype(frame[c]))
    ]
    dates = [c for c in frame.columns if pd.api.types.is_datetime64_any_dtype(frame[c])]
    categorical = [c for c in frame.columns if c != target and c not in numeric and c not in dates]
    return {
        "n_rows": int(len(frame)),
        "n_features": int(frame.shape[1] - 1),
        "classes": {_key(k): int(v) for k, v in counts.items()},
        "imbalance_ratio": float(counts.iloc[0] / counts.iloc[-1]),
        "missing": {c: float(frame[c].isna().mean()) for c in frame.columns if c != target},
        "numeric": {c: _numeric_summary(frame[c]) for c in numeric},
        "categorical": {c: _category_summary(frame[c]) for c in categorical},
        "datetime": {
            c: {"min": _plain(frame[c].min()), "max": _plain(frame[c].max())} for c in dates
        },
        "mutual_information": _mutual_information(frame, target, numeric, seed, max_rows),
    }

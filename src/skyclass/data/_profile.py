"""Explore a labelled table: class balance, missing values, summaries, feature ranking.

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
from sklearn.metrics import adjusted_mutual_info_score

from skyclass.data._leakage import feature_codes

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
    frame: pd.DataFrame, target: str, features: list[str], seed: int, max_rows: int
) -> dict[str, float]:
    """Adjusted mutual information of each feature with the target, highest first.

    Plain mutual information rewards cardinality: a random ID or a free-text column
    "explains" every row. AMI subtracts what chance alone gives for that many values
    and divides by the most it could be, so a feature scores near 0 unless it tells
    more about the target than a random column with as many values would; 1 means
    the feature determines the target. Numbers go into 20 quantile bins first.
    Values below 0 (less than chance) are reported as 0.
    """
    if not features:
        return {}
    if len(frame) > max_rows:
        frame = frame.sample(n=max_rows, random_state=seed)
    y = pd.factorize(frame[target])[0]
    scores = {
        name: max(0.0, float(adjusted_mutual_info_score(y, feature_codes(frame[name]))))
        for name in features
    }
    return dict(sorted(scores.items(), key=lambda p: -p[1]))


def profile(
    frame: pd.DataFrame,
    target: str,
    *,
    seed: int = 0,
    max_rows: int = 20000,
    features: list[str] | None = None,
) -> dict:
    """Summarise ``frame`` for the report; JSON-safe.

    Keys: ``n_rows``, ``n_features``, ``classes`` (label → count, largest first),
    ``imbalance_ratio`` (largest / smallest class), ``missing`` (column → share),
    ``numeric`` (column → mean/std/min/quartiles/max), ``categorical`` (column →
    distinct count and top 5), ``datetime`` (column → first and last ISO timestamp),
    ``mutual_information`` (column → adjusted mutual information in [0, 1], highest
    first; estimated on at most ``max_rows`` seeded rows; only the model's ``features``
    when given, so dropped columns are not ranked) and ``mutual_information_method``.

    Parameters
    ----------
    frame : DataFrame
        The validated table, features and target.
    target : str
        The target column.
    seed : int
        Seed of the row sample the mutual information is estimated on.
    max_rows : int
        At most this many rows are used for the mutual information.
    features : list of str, optional
        Rank only these columns (the model's features); default: every feature.

    Returns
    -------
    dict
        The keys above, JSON-safe.

    Example:
        >>> import pandas as pd
        >>> p = profile(pd.DataFrame({"x": [1.0, 2.0, 3.0, 4.0], "y": list("aabb")}), "y")
        >>> p["n_rows"], p["classes"], p["imbalance_ratio"]
        (4, {'a': 2, 'b': 2}, 1.0)
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
        "mutual_information": _mutual_information(
            frame,
            target,
            [c for c in frame.columns if c != target and (features is None or c in features)],
            seed,
            max_rows,
        ),
        "mutual_information_method": "adjusted mutual information (0: no more than chance, "
        "1: determines the target); numbers in 20 quantile bins",
    }

"""Small real bundles for tests: ``make_table`` and ``make_bundle``.

Other areas' tests may reuse them:

    from tests.bundle.factory import make_bundle, make_table
    path = make_bundle(tmp_path / "b", model="logreg")
"""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pandas as pd
from sklearn.ensemble import HistGradientBoostingClassifier, RandomForestClassifier
from sklearn.linear_model import LogisticRegression

from skyclass.data import infer_schema
from skyclass.pipeline import Preprocessor, package


def make_table(n: int = 300, seed: int = 0, n_classes: int = 3) -> pd.DataFrame:
    """A mixed table (numeric with gaps, integer, boolean, categorical with a rare value and
    gaps, datetime) with a target ``y`` that depends on several columns."""
    rng = np.random.default_rng(seed)
    df = pd.DataFrame(
        {
            "x": rng.normal(size=n),
            "k": rng.integers(0, 10, n),
            "flag": rng.random(n) > 0.5,
            "color": rng.choice(["red", "green", "blue", "mauve"], n, p=[0.5, 0.3, 0.19, 0.01]),
            "when": pd.to_datetime(rng.integers(1_500_000_000, 1_700_000_000, n), unit="s"),
        }
    )
    df.loc[::17, "x"] = np.nan
    df.loc[::13, "color"] = None
    score = df["x"].fillna(0) + (df["color"] == "red") + 0.3 * df["flag"]
    if n_classes == 2:
        df["y"] = np.where(score > 0.5, "yes", "no")
    else:
        df["y"] = np.where(score > 0.5, "a", np.where(df["k"] > 5, "b", "c"))
    return df


MODELS = {
    "logreg": lambda: LogisticRegression(max_iter=1000),
    "hgb": lambda: HistGradientBoostingClassifier(max_iter=15, random_state=0),
    "rf": lambda: RandomForestClassifier(n_estimators=8, max_depth=6, random_state=0),
}


def fit(df: pd.DataFrame, model: str | object = "logreg", min_frequency: int = 5):
    """(schema, preprocessor, fitted model) on ``df`` with target ``y``."""
    schema = infer_schema(df, target="y")
    pre = Preprocessor(schema, min_frequency=min_frequency).fit(df)
    estimator = MODELS[model]() if isinstance(model, str) else model
    estimator.fit(pre.transform(df), df["y"])
    return schema, pre, estimator


def make_bundle(
    out: Path,
    model: str | object = "logreg",
    n: int = 300,
    seed: int = 0,
    name: str = "demo",
    **package_kwargs,
) -> Path:
    """Train ``model`` on ``make_table(n, seed)`` and package it into ``out``."""
    df = make_table(n, seed)
    schema, pre, estimator = fit(df, model)
    return package(
        out,
        preprocessor=pre,
        model=estimator,
        schema=schema,
        labels=list(estimator.classes_),
        target="y",
        name=name,
        X_reference=df,
        **package_kwargs,
    )

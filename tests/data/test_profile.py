"""Profiling against numpy/pandas and scikit-learn's adjusted mutual information."""

import numpy as np
import pandas as pd
from sklearn.feature_selection import mutual_info_classif
from sklearn.metrics import adjusted_mutual_info_score

from skyclass.data import profile, validate
from tests.data.messy import make_messy


def test_profile_matches_pandas_and_sklearn():
    frame = validate(make_messy(), "segment").frame
    prof = profile(frame, "segment", seed=3)
    counts = frame["segment"].value_counts()
    assert prof["classes"] == {k: int(v) for k, v in counts.items()}
    assert prof["imbalance_ratio"] == counts.max() / counts.min()
    assert prof["missing"]["age"] == frame["age"].isna().mean()
    age = frame["age"].dropna()
    summary = prof["numeric"]["age"]
    assert summary["mean"] == age.mean() and summary["std"] == age.std()
    assert summary["median"] == np.median(age) and summary["q75"] == np.quantile(age, 0.75)
    top = frame["plan"].value_counts().head(5)
    assert prof["categorical"]["plan"]["top"] == [[k, int(v)] for k, v in top.items()]
    # adjusted mutual information: scikit-learn's number on the same codes (plan: categories
    # with missing as their own value; income: 20 quantile bins)
    y = pd.factorize(frame["segment"])[0]
    plan_codes = pd.factorize(frame["plan"].astype(str).where(frame["plan"].notna(), None))[0]
    assert np.isclose(prof["mutual_information"]["plan"], adjusted_mutual_info_score(y, plan_codes))
    income_bins = np.searchsorted(
        np.quantile(frame["income"], np.linspace(0, 1, 21)[1:-1]), frame["income"], side="right"
    )
    assert np.isclose(
        prof["mutual_information"]["income"], adjusted_mutual_info_score(y, income_bins)
    )
    assert list(prof["mutual_information"]) == sorted(
        prof["mutual_information"], key=lambda c: -prof["mutual_information"][c]
    )
    assert prof["mutual_information"]["income"] > prof["mutual_information"]["region"]
    assert "signup" not in prof["categorical"]
    assert prof["datetime"]["signup"] == {
        "min": frame["signup"].min().isoformat(),
        "max": frame["signup"].max().isoformat(),
    }


def test_ranking_does_not_reward_cardinality_and_skips_dropped_columns():
    rng = np.random.default_rng(0)
    n = 600
    y = rng.choice(list("abc"), n)
    frame = pd.DataFrame(
        {
            "row_id": [f"R{i:04d}" for i in range(n)],  # distinct on every row
            "ticket": [f"t{i % 300}" for i in range(n)],  # 300 values, unrelated to y
            "signal": np.where(y == "a", 1.0, 0.0) + rng.normal(size=n),
            "note": [f"free text {i}" for i in range(n)],
            "y": y,
        }
    )
    codes = pd.factorize(frame["y"])[0]
    plain = mutual_info_classif(
        np.column_stack([pd.factorize(frame[c])[0] for c in ("row_id", "ticket")]),
        codes,
        discrete_features=True,
        random_state=0,
    )
    assert plain.min() > 0.5  # plain MI ranks both far above any real feature
    ranked = profile(frame, "y", features=["row_id", "ticket", "signal"])["mutual_information"]
    assert list(ranked)[0] == "signal"
    assert ranked["signal"] > 0.02 and ranked["row_id"] < 1e-3 and ranked["ticket"] < 1e-3
    assert "note" not in ranked

"""Profiling against numpy/pandas and scikit-learn's mutual information."""

import numpy as np
import pandas as pd
from sklearn.feature_selection import mutual_info_classif

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
    # mutual information: the same numbers as scikit-learn on the same encoding
    income = frame["income"].to_numpy()
    plan_codes = pd.factorize(
        frame["plan"].astype(str).where(frame["plan"].notna(), "\x00missing")
    )[0]
    y = pd.factorize(frame["segment"])[0]
    expected = mutual_info_classif(
        np.column_stack([income, plan_codes]),
        y,
        discrete_features=np.array([False, True]),
        random_state=3,
    )
    # scikit-learn's estimate for a column does not depend on the other columns
    assert np.isclose(prof["mutual_information"]["plan"], expected[1])
    assert list(prof["mutual_information"]) == sorted(
        prof["mutual_information"], key=lambda c: -prof["mutual_information"][c]
    )
    assert prof["mutual_information"]["income"] > prof["mutual_information"]["region"]
    assert "signup" not in prof["categorical"]
    assert prof["datetime"]["signup"] == {
        "min": frame["signup"].min().isoformat(),
        "max": frame["signup"].max().isoformat(),
    }

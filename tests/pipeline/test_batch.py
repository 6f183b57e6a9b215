"""Batch scoring: the Arrow fast path gives the same answers as the fully checked path."""

import numpy as np
import pandas as pd
import pytest

from skyclass.bundle import load
from skyclass.data import infer_schema
from skyclass.errors import InputError
from skyclass.linear import LogisticRegression
from skyclass.pipeline import Preprocessor, package, predict_file


def _table(n: int, seed: int, with_date: bool) -> pd.DataFrame:
    rng = np.random.default_rng(seed)
    frame = pd.DataFrame(
        {
            "x": rng.normal(size=n),
            "k": rng.integers(0, 5, n),
            "c": rng.choice(["u", "v", "w"], n),
            "code": rng.choice([10, 20, 30], n).astype(str),
        }
    )
    if with_date:
        frame["when"] = pd.Timestamp("2024-01-01") + pd.to_timedelta(
            rng.integers(0, 90, n), unit="D"
        )
    frame["y"] = np.where(frame["x"] + (frame["c"] == "u") > 0.3, "hi", "lo")
    frame.loc[rng.choice(n, n // 10, replace=False), "x"] = np.nan
    frame.loc[rng.choice(n, n // 10, replace=False), "c"] = None
    return frame


@pytest.mark.parametrize("with_date", [False, True])
def test_predict_file_equals_bundle_predict(tmp_path, with_date):
    train = _table(400, 0, with_date)
    X, y = train.drop(columns="y"), train["y"]
    schema = infer_schema(X)
    pre = Preprocessor(schema).fit(X)
    model = LogisticRegression().fit(pre.transform(X), y)
    bundle_dir = package(
        tmp_path / "b",
        preprocessor=pre,
        model=model,
        schema=schema,
        labels=list(model.classes_),
        target="y",
        name="t",
        X_reference=X,
    )
    data = _table(1000, 1, with_date).drop(columns="y")
    source = tmp_path / "data.csv"
    data.to_csv(source, index=False)
    rows = predict_file(bundle_dir, source, tmp_path / "p.csv", chunk_rows=300, keep=["k"])
    assert rows == 1000
    out = pd.read_csv(tmp_path / "p.csv")
    bundle = load(bundle_dir)
    expected = bundle.predict_proba(pd.read_csv(source))
    assert np.allclose(out[["proba_hi", "proba_lo"]].to_numpy(), expected, atol=1e-6)
    assert (out["label"].to_numpy() == bundle.decide(expected)).all()
    assert out["k"].tolist() == data["k"].tolist()
    # the in-memory model agrees with the shipped graph on every row
    frame = pd.read_csv(source)
    if with_date:
        frame["when"] = pd.to_datetime(frame["when"])
    assert np.allclose(model.predict_proba(pre.transform(frame)), expected, atol=1e-5)
    bad = tmp_path / "bad.csv"
    data.drop(columns="k").to_csv(bad, index=False)  # required: it had no missing values
    with pytest.raises(InputError, match="'k'"):
        predict_file(bundle_dir, bad, tmp_path / "q.csv")
    assert not (tmp_path / "q.csv").exists()

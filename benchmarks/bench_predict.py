"""Batch scoring throughput: ``skyclass predict`` (streamed CSV → CSV through the bundle's ONNX
graph) against a scikit-learn pipeline's ``predict_proba`` on the same rows.

A 20-column table (16 numeric, 4 categorical, 5% missing), 3 classes, a logistic model.
Ours: ``predict_file`` (read in chunks, schema checks, ONNX, labels + probabilities to CSV).
Peer: ``pandas.read_csv`` → fitted sklearn Pipeline (impute, scale, one-hot, LogisticRegression)
``predict_proba`` + ``predict`` → ``DataFrame.to_csv``. Also prints the in-memory times.
Prints ``predict_batch: ratio=X.XX (ours A s vs peer B s)``; ratio > 1 = we are faster.

Run: python benchmarks/bench_predict.py [--rows 500000]
"""

import argparse
import tempfile
import time
from pathlib import Path

import numpy as np
import pandas as pd
from sklearn.compose import ColumnTransformer
from sklearn.impute import SimpleImputer
from sklearn.linear_model import LogisticRegression as SkLogisticRegression
from sklearn.pipeline import make_pipeline
from sklearn.preprocessing import OneHotEncoder, StandardScaler

from skyclass.bundle import load
from skyclass.data import infer_schema
from skyclass.linear import LogisticRegression
from skyclass.pipeline import Preprocessor, package, predict_file


def make_table(rows: int, seed: int = 0) -> pd.DataFrame:
    rng = np.random.default_rng(seed)
    frame = pd.DataFrame(rng.normal(size=(rows, 16)), columns=[f"x{i}" for i in range(16)])
    for j in range(4):
        frame[f"c{j}"] = np.array(list("abcdef"))[rng.integers(0, 6, rows)]
    logits = frame[["x0", "x1", "x2"]].to_numpy() + (frame["c0"] == "a").to_numpy()[:, None]
    frame["label"] = np.array(["red", "green", "blue"])[
        np.argmax(logits + rng.gumbel(size=(rows, 3)), 1)
    ]
    return frame.mask(rng.random(frame.shape) < 0.05).assign(label=frame["label"])


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--rows", type=int, default=500_000)
    args = parser.parse_args()
    train = make_table(20_000, seed=1)
    X_train, y_train = train.drop(columns="label"), train["label"]
    data = make_table(args.rows, seed=2).drop(columns="label")
    with tempfile.TemporaryDirectory() as tmp:
        tmp = Path(tmp)
        schema = infer_schema(X_train)
        pre = Preprocessor(schema).fit(X_train)
        model = LogisticRegression().fit(pre.transform(X_train), y_train)
        bundle_dir = package(
            tmp / "bundle",
            preprocessor=pre,
            model=model,
            schema=schema,
            labels=list(model.classes_),
            target="label",
            name="bench",
            X_reference=X_train,
        )
        numeric = [c for c in X_train if c.startswith("x")]
        categorical = [c for c in X_train if c.startswith("c")]
        peer = make_pipeline(
            ColumnTransformer(
                [
                    (
                        "num",
                        make_pipeline(SimpleImputer(strategy="median"), StandardScaler()),
                        numeric,
                    ),
                    (
                        "cat",
                        make_pipeline(
                            SimpleImputer(strategy="constant", fill_value=""),
                            OneHotEncoder(handle_unknown="ignore"),
                        ),
                        categorical,
                    ),
                ]
            ),
            SkLogisticRegression(),
        ).fit(X_train, y_train)
        source = tmp / "data.csv"
        data.to_csv(source, index=False)

        start = time.perf_counter()
        rows = predict_file(bundle_dir, source, tmp / "ours.csv")
        ours = time.perf_counter() - start

        start = time.perf_counter()
        frame = pd.read_csv(source)
        proba = peer.predict_proba(frame)
        out = pd.DataFrame(proba, columns=[f"proba_{c}" for c in peer.classes_])
        out.insert(0, "label", peer.classes_[proba.argmax(1)])
        out.to_csv(tmp / "peer.csv", index=False)
        theirs = time.perf_counter() - start

        bundle = load(bundle_dir)
        start = time.perf_counter()
        bundle.predict_proba(frame)
        ours_mem = time.perf_counter() - start
        start = time.perf_counter()
        peer.predict_proba(frame)
        peer_mem = time.perf_counter() - start
        agree = (pd.read_csv(tmp / "ours.csv")["label"] == out["label"]).mean()
    print(f"rows={rows} columns=20 ours={rows / ours:,.0f} rows/s peer={rows / theirs:,.0f} rows/s")
    print(
        f"in memory: ours {ours_mem:.2f} s ({rows / ours_mem:,.0f} rows/s) vs sklearn predict_proba {peer_mem:.2f} s"
    )
    print(f"labels agreeing with the sklearn pipeline: {agree:.4f}")
    print(f"predict_batch: ratio={theirs / ours:.2f} (ours {ours:.2f} s vs peer {theirs:.2f} s)")


if __name__ == "__main__":
    main()

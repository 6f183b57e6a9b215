"""A full ``skyclass train`` on a 100,000-row x 30-column table within its default 5-minute budget.

Peer: the hand-written scikit-learn baseline a data scientist would start from
(ColumnTransformer preprocessing, then 5-fold CV of LogisticRegression and
HistGradientBoostingClassifier, refit the better one, score the test split),
both sides with the same native thread limit (--threads, default 1),
with no tuning, decision rule, intervals, interpretation, bundle or report.
Prints ``train_100k: ratio=X.XX (ours A s vs peer B s)``; ratio > 1 = we are faster.

Run: python benchmarks/bench_train.py [--rows 100000] [--budget 300]
"""

import argparse
import tempfile
import time
from pathlib import Path

import numpy as np
import pandas as pd
from rich.console import Console
from sklearn.compose import ColumnTransformer
from sklearn.ensemble import HistGradientBoostingClassifier
from sklearn.impute import SimpleImputer
from sklearn.linear_model import LogisticRegression
from sklearn.metrics import accuracy_score
from sklearn.model_selection import cross_val_score, train_test_split
from sklearn.pipeline import make_pipeline
from sklearn.preprocessing import OneHotEncoder, StandardScaler
from threadpoolctl import threadpool_limits

import skyclass


def make_table(rows: int, seed: int = 0) -> pd.DataFrame:
    """24 numeric + 6 categorical columns, 5% missing, 4 unbalanced classes."""
    rng = np.random.default_rng(seed)
    numeric = rng.normal(size=(rows, 24))
    cats = rng.integers(0, 8, size=(rows, 6))
    logits = numeric[:, :4] @ rng.normal(size=(4, 4)) + (cats[:, :2] == 3) @ rng.normal(size=(2, 4))
    logits += np.array([1.0, 0.5, 0.0, -1.0])
    y = np.array(["alpha", "beta", "gamma", "delta"])[
        np.argmax(logits + rng.gumbel(size=(rows, 4)), axis=1)
    ]
    frame = pd.DataFrame(numeric, columns=[f"num_{i}" for i in range(24)])
    for j in range(6):
        frame[f"cat_{j}"] = np.array(list("abcdefgh"))[cats[:, j]]
    mask = rng.random(frame.shape) < 0.05
    frame = frame.mask(mask)
    frame["label"] = y
    return frame


def peer(frame: pd.DataFrame) -> float:
    X, y = frame.drop(columns="label"), frame["label"]
    X_train, X_test, y_train, y_test = train_test_split(
        X, y, test_size=0.2, stratify=y, random_state=0
    )
    numeric = [c for c in X if c.startswith("num_")]
    categorical = [c for c in X if c.startswith("cat_")]
    pre = ColumnTransformer(
        [
            ("num", make_pipeline(SimpleImputer(strategy="median"), StandardScaler()), numeric),
            (
                "cat",
                make_pipeline(
                    SimpleImputer(strategy="constant", fill_value=""),
                    OneHotEncoder(handle_unknown="ignore"),
                ),
                categorical,
            ),
        ]
    )
    models = [LogisticRegression(max_iter=300), HistGradientBoostingClassifier(random_state=0)]
    scores = [
        cross_val_score(make_pipeline(pre, m), X_train, y_train, cv=5, scoring="f1_macro").mean()
        for m in models
    ]
    best = make_pipeline(pre, models[int(np.argmax(scores))]).fit(X_train, y_train)
    return accuracy_score(y_test, best.predict(X_test))


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--rows", type=int, default=100_000)
    parser.add_argument("--budget", type=float, default=300.0)
    parser.add_argument(
        "--threads",
        type=int,
        default=1,
        help="native (OpenMP/BLAS) threads for both sides; on a shared, busy machine more "
        "threads than free cores stall scikit-learn's histogram boosting",
    )
    args = parser.parse_args()
    threadpool_limits(limits=args.threads)  # for the rest of the process, both sides
    frame = make_table(args.rows)
    with tempfile.TemporaryDirectory() as tmp:
        path = Path(tmp) / "table.parquet"
        frame.to_parquet(path)
        start = time.perf_counter()
        result = skyclass.train(
            path,
            "label",
            out=Path(tmp) / "out",
            time_budget=args.budget,
            console=Console(stderr=True),
        )
        ours = time.perf_counter() - start
    start = time.perf_counter()
    peer_accuracy = peer(frame)
    theirs = time.perf_counter() - start
    print(
        f"rows={args.rows} columns={frame.shape[1] - 1} budget={args.budget:.0f}s within_budget={ours <= args.budget}"
    )
    print(
        f"ours: winner={result.winner} metric={result.metric} test accuracy={result.evaluation.accuracy:.4f}"
    )
    print(f"peer: test accuracy={peer_accuracy:.4f}")
    print(f"train_100k: ratio={theirs / ours:.2f} (ours {ours:.1f} s vs peer {theirs:.1f} s)")


if __name__ == "__main__":
    main()

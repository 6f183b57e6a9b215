"""FLAML AutoML on one train/test split, run with the Python of its own venv.

    .tools/flaml-venv/bin/python benchmarks/flaml_peer.py TRAIN.csv TEST.csv TARGET BUDGET SEED OUT.json

Fits ``flaml.AutoML(task="classification", time_budget=BUDGET, seed=SEED)`` with its
default metric and estimators on TRAIN (object columns as pandas categories), then
writes ``{"classes": [...], "proba": [[...]], "seconds": s, "best_estimator": name}``
for the TEST rows to OUT.json. Used by bench_quality.py.
"""

import json
import sys
import time

import pandas as pd
from flaml import AutoML


def _frames(train_path: str, test_path: str, target: str):
    train, test = pd.read_csv(train_path), pd.read_csv(test_path)
    X_train, y_train = train.drop(columns=[target]), train[target].astype(str)
    X_test = test.drop(columns=[target])
    for column in X_train:
        if not pd.api.types.is_numeric_dtype(X_train[column]):
            categories = sorted(X_train[column].dropna().unique())
            X_train[column] = pd.Categorical(X_train[column], categories=categories)
            X_test[column] = pd.Categorical(X_test[column], categories=categories)
    return X_train, y_train, X_test


def main() -> None:
    train_path, test_path, target, budget, seed, out = sys.argv[1:7]
    X_train, y_train, X_test = _frames(train_path, test_path, target)
    automl = AutoML()
    start = time.perf_counter()
    automl.fit(
        X_train,
        y_train,
        task="classification",
        time_budget=float(budget),
        seed=int(seed),
        verbose=0,
    )
    seconds = time.perf_counter() - start
    proba = automl.predict_proba(X_test)
    with open(out, "w") as fh:
        json.dump(
            {
                "classes": [str(c) for c in automl.classes_],
                "proba": proba.tolist(),
                "seconds": seconds,
                "best_estimator": automl.best_estimator,
            },
            fh,
        )


if __name__ == "__main__":
    main()

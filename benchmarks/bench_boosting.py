"""Does LightGBM earn a place next to the ``hgb`` candidate? Default settings, 5-fold CV.

Runs with the FLAML venv's Python (it has LightGBM and scikit-learn; bench_quality.py
creates it): ``.tools/flaml-venv/bin/python benchmarks/bench_boosting.py``.
On each table of ``benchmarks/data/`` it cross-validates scikit-learn's
HistGradientBoostingClassifier with our candidate's defaults (early stopping on 10%)
and LGBMClassifier with its defaults (categories as pandas categories for both), and
prints mean log loss, accuracy and fit seconds. Last line:
``boosting: ratio=X.XX (hgb log loss A vs lightgbm B)``: mean LightGBM log loss / mean
hgb log loss (> 1: hgb's probabilities are better). Noisy on a shared machine.
"""

import argparse
import time
from pathlib import Path

import lightgbm
import numpy as np
import pandas as pd
from sklearn.ensemble import HistGradientBoostingClassifier
from sklearn.metrics import accuracy_score, log_loss
from sklearn.model_selection import StratifiedKFold

DATA = Path(__file__).resolve().parent / "data"
TABLES = {
    "olive": ("olive.csv", "area"),
    "beps": ("beps.csv", "vote"),
    "chile": ("chile.csv", "vote"),
    "hpc_data": ("hpc_data.csv", "class"),
    "wvs": ("wvs.csv", "poverty"),
    "diamonds": ("diamonds.csv.gz", "cut"),
}


def models():
    hgb = HistGradientBoostingClassifier(
        max_iter=500,
        early_stopping=True,
        validation_fraction=0.1,
        n_iter_no_change=10,
        random_state=0,
    )
    lgbm = lightgbm.LGBMClassifier(random_state=0, verbose=-1, n_jobs=1)
    return {"hgb": hgb, "lightgbm": lgbm}


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--tables", default=",".join(TABLES))
    args = parser.parse_args()
    totals = {"hgb": [], "lightgbm": []}
    for table in args.tables.split(","):
        file, target = TABLES[table]
        frame = pd.read_csv(DATA / file).dropna(subset=[target])
        y = pd.factorize(frame[target], sort=True)[0]
        X = frame.drop(columns=[target])
        for column in X:
            if not pd.api.types.is_numeric_dtype(X[column]):
                X[column] = X[column].astype("category")
        scores = {name: [] for name in totals}
        for train, val in StratifiedKFold(5, shuffle=True, random_state=0).split(X, y):
            for name, model in models().items():
                start = time.perf_counter()
                model.fit(X.iloc[train], y[train])
                seconds = time.perf_counter() - start
                proba = model.predict_proba(X.iloc[val])
                scores[name].append(
                    (
                        log_loss(y[val], proba, labels=np.unique(y)),
                        accuracy_score(y[val], proba.argmax(1)),
                        seconds,
                    )
                )
        for name, rows in scores.items():
            loss, acc, sec = np.mean(rows, axis=0)
            totals[name].append(loss)
            print(f"{table:<9} {name:<9} log loss {loss:.4f}  accuracy {acc:.4f}  fit {sec:.2f} s")
    hgb, lgbm = np.mean(totals["hgb"]), np.mean(totals["lightgbm"])
    print(f"boosting: ratio={lgbm / hgb:.2f} (hgb log loss {hgb:.4f} vs lightgbm {lgbm:.4f})")


if __name__ == "__main__":
    main()

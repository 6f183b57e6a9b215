"""Model quality of ``skyclass train`` against what users would pick instead, on real tables.

Tables: ``benchmarks/data/`` (six real multiclass tables from R packages, see its README).
For each table and seed, one stratified 80/20 split (seeded) is shared by every contender:

- ours: ``skyclass.train`` on the training part with ``--time-budget`` (default 60 s) and
  every other option at its default; the shipped bundle scores the test part (its
  probabilities, and its labels with the shipped decision rule);
- FLAML AutoML with the same time budget and its default metric and estimators, in its
  own venv (``.tools/flaml-venv``, created here with ``pip install flaml[automl]``);
- a default scikit-learn LogisticRegression pipeline (median imputation + scaling,
  one-hot categories);
- default HistGradientBoostingClassifier (categories native, from the pandas dtype);
- the class prior (training class shares for every row), as the floor.

Per table it prints the mean over seeds of accuracy, log loss and *our* selection metric
(what ``--metric auto`` picked) for every contender, our wall time, and whether we are
within 0.015 of the best contender on the selection metric and 0.03 on log loss, and not
worse than the prior on log loss. The last line is
``quality: ratio=X.XX (...)``: mean over tables of our accuracy / the best peer's accuracy,
then the same for log loss (best peer / ours, so > 1 = ours better).

Numbers measured on a shared, busy 2-core machine are noisy (FLAML's and our search both
depend on how many trials fit in the budget).

Run: python benchmarks/bench_quality.py [--budget 60] [--seeds 3] [--tables olive,beps] [--json F]
Combine runs split by table: python benchmarks/bench_quality.py --from-json a.json b.json
"""

from __future__ import annotations

import argparse
import json
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import numpy as np
import pandas as pd
from rich.console import Console
from sklearn import metrics as skm
from sklearn.compose import ColumnTransformer
from sklearn.ensemble import HistGradientBoostingClassifier
from sklearn.impute import SimpleImputer
from sklearn.linear_model import LogisticRegression
from sklearn.model_selection import train_test_split
from sklearn.pipeline import make_pipeline
from sklearn.preprocessing import OneHotEncoder, StandardScaler

import skyclass
from skyclass.bundle import load

ROOT = Path(__file__).resolve().parent
DATA = ROOT / "data"
VENV = ROOT.parent / ".tools" / "flaml-venv"
TABLES = {
    "olive": ("olive.csv", "area"),
    "beps": ("beps.csv", "vote"),
    "chile": ("chile.csv", "vote"),
    "hpc_data": ("hpc_data.csv", "class"),
    "wvs": ("wvs.csv", "poverty"),
    "diamonds": ("diamonds.csv.gz", "cut"),
}
PEERS = ("flaml", "logreg", "hgb")


def flaml_python() -> Path:
    """The FLAML venv's Python, creating the venv on first use."""
    python = VENV / "bin" / "python"
    if not python.exists():
        subprocess.run([sys.executable, "-m", "venv", str(VENV)], check=True)
        subprocess.run(
            [str(VENV / "bin" / "pip"), "install", "--quiet", "flaml[automl]"], check=True
        )
    return python


def score(name: str, y_true, y_pred, proba, classes) -> float:
    """Our selection metric (a scikit-learn scorer name) on labels / probabilities."""
    if name in ("roc_auc", "roc_auc_ovr"):
        return skm.roc_auc_score(y_true, proba, multi_class="ovr", labels=classes)
    if name == "log_loss":
        return skm.log_loss(y_true, proba, labels=classes)
    functions = {
        "accuracy": skm.accuracy_score,
        "balanced_accuracy": skm.balanced_accuracy_score,
        "f1_macro": lambda t, p: skm.f1_score(t, p, average="macro"),
        "f1_weighted": lambda t, p: skm.f1_score(t, p, average="weighted"),
        "recall_macro": lambda t, p: skm.recall_score(t, p, average="macro"),
        "precision_macro": lambda t, p: skm.precision_score(t, p, average="macro", zero_division=0),
        "matthews_corrcoef": skm.matthews_corrcoef,
    }
    return float(functions[name](y_true, y_pred))


def _pipeline_peer(kind: str, train: pd.DataFrame, test: pd.DataFrame, target: str):
    X_train, y_train = train.drop(columns=[target]), train[target]
    X_test = test.drop(columns=[target])
    categorical = [c for c in X_train if not pd.api.types.is_numeric_dtype(X_train[c])]
    numeric = [c for c in X_train if c not in categorical]
    if kind == "logreg":
        pre = ColumnTransformer(
            [
                ("num", make_pipeline(SimpleImputer(strategy="median"), StandardScaler()), numeric),
                (
                    "cat",
                    make_pipeline(
                        SimpleImputer(strategy="constant", fill_value="missing"),
                        OneHotEncoder(handle_unknown="ignore"),
                    ),
                    categorical,
                ),
            ]
        )
        model = make_pipeline(pre, LogisticRegression(max_iter=1000)).fit(X_train, y_train)
        return model.classes_.tolist(), model.predict_proba(X_test)
    for column in categorical:
        cats = sorted(X_train[column].dropna().unique())
        X_train[column] = pd.Categorical(X_train[column], categories=cats)
        X_test[column] = pd.Categorical(X_test[column], categories=cats)
    model = HistGradientBoostingClassifier(random_state=0).fit(X_train, y_train)
    return model.classes_.tolist(), model.predict_proba(X_test)


def _flaml(train_csv: Path, test_csv: Path, target: str, budget: float, seed: int, tmp: Path):
    out = tmp / "flaml.json"
    subprocess.run(
        [
            str(flaml_python()),
            str(ROOT / "flaml_peer.py"),
            str(train_csv),
            str(test_csv),
            target,
            str(budget),
            str(seed),
            str(out),
        ],
        check=True,
    )
    got = json.loads(out.read_text())
    return got["classes"], np.asarray(got["proba"])


def one_split(table: str, seed: int, budget: float, peers: tuple[str, ...]) -> dict:
    """Every contender's test accuracy, log loss and our selection metric on one split."""
    file, target = TABLES[table]
    frame = pd.read_csv(DATA / file).dropna(subset=[target])
    frame[target] = frame[target].astype(str)
    train, test = train_test_split(frame, test_size=0.2, stratify=frame[target], random_state=seed)
    classes = sorted(frame[target].unique())
    y_test = test[target].to_numpy()
    rows: dict[str, dict] = {}
    with tempfile.TemporaryDirectory() as tmp:
        tmp = Path(tmp)
        start = time.perf_counter()
        result = skyclass.train(
            train.reset_index(drop=True),
            target,
            out=tmp / "out",
            time_budget=budget,
            seed=seed,
            console=Console(quiet=True),
        )
        wall = time.perf_counter() - start
        bundle = load(result.bundle_path)
        X_test = test.drop(columns=[target])
        proba = bundle.predict_proba(X_test).astype(float)
        order = [bundle.labels.index(c) for c in classes]
        metric = result.metric
        rows["skyclass"] = _measure(
            metric, y_test, bundle.predict(X_test).astype(str), proba[:, order], classes
        )
        rows["skyclass"].update(wall=wall, winner=result.winner)
        train_csv, test_csv = tmp / "train.csv", tmp / "test.csv"
        train.to_csv(train_csv, index=False)
        test.to_csv(test_csv, index=False)
        for peer in peers:
            if peer == "flaml":
                got_classes, got = _flaml(train_csv, test_csv, target, budget, seed, tmp)
            else:
                got_classes, got = _pipeline_peer(peer, train.copy(), test.copy(), target)
            got = got[:, [got_classes.index(c) for c in classes]]
            rows[peer] = _measure(metric, y_test, np.asarray(classes)[got.argmax(1)], got, classes)
    shares = train[target].value_counts(normalize=True)
    prior = np.tile([shares.get(c, 0.0) for c in classes], (len(test), 1))
    rows["prior"] = _measure(metric, y_test, np.asarray(classes)[prior.argmax(1)], prior, classes)
    return {"metric": metric, "rows": rows}


def _measure(metric, y_true, y_pred, proba, classes) -> dict:
    proba = np.clip(proba, 1e-15, 1)
    proba = proba / proba.sum(axis=1, keepdims=True)
    return {
        "accuracy": skm.accuracy_score(y_true, y_pred),
        "log_loss": skm.log_loss(y_true, proba, labels=classes),
        "selection": score(metric, y_true, y_pred, proba, classes),
    }


def summarise(everything: dict, budget: float, peers: tuple[str, ...]) -> None:
    """Print the per-table means over seeds, the targets met, and the final ``quality:`` line."""
    contenders = ("skyclass", *peers, "prior")
    acc_ratios, loss_ratios, ours_acc, best_acc, ours_loss, best_loss = [], [], [], [], [], []
    met_all = True
    for table, runs in everything.items():
        metric = runs[0]["metric"]
        mean = {
            c: {
                k: float(np.mean([r["rows"][c][k] for r in runs]))
                for k in ("accuracy", "log_loss", "selection")
            }
            for c in contenders
        }
        walls = [r["rows"]["skyclass"]["wall"] for r in runs]
        winners = ",".join(r["rows"]["skyclass"]["winner"] for r in runs)
        print(
            f"\n{table} ({len(runs)} seeds; selection metric {metric}; ours: {winners}; wall "
            f"{min(walls):.0f}-{max(walls):.0f} s for a {budget:.0f} s budget)"
        )
        print(f"  {'contender':<10} {'accuracy':>9} {'log_loss':>9} {metric:>18}  per seed")
        for c in contenders:
            m = mean[c]
            seeds = " ".join(f"{r['rows'][c]['selection']:.3f}" for r in runs)
            print(
                f"  {c:<10} {m['accuracy']:9.4f} {m['log_loss']:9.4f} {m['selection']:18.4f}  {seeds}"
            )
        best_sel = max(mean[p]["selection"] for p in peers) if metric != "log_loss" else None
        peer_acc = max(mean[p]["accuracy"] for p in peers)
        peer_loss = min(mean[p]["log_loss"] for p in peers)
        ours = mean["skyclass"]
        sel_ok = best_sel is None or ours["selection"] >= best_sel - 0.015
        loss_ok = ours["log_loss"] <= peer_loss + 0.03
        prior_ok = ours["log_loss"] <= mean["prior"]["log_loss"]
        budget_ok = max(walls) <= 1.1 * budget + 5
        met_all &= sel_ok and loss_ok and prior_ok
        print(
            f"  within 0.015 on {metric}: {sel_ok}; within 0.03 on log loss: {loss_ok}; "
            f"log loss below the prior: {prior_ok}; wall <= 1.1 x budget + 5 s: {budget_ok}"
        )
        acc_ratios.append(ours["accuracy"] / peer_acc)
        loss_ratios.append(peer_loss / ours["log_loss"])
        ours_acc.append(ours["accuracy"])
        best_acc.append(peer_acc)
        ours_loss.append(ours["log_loss"])
        best_loss.append(peer_loss)
    print(f"\nall tables meet the targets: {met_all}")
    print(
        f"quality: ratio={np.mean(acc_ratios):.2f} (ours mean accuracy {np.mean(ours_acc):.4f} vs "
        f"best peer {np.mean(best_acc):.4f}; log loss ratio={np.mean(loss_ratios):.2f}, ours "
        f"{np.mean(ours_loss):.4f} vs best peer {np.mean(best_loss):.4f})"
    )


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--budget", type=float, default=60.0)
    parser.add_argument("--seeds", type=int, default=3)
    parser.add_argument("--tables", default=",".join(TABLES))
    parser.add_argument("--no-flaml", action="store_true", help="skip FLAML (quick checks)")
    parser.add_argument("--json", type=Path, help="also write every measurement here")
    parser.add_argument(
        "--from-json",
        type=Path,
        nargs="+",
        help="measure nothing: summarise the --json files of earlier runs (e.g. split by --tables)",
    )
    args = parser.parse_args()
    peers = tuple(p for p in PEERS if not (args.no_flaml and p == "flaml"))
    if args.from_json:
        everything = {}
        for path in args.from_json:
            everything.update(json.loads(path.read_text()))
        rows = next(iter(everything.values()))[0]["rows"]
        summarise(everything, args.budget, tuple(p for p in PEERS if p in rows))
        return
    everything = {}
    for table in args.tables.split(","):
        everything[table] = [
            one_split(table, seed, args.budget, peers) for seed in range(args.seeds)
        ]
        if args.json:  # after every table, so a long run that is stopped keeps what it did
            args.json.write_text(json.dumps(everything, indent=2, default=float))
    summarise(everything, args.budget, peers)


if __name__ == "__main__":
    main()

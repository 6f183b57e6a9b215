"""Benchmark: ``skyclass.metrics.evaluate`` vs the scikit-learn calls giving the same numbers.

n = 1,000,000 rows, k = 10 classes, Dirichlet(1) probabilities, labels drawn from them.
Peer: the usual scikit-learn set (confusion matrix, precision/recall/F1, classification
report, OvR and OvO ROC AUC, macro average precision, log loss, MCC, balanced accuracy).
``evaluate`` computes all of these and more (specificity, kappa, top-k, Brier, ECE, curves).

Ours is the median of 3 runs, scikit-learn one run (it takes over ten times longer, so
it averages the machine's load itself).

Run: ``python benchmarks/bench_metrics.py [--n N] [--k K]``. The last line is
``metrics_evaluate: ratio=X.XX (skyclass A s vs scikit-learn B s)``; ratio > 1 = faster.
"""

from __future__ import annotations

import argparse
import os
import time
import tracemalloc
import warnings

import numpy as np
from sklearn import metrics as skm

from skyclass.metrics import evaluate


def make_data(n: int, k: int, seed: int = 0) -> tuple[np.ndarray, np.ndarray]:
    rng = np.random.default_rng(seed)
    proba = rng.dirichlet(np.ones(k), size=n)
    u = rng.random(n)[:, None]
    y = (np.cumsum(proba, axis=1) < u).sum(axis=1).clip(0, k - 1)
    return y, proba


def sklearn_set(y: np.ndarray, proba: np.ndarray) -> dict:
    pred = proba.argmax(axis=1)
    out = {"confusion_matrix": skm.confusion_matrix(y, pred)}
    for avg in (None, "macro", "weighted", "micro"):
        out[f"prf_{avg}"] = skm.precision_recall_fscore_support(y, pred, average=avg)
    out["report"] = skm.classification_report(y, pred, output_dict=True)
    for mc in ("ovr", "ovo"):
        for avg in ("macro", "weighted"):
            out[f"auc_{mc}_{avg}"] = skm.roc_auc_score(y, proba, multi_class=mc, average=avg)
    out["ap_macro"] = skm.average_precision_score(y, proba, average="macro")
    out["log_loss"] = skm.log_loss(y, proba)
    out["mcc"] = skm.matthews_corrcoef(y, pred)
    out["balanced_accuracy"] = skm.balanced_accuracy_score(y, pred)
    return out


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--n", type=int, default=1_000_000)
    parser.add_argument("--k", type=int, default=10)
    args = parser.parse_args()
    y, proba = make_data(args.n, args.k)
    print(f"n={args.n} k={args.k} proba={proba.nbytes / 1e6:.0f} MB ({proba.dtype})")

    evaluate(y[:1000], proba[:1000])  # warm-up (imports, thread pool)
    runs, cpu_runs = [], []
    for _ in range(3):  # median of 3: a 5 s run is exposed to a busy machine's spikes
        t0, c0 = time.perf_counter(), time.process_time()
        ev = evaluate(y, proba)
        runs.append(time.perf_counter() - t0)
        cpu_runs.append(time.process_time() - c0)
    ours = sorted(runs)[1]
    ours_cpu = sorted(cpu_runs)[1]
    jobs = "2 threads" if os.getloadavg()[0] < (os.cpu_count() or 1) - 1 else "1 thread"
    print(
        f"skyclass evaluate: {ours:.2f} s (median of {', '.join(f'{r:.2f}' for r in runs)}; "
        f"default n_jobs, now {jobs})"
    )
    for jobs in (1, 2):
        t0 = time.perf_counter()
        evaluate(y, proba, n_jobs=jobs)
        print(f"  (n_jobs={jobs}, for information: {time.perf_counter() - t0:.2f} s)")

    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        t0, c0 = time.perf_counter(), time.process_time()
        ref = sklearn_set(y, proba)
        peer = time.perf_counter() - t0
        peer_cpu = time.process_time() - c0
    print(f"scikit-learn set:  {peer:.2f} s")
    print(
        f"CPU time (less sensitive to other load): skyclass {ours_cpu:.2f} s, scikit-learn "
        f"{peer_cpu:.2f} s, ratio {peer_cpu / ours_cpu:.2f}"
    )

    diffs = {
        "roc_auc_ovr_macro": abs(ev.roc_auc_ovr_macro - ref["auc_ovr_macro"]),
        "roc_auc_ovo_macro": abs(ev.roc_auc_ovo_macro - ref["auc_ovo_macro"]),
        "roc_auc_ovo_weighted": abs(ev.roc_auc_ovo_weighted - ref["auc_ovo_weighted"]),
        "average_precision_macro": abs(ev.average_precision_macro - ref["ap_macro"]),
        "log_loss": abs(ev.log_loss - ref["log_loss"]),
        "matthews_corrcoef": abs(ev.matthews_corrcoef - ref["mcc"]),
        "f1_macro": abs(ev.averages["macro"]["f1"] - ref["prf_macro"][2]),
    }
    print("max |difference| vs scikit-learn:", f"{max(diffs.values()):.2e}")
    assert np.array_equal(ev.confusion_matrix, ref["confusion_matrix"]), "confusion matrix differs"

    tracemalloc.start()
    evaluate(y, proba)
    _, peak = tracemalloc.get_traced_memory()
    tracemalloc.stop()
    print(
        f"evaluate peak extra memory: {peak / 1e6:.0f} MB "
        f"= {peak / proba.nbytes:.2f}x the probability matrix"
    )
    print(
        f"metrics_evaluate: ratio={peer / ours:.2f} (skyclass {ours:.2f} s vs scikit-learn {peer:.2f} s)"
    )


if __name__ == "__main__":
    main()

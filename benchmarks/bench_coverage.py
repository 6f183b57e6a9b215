"""Coverage of 95% bootstrap intervals on a known population (issue 13, item 1).

Many test sets of n rows are drawn from one population (a fixed 4-class
classifier with known accuracy, macro F1, balanced accuracy and ROC AUC, see
``tests/metrics/populations.py``); each method's interval is computed on each
test set and we count how often it covers the population value. Two
populations: "even" (per-class recalls 0.67-0.80) and "uneven" (0.87, 0.40,
0.40, 0.97: the class mix of a test set then moves accuracy, which
stratified resampling cannot see). Methods:

- skyclass's default: rows resampled freely, BCa;
- the same resamples with percentile endpoints;
- skyclass's old default: stratified (within-class) resampling, percentile;
- peer: ``scipy.stats.bootstrap`` (BCa, 1000 resamples), accuracy only (the mean of
  a 0/1 vector is the one statistic here scipy vectorises; a Python callable per
  resample would take hours at this replicate count).

The final line compares the worst coverage error over all cases: scipy's cases
are fewer, so its figure is a lower bound. The run takes minutes; the machine
is shared, but coverage counts do not depend on its load.

Run: python benchmarks/bench_coverage.py [--replicates 2000]
"""

from __future__ import annotations

import argparse
import sys
import time
from pathlib import Path

import numpy as np
from scipy import stats

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from tests.metrics.populations import METRICS, Population  # noqa: E402

from skyclass.metrics import bootstrap_ci  # noqa: E402

SIZES = (150, 1000)
POPULATIONS = {"even": 1.6, "uneven": [3.0, 0.3, 0.3, 3.0]}
METHODS = {
    "rows, BCa (skyclass)": {"method": "bca"},
    "rows, percentile": {"method": "percentile"},
    "stratified, percentile (old)": {"method": "percentile", "stratified": True},
}


def _covered(ci, truth: float) -> bool:
    return bool(ci.low <= truth <= ci.high)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--replicates", type=int, default=1000)
    parser.add_argument("--resamples", type=int, default=1000)
    args = parser.parse_args()
    rows = []
    worst = {name: 0.0 for name in [*METHODS, "scipy BCa (peer)"]}
    start = time.perf_counter()
    for label, signal in POPULATIONS.items():
        _measure(label, Population.four_class(signal=signal), args, rows, worst)
    se = np.sqrt(0.95 * 0.05 / args.replicates)
    print(
        f"{args.replicates} test sets per (population, n), {args.resamples} resamples each; "
        f"binomial standard error of a coverage near 95%: {se:.4f}"
    )
    print(f"{'population':<10} {'n':>5}  {'metric':<18} {'method':<30} coverage")
    for row in rows:
        print(f"{row[0]:<10} {row[1]:>5}  {row[2]:<18} {row[3]:<30} {row[4]:.3f}")
    print(f"({time.perf_counter() - start:.0f} s)")
    ours, peer = worst["rows, BCa (skyclass)"], worst["stratified, percentile (old)"]
    print("worst |coverage - 0.95|: " + ", ".join(f"{k} {v:.3f}" for k, v in worst.items()))
    print(
        f"bootstrap_coverage: ratio={peer / max(ours, 1e-9):.2f} "
        f"(ours worst coverage error {ours:.3f} vs old stratified percentile {peer:.3f}; "
        f"scipy BCa on accuracy {worst['scipy BCa (peer)']:.3f})"
    )


def _measure(label: str, pop: Population, args, rows: list, worst: dict) -> None:
    truth = {m: pop.true_value(m) for m in METRICS}
    rng = np.random.default_rng(2026)
    for n in SIZES:
        hits = {(name, m): 0 for name in METHODS for m in METRICS}
        peer_hits = 0
        for r in range(args.replicates):
            y, proba = pop.sample(n, rng)
            pred = proba.argmax(axis=1)
            for metric in METRICS:
                values = proba if metric == "roc_auc" else pred
                for name, options in METHODS.items():
                    ci = bootstrap_ci(
                        metric, y, values, n_resamples=args.resamples, seed=r, **options
                    )
                    hits[(name, metric)] += _covered(ci, truth[metric])
            ref = stats.bootstrap(
                ((pred == y).astype(float),),
                np.mean,
                n_resamples=args.resamples,
                method="BCa",
                random_state=r,
            ).confidence_interval
            peer_hits += bool(ref.low <= truth["accuracy"] <= ref.high)
        for metric in METRICS:
            for name in METHODS:
                share = hits[(name, metric)] / args.replicates
                worst[name] = max(worst[name], abs(share - 0.95))
                rows.append((label, n, metric, name, share))
        share = peer_hits / args.replicates
        worst["scipy BCa (peer)"] = max(worst["scipy BCa (peer)"], abs(share - 0.95))
        rows.append((label, n, "accuracy", "scipy BCa (peer)", share))


if __name__ == "__main__":
    main()

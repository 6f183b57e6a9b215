"""Bootstrap CI of macro F1: 1000 resamples on 100,000 rows (k=5).

skyclass draws the resampled confusion matrices directly (a multinomial over
the k x k cells) and reports the BCa interval (its jackknife needs one value per
non-empty cell, 25 here); the peer is the naive loop that resamples row indices
and calls scikit-learn's ``f1_score`` 1000 times (percentile interval: BCa would
add n = 100,000 jackknife calls to the loop). Both run here, in the same process;
the machine is shared, so timings are noisy.

Run: python benchmarks/bench_bootstrap.py [--peer-resamples N]
(the peer's time is measured on N resamples and scaled to 1000 when N < 1000).
"""

from __future__ import annotations

import argparse
import time

import numpy as np
from sklearn.metrics import f1_score

from skyclass.metrics import bootstrap_ci

N_ROWS, N_CLASSES, N_RESAMPLES = 100_000, 5, 1000


def _data(seed: int = 0) -> tuple[np.ndarray, np.ndarray]:
    rng = np.random.default_rng(seed)
    y = rng.choice(N_CLASSES, size=N_ROWS, p=[0.4, 0.25, 0.15, 0.12, 0.08])
    pred = np.where(rng.random(N_ROWS) < 0.75, y, rng.integers(0, N_CLASSES, N_ROWS))
    return y, pred


def _peer(y: np.ndarray, pred: np.ndarray, n_resamples: int, seed: int = 0) -> np.ndarray:
    rng = np.random.default_rng(seed)
    values = np.empty(n_resamples)
    for r in range(n_resamples):  # rows resampled freely, like bootstrap_ci's default
        idx = rng.integers(0, y.size, y.size)
        values[r] = f1_score(y[idx], pred[idx], average="macro")
    return values


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--peer-resamples", type=int, default=N_RESAMPLES)
    args = parser.parse_args()
    y, pred = _data()

    start = time.perf_counter()
    ci = bootstrap_ci("f1_macro", y, pred, n_resamples=N_RESAMPLES, seed=0)
    ours = time.perf_counter() - start

    n_peer = min(args.peer_resamples, N_RESAMPLES)
    start = time.perf_counter()
    values = _peer(y, pred, n_peer)
    peer = (time.perf_counter() - start) * N_RESAMPLES / n_peer
    low, high = np.quantile(values, [0.025, 0.975])

    print(f"skyclass : {ci}  in {ours:.3f} s")
    print(
        f"sklearn  : f1_macro [{low:.4f}, {high:.4f}] from {n_peer} resamples, {peer:.2f} s per 1000"
    )
    print(
        f"bootstrap_macro_f1: ratio={peer / ours:.2f} "
        f"(skyclass {ours:.3f} s vs scikit-learn loop {peer:.2f} s)"
    )


if __name__ == "__main__":
    main()

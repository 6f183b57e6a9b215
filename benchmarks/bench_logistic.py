"""Benchmark: skyclass.linear.LogisticRegression against scikit-learn, in one run.

For each case and scheme scikit-learn fits with its defaults (lbfgs; ``OneVsRestClassifier``
for ovr) and we time how long skyclass takes to reach an objective no worse than
scikit-learn's final one (a fit at the default ``tol``; if that stops above, a fit at
a ten times smaller ``tol``, and so on; the time of the fit that got there counts).

    python benchmarks/bench_logistic.py                 # dense + sparse, CPU
    python benchmarks/bench_logistic.py --device cuda   # n=2,000,000 x 200, k=20 on a GPU

Prints ``logistic_<case>_<scheme>: ratio=X.XX (skyclass A s vs scikit-learn B s)`` lines
(ratio > 1: skyclass is faster) and a final summary line.

The ``l1`` cases compare L1 and elastic-net fits (C=0.1 dense, C=1 sparse) with scikit-learn's ``saga`` and
``liblinear`` solvers (each at its default tol) on dense and sparse data, binary,
multinomial and one-vs-rest: the time skyclass takes to reach the peer's final objective,
one ``logistic_<data>_<case>_vs_<solver>`` line each and a ``logistic_l1`` summary. These
run on one BLAS thread, as the peers (single-threaded C) do.
"""

from __future__ import annotations

import argparse
import time
import warnings

import numpy as np
import scipy.sparse as sp
from sklearn.datasets import make_classification
from sklearn.exceptions import ConvergenceWarning
from sklearn.linear_model import LogisticRegression as SkLogisticRegression
from sklearn.multiclass import OneVsRestClassifier
from threadpoolctl import threadpool_limits

from skyclass.linear import LogisticRegression


def dense_case(n: int = 200_000, d: int = 50, k: int = 10):
    return make_classification(
        n_samples=n, n_features=d, n_informative=30, n_classes=k, random_state=0
    )


def sparse_case(n: int = 100_000, d: int = 20_000, k: int = 20, density: float = 0.001):
    """TF-IDF-like rows: ~d*density positive entries each, L2-normalised; labels from a planted model."""
    rng = np.random.default_rng(0)
    nnz_row = max(1, int(d * density))
    # Zipf-like word frequencies, as in text
    freq = 1.0 / np.arange(1, d + 1) ** 0.8
    freq /= freq.sum()
    cols = rng.choice(d, size=(n, nnz_row), p=freq)
    vals = rng.exponential(1.0, size=(n, nnz_row)) * np.log(1.0 / (freq[cols] * d) + 2.0)
    X = sp.csr_matrix((vals.ravel(), cols.ravel(), np.arange(0, n * nnz_row + 1, nnz_row)), (n, d))
    X.sum_duplicates()
    norms = np.sqrt(np.asarray(X.multiply(X).sum(axis=1)).ravel())
    X = sp.diags(1.0 / norms) @ X
    W = rng.normal(size=(d, k)) * 3.0
    y = (X @ W + rng.gumbel(size=(n, k))).argmax(axis=1)
    return X.tocsr(), y


def sklearn_fit(scheme: str, X, y):
    model = SkLogisticRegression()
    if scheme == "ovr":
        model = OneVsRestClassifier(model)
    start = time.perf_counter()
    model.fit(X, y)
    seconds = time.perf_counter() - start
    if scheme == "ovr":
        coef = np.vstack([e.coef_ for e in model.estimators_])
        intercept = np.concatenate([e.intercept_ for e in model.estimators_])
    else:
        coef, intercept = model.coef_, model.intercept_
    return seconds, coef, intercept


def ours_to_reach(scheme: str, X, y, target: float, device: str):
    tol = 1e-4
    for _ in range(5):
        model = LogisticRegression(multi_class=scheme, tol=tol, max_iter=1000, device=device)
        start = time.perf_counter()
        model.fit(X, y)
        seconds = time.perf_counter() - start
        reached = model.objective(X, y)
        if reached <= target:
            return seconds, reached, tol
        tol /= 10
    return float("inf"), reached, tol


def run_case(name: str, X, y, device: str) -> list[str]:
    lines = []
    for scheme in ("multinomial", "ovr"):
        sk_seconds, coef, intercept = sklearn_fit(scheme, X, y)
        probe = LogisticRegression(multi_class=scheme).fit(X[:50], y[:50])
        probe.classes_, probe.coef_, probe.intercept_ = np.unique(y), coef, intercept
        target = probe.objective(X, y)
        seconds, reached, tol = ours_to_reach(scheme, X, y, target, device)
        print(
            f"  {name} {scheme}: scikit-learn F={target:.10f} in {sk_seconds:.2f} s; "
            f"skyclass F={reached:.10f} (tol={tol:g}) in {seconds:.2f} s"
        )
        line = (
            f"logistic_{name}_{scheme}: ratio={sk_seconds / seconds:.2f} "
            f"(skyclass {seconds:.2f} s vs scikit-learn {sk_seconds:.2f} s)"
        )
        print(line, flush=True)
        lines.append((sk_seconds, seconds))
    return lines


# L1 / elastic-net: (name, scheme, classes, peer solver, l1_ratio, fit_intercept). liblinear
# penalises its intercept, so its cases fit without one (then both minimise the same F).
L1_CASES = [
    ("binary_l1", "multinomial", 2, "liblinear", 1.0, False),
    ("binary_l1", "multinomial", 2, "saga", 1.0, True),
    ("binary_enet", "multinomial", 2, "saga", 0.5, True),
    ("multinomial_l1", "multinomial", 5, "saga", 1.0, True),
    ("multinomial_enet", "multinomial", 5, "saga", 0.5, True),
    ("ovr_l1", "ovr", 5, "liblinear", 1.0, False),
    ("ovr_l1", "ovr", 5, "saga", 1.0, True),
    ("ovr_enet", "ovr", 5, "saga", 0.5, True),
]


def l1_data(kind: str, k: int, scale: float):
    """Standardised dense rows (20,000 x 100) or TF-IDF-like sparse rows (20,000 x 5,000)."""
    n = int(20_000 * scale)
    if kind == "sparse":
        return sparse_case(n=n, d=5_000, k=k, density=0.004)
    X, y = make_classification(
        n_samples=n, n_features=100, n_informative=40, n_classes=k, random_state=0
    )
    return (X - X.mean(axis=0)) / X.std(axis=0), y


def peer_l1_fit(scheme: str, solver: str, X, y, C: float, l1_ratio: float, fit_intercept: bool):
    """The peer at its defaults (tol=1e-4); ``(seconds, coef, intercept)``."""
    model = SkLogisticRegression(
        solver=solver, C=C, l1_ratio=l1_ratio, fit_intercept=fit_intercept, max_iter=10_000
    )
    if scheme == "ovr" or (solver == "liblinear" and len(np.unique(y)) > 2):
        model = OneVsRestClassifier(model)
    start = time.perf_counter()
    model.fit(X, y)
    seconds = time.perf_counter() - start
    estimators = getattr(model, "estimators_", [model])
    coef = np.vstack([e.coef_ for e in estimators])
    intercept = np.concatenate([np.atleast_1d(e.intercept_) for e in estimators])
    return seconds, coef, intercept


def run_l1(kind: str, scale: float, C: float = 0.1) -> list[tuple[float, float]]:
    """Each L1 / elastic-net case: time for skyclass to reach the peer's final objective."""
    timings = []
    for name, scheme, k, solver, l1_ratio, fit_intercept in L1_CASES:
        X, y = l1_data(kind, k, scale)
        peer_seconds, coef, intercept = peer_l1_fit(
            scheme, solver, X, y, C, l1_ratio, fit_intercept
        )
        params = {"multi_class": scheme, "C": C, "l1_ratio": l1_ratio}
        probe = LogisticRegression(fit_intercept=fit_intercept, **params).fit(X[:200], y[:200])
        probe.coef_, probe.intercept_ = coef, intercept
        target = probe.objective(X, y)
        tol, seconds, reached = 1e-4, float("inf"), float("inf")
        for _ in range(5):
            model = LogisticRegression(fit_intercept=fit_intercept, tol=tol, max_iter=1000, **params)
            start = time.perf_counter()
            model.fit(X, y)
            seconds = time.perf_counter() - start
            reached = model.objective(X, y)
            if reached <= target:
                break
            tol, seconds = tol / 10, float("inf")
        zeros = (np.count_nonzero(model.coef_ == 0), np.count_nonzero(coef == 0))
        print(
            f"  {kind} {name} vs {solver}: peer F={target:.10f} in {peer_seconds:.2f} s, "
            f"{zeros[1]} zeros; skyclass F={reached:.10f} (tol={tol:g}) in {seconds:.2f} s, "
            f"{zeros[0]} zeros"
        )
        print(
            f"logistic_{kind}_{name}_vs_{solver}: ratio={peer_seconds / seconds:.2f} "
            f"(skyclass {seconds:.2f} s vs {solver} {peer_seconds:.2f} s)",
            flush=True,
        )
        timings.append((peer_seconds, seconds))
    return timings


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--device", default="cpu", help="cpu (default) or cuda")
    parser.add_argument("--scale", type=float, default=1.0, help="shrink n for a quick run")
    parser.add_argument(
        "--cases", default="dense,sparse,l1", help="CPU cases to run (dense, sparse, l1)"
    )
    args = parser.parse_args()
    warnings.simplefilter("ignore", ConvergenceWarning)
    timings = []
    if args.device.startswith("cuda"):
        try:
            import torch

            has_gpu = torch.cuda.is_available()
        except ImportError:
            has_gpu = False
        if not has_gpu:
            print("skipped: no GPU")
            return
        X, y = make_classification(
            n_samples=int(2_000_000 * args.scale),
            n_features=200,
            n_informative=60,
            n_classes=20,
            random_state=0,
        )
        timings += run_case("gpu", X, y, args.device)
    else:
        cases = args.cases.split(",")
        if "dense" in cases:
            X, y = dense_case(n=int(200_000 * args.scale))
            timings += run_case("dense", X, y, "cpu")
        if "sparse" in cases:
            X, y = sparse_case(n=int(100_000 * args.scale))
            timings += run_case("sparse", X, y, "cpu")
        if "l1" in cases:
            # saga and liblinear are single-threaded C: time ours on one BLAS thread too
            with threadpool_limits(limits=1):
                l1 = run_l1("dense", args.scale) + run_l1("sparse", args.scale, C=1.0)
            ours, peer = sum(t for _, t in l1), sum(t for t, _ in l1)
            print(f"logistic_l1: ratio={peer / ours:.2f} (ours {ours:.2f} s vs peer {peer:.2f} s)")
            timings += l1
    ours = sum(t for _, t in timings)
    peer = sum(t for t, _ in timings)
    print(f"logistic: ratio={peer / ours:.2f} (ours {ours:.2f} s vs peer {peer:.2f} s)")


if __name__ == "__main__":
    main()

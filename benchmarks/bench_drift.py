"""Data drift: skyclass.monitor.data_drift vs Evidently's default drift tests, same run.

The peer is Evidently itself when a separate venv with it exists at
``.tools/evidently-venv`` (``python3 -m venv .tools/evidently-venv &&
.tools/evidently-venv/bin/pip install evidently==0.7.23 "pandas<3"``): its ``get_stattest``
default rule and tests plus its PSI, per column (benchmarks/evidently_peer.py). Otherwise
the peer is the same code path written here with pandas and scipy. Both sides must produce
the same scores and PSI; then each is timed (best of 3).

Usage: python benchmarks/bench_drift.py [--rows 20000] [--numeric 20] [--categorical 10]
Last line: ``monitor_drift: ratio=X.XX (ours A s vs peer B s)`` (> 1 = skyclass faster).
"""

from __future__ import annotations

import argparse
import json
import subprocess
import tempfile
import time
from pathlib import Path

import numpy as np
import pandas as pd
from scipy import stats
from scipy.spatial.distance import jensenshannon

from skyclass.monitor import data_drift

ROOT = Path(__file__).resolve().parents[1]


def make(rows: int, n_num: int, n_cat: int, seed: int, shift: float = 0.0) -> pd.DataFrame:
    rng = np.random.default_rng(seed)
    cols = {f"num{i}": rng.normal(shift * (i % 2), 1 + i / 10, rows) for i in range(n_num)}
    for i in range(n_cat):
        cats = [f"c{j}" for j in range(3 + i)]
        p = np.linspace(1, 2, len(cats)) + shift * np.arange(len(cats)) * (i % 2)
        cols[f"cat{i}"] = rng.choice(cats, rows, p=p / p.sum())
    return pd.DataFrame(cols)


def reference_of(frame: pd.DataFrame, seed: int = 0) -> dict:
    rng = np.random.default_rng(seed)
    columns = {}
    for name in frame.columns:
        col = frame[name]
        if name.startswith("num"):
            values = col.to_numpy(float)
            sample = values if values.size <= 5000 else rng.choice(values, 5000, replace=False)
            columns[name] = {
                "kind": "numeric",
                "n": len(col),
                "missing": 0,
                "sample": sample.tolist(),
            }
        else:
            freq = col.value_counts()
            columns[name] = {"kind": "categorical", "n": len(col), "missing": 0,
                             "frequencies": {str(k): int(v) for k, v in freq.items()}}  # fmt: skip
    return {"n_rows": len(frame), "columns": columns}


# --- the peer: Evidently's default stattest logic, with pandas and scipy ---------------------


def _binned(ref: pd.Series, cur: pd.Series, numeric: bool, fill: bool):
    if numeric and ref.nunique() > 20:
        bins = np.histogram_bin_edges(pd.concat([ref, cur], axis=0).values, bins="sturges")
        r = np.histogram(ref, bins)[0] / len(ref)
        c = np.histogram(cur, bins)[0] / len(cur)
    else:
        keys = list(set(ref.dropna().unique()) | set(cur.dropna().unique()))
        rd = {**dict.fromkeys(keys, 0), **dict(ref.value_counts())}
        cd = {**dict.fromkeys(keys, 0), **dict(cur.value_counts())}
        r = np.array([rd[k] / len(ref) for k in keys])
        c = np.array([cd[k] / len(cur) for k in keys])
    if fill:
        for arr in (r, c):
            low = min(arr[arr != 0])
            np.place(arr, arr == 0, low / 10**6 if low <= 0.0001 else 0.0001)
    return r, c


def peer_column(ref: pd.Series, cur: pd.Series, numeric: bool) -> tuple[str, float, float]:
    n_values = pd.concat([ref, cur]).nunique()
    if ref.shape[0] <= 1000:
        if numeric and n_values > 5:
            name, score = "ks", stats.ks_2samp(ref, cur)[1]
        elif n_values > 2:
            keys = list(set(ref.unique()) | set(cur.unique()))
            rd = {**dict.fromkeys(keys, 0), **dict(ref.value_counts())}
            cd = {**dict.fromkeys(keys, 0), **dict(cur.value_counts())}
            k = cur.shape[0] / ref.shape[0]
            name, score = (
                "chisquare",
                stats.chisquare([cd[x] for x in keys], [rd[x] * k for x in keys])[1],
            )
        else:
            raise ValueError("the z-test is not exercised by this benchmark")
    elif numeric and n_values > 5:
        name, score = "wasserstein", stats.wasserstein_distance(ref, cur) / max(np.std(ref), 0.001)
    else:
        r, c = _binned(ref, cur, numeric, fill=False)
        name, score = "jensenshannon", jensenshannon(r, c)
    r, c = _binned(ref, cur, numeric, fill=True)
    psi = float(np.sum((r - c) * np.log(r / c)))
    return name, float(score), psi


def peer(reference: dict, current: pd.DataFrame) -> dict:
    out = {}
    for name, col in reference["columns"].items():
        if col["kind"] == "numeric":
            ref = pd.Series(col["sample"], dtype=float)
        else:
            ref = pd.Series(np.repeat(list(col["frequencies"]), list(col["frequencies"].values())))
        out[name] = peer_column(ref, current[name].astype(float if col["kind"] == "numeric" else str),
                                col["kind"] == "numeric")  # fmt: skip
    return out


def run_evidently(reference: dict, current: pd.DataFrame) -> dict | None:
    """Evidently's own numbers and timing from its venv, or None when that venv is absent."""
    python = ROOT / ".tools" / "evidently-venv" / "bin" / "python"
    if not python.exists():
        return None
    with tempfile.TemporaryDirectory() as folder:
        (Path(folder) / "reference.json").write_text(json.dumps(reference))
        current.to_csv(Path(folder) / "current.csv", index=False)
        out = subprocess.run(
            [str(python), str(ROOT / "benchmarks" / "evidently_peer.py"), folder],
            capture_output=True, text=True, check=True,
        )  # fmt: skip
    return json.loads(out.stdout)


def best_of(fn, repeats=3) -> float:
    times = []
    for _ in range(repeats):
        start = time.perf_counter()
        fn()
        times.append(time.perf_counter() - start)
    return min(times)


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--rows", type=int, default=20000)
    parser.add_argument("--numeric", type=int, default=20)
    parser.add_argument("--categorical", type=int, default=10)
    args = parser.parse_args()
    reference = reference_of(make(args.rows, args.numeric, args.categorical, seed=0))
    current = make(args.rows, args.numeric, args.categorical, seed=1, shift=0.3)
    ours_report = data_drift(reference, current)
    evidently = run_evidently(reference, current)
    if evidently is not None:
        label, peer_seconds = f"evidently {evidently['evidently']}", evidently["seconds"]
        peer_report = {k: (v[0], v[1], v[3]) for k, v in evidently["columns"].items()}
    else:
        label, peer_seconds = "evidently-style pandas/scipy", None
        peer_report = peer(reference, current)
    for col in ours_report.columns:
        name, score, psi = peer_report[col.column]
        assert col.stattest == name, (col.column, col.stattest, name)
        assert np.isclose(col.score, score, rtol=1e-9, atol=1e-12), (col.column, col.score, score)
        assert np.isclose(col.psi, psi, rtol=1e-9, atol=1e-12), (col.column, col.psi, psi)
    print(f"{len(ours_report.columns)} columns, {args.rows} current rows: scores and PSI identical; "
          f"{ours_report.n_drifted} drifted")  # fmt: skip
    ours = best_of(lambda: data_drift(reference, current))
    theirs = peer_seconds if peer_seconds is not None else best_of(lambda: peer(reference, current))
    print(f"peer: {label}")
    print(f"monitor_drift: ratio={theirs / ours:.2f} (ours {ours:.3f} s vs peer {theirs:.3f} s)")


if __name__ == "__main__":
    main()

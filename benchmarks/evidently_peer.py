"""Evidently's own default drift tests on data written by bench_drift.py / the parity test.

Run with the Python of a separate venv that has Evidently (it needs pandas < 3):
    .tools/evidently-venv/bin/python benchmarks/evidently_peer.py DIR
DIR holds reference.json (skyclass's format) and current.csv. For every column this calls
Evidently's ``get_stattest`` (its default rule) and the test it returns, plus its PSI test,
best of 3 timings; prints JSON ``{"evidently": version, "seconds": s, "columns": {name:
[test, score, drifted, psi]}}``.
"""

import json
import sys
import time
from pathlib import Path

import numpy as np
import pandas as pd
from evidently import __version__
from evidently.legacy.calculations.stattests.registry import get_stattest
from evidently.legacy.core import ColumnType


def reference_series(column: dict) -> tuple[pd.Series, ColumnType]:
    if column["kind"] == "numeric":
        return pd.Series(column["sample"], dtype=float), ColumnType.Numerical
    freq = column["frequencies"]
    return pd.Series(np.repeat(list(freq), list(freq.values()))), ColumnType.Categorical


def run(reference: dict, current: pd.DataFrame) -> dict:
    out = {}
    for name, column in reference["columns"].items():
        ref, kind = reference_series(column)
        cur = current[name].dropna()
        cur = cur.astype(float) if kind == ColumnType.Numerical else cur.astype(str)
        test = get_stattest(ref, cur, kind, None)
        result = test(ref, cur, kind, None)
        psi = get_stattest(ref, cur, kind, "psi")(ref, cur, kind, None)
        out[name] = [
            test.name,
            float(result.drift_score),
            bool(result.drifted),
            float(psi.drift_score),
        ]
    return out


def main() -> None:
    folder = Path(sys.argv[1])
    reference = json.loads((folder / "reference.json").read_text())
    current = pd.read_csv(
        folder / "current.csv",
        dtype={
            c: str for c in reference["columns"] if reference["columns"][c]["kind"] != "numeric"
        },
    )
    times = []
    for _ in range(3):
        start = time.perf_counter()
        columns = run(reference, current)
        times.append(time.perf_counter() - start)
    print(json.dumps({"evidently": __version__, "seconds": min(times), "columns": columns}))


if __name__ == "__main__":
    main()

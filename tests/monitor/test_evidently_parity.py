"""Drift scores equal Evidently's own (0.7.23) default tests, column by column.

Evidently needs pandas < 3, so it lives in a separate venv at .tools/evidently-venv
(python3 -m venv .tools/evidently-venv && .tools/evidently-venv/bin/pip install
evidently==0.7.23 "pandas<3"); the test is skipped, saying so, when that venv is absent.
"""

import json
import subprocess

import numpy as np
import pandas as pd
import pytest

from skyclass.monitor import data_drift
from tests.monitor.test_end_to_end import ROOT

PYTHON = ROOT / ".tools" / "evidently-venv" / "bin" / "python"


def _counts(values) -> dict:
    return {str(k): int(v) for k, v in pd.Series(values).value_counts().items()}


def test_scores_equal_evidently(tmp_path):
    if not PYTHON.exists():
        pytest.skip(
            "Evidently is not installed in .tools/evidently-venv (see this module's docstring)"
        )
    rng = np.random.default_rng(7)
    small, large, n = 600, 3000, 400
    ref_values = {
        "num_small": rng.normal(0, 1, small),
        "num_small_3": rng.integers(1, 4, small).astype(float),
        "num_small_2": rng.integers(0, 2, small).astype(float),
        "num_large": rng.lognormal(0, 0.5, large),
        "num_large_4": rng.integers(1, 5, large).astype(float),
    }
    current = pd.DataFrame(
        {
            "num_small": rng.normal(0.2, 1, n),
            "num_small_3": rng.integers(1, 4, n).astype(float),
            "num_small_2": (rng.random(n) < 0.6).astype(float),
            "num_large": rng.lognormal(0.1, 0.5, n),
            "num_large_4": rng.integers(1, 5, n).astype(float),
            "cat_small": rng.choice(["a", "b", "c"], n, p=[0.4, 0.4, 0.2]),
            "bool_small": np.where(rng.random(n) < 0.5, "true", "false"),
            "cat_new": rng.choice(["a", "b", "z"], n, p=[0.45, 0.45, 0.1]),
            "cat_large": rng.choice(["x", "y", "w", "v"], n),
        }
    )
    columns = {
        name: {"kind": "numeric", "n": len(v), "missing": 0, "sample": v.tolist()}
        for name, v in ref_values.items()
    }
    columns["cat_small"] = {"kind": "categorical", "n": small, "missing": 0,
                            "frequencies": _counts(rng.choice(["a", "b", "c"], small))}  # fmt: skip
    columns["bool_small"] = {"kind": "boolean", "n": small, "missing": 0,
                             "frequencies": _counts(np.where(rng.random(small) < 0.4, "true", "false"))}  # fmt: skip
    columns["cat_new"] = {"kind": "categorical", "n": small, "missing": 0,
                          "frequencies": _counts(rng.choice(["a", "b"], small))}  # fmt: skip
    columns["cat_large"] = {"kind": "categorical", "n": large, "missing": 0,
                            "frequencies": _counts(rng.choice(["x", "y", "w"], large))}  # fmt: skip
    reference = {"n_rows": large, "columns": columns}
    (tmp_path / "reference.json").write_text(json.dumps(reference))
    current.to_csv(tmp_path / "current.csv", index=False)
    out = subprocess.run(
        [str(PYTHON), str(ROOT / "benchmarks" / "evidently_peer.py"), str(tmp_path)],
        capture_output=True, text=True, timeout=300,
    )  # fmt: skip
    assert out.returncode == 0, out.stderr[-2000:]
    theirs = json.loads(out.stdout)["columns"]
    ours = {c.column: c for c in data_drift(reference, current).columns}
    assert set(ours) == set(theirs)
    tests = set()
    for name, (test, score, drifted, psi) in theirs.items():
        col = ours[name]
        tests.add(test)
        assert col.stattest == test, name
        assert col.score == pytest.approx(score, rel=1e-9, abs=1e-12), name
        assert col.drifted == drifted, name
        assert col.psi == pytest.approx(psi, rel=1e-9, abs=1e-12), name
    assert tests == {"ks", "chisquare", "z", "wasserstein", "jensenshannon"}
    assert ours["cat_new"].drifted and ours["cat_new"].score == 0.0

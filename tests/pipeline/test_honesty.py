"""``skyclass train`` on a loans table with a leaking column: flagged, baseline beside the score.

One real CLI run with ``--keep-leaky``: the leak (``sub_grade`` -> ``grade``) is flagged with
its evidence and kept, so the model scores near-perfectly and the too-good-to-be-true
warning fires; ``train.json``, stderr and the report carry the class-prior baseline.
"""

import json
import subprocess
import sys
from pathlib import Path

import pandas as pd
import pytest

from tests.data.loans import loans

SKYCLASS = str(Path(sys.executable).with_name("skyclass"))


def test_train_flags_the_leak_and_reports_the_baseline(tmp_path):
    table = loans(900)
    path = tmp_path / "loans.csv"
    table.to_csv(path, index=False)
    out = tmp_path / "run"
    done = subprocess.run(
        [SKYCLASS, "train", path, "--target", "grade", "--out", out, "--models", "logreg",
         "--max-trials", "1", "--time-budget", "20", "--keep-leaky"],
        capture_output=True, text=True, timeout=600,
    )  # fmt: skip
    assert done.returncode == 0, done.stderr
    summary = json.loads((out / "train.json").read_text())
    flags = [d for d in summary["decisions"] if d["column"] == "sub_grade"]
    assert flags and flags[0]["action"] == "flag"
    assert (
        "alone predicts the class of" in flags[0]["reason"] and "--keep-leaky" in flags[0]["reason"]
    )
    baseline = summary["test"]["baseline"]
    assert baseline["baseline"] == "class prior" and "class-prior baseline" in baseline["headline"]
    n_test = summary["split"]["test"]
    assert baseline["n_rows"] == n_test
    # the baseline predicts the training majority class on every test row
    test_grades = pd.Series(summary["test"]["per_class"]).drop(
        ["accuracy", "macro avg", "weighted avg"], errors="ignore"
    )
    majority = baseline["majority"]
    share = test_grades[majority]["support"] / n_test
    assert baseline["metrics"]["accuracy"]["baseline"] == pytest.approx(share)
    assert any("near-perfect" in w for w in summary["warnings"])
    assert baseline["headline"] in done.stderr
    html = (out / "report.html").read_text()
    assert 'id="baseline-headline"' in html and "near-perfect" in html


def test_honesty_docstring_example_runs():
    import doctest

    from skyclass.pipeline import _honesty

    result = doctest.testmod(_honesty)
    assert result.attempted > 0 and result.failed == 0

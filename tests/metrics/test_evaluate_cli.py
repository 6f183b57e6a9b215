"""``skyclass metrics`` end to end: files in, summary or JSON out, one-line errors (exit 2)."""

import json
import subprocess
import sys

import numpy as np
import pandas as pd
import pytest
from sklearn import metrics as skm

from skyclass.errors import InputError


def run_cli(*args):
    """The real entry point in a fresh interpreter (exit codes and stderr as a user sees)."""
    code = "from skyclass.cli import main; main()"
    return subprocess.run(
        [sys.executable, "-c", code, "metrics", *map(str, args)],
        capture_output=True,
        text=True,
        timeout=120,
    )


def run_app(*args):
    """The same command in-process (fast); returns typer's Result with ``.stdout``."""
    from typer.testing import CliRunner

    from skyclass.cli import app

    result = CliRunner().invoke(app, ["metrics", *map(str, args)])
    result.returncode = result.exit_code
    return result


@pytest.fixture
def files(tmp_path):
    rng = np.random.default_rng(0)
    proba = rng.dirichlet(np.ones(3), size=200)
    y = np.array(["ant", "bee", "cat"])[(np.cumsum(proba, 1) < rng.random(200)[:, None]).sum(1)]
    pd.DataFrame({"id": range(200), "label": y, "w": rng.random(200)}).to_csv(
        tmp_path / "truth.csv", index=False
    )
    pd.DataFrame(proba, columns=["ant", "bee", "cat"]).to_csv(tmp_path / "proba.csv", index=False)
    return tmp_path, y, proba


def test_json_output_matches_sklearn(files):
    path, y, proba = files
    result = run_app(path / "truth.csv", path / "proba.csv", "--column", "label", "--json")
    assert result.returncode == 0, result.output
    out = json.loads(result.stdout)
    assert out["labels"] == ["ant", "bee", "cat"]
    # the CSV round trip keeps 17 significant digits: compare at 1e-12
    assert out["roc_auc"] == pytest.approx(
        skm.roc_auc_score(y, proba, multi_class="ovr"), abs=1e-12
    )
    pred = np.array(["ant", "bee", "cat"])[proba.argmax(1)]
    assert out["averages"]["macro"]["f1"] == pytest.approx(
        skm.f1_score(y, pred, average="macro"), abs=1e-12
    )
    assert "curves" not in out


def test_weights_and_summary(files):
    path, y, proba = files
    result = run_app(
        path / "truth.csv", path / "proba.csv", "--column", "label", "--weight-column", "w"
    )
    assert result.returncode == 0, result.output
    lines = result.stdout.splitlines()
    assert lines[0] == "Evaluation of 200 samples, 3 classes"
    assert [line.split()[0] for line in lines[2:5]] == ["ant", "bee", "cat"]
    w = pd.read_csv(path / "truth.csv")["w"].to_numpy()
    expected = skm.log_loss(y, proba, sample_weight=w)
    row = next(line for line in lines if line.startswith("log loss"))
    assert float(row.split()[-1]) == pytest.approx(expected, abs=5e-4)


def test_numeric_labels_from_header_and_binary_single_column(tmp_path):
    pd.DataFrame({"y": [0, 1, 1, 0]}).to_csv(tmp_path / "y.csv", index=False)
    pd.DataFrame({"p": [0.2, 0.9, 0.4, 0.6]}).to_csv(tmp_path / "p.csv", index=False)
    result = run_app(tmp_path / "y.csv", tmp_path / "p.csv", "--json")
    assert result.returncode == 0, result.output
    assert json.loads(result.stdout)["roc_auc"] == 0.75


def test_error_is_one_line_and_exit_code_2(files):
    path, _, _ = files
    result = run_cli(path / "missing.csv", path / "proba.csv")
    assert result.returncode == 2
    assert "does not exist" in result.stderr
    assert len(result.stderr.strip().splitlines()) == 1


def test_ambiguous_label_column_names_the_fix(files):
    path, _, _ = files
    result = run_app(path / "truth.csv", path / "proba.csv")
    assert isinstance(result.exception, InputError)
    assert "choose one with --column" in str(result.exception)

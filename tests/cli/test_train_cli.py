"""``skyclass train / predict / evaluate`` as a user runs them: real processes, real files."""

import json
import subprocess
import sys
from pathlib import Path

import numpy as np
import pandas as pd
import pytest
from sklearn.datasets import load_wine
from sklearn.metrics import accuracy_score

from skyclass.bundle import load

SKYCLASS = [sys.executable, "-c", "from skyclass.cli import main; main()"]


def run(*args: str, cwd: Path | None = None) -> subprocess.CompletedProcess:
    return subprocess.run(
        [*SKYCLASS, *map(str, args)], capture_output=True, text=True, timeout=300, cwd=cwd
    )


@pytest.fixture(scope="module")
def wine_csv(tmp_path_factory) -> Path:
    data = load_wine(as_frame=True)
    frame = data.frame.rename(columns={"target": "cultivar"})
    frame["cultivar"] = np.asarray(data.target_names)[frame["cultivar"]]
    path = tmp_path_factory.mktemp("data") / "wine.csv"
    frame.to_csv(path, index=False)
    return path


@pytest.fixture(scope="module")
def trained(wine_csv, tmp_path_factory) -> Path:
    out = tmp_path_factory.mktemp("runs") / "wine"
    done = run(
        "train",
        wine_csv,
        "--target",
        "cultivar",
        "--out",
        out,
        "--models",
        "logreg",
        "--max-trials",
        "1",
        "--time-budget",
        "10",
    )
    assert done.returncode == 0, done.stderr
    assert (
        f"bundle: {out / 'bundle'}" in done.stdout
        and f"report: {out / 'report.html'}" in done.stdout
    )
    assert "✓ tune" in done.stderr and "✓ package" in done.stderr  # one progress line per step
    return out


def _bad_inputs(tmp: Path, wine_csv: Path) -> list[tuple[list, str]]:
    (tmp / "empty.csv").write_bytes(b"")
    (tmp / "image.csv").write_bytes(b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR\x00\x00")
    (tmp / "latin.csv").write_bytes(b"a,cultivar\n\x81\x8d,\x90\n")
    (tmp / "one.csv").write_text("x,cultivar\n1,a\n2,a\n3,a\n")
    (tmp / "costs.json").write_text("[[0, 1], [1, 0]]")
    return [
        (["train", wine_csv, "--target", "kind"], "target column 'kind' not found"),
        (["train", tmp / "one.csv", "--target", "cultivar"], "single class"),
        (["train", tmp / "empty.csv", "--target", "cultivar"], "the file is empty"),
        (["train", tmp / "nope.csv", "--target", "cultivar"], "no such file"),
        (["train", tmp / "image.csv", "--target", "cultivar"], "not a text table"),
        (["train", tmp / "latin.csv", "--target", "cultivar"], "unreadable text encoding"),
        (
            ["train", wine_csv, "--target", "cultivar", "--costs", tmp / "costs.json"],
            "has 3 classes",
        ),
    ]


def _main(monkeypatch, capsys, *args) -> tuple[int, str]:
    """Run ``skyclass`` in this process (as the entry point does) and return (code, stderr)."""
    from skyclass.cli import main

    monkeypatch.setattr(sys, "argv", ["skyclass", *map(str, args)])
    with pytest.raises(SystemExit) as exit_info:
        main()
    return exit_info.value.code, capsys.readouterr().err


def test_bad_input_is_one_line_exit_2_and_leaves_out_alone(tmp_path, wine_csv, monkeypatch, capsys):
    out = tmp_path / "out"
    out.mkdir()
    (out / "keep.txt").write_text("earlier run")
    for args, message in _bad_inputs(tmp_path, wine_csv):
        code, stderr = _main(monkeypatch, capsys, *args, "--out", out, "--time-budget", "5")
        errors = [line for line in stderr.splitlines() if line.startswith("error:")]
        assert code == 2, (args, stderr)
        assert len(errors) == 1 and message in errors[0], (args, stderr)
        assert "Traceback" not in stderr
        assert sorted(p.name for p in tmp_path.iterdir() if p.name.startswith(".")) == []
    assert [p.name for p in out.iterdir()] == ["keep.txt"]
    # and the same from a real process: no traceback, exit code 2
    done = run("train", tmp_path / "empty.csv", "--target", "cultivar", "--out", out)
    assert done.returncode == 2 and done.stderr.strip().startswith("error:")
    assert "Traceback" not in done.stderr


def test_predict_streams_and_matches_the_bundle(trained, wine_csv, tmp_path):
    preds = tmp_path / "preds.csv"
    done = run(
        "predict",
        trained / "bundle",
        wine_csv,
        "--out",
        preds,
        "--keep",
        "cultivar",
        "--chunk-rows",
        "50",
    )
    assert done.returncode == 0, done.stderr
    assert "178 rows scored" in done.stdout
    table = pd.read_csv(preds)
    bundle = load(trained / "bundle")
    assert list(table.columns) == ["cultivar", "label", *[f"proba_{v}" for v in bundle.labels]]
    frame = pd.read_csv(wine_csv)
    expected = bundle.predict_proba(frame.drop(columns=["cultivar"]))
    assert np.allclose(table.filter(like="proba_").to_numpy(), expected, atol=1e-6)
    assert (table["label"] == bundle.predict(frame)).all()
    assert accuracy_score(table["cultivar"], table["label"]) >= 0.95


def test_predict_failure_writes_nothing(trained, tmp_path, monkeypatch, capsys):
    bad = tmp_path / "bad.csv"
    bad.write_text("alcohol\n1.0\n")
    preds = tmp_path / "preds.csv"
    code, stderr = _main(monkeypatch, capsys, "predict", trained / "bundle", bad, "--out", preds)
    assert code == 2 and "missing" in stderr
    assert list(tmp_path.iterdir()) == [bad]


def test_evaluate_reports_sklearn_equal_metrics(trained, wine_csv, tmp_path, monkeypatch, capsys):
    from skyclass.cli import main

    monkeypatch.setattr(
        sys,
        "argv",
        [
            "skyclass",
            "evaluate",
            str(trained / "bundle"),
            str(wine_csv),
            "--report",
            str(tmp_path / "eval.html"),
        ],
    )
    with pytest.raises(SystemExit) as exit_info:
        main()
    assert exit_info.value.code == 0
    result = json.loads(capsys.readouterr().out)
    frame = pd.read_csv(wine_csv)
    pred = load(trained / "bundle").predict(frame)
    assert result["n_rows"] == 178 and result["target"] == "cultivar"
    assert result["metrics"]["accuracy"]["value"] == accuracy_score(frame["cultivar"], pred)
    assert result["metrics"]["accuracy"]["low"] <= result["metrics"]["accuracy"]["value"]
    assert (tmp_path / "eval.html").read_text().count("<figure") >= 5
    code, stderr = _main(
        monkeypatch, capsys, "evaluate", trained / "bundle", wine_csv, "--target", "kind"
    )
    assert code == 2 and "the columns are: alcohol" in stderr

"""Bad input at every entry point, through the installed ``skyclass`` console script.

One table of cases: at least one per subcommand and per option kind (missing/unknown
options and commands, integers, floats, ranges, paths, URLs, ports, listen addresses,
encodings, choices, aliases, spec fields, data that does not fit the bundle). The
fragments hold for typer 0.20 (click's exceptions) and 0.29 (its vendored copy). Each runs
``.venv/bin/skyclass`` (the script ``pip install`` made, not a test runner object) in a
subprocess and must end with exit code 2, one or two lines on stderr naming the fault,
and no traceback. The cases run concurrently (4 at a time) in one fixture; the
parametrized tests read their outcomes.

The skew tests train one tiny bundle (``?`` placeholders in a numeric column, ``Jan-2018``
dates, an optional column) and check that it scores its own training file and that
missing and unseen data are reported, or refused with ``--strict``.
"""

from __future__ import annotations

import json
import subprocess
import sys
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from pathlib import Path

import numpy as np
import pandas as pd
import pytest

SCRIPT = Path(sys.executable).with_name("skyclass")
ROOT = Path(__file__).resolve().parents[2]


def skyclass(*args, cwd: Path | None = None, timeout: float = 120) -> subprocess.CompletedProcess:
    """Run the installed console script."""
    return subprocess.run(
        [str(SCRIPT), *map(str, args)], capture_output=True, text=True, timeout=timeout, cwd=cwd
    )


# -- the tiny training table and bundle shared by every case -------------------------


def skew_table(n: int = 160, seed: int = 0) -> pd.DataFrame:
    """A table with the skew traps of issue 14: ``?`` in a numeric column, ``Jan-2018``
    month-year dates, and an optional column (a few blanks) that matters."""
    rng = np.random.default_rng(seed)
    months = pd.date_range("2018-01-01", periods=36, freq="MS")
    x = rng.normal(size=n).round(3)
    income = rng.normal(size=n).round(2)
    plan = rng.choice(["basic", "pro", "gold"], n)
    label = np.where(x + 1.5 * income + (plan == "pro") > 0.4, "yes", "no")
    frame = pd.DataFrame(
        {
            "x": x.astype(object),
            "income": income,
            "month": [months[i].strftime("%b-%Y") for i in rng.integers(0, 36, n)],
            "plan": plan,
            "label": label,
        }
    )
    frame.loc[[3, 50, 77], "x"] = "?"
    frame.loc[[5, 90], "income"] = np.nan
    return frame


@dataclass
class Files:
    """Everything the cases refer to, under one temporary folder."""

    tmp: Path
    data: Path
    bundle: Path
    predictions: Path

    def path(self, name: str) -> Path:
        return self.tmp / name


@pytest.fixture(scope="session")
def files(tmp_path_factory) -> Files:
    tmp = tmp_path_factory.mktemp("bad_input")
    data = tmp / "data.csv"
    table = skew_table()
    table.to_csv(data, index=False)
    out = tmp / "run"
    done = skyclass(
        "train", data, "--target", "label", "--out", out, "--models", "logreg",
        "--time-budget", "10", "--cv", "2", "--max-trials", "1",
    )  # fmt: skip
    assert done.returncode == 0, done.stderr
    assert "'x': 3 cells '?' read as missing values" in done.stderr
    assert "'month': dates in the format '%b-%Y'" in done.stderr
    files = Files(tmp, data, out / "bundle", tmp / "predictions.csv")
    _write_inputs(files, table)
    return files


def _write_inputs(files: Files, table: pd.DataFrame) -> None:
    table.drop(columns=["label"]).to_csv(files.path("no_target.csv"), index=False)
    table.drop(columns=["plan"]).to_csv(files.path("no_plan.csv"), index=False)
    unseen = table.copy()
    unseen.loc[::10, "plan"] = "platinum"
    unseen.to_csv(files.path("unseen.csv"), index=False)
    bad_cell = table.copy()
    bad_cell["x"] = bad_cell["x"].where(bad_cell.index != 100, "abc")
    bad_cell.to_csv(files.path("bad_cell.csv"), index=False)
    pd.DataFrame({"a": ["x", "y"], "b": [0.5, 0.5]}).to_csv(files.path("text_proba.csv"))
    spec = (ROOT / "examples" / "deploy.yaml").read_text()
    files.path("bad_listen.yaml").write_text(
        spec.replace("listen: 127.0.0.1:8000", "listen: localhost-18000")
    )
    files.path("bad_store.yaml").write_text(spec.replace("file://./stores/aws", "foo://bucket/x"))
    files.path("bad_name.yaml").write_text("name: Bad_Name\nmodel: /m\nregions:\n  - name: a\n")
    other = {"id": "r1", "ts": 1.0, "model_name": "someone-else", "model_version": "1",
             "region": "local", "inputs": {"age": 3}, "probabilities": [0.5, 0.5], "label": "yes",
             "kind": "prediction"}  # fmt: skip
    files.path("other_model.jsonl").write_text(json.dumps(other) + "\n")
    same_name = {**other, "model_name": "data"}  # the bundle's name, another bundle's columns
    files.path("other_columns.jsonl").write_text(json.dumps(same_name) + "\n")
    (files.tmp / "reg").mkdir()
    pushed = skyclass("registry", "push", files.bundle, "--to", files.tmp / "pushed")
    assert pushed.returncode == 0 and pushed.stdout.strip() == "1", pushed.stderr


# -- the table ------------------------------------------------------------------------
# (id, arguments with {placeholders}, fragments stderr must contain)

CASES = [
    # the framework's usage errors, whatever typer/click version raised them
    ("bare-skyclass", [], ["Usage", "train"]),
    ("bare-group", ["registry"], ["Usage", "push"]),
    ("misspelt-command", ["trian"], ["No such command 'trian'", "--help"]),
    ("unknown-option", ["--bogus"], ["No such option", "--bogus"]),
    ("missing-option", ["train", "{data}"], ["Missing option", "--target"]),
    ("missing-argument", ["evaluate", "{bundle}"], ["Missing argument", "'data'"]),  # any case
    ("int-not-a-number", ["train", "{data}", "--target", "label", "--cv", "abc"], ["--cv"]),
    ("int-below-range", ["train", "{data}", "--target", "label", "--cv", "1"], ["--cv", "2"]),
    ("int-negative-seed", ["train", "{data}", "--target", "label", "--seed", "-1"], ["--seed"]),
    ("float-not-a-number", ["train", "{data}", "--target", "label", "--time-budget", "soon"],
     ["--time-budget"]),
    # train
    ("train-share-out-of-range", ["train", "{data}", "--target", "label", "--test-size", "1.5"],
     ["--test-size", "between 0 and 1"]),
    ("train-missing-file", ["train", "{tmp}/missing.csv", "--target", "label"],
     ["missing.csv", "no such file"]),
    ("train-unknown-encoding", ["train", "{data}", "--target", "label", "--encoding", "klingon"],
     ["unknown encoding 'klingon'"]),
    ("train-wrong-encoding", ["train", "{data}", "--target", "label", "--encoding", "utf-16",
                              "--out", "{tmp}/o2"], ["data.csv", "UTF-16"]),
    ("train-unknown-drop", ["train", "{data}", "--target", "label", "--drop", "incme"],
     ["--drop 'incme'", "did you mean 'income'"]),
    ("train-bad-registry-url", ["train", "{data}", "--target", "label", "--registry", "foo://x"],
     ["unknown scheme 'foo'"]),
    # evaluate / predict: files and data that do not fit the bundle
    ("evaluate-no-target", ["evaluate", "{bundle}", "{tmp}/no_target.csv"], ["'label'"]),
    ("evaluate-bad-choice", ["evaluate", "{bundle}", "{data}", "--unknown-labels", "maybe"],
     ["maybe"]),
    ("predict-missing-out", ["predict", "{bundle}", "{data}"], ["Missing option", "--out"]),
    ("predict-chunk-zero", ["predict", "{bundle}", "{data}", "--out", "{tmp}/p.csv",
                            "--chunk-rows", "0"], ["--chunk-rows", "1"]),
    ("predict-chunk-negative", ["predict", "{bundle}", "{data}", "--out", "{tmp}/p.csv",
                                "--chunk-rows", "-1"], ["--chunk-rows"]),
    ("predict-no-bundle", ["predict", "{tmp}/nobundle", "{data}", "--out", "{tmp}/p.csv"],
     ["nobundle", "not found"]),
    ("predict-required-column", ["predict", "{bundle}", "{tmp}/no_plan.csv", "--out",
                                 "{tmp}/p.csv"], ["missing required column 'plan'"]),
    ("predict-bad-cell", ["predict", "{bundle}", "{tmp}/bad_cell.csv", "--out", "{tmp}/p.csv"],
     ["column 'x': row 100 is 'abc'"]),
    ("predict-bad-cell-chunked", ["predict", "{bundle}", "{tmp}/bad_cell.csv", "--out",
                                  "{tmp}/p.csv", "--chunk-rows", "30"],
     ["column 'x': row 100 is 'abc'"]),  # the file's row, not the 4th chunk's row 10
    ("predict-out-is-a-folder", ["predict", "{bundle}", "{data}", "--out", "{tmp}"],
     ["is a directory"]),
    ("predict-strict-unseen", ["predict", "{bundle}", "{tmp}/unseen.csv", "--out",
                               "{tmp}/strict.csv", "--strict"], ["--strict", "platinum"]),
    # metrics
    ("metrics-missing-file", ["metrics", "{tmp}/missing.csv", "{tmp}/missing.csv"],
     ["does not exist"]),
    ("metrics-text-probabilities", ["metrics", "{data}", "{tmp}/text_proba.csv", "--column",
                                    "label"], ["not numeric"]),
    ("metrics-curve-points", ["metrics", "{data}", "{data}", "--max-curve-points", "1"],
     ["--max-curve-points"]),
    # serve (all refused before anything listens)
    ("serve-port-not-a-number", ["serve", "{bundle}", "--port", "notaport"], ["--port"]),
    ("serve-port-out-of-range", ["serve", "{bundle}", "--port", "70000"], ["--port", "65535"]),
    ("serve-workers-zero", ["serve", "{bundle}", "--workers", "0"], ["--workers"]),
    ("serve-unset-key-variable", ["serve", "{bundle}", "--api-key-env", "SKYCLASS_UNSET_E14"],
     ["SKYCLASS_UNSET_E14"]),
    # registry
    ("push-scheme-typo", ["registry", "push", "{bundle}", "--to", "s3:/bucket"],
     ["'s3:/bucket'", "s3://bucket"]),
    ("push-reserved-alias", ["registry", "push", "{bundle}", "--to", "{tmp}/reg", "--alias",
                             "latest"], ["'latest' is reserved"]),
    ("push-missing-to", ["registry", "push", "{bundle}"], ["Missing option", "--to"]),
    ("list-empty-url", ["registry", "list", ""], ["registry URL is empty"]),
    ("list-bad-scheme", ["registry", "list", "ftp2://x"], ["unknown scheme 'ftp2'"]),
    ("pull-not-a-uri", ["registry", "pull", "notauri", "{tmp}/pulled"],
     ["name@version_or_alias"]),
    ("pull-unknown-model", ["registry", "pull", "file://{tmp}/reg/m@1", "{tmp}/pulled"], ["m"]),
    ("alias-version-zero", ["registry", "alias", "{tmp}/reg", "m", "champion", "0"],
     ["version", "1"]),
    ("alias-version-text", ["registry", "alias", "{tmp}/reg", "m", "champion", "three"],
     ["version", "integer"]),
    ("delete-alias-not-number", ["registry", "delete", "file://{tmp}/reg/m@champion"],
     ["version number"]),
    ("clean-negative-age", ["registry", "clean", "{tmp}/reg", "--older-than", "-1"],
     ["--older-than"]),
    ("replicate-bad-destination", ["registry", "replicate", "file://{tmp}/pushed/data@1",
                                   "--to", "bogus://x"], ["unknown scheme 'bogus'"]),
    ("sign-missing-key", ["registry", "sign", "{bundle}", "--key", "{tmp}/missing.key"],
     ["missing.key"]),
    ("keygen-unknown-option", ["registry", "keygen", "--bogus"], ["No such option", "--bogus"]),
    ("verify-missing", ["registry", "verify", "{tmp}/nothing"], ["nothing", "not found"]),
    # deploy and friends
    ("deploy-missing-spec", ["deploy", "{tmp}/missing.yaml", "--state", "{tmp}/st"],
     ["missing.yaml"]),
    ("deploy-bad-listen", ["deploy", "{tmp}/bad_listen.yaml", "--state", "{tmp}/st"],
     ["gateway.listen 'localhost-18000'", "host:port"]),
    ("deploy-bad-store", ["deploy", "{tmp}/bad_store.yaml", "--state", "{tmp}/st"],
     ["regions[0].store", "unknown scheme 'foo'"]),
    ("deploy-regex-intact", ["deploy", "{tmp}/bad_name.yaml", "--state", "{tmp}/st"],
     ["'^[a-z0-9]([a-z0-9-]{0,38}[a-z0-9])?$'"]),
    ("status-nothing-deployed", ["status", "nothere", "--state", "{tmp}/st"], ["nothere"]),
    ("down-nothing-deployed", ["down", "nothere", "--state", "{tmp}/st"], ["nothere"]),
    ("gateway-bad-listen", ["gateway", "{tmp}/bad_listen.yaml", "--listen", "localhost-18000"],
     ["--listen 'localhost-18000'"]),
    ("chaos-share-out-of-range", ["chaos", "r1", "--errors", "2"], ["--errors"]),
    ("chaos-float-not-a-number", ["chaos", "r1", "--slow", "abc"], ["--slow"]),
    # monitoring
    ("monitor-missing-log", ["monitor", "{bundle}"], ["Missing option", "--log"]),
    ("monitor-other-model", ["monitor", "{bundle}", "--log", "{tmp}/other_model.jsonl"],
     ["'someone-else'", "not of the bundle's model", "--allow-other-model"]),
    ("monitor-other-columns", ["monitor", "{bundle}", "--log", "{tmp}/other_columns.jsonl"],
     ["['age']", "share no column", "--allow-other-model"]),
    ("dashboard-port-negative", ["dashboard", "{bundle}", "--log", "x.db", "--port", "-5"],
     ["--port"]),
    ("retrain-share-out-of-range", ["retrain", "{data}", "--target", "label", "--log", "x.db",
                                    "--registry", "{tmp}/reg", "--name", "m",
                                    "--holdout-fraction", "2"], ["--holdout-fraction"]),
]  # fmt: skip
HELP_CASES = {"bare-skyclass", "bare-group"}  # the help, on stdout or stderr


def _fill(arg: str, files: Files) -> str:
    return arg.format(tmp=files.tmp, data=files.data, bundle=files.bundle)


@pytest.fixture(scope="session")
def outcomes(files) -> dict[str, subprocess.CompletedProcess]:
    def one(case):
        name, args, _ = case
        return name, skyclass(*(_fill(a, files) for a in args), cwd=files.tmp)

    with ThreadPoolExecutor(max_workers=4) as pool:
        return dict(pool.map(one, CASES))


def test_the_table_covers_every_subcommand():
    from skyclass.cli import app
    from skyclass.cli.registry import registry_app

    covered = {args[0] for _, args, _ in CASES if args}
    registry = {args[1] for _, args, _ in CASES if args[:1] == ["registry"] and len(args) > 1}
    commands = {c.name or c.callback.__name__ for c in app.registered_commands}
    assert commands - covered == set()
    assert {c.name for c in registry_app.registered_commands} - registry == set()


@pytest.mark.parametrize(("name", "args", "fragments"), CASES, ids=[c[0] for c in CASES])
def test_bad_input_is_one_clear_line_and_exit_code_2(outcomes, name, args, fragments):
    done = outcomes[name]
    assert done.returncode == 2, (done.returncode, done.stdout, done.stderr)
    assert "Traceback" not in done.stderr + done.stdout, done.stderr
    said = done.stdout + done.stderr if name in HELP_CASES else done.stderr
    for fragment in fragments:  # case-insensitive: typer 0.29 says 'data', click 'DATA'
        assert fragment.lower() in said.lower(), said
    if name not in HELP_CASES:  # progress lines (train) may come first; the error ends it
        lines = done.stderr.strip().splitlines()
        errors = [i for i, line in enumerate(lines) if line.startswith("error: ")]
        assert len(errors) == 1 and len(lines) - errors[0] <= 2, done.stderr


def test_failed_commands_leave_nothing_half_made(outcomes, files):
    assert outcomes["push-reserved-alias"].returncode == 2
    listed = skyclass("registry", "list", files.tmp / "reg", "--json")
    assert listed.returncode == 0 and json.loads(listed.stdout) == []  # no version created
    assert outcomes["predict-strict-unseen"].returncode == 2
    assert not files.path("strict.csv").exists()
    assert not (files.tmp / "s3:").exists()  # 's3:/bucket' was not taken for a local folder


# -- the skew cases: a bundle scores its own training file; data gaps are reported ----


def test_a_bundle_scores_and_evaluates_its_own_training_file(files):
    done = skyclass("predict", files.bundle, files.data, "--out", files.predictions)
    assert done.returncode == 0, done.stderr
    scored = pd.read_csv(files.predictions)
    assert len(scored) == 160 and {"label", "proba_no", "proba_yes"} <= set(scored.columns)
    # the three '?' cells are missing values, imputed as in training: reported, not refused
    assert "column 'x': 3 of 160 values missing, imputed as in training" in done.stderr
    evaluated = skyclass("evaluate", files.bundle, files.data)
    assert evaluated.returncode == 0, evaluated.stderr
    result = json.loads(evaluated.stdout)
    assert result["n_rows"] == 160 and result["metrics"]["accuracy"]["value"] > 0.7
    assert result["data_quality"]["missing_values"] == {"x": 3, "income": 2}
    metrics = skyclass("metrics", files.data, files.predictions, "--column", "label", "--json")
    assert metrics.returncode == 0, metrics.stderr
    assert json.loads(metrics.stdout)["accuracy"] == pytest.approx(
        float((scored["label"] == pd.read_csv(files.data)["label"]).mean())
    )


def test_left_out_and_unseen_data_are_named(files):
    table = pd.read_csv(files.data)
    table.drop(columns=["income", "label"]).to_csv(files.path("no_income.csv"), index=False)
    done = skyclass("predict", files.bundle, files.path("no_income.csv"), "--out",
                    files.path("p_no_income.csv"))  # fmt: skip
    assert done.returncode == 0, done.stderr
    assert "column 'income' is missing from the input: all 160 rows imputed" in done.stderr
    assert "--strict" in done.stderr
    unseen = skyclass("predict", files.bundle, files.path("unseen.csv"), "--out",
                      files.path("p_unseen.csv"))  # fmt: skip
    assert unseen.returncode == 0, unseen.stderr
    assert "'plan': 16 of 160 values are categories unseen in training" in unseen.stderr
    assert "'platinum'" in unseen.stderr

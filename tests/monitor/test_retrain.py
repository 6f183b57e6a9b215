"""Paired comparison against scikit-learn and a plain bootstrap loop; the retraining loop on a
real file:// registry: feedback joins the data, challenger pushed and aliased, compared with
the champion on held-out feedback, promoted only when not worse, canary spec updated."""

import json
from types import SimpleNamespace

import numpy as np
import pandas as pd
import pytest
import yaml
from sklearn.linear_model import LogisticRegression
from sklearn.metrics import accuracy_score, f1_score

from skyclass.errors import InputError
from skyclass.monitor import paired_comparison, read_prediction_log
from tests.monitor._helpers import write_sqlite_log
from tests.monitor.test_end_to_end import ROOT


def _preds(seed, n=400, k=3, acc_a=0.7, acc_b=0.8):
    rng = np.random.default_rng(seed)
    y = rng.integers(0, k, n)
    a = np.where(rng.random(n) < acc_a, y, rng.integers(0, k, n))
    b = np.where(rng.random(n) < acc_b, y, rng.integers(0, k, n))
    return y, a, b


@pytest.mark.parametrize("metric", ["accuracy", "f1_macro"])
def test_paired_comparison_points_equal_sklearn_and_interval_matches_a_bootstrap_loop(metric):
    y, a, b = _preds(0)
    score = (
        accuracy_score if metric == "accuracy" else (lambda t, p: f1_score(t, p, average="macro"))
    )
    result = paired_comparison(y, a, b, metric=metric, n_resamples=4000)
    assert result.champion == pytest.approx(score(y, a), abs=1e-12)
    assert result.challenger == pytest.approx(score(y, b), abs=1e-12)
    assert result.difference == pytest.approx(score(y, b) - score(y, a), abs=1e-12)
    rng = np.random.default_rng(1)
    loop = []
    for _ in range(400):
        rows = rng.integers(0, len(y), len(y))
        loop.append(score(y[rows], b[rows]) - score(y[rows], a[rows]))
    lo, hi = np.quantile(loop, [0.025, 0.975])
    assert result.interval[0] == pytest.approx(lo, abs=0.02)
    assert result.interval[1] == pytest.approx(hi, abs=0.02)


def test_verdicts():
    y, a, b = _preds(2, acc_a=0.6, acc_b=0.9)
    assert paired_comparison(y, a, b).verdict == "better"
    assert paired_comparison(y, b, a).verdict == "worse"
    assert paired_comparison(y, b, a).p_value < 0.01
    same = paired_comparison(y, a, a)
    assert (same.verdict, same.difference, same.p_value) == ("no significant difference", 0.0, 1.0)
    assert 0 < paired_comparison(y, b, a).p_value <= 2 / 2001
    with pytest.raises(InputError, match="same non-zero number of rows"):
        paired_comparison(y, a[:-1], b)
    with pytest.raises(InputError, match="cannot be compared"):
        paired_comparison(y, a, b, metric="roc_auc")


@pytest.fixture
def world(tmp_path):
    """A weak champion (trained on shuffled labels) in a file:// registry, and a log of
    production traffic with feedback."""
    from skyclass.bundle import Registry
    from skyclass.data import infer_schema
    from skyclass.pipeline import Preprocessor, package

    wine = (
        pd.read_csv(ROOT / "examples" / "wine.csv")
        .sample(frac=1.0, random_state=0)
        .reset_index(drop=True)
    )
    target = "cultivar"
    original, production = wine.iloc[:60], wine.iloc[60:]
    schema = infer_schema(original, target=target)
    X = original.drop(columns=[target])
    pre = Preprocessor(schema).fit(X)
    shuffled = original[target].sample(frac=1.0, random_state=3).to_numpy()
    weak = LogisticRegression(max_iter=500).fit(pre.transform(X), shuffled)
    bundle = package(tmp_path / "champion", preprocessor=pre, model=weak, schema=schema,
                     labels=list(weak.classes_), target=target, name="wine", X_reference=X)  # fmt: skip
    registry = f"file://{tmp_path / 'registry'}"
    reg = Registry(registry)
    reg.set_alias("wine", "champion", reg.push(bundle))
    champion = reg.load("wine", "champion")
    proba = champion.predict_proba(production.drop(columns=[target]))
    records = json.loads(production.drop(columns=[target]).to_json(orient="records"))
    predictions = [
        {"id": f"r{i}", "ts": 1000.0 + i, "model_name": "wine", "model_version": "1", "region": "eu",
         "inputs": rec, "probabilities": p.tolist(), "label": champion.labels[int(p.argmax())]}
        for i, (rec, p) in enumerate(zip(records, proba))
    ]  # fmt: skip
    feedback = [
        {"id": f"r{i}", "ts": 2000.0 + i, "label": y} for i, y in enumerate(production[target])
    ]
    log = write_sqlite_log(tmp_path / "log.db", predictions, feedback)
    data = tmp_path / "original.csv"
    original.to_csv(data, index=False)
    spec = tmp_path / "deploy.yaml"
    spec.write_text(
        "name: wine\nmodel: x@champion\nregions: []\nrollout:\n  canary: {weight: 20}\n"
    )
    return {
        "data": data,
        "log": log,
        "registry": registry,
        "reg": reg,
        "spec": spec,
        "tmp": tmp_path,
    }


def test_retrain_cli_pushes_challenger_compares_and_promotes(world):
    from typer.testing import CliRunner

    from skyclass.cli import app

    args = [
        "retrain", str(world["data"]), "--target", "cultivar", "--log", str(world["log"]),
        "--registry", world["registry"], "--name", "wine", "--promote", "--canary-spec", str(world["spec"]),
        "--out", str(world["tmp"] / "retrain-out"), "--models", "logreg", "--time-budget", "60", "--max-trials", "2",
    ]  # fmt: skip
    run = CliRunner().invoke(app, args)
    assert run.exit_code == 0, run.output
    result = SimpleNamespace(**json.loads(run.stdout.strip().splitlines()[-1]))
    result.comparison = SimpleNamespace(**result.comparison)
    assert result.n_original == 60 and result.n_feedback == 118
    assert result.n_holdout + result.n_train == 60 + 118
    assert "labelled feedback" in result.holdout_source and 15 < result.n_holdout < 60
    reg = world["reg"]
    assert reg.resolve("wine", "challenger") == result.challenger_version == 2
    assert result.champion_version == 1
    c = result.comparison
    assert c.verdict == "better" and c.challenger > 0.75 and c.champion < 0.6
    assert result.promoted and reg.resolve("wine", "champion") == 2
    spec = yaml.safe_load(world["spec"].read_text())
    assert spec["rollout"]["canary"] == {"weight": 20, "model": f"{reg.url}/wine@challenger"}
    # the feedback rows really were used: the challenger's reference counts them
    assert reg.load("wine", 2).reference["n_rows"] > 60 * 0.7
    log = read_prediction_log(str(world["log"]))
    assert len(log.labelled()) == 118

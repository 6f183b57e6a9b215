"""skyclass.train end to end on real data: wine, digits, the messy fixture, costs, bad input."""

import json
from html import escape

import numpy as np
import pandas as pd
import pytest
from rich.console import Console
from sklearn.datasets import load_breast_cancer, load_digits, load_wine
from sklearn.metrics import accuracy_score, f1_score

import skyclass
from skyclass.bundle import load
from skyclass.data import stratified_split_index
from skyclass.errors import InputError
from tests.data.messy import DROPPED, make_messy

QUIET = Console(quiet=True)


def _frame(loader, target="label"):
    data = loader(as_frame=True)
    frame = data.frame.rename(columns={"target": target})
    frame[target] = (
        np.asarray(data.target_names)[frame[target]] if loader is not load_digits else frame[target]
    )
    return frame


def _test_rows(frame, target, seed=0, test_size=0.2):
    _, codes = np.unique(frame[target].to_numpy(), return_inverse=True)
    return stratified_split_index(codes, test_size=test_size, seed=seed)[1]


@pytest.fixture(scope="module")
def wine(tmp_path_factory):
    out = tmp_path_factory.mktemp("wine") / "run"
    frame = _frame(load_wine)
    result = skyclass.train(
        frame,
        "label",
        out=out,
        name="wine",
        time_budget=20,
        max_trials=3,
        refit_all=False,  # the bundle is the evaluated model: compare it with the test numbers
        console=QUIET,
    )
    return frame, result


def test_wine_accuracy_and_bundle_agree_with_sklearn(wine):
    frame, result = wine
    assert result.evaluation.accuracy >= 0.95
    test = frame.iloc[_test_rows(frame, "label")]
    bundle = load(result.bundle_path)
    pred = bundle.predict(test.drop(columns=["label"]))
    # the evaluation is of exactly the held-out rows, and the shipped bundle reproduces it
    assert accuracy_score(test["label"], pred) == result.evaluation.accuracy
    summary = json.loads((result.out_dir / "train.json").read_text())
    assert summary["test"]["metrics"]["accuracy"]["value"] == result.evaluation.accuracy
    assert summary["split"] == {
        "train": 142,
        "test": 36,
        "cv": 5,
        "tune_rows": 142,
        "seed": 0,
        "test_size": 0.2,
    }
    families = ("logreg", "logreg-ovr", "hgb", "rf")
    names = {r["name"] for r in result.leaderboard}
    assert names - {"ensemble"} == {"prior", *families, *(f"{f} (defaults)" for f in families)}
    for row in result.leaderboard:  # the ensemble (when the weights mix models) names its members
        if row["kind"] == "ensemble":
            assert set(row["params"]["members"]) <= names - {"prior", "ensemble"}
            assert abs(sum(row["params"]["members"].values()) - 1.0) < 1e-3
    assert all(r["n_trials"] <= 3 and len(r["fold_scores"]) == 5 for r in result.leaderboard)
    assert result.metric == "accuracy" and "balanced" in " ".join(summary["metric"]["reasons"])
    assert summary["metric"]["tuned_on"] == "log_loss"
    # ranked by the selection metric (near-ties by log loss); the prior is never shipped
    scores = [r["mean"] for r in result.leaderboard]
    assert scores[0] == max(scores) or scores[0] >= max(scores) - 0.01
    assert result.winner == result.leaderboard[0]["name"] != "prior"
    prior = next(r for r in result.leaderboard if r["name"] == "prior")
    assert prior["mean"] < 0.5 and prior["log_loss"] > result.leaderboard[0]["log_loss"]
    assert summary["warnings"] == []
    low, high = (summary["test"]["metrics"]["accuracy"][k] for k in ("low", "high"))
    assert low <= result.evaluation.accuracy <= high
    assert (result.out_dir / "report.html").stat().st_size > 50_000
    import optuna

    assert summary["versions"]["optuna"] == optuna.__version__
    manifest = json.loads((result.bundle_path / "manifest.json").read_text())
    assert manifest["params"]["versions"] == summary["versions"]
    assert not [p for p in result.out_dir.parent.iterdir() if p.name.startswith(".")]


def test_digits_accuracy(tmp_path):
    frame = _frame(load_digits)
    result = skyclass.train(
        frame,
        "label",
        out=tmp_path / "d",
        models="logreg,logreg-ovr",
        time_budget=20,
        max_trials=2,
        console=QUIET,
    )
    assert result.evaluation.accuracy >= 0.95
    assert len(result.evaluation.labels) == 10


def test_messy_fixture_trains_and_report_explains_every_drop(tmp_path):
    result = skyclass.train(
        make_messy(),
        "segment",
        out=tmp_path / "m",
        models="logreg,rf",
        time_budget=20,
        max_trials=2,
        sensitive="region",
        console=QUIET,
    )
    dropped = {d.column for d in result.decisions if d.action == "drop"}
    assert dropped == DROPPED
    html = (result.report_path).read_text()
    for decision in result.decisions:
        assert escape(decision.reason) in html
    summary = result.summary.to_dict()
    assert summary["metric"]["name"] == "f1_macro"  # imbalanced: the rare class counts
    assert "platinum" in summary["profile"]["classes"]
    fairness = summary["fairness"]
    assert fairness["column"] == "region" and {g["group"] for g in fairness["groups"]} <= {
        "north",
        "south",
        "east",
        "west",
        "islands",
    }
    assert sum(g["n"] for g in fairness["groups"]) == summary["split"]["test"]
    features = [r["feature"] for r in summary["interpretation"]["permutation"]]
    assert sorted(features) == ["age", "income", "plan", "region", "signup"]
    bundle = load(result.bundle_path)
    assert bundle.schema.names == ["age", "income", "plan", "region", "signup"]
    assert bundle.predict(
        [{"age": 50, "income": 40000.0, "plan": "pro", "region": "north", "signup": "2023-02-01"}]
    ).shape == (1,)


def test_binary_costs_tune_a_threshold_on_out_of_fold_rows(tmp_path):
    frame = _frame(load_breast_cancer)
    result = skyclass.train(
        frame,
        "label",
        out=tmp_path / "b",
        models="logreg",
        time_budget=15,
        max_trials=2,
        costs={"fp": 1, "fn": 5},
        refit_all=False,
        console=QUIET,
    )
    rule = result.summary.decision_rule.rule
    assert rule["kind"] == "threshold" and rule["positive"] == "malignant"  # the rarer class
    assert result.metric == "fbeta"
    bundle = load(result.bundle_path)
    assert bundle.decision_rule == rule
    test = frame.iloc[_test_rows(frame, "label")]
    proba = bundle.predict_proba(test.drop(columns=["label"]))
    expected = np.where(
        proba[:, bundle.labels.index("malignant")] >= rule["threshold"], "malignant", "benign"
    )
    assert (bundle.predict(test.drop(columns=["label"])) == expected).all()
    f_beta = result.summary.test.metrics["fbeta"]["value"]
    from sklearn.metrics import fbeta_score

    assert np.isclose(
        f_beta, fbeta_score(test["label"], expected, beta=np.sqrt(5), pos_label="malignant")
    )


def test_bad_input_leaves_out_untouched(tmp_path):
    out = tmp_path / "keep"
    out.mkdir()
    (out / "marker.txt").write_text("previous run")
    frame = _frame(load_wine)
    cases = [
        (dict(data=frame, target="nope"), "not found"),
        (dict(data=frame.assign(label="x"), target="label"), "single class"),
        (dict(data=frame, target="label", costs=[[0, 1], [1, 0]]), "has 3 classes"),
        (dict(data=frame, target="label", models="svm"), "unknown candidate"),
        (dict(data=frame, target="label", metric="f1"), "for two classes"),
        (dict(data=tmp_path / "missing.csv", target="label"), "no such file"),
        (dict(data=frame, target="label", sensitive="nope"), "--sensitive"),
        (dict(data=frame, target="label", test_size=1.5), "--test-size"),
        (dict(data=frame, target="label", registry="nosuch://x"), "--registry"),
    ]
    for kwargs, message in cases:
        with pytest.raises((InputError, skyclass.errors.SkyclassError), match=message):
            skyclass.train(out=out, console=QUIET, time_budget=5, **kwargs)
    assert [p.name for p in out.iterdir()] == ["marker.txt"]
    assert [p.name for p in tmp_path.iterdir() if p.name.startswith(".")] == []


def test_failure_while_writing_keeps_previous_run(tmp_path, monkeypatch):
    from skyclass.pipeline import _stages

    out = tmp_path / "run"
    out.mkdir()
    (out / "marker.txt").write_text("previous run")

    def broken(*args, **kwargs):
        raise InputError("simulated failure while packaging")

    monkeypatch.setattr(_stages, "package", broken)
    with pytest.raises(InputError, match="simulated"):
        skyclass.train(
            _frame(load_wine),
            "label",
            out=out,
            models="logreg",
            time_budget=5,
            max_trials=1,
            console=QUIET,
        )
    assert [p.name for p in tmp_path.iterdir()] == ["run"]
    assert [p.name for p in out.iterdir()] == ["marker.txt"]


def test_same_seed_same_result(tmp_path):
    frame = _frame(load_wine)
    runs = [
        skyclass.train(
            frame,
            "label",
            out=tmp_path / f"r{i}",
            models="logreg,rf",
            time_budget=30,
            max_trials=2,
            console=QUIET,
        )
        for i in range(2)
    ]
    assert runs[0].leaderboard == [
        dict(r, seconds=runs[0].leaderboard[i]["seconds"])
        for i, r in enumerate(runs[1].leaderboard)
    ]
    onnx = [(r.bundle_path / "model.onnx").read_bytes() for r in runs]
    assert onnx[0] == onnx[1]
    assert f1_score is not None and pd is not None


def test_push_to_a_file_registry(tmp_path):
    from skyclass.bundle import Registry

    frame = _frame(load_wine)
    registry = f"file://{tmp_path / 'registry'}"
    versions = [
        skyclass.train(
            frame,
            "label",
            out=tmp_path / f"run{i}",
            name="wine",
            registry=registry,
            models="logreg",
            time_budget=5,
            max_trials=1,
            console=QUIET,
        ).version
        for i in range(2)
    ]
    assert versions == [1, 2]
    assert Registry(registry).resolve("wine", "latest") == 2
    pulled = load(f"{registry}/wine@2")
    local = load(tmp_path / "run1" / "bundle")
    rows = frame.drop(columns=["label"]).head(20)
    assert np.array_equal(pulled.predict_proba(rows), local.predict_proba(rows))
    assert "version 2" in (tmp_path / "run1" / "report.html").read_text()


def test_multiclass_cost_matrix_ships_the_bayes_decision(tmp_path):
    frame = _frame(load_wine)
    costs = [[0, 1, 1], [5, 0, 1], [1, 1, 0]]
    result = skyclass.train(
        frame,
        "label",
        out=tmp_path / "c",
        models="logreg",
        time_budget=10,
        max_trials=2,
        costs=costs,
        refit_all=False,
        console=QUIET,
    )
    assert result.metric == "expected_cost"
    rule = result.summary.decision_rule.rule
    assert rule["kind"] == "cost_matrix" and rule["matrix"] == costs
    bundle = load(result.bundle_path)
    test = frame.iloc[_test_rows(frame, "label")]
    proba = bundle.predict_proba(test.drop(columns=["label"])).astype(float)
    decided = np.asarray(bundle.labels)[np.argmin(proba @ np.asarray(costs, float), axis=1)]
    assert (bundle.predict(test.drop(columns=["label"])) == decided).all()
    codes = {v: i for i, v in enumerate(bundle.labels)}
    expected = np.mean([costs[codes[t]][codes[p]] for t, p in zip(test["label"], decided)])
    assert np.isclose(result.summary.test.metrics["expected_cost"]["value"], expected, atol=1e-12)

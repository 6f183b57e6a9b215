"""Ensemble selection: Caruana weights on log loss, cross-fitted scores, one ONNX graph equal to Python."""

import math

import numpy as np
import pandas as pd
import pytest
from sklearn import metrics as skm

from skyclass.bundle import load
from skyclass.data import infer_schema
from skyclass.pipeline import Preprocessor, export_onnx, get_scorer, package
from skyclass.pipeline._ensemble import Ensemble, cross_fitted_average, select_weights
from skyclass.pipeline._select import leaderboard
from skyclass.pipeline._tune import CandidateResult
from skyclass.pipeline.candidates import CANDIDATES


def _noisy(codes, strength, rng):
    logits = rng.normal(size=(len(codes), 3)) + strength * np.eye(3)[codes]
    return np.exp(logits) / np.exp(logits).sum(1, keepdims=True)


def test_weights_are_the_greedy_picks_and_beat_every_member():
    rng = np.random.default_rng(0)
    codes = rng.choice(3, 400)
    probas = [_noisy(codes, 1.5, rng), _noisy(codes, 1.5, rng), _noisy(codes, 0.3, rng)]
    weights = select_weights(probas, codes, rounds=10)
    # the same greedy search, written out: each round adds the model that lowers log loss most
    counts, total = np.zeros(3), np.zeros((400, 3))
    for n in range(10):
        losses = [skm.log_loss(codes, (total + p) / (n + 1), labels=[0, 1, 2]) for p in probas]
        counts[int(np.argmin(losses))] += 1
        total += probas[int(np.argmin(losses))]
    assert np.allclose(weights, counts / 10)
    assert weights[0] > 0 and weights[1] > 0  # two independent, equally good models are mixed
    mixed = sum(w * p for w, p in zip(weights, probas))
    best_single = min(skm.log_loss(codes, p, labels=[0, 1, 2]) for p in probas)
    assert skm.log_loss(codes, mixed, labels=[0, 1, 2]) < best_single - 0.02


def test_cross_fitted_average_uses_weights_chosen_on_the_other_folds():
    rng = np.random.default_rng(1)
    codes = rng.choice(3, 300)
    probas = [_noisy(codes, 1.0, rng), _noisy(codes, 1.2, rng)]
    folds = [np.arange(300)[i::3] for i in range(3)]
    got = cross_fitted_average(probas, codes, folds)
    for val in folds:
        rest = np.setdiff1d(np.arange(300), val)
        w = select_weights([p[rest] for p in probas], codes[rest])
        assert np.allclose(got[val], w[0] * probas[0][val] + w[1] * probas[1][val])
    assert np.allclose(got.sum(1), 1.0)


def test_ensemble_entry_joins_the_leaderboard_with_its_members():
    rng = np.random.default_rng(2)
    codes = rng.choice(3, 300)
    folds = [np.arange(300)[i::3] for i in range(3)]
    a = CandidateResult("a", {"x": 1}, [0.0] * 3, 3, 0, 1.0, oof_proba=_noisy(codes, 1.5, rng))
    b = CandidateResult("b", {"y": 2}, [0.0] * 3, 3, 0, 1.0, oof_proba=_noisy(codes, 1.5, rng))
    scorer = get_scorer("accuracy", n_classes=3)
    scored, _ = leaderboard([a, b], codes, folds, ["p", "q", "r"], scorer)
    assert [s.entry.name for s in scored] == ["prior", "a", "b", "ensemble"]
    ensemble = scored[-1]
    assert ensemble.entry.kind == "ensemble"
    assert {e.name for e, _ in ensemble.members} == {"a", "b"}
    assert math.isclose(sum(w for _, w in ensemble.members), 1.0)
    oof = cross_fitted_average([a.oof_proba, b.oof_proba], codes, folds)
    losses = [skm.log_loss(codes[v], oof[v], labels=[0, 1, 2]) for v in folds]
    assert math.isclose(ensemble.entry.log_loss, np.mean(losses))
    assert ensemble.entry.log_loss < min(s.entry.log_loss for s in scored[:-1])
    alone, _ = leaderboard([a], codes, folds, ["p", "q", "r"], scorer)  # one model: no ensemble
    assert [s.entry.name for s in alone] == ["prior", "a"]


@pytest.fixture(scope="module")
def fitted():
    rng = np.random.default_rng(0)
    df = pd.DataFrame(
        {
            "x": rng.normal(size=300),
            "z": rng.normal(size=300),
            "c": rng.choice(["a", "b", "c"], 300),
        }
    )
    y = (((df.x + (df.c == "a")) > 0.3).astype(int) + (df.z > 1).astype(int)).to_numpy()
    pre = Preprocessor(infer_schema(df)).fit(df)
    members = [CANDIDATES.create(n) for n in ("hgb", "logreg", "rf")]
    model = Ensemble([c.build(c.defaults(), 0) for c in members], [0.5, 0.3, 0.2])
    return df, y, pre, model.fit(pre.transform(df), y)


def test_onnx_graph_equals_the_python_ensemble(fitted):
    import onnxruntime as ort

    df, _, pre, model = fitted
    session = ort.InferenceSession(export_onnx(pre, model).SerializeToString())
    feeds = {
        "x": df[["x"]].to_numpy(),
        "z": df[["z"]].to_numpy(),
        "c": df[["c"]].to_numpy().astype(str),
    }
    got = session.run(["probabilities"], feeds)[0]
    expected = model.predict_proba(pre.transform(df))
    assert np.abs(got - expected).max() < 1e-5
    members = sum(
        w * m.predict_proba(pre.transform(df)) for w, m in zip([0.5, 0.3, 0.2], model.members)
    )
    assert np.allclose(expected, members)


def test_an_ensemble_packages_into_a_bundle_that_serves_its_average(fitted, tmp_path):
    df, y, pre, model = fitted
    path = package(
        tmp_path / "bundle",
        preprocessor=pre,
        model=model,
        schema=pre.schema,
        labels=["lo", "mid", "hi"],
        target=None,
        name="ens",
        X_reference=df,
    )
    served = load(path).predict_proba(df)
    assert np.abs(served - model.predict_proba(pre.transform(df))).max() < 1e-5
    assert list(load(path).labels) == ["lo", "mid", "hi"]


def _run_through_tune(tmp_path):
    """A real ``Run`` taken through the stages up to tune (a small three-class table)."""
    from contextlib import ExitStack

    from rich.console import Console

    from skyclass.pipeline._progress import Steps
    from skyclass.pipeline._stages import STAGES, Options, Run
    from skyclass.pipeline.candidates import get_candidates

    rng = np.random.default_rng(3)
    codes = np.arange(300) % 3
    frame = pd.DataFrame(
        {"x": rng.normal(size=300) + codes, "z": rng.normal(size=300), "y": codes.astype(str)}
    )
    options = Options(
        data=frame,
        target="y",
        out=tmp_path,
        registry=None,
        name="t",
        metric="auto",
        costs=None,
        priority=None,
        sensitive=None,
        time_budget=20.0,
        test_size=0.2,
        cv=3,
        seed=0,
        min_class_size=None,
        merge_rare=None,
        drop=None,
        max_trials=2,
        tune_rows=20000,
        encoding=None,
        refit_all=True,
    )
    quiet = Console(quiet=True)
    run = Run(options, get_candidates(None), None, "t", quiet, Steps(quiet), ExitStack(), tmp_path)
    for stage in STAGES[: [s.name for s in STAGES].index("tune") + 1]:
        stage.run(run)
    return run


def test_select_ships_the_ensemble_only_when_its_fits_fit_the_budget(tmp_path, monkeypatch):
    from skyclass.pipeline import _stages

    run = _run_through_tune(tmp_path)
    monkeypatch.setattr(_stages, "_time_left", lambda run: 1e9)
    _stages.select_stage(run)
    kept = [x.entry.name for x in run.selection.ranked]
    assert "ensemble" in kept
    monkeypatch.setattr(_stages, "_time_left", lambda run: 0.0)  # no time for the fits after it
    _stages.select_stage(run)
    assert [x.entry.name for x in run.selection.ranked if x.entry.name != "ensemble"] == [
        n for n in kept if n != "ensemble"
    ]
    assert "ensemble" not in [x.entry.name for x in run.selection.ranked]

"""Candidate models as plug-ins: the registry, the defaults, and a new candidate picked up by train/CLI."""

import sys

import numpy as np
import optuna
import pytest
from rich.console import Console
from sklearn.datasets import load_wine
from sklearn.ensemble import HistGradientBoostingClassifier
from sklearn.linear_model import LogisticRegression as SkLogisticRegression

import skyclass
from skyclass.errors import InputError
from skyclass.pipeline.candidates import CANDIDATES, Candidate, get_candidates

QUIET = Console(quiet=True)


def test_registry_names_and_lookup_errors():
    assert CANDIDATES.names() == ("hgb", "logreg", "logreg-ovr", "rf")  # import order
    assert [c.name for c in get_candidates()] == list(CANDIDATES.names())
    with pytest.raises(
        InputError, match="unknown candidate.*choose from hgb, logreg, logreg-ovr, rf"
    ):
        get_candidates("svm")
    # no family re-weights classes by default: decisions are tuned on top of the probabilities
    for candidate in get_candidates():
        assert "class_weight" not in candidate.defaults()
        model = candidate.build(candidate.defaults(), seed=0)
        assert getattr(model, "class_weight", None) is None


def test_hgb_defaults_are_sklearn_defaults_and_tuned_trials_stop_early():
    candidate = CANDIDATES.create("hgb")
    X = np.random.default_rng(0).normal(size=(600, 3))
    y = (X[:, 0] > 0).astype(int)
    ours = candidate.build(candidate.defaults(), seed=0).fit(X, y)
    theirs = HistGradientBoostingClassifier(random_state=0).fit(X, y)
    np.testing.assert_allclose(ours.predict_proba(X), theirs.predict_proba(X))
    trial = optuna.trial.FixedTrial(
        {
            "learning_rate": 0.1,
            "max_leaf_nodes": 31,
            "min_samples_leaf": 20,
            "l2_regularization": 1e-6,
            "max_features": 1.0,
        }
    )
    tuned = candidate.build(candidate.suggest(trial), seed=0).fit(X, y)
    assert tuned.early_stopping is True and tuned.n_iter_ < tuned.max_iter == 500


@pytest.fixture
def scratch_registry(monkeypatch):
    """Registrations made by the test are dropped afterwards."""
    monkeypatch.setattr(CANDIDATES, "_entries", dict(CANDIDATES._entries))


def _register_sklearn_logistic():
    @CANDIDATES.register("sk-logreg")
    class SkLogistic(Candidate):
        name = "sk-logreg"
        trial_cap = 2

        def defaults(self):
            return {"C": 0.5}

        def suggest(self, trial):
            return {"C": trial.suggest_float("C", 0.01, 10, log=True)}

        def build(self, params, seed):
            return SkLogisticRegression(max_iter=500, **params)

    return SkLogistic


def _wine():
    data = load_wine(as_frame=True)
    frame = data.frame.rename(columns={"target": "cultivar"})
    frame["cultivar"] = np.asarray(data.target_names)[frame["cultivar"]]
    return frame


def test_a_candidate_registered_in_one_place_is_trained_by_name(scratch_registry, tmp_path):
    _register_sklearn_logistic()
    assert "sk-logreg" in CANDIDATES.names()
    result = skyclass.train(
        _wine(),
        "cultivar",
        out=tmp_path / "r",
        models=["sk-logreg"],
        time_budget=10,
        console=QUIET,
    )
    names = {e["name"] for e in result.leaderboard}
    assert names == {"sk-logreg", "sk-logreg (defaults)", "prior"}
    assert result.winner.startswith("sk-logreg") and result.evaluation.accuracy > 0.9


def test_the_cli_finds_a_registered_candidate(scratch_registry, tmp_path, monkeypatch, capsys):
    _register_sklearn_logistic()
    csv = tmp_path / "wine.csv"
    _wine().to_csv(csv, index=False)
    from skyclass.cli import main

    monkeypatch.setattr(
        sys,
        "argv",
        [
            "skyclass",
            "train",
            str(csv),
            "--target",
            "cultivar",
            "--out",
            str(tmp_path / "o"),
            "--models",
            "sk-logreg",
            "--time-budget",
            "10",
        ],
    )
    with pytest.raises(SystemExit) as done:
        main()
    assert done.value.code == 0
    captured = capsys.readouterr()
    assert "sk-logreg" in captured.err and "bundle:" in captured.out

"""Each training stage's contract: labels, leaderboard with baselines, ranking, rules, refit, banner."""

import json
import math

import numpy as np
import pandas as pd
import pytest
from rich.console import Console
from sklearn import metrics as skm

import skyclass
from skyclass.bundle import load
from skyclass.metrics import decide
from skyclass.pipeline import choose_rule, get_scorer
from skyclass.pipeline._select import Scored, leaderboard, prior_oof, rank
from skyclass.pipeline._stages import STAGES, encode_labels
from skyclass.pipeline._summary import NO_MODEL_BEATS_PRIOR, LeaderboardEntry, RuleInfo
from skyclass.pipeline._tune import CandidateResult

QUIET = Console(quiet=True)


def test_stage_list_is_the_issue_order():
    assert [s.name for s in STAGES] == [
        "load",
        "validate",
        "explore",
        "split",
        "tune",
        "select",
        "decide",
        "test",
        "refit",
        "explain",
        "package",
        "push",
        "report",
    ]


@pytest.mark.parametrize(
    "values, labels",
    [
        (["10", "9", "10", "2"], ["10", "2", "9"]),  # digit strings stay strings
        (["b", "B", "a", "b"], ["B", "a", "b"]),  # case is kept
        ([" x", "x", "x "], [" x", "x", "x "]),  # whitespace is kept
        ([3, 1, 2, 3], [1, 2, 3]),  # numbers stay numbers
        ([1, "a", 1], ["1", "a"]),  # a mixed column is compared as text
        ([0.5, 1.5, 0.5], ["0.5", "1.5"]),  # so are fractions (metrics would see scores)
    ],
)
def test_encode_labels_one_encoding(values, labels):
    got, codes = encode_labels(np.asarray(values, dtype=object))
    assert got == labels
    assert [got[c] for c in codes] == [str(v) if isinstance(labels[0], str) else v for v in values]


def _scored(name, family, kind, scores, loss):
    entry = LeaderboardEntry(
        name,
        kind,
        family,
        {},
        scores,
        float(np.mean(scores)),
        float(np.std(scores, ddof=1)),
        loss,
        0.0,
    )
    return Scored(entry, RuleInfo(None, ""), np.zeros((1, 2)))


def test_rank_breaks_near_ties_by_log_loss():
    a = _scored("a", "a", "tuned", [0.80, 0.82, 0.81, 0.79, 0.83], 0.60)
    b = _scored("b", "b", "tuned", [0.80, 0.82, 0.81, 0.79, 0.828], 0.40)  # within half an SE
    c = _scored("c", "c", "tuned", [0.70, 0.72, 0.71, 0.69, 0.73], 0.30)  # far below
    assert [s.entry.name for s in rank([a, c, b], greater_is_better=True)] == ["b", "a", "c"]


def test_leaderboard_holds_prior_and_defaults_scored_with_their_rules():
    rng = np.random.default_rng(0)
    codes = rng.choice(3, 300, p=[0.6, 0.3, 0.1])
    folds = [np.arange(300)[i::3] for i in range(3)]
    good = np.eye(3)[codes] * 0.5 + 0.5 * rng.dirichlet(np.ones(3), 300)
    default = CandidateResult(
        "m", {"a": 1}, [0.0] * 3, 1, 0, 1.0, oof_proba=rng.dirichlet(np.ones(3), 300)
    )
    tuned = CandidateResult("m", {"a": 2}, [0.0] * 3, 4, 1, 2.0, oof_proba=good, default=default)
    labels = ["x", "y", "z"]
    scorer = get_scorer("f1_macro", n_classes=3)
    scored, failed = leaderboard([tuned], codes, folds, labels, scorer)
    names = [s.entry.name for s in scored]
    assert failed == [] and names[:3] == ["prior", "m", "m (defaults)"]
    assert names[3:] in ([], ["ensemble"])  # the ensemble, scored like the others, when it mixes
    prior = scored[0]
    assert np.allclose(prior.oof, prior_oof(codes, folds, 3))
    y = np.asarray(labels)[codes]
    for s in scored:
        for val, fold_score in zip(folds, s.entry.fold_scores):
            if s.rule.rule is None:  # argmax
                decided = np.asarray(labels)[s.oof[val].argmax(1)]
            else:  # the rule tuned on the other folds' rows, applied to this fold (cross-fitted)
                rest = np.setdiff1d(np.arange(300), val)
                rule = choose_rule(y[rest], s.oof[rest], labels, metric="f1_macro")["rule"]
                decided = decide(s.oof[val], rule, labels)
            assert math.isclose(fold_score, skm.f1_score(y[val], decided, average="macro"))
        losses = [skm.log_loss(codes[v], s.oof[v], labels=[0, 1, 2]) for v in folds]
        assert math.isclose(s.entry.log_loss, np.mean(losses))


def test_a_cross_fitted_rule_that_helps_is_kept():
    rng = np.random.default_rng(1)
    codes = rng.choice(3, 900, p=[0.7, 0.2, 0.1])
    logits = rng.normal(size=(900, 3)) + 1.2 * np.eye(3)[codes] + np.log([0.7, 0.2, 0.1])
    proba = np.exp(logits) / np.exp(logits).sum(1, keepdims=True)
    result = CandidateResult("m", {}, [0.0] * 3, 1, 0, 1.0, oof_proba=proba)
    folds = [np.arange(900)[i::3] for i in range(3)]
    scored, _ = leaderboard(
        [result], codes, folds, ["a", "b", "c"], get_scorer("f1_macro", n_classes=3)
    )
    model = scored[1]
    assert model.rule.rule["kind"] == "prior_shift"
    argmax = [skm.f1_score(codes[v], proba[v].argmax(1), average="macro") for v in folds]
    assert model.entry.mean > np.mean(argmax) + 0.01
    assert rank(scored, True)[0].entry.name == "m"


def test_multiclass_weights_rule_beats_argmax_on_macro_f1():
    rng = np.random.default_rng(1)
    y = rng.choice(["a", "b", "c"], 900, p=[0.7, 0.2, 0.1])
    codes = np.searchsorted(["a", "b", "c"], y)
    logits = rng.normal(size=(900, 3)) + 1.2 * np.eye(3)[codes] + np.log([0.7, 0.2, 0.1])
    proba = np.exp(logits) / np.exp(logits).sum(1, keepdims=True)
    info = choose_rule(y, proba, ["a", "b", "c"], metric="f1_macro")
    assert info["rule"]["kind"] == "prior_shift"
    decided = decide(proba, info["rule"], ["a", "b", "c"])
    argmax = np.asarray(["a", "b", "c"])[proba.argmax(1)]
    after = skm.f1_score(y, decided, average="macro")
    assert math.isclose(after, info["oof"]["f1_macro_rule"])
    assert after > skm.f1_score(y, argmax, average="macro") + 0.01
    # accuracy is reached by argmax on calibrated probabilities: no rule
    assert choose_rule(y, proba, ["a", "b", "c"], metric="accuracy")["rule"] is None


def _table(labels, n=240, seed=0, signal=True):
    rng = np.random.default_rng(seed)
    k = len(labels)
    codes = np.arange(n) % k
    x = rng.normal(size=n) + (3.0 * codes if signal else 0.0)
    return pd.DataFrame(
        {
            "x": x,
            "z": rng.normal(size=n),
            "c": rng.choice(["p", "q"], n),
            "y": np.asarray(labels, dtype=object)[codes],
        }
    )


@pytest.mark.parametrize(
    "labels",
    [["9", "10", "11"], ["Yes", "yes", "YES"], [" a", "a", "a "], [1, 2, 3], [0.5, 1.5, 2.5]],
    ids=["digit-strings", "mixed-case", "whitespace", "integers", "floats"],
)
def test_every_label_kind_trains_in_every_candidate(labels, tmp_path):
    frame = _table(labels)
    result = skyclass.train(
        frame, "y", out=tmp_path / "r", time_budget=20, max_trials=1, console=QUIET
    )
    trained = {e["family"] for e in result.leaderboard if e["fold_scores"]}
    assert trained - {"ensemble"} == {"prior", "logreg", "logreg-ovr", "hgb", "rf"}
    bundle = load(result.bundle_path)
    fractional = isinstance(labels[0], float)  # served as text: metrics would read scores
    expected = [repr(v) for v in labels] if fractional else labels
    assert bundle.labels == sorted(expected)
    predicted = np.asarray(bundle.predict(frame.drop(columns="y")).tolist(), dtype=object)
    truth = (frame["y"].map(repr) if fractional else frame["y"]).to_numpy()
    assert set(predicted) <= set(expected) and np.mean(predicted == truth) > 0.9


def test_refit_on_all_rows_by_default_and_on_training_rows_when_asked(tmp_path):
    frame = _table(["p", "q"], n=200)
    runs = {
        refit: skyclass.train(
            frame,
            "y",
            out=tmp_path / str(refit),
            models="logreg",
            time_budget=10,
            max_trials=1,
            refit_all=refit,
            console=QUIET,
        )
        for refit in (True, False)
    }
    for refit, result in runs.items():
        manifest = json.loads((result.bundle_path / "manifest.json").read_text())
        rows = 200 if refit else 160
        assert manifest["data_fingerprint"]["rows"] == rows
        assert result.summary.refit.on == ("all" if refit else "train")
        assert result.summary.refit.rows == rows
        html = result.report_path.read_text()
        expected = (
            "refitted on all 200 rows" if refit else "on the 160 training rows (--no-refit-all)"
        )
        assert expected in result.summary.refit.note and expected in html
    # the test estimate is taken before the refit: identical for both runs
    assert runs[True].summary.test.metrics == runs[False].summary.test.metrics


def test_no_signal_says_so_loudly(tmp_path, capsys):
    frame = _table(["a", "b", "c"], n=300, signal=False)
    console = Console(file=None, stderr=True, force_terminal=False, width=200)
    result = skyclass.train(
        frame,
        "y",
        out=tmp_path / "n",
        models="logreg,rf",
        time_budget=15,
        max_trials=2,
        console=console,
    )
    assert any(NO_MODEL_BEATS_PRIOR in w for w in result.summary.warnings)
    assert f"WARNING: {NO_MODEL_BEATS_PRIOR}" in capsys.readouterr().err
    assert NO_MODEL_BEATS_PRIOR in result.report_path.read_text()
    assert NO_MODEL_BEATS_PRIOR in (result.bundle_path / "card.md").read_text()
    saved = json.loads((result.out_dir / "train.json").read_text())
    assert saved["warnings"] == result.summary.warnings
    # 300 balanced rows, 240 in training: the prior is exactly one third per class
    assert saved["test"]["prior"]["log_loss"] == pytest.approx(np.log(3), abs=1e-12)


@pytest.mark.parametrize(
    "metric, sk",
    [
        ("f1_macro", lambda t, p: skm.f1_score(t, p, average="macro")),
        ("f1_weighted", lambda t, p: skm.f1_score(t, p, average="weighted")),
        ("recall_macro", lambda t, p: skm.recall_score(t, p, average="macro")),
        (
            "precision_macro",
            lambda t, p: skm.precision_score(t, p, average="macro", zero_division=0),
        ),
        ("balanced_accuracy", skm.balanced_accuracy_score),
        ("matthews_corrcoef", skm.matthews_corrcoef),
        ("cohen_kappa", skm.cohen_kappa_score),
    ],
)
def test_weight_search_scores_equal_sklearn(metric, sk):
    from skyclass.pipeline._decision_rule import _confusion_scorer

    rng = np.random.default_rng(5)
    codes = rng.choice(4, 500, p=[0.5, 0.3, 0.15, 0.05])
    proba = rng.dirichlet(np.ones(4), 500) + 0.4 * np.eye(4)[codes]
    proba[:, 3] *= 0.2  # class 3 is rarely predicted (zero-division paths)
    got = _confusion_scorer(metric, codes, 4)(proba)
    assert math.isclose(got, sk(codes, proba.argmax(1)), rel_tol=1e-12, abs_tol=1e-15)

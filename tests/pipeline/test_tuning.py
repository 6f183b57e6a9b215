"""Tuning, scoring, comparison, costs and decision rules against scikit-learn and scipy."""

import math
import time

import numpy as np
import pytest
from scipy import stats
from sklearn import metrics as skm
from sklearn.datasets import make_classification
from sklearn.model_selection import StratifiedKFold

from skyclass.errors import InputError, NotFoundError
from skyclass.pipeline import (
    SCORERS,
    Fold,
    choose_rule,
    corrected_ttest,
    get_scorer,
    rank_results,
    read_costs,
    top_coefficients,
    tune,
)
from skyclass.pipeline.candidates import Candidate, get_candidates


@pytest.fixture(scope="module")
def folds():
    X, y = make_classification(
        n_samples=240, n_features=6, n_informative=4, n_classes=3, random_state=0
    )
    splits = StratifiedKFold(3, shuffle=True, random_state=0).split(X, y)
    return [Fold(X[a], y[a], X[b], y[b], b) for a, b in splits], y


def test_tune_runs_defaults_first_and_keeps_out_of_fold_probabilities(folds):
    fold_list, y = folds
    scorer = get_scorer("f1_macro", n_classes=3)
    results = tune(
        get_candidates("logreg,rf"),
        fold_list,
        score=scorer.score,
        n_classes=3,
        time_budget=30,
        max_trials=3,
    )
    assert [r.name for r in results] == ["logreg", "rf"]
    for result in results:
        assert result.n_trials == 3 and len(result.fold_scores) == 3
        assert result.oof_proba.shape == (240, 3) and np.allclose(result.oof_proba.sum(axis=1), 1)
        # the kept fold scores are the scorer applied to the kept out-of-fold rows
        for fold, score in zip(fold_list, result.fold_scores):
            expected = skm.f1_score(
                fold.y_val, result.oof_proba[fold.val_index].argmax(1), average="macro"
            )
            assert math.isclose(score, expected)
        # each trial's mean fold fit (what predicts its refit) is part of its own time
        default = result.default
        assert 0 < default.fold_seconds and default.fold_seconds * 3 <= default.seconds
    rf = results[1]
    assert rf.mean >= 0.6 and rf.to_dict()["std"] == np.std(rf.fold_scores, ddof=1)
    assert rank_results(results)[0].mean == max(r.mean for r in results)


def test_tune_is_seeded(folds):
    fold_list, _ = folds
    scorer = get_scorer("accuracy", n_classes=3)
    runs = [
        tune(
            get_candidates("hgb"),
            fold_list,
            score=scorer.score,
            n_classes=3,
            time_budget=60,
            max_trials=3,
            seed=4,
        )[0]
        for _ in range(2)
    ]
    assert runs[0].params == runs[1].params and runs[0].fold_scores == runs[1].fold_scores


def test_tiny_budget_still_runs_the_defaults(folds):
    fold_list, _ = folds
    scorer = get_scorer("accuracy", n_classes=3)
    result = tune(
        get_candidates("logreg"), fold_list, score=scorer.score, n_classes=3, time_budget=0.001
    )[0]
    assert result.n_trials >= 1 and result.params == {"C": 1.0}
    assert result.default is not None and result.default.params == {"C": 1.0}


class _Slow(Candidate):
    """A fake family whose every fit takes ``delay`` seconds and whose probabilities are ``quality``-good."""

    name = "slow"
    delay = 0.2
    quality = 0.8

    def defaults(self):
        return {"a": 0.0}

    def suggest(self, trial):
        return {"a": trial.suggest_float("a", 0.0, 1.0)}

    def build(self, params, seed):
        outer = self

        class Model:
            def fit(self, X, y):
                time.sleep(outer.delay)  # stands in for a slow fit (not synchronisation)
                self.k = int(y.max()) + 1
                return self

            def predict_proba(self, X):
                # informative on the first column's sign, with the family's quality
                p = np.where(X[:, :1] > 0, outer.quality, 1 - outer.quality)
                return np.hstack([1 - p, p] + [np.full_like(p, 1e-9)] * (self.k - 2)) / (
                    1 + 1e-9 * (self.k - 2)
                )

        return Model()


def test_a_trial_that_would_overrun_is_not_run(folds):
    fold_list, _ = folds
    scorer = get_scorer("log_loss", n_classes=3)
    start = time.monotonic()
    result = tune(
        [_Slow()],
        fold_list,
        score=scorer.score,
        n_classes=3,
        greater_is_better=False,
        time_budget=1.5,
    )[0]
    elapsed = time.monotonic() - start
    # the defaults trial always runs (3 folds x 0.2 s); later trials only when they fit
    assert result.default is not None and result.n_trials >= 1
    assert elapsed <= 1.5 + 0.2 + 0.5


def test_budget_goes_to_the_promising_family(folds):
    fold_list, _ = folds

    class Good(_Slow):
        name, delay, quality = "good", 0.01, 0.9

    class Bad(_Slow):
        name, delay, quality = "bad", 0.01, 0.55

    scorer = get_scorer("log_loss", n_classes=3)
    good, bad = tune(
        [Bad(), Good()],
        fold_list,
        score=scorer.score,
        n_classes=3,
        greater_is_better=False,
        time_budget=2.0,
    )
    assert good.mean < bad.mean
    assert good.n_trials > 1.5 * bad.n_trials


@pytest.mark.parametrize("name", sorted(SCORERS))
def test_scorers_equal_sklearn(name):
    rng = np.random.default_rng(1)
    k = 2 if name in ("f1", "precision", "recall") else 3
    y = rng.integers(0, k, 300)
    proba = rng.dirichlet(np.ones(k), 300)
    proba[np.arange(300), y] += 0.3
    proba /= proba.sum(1, keepdims=True)
    pred = proba.argmax(1)
    expected = {
        "accuracy": lambda: skm.accuracy_score(y, pred),
        "balanced_accuracy": lambda: skm.balanced_accuracy_score(y, pred),
        "f1_macro": lambda: skm.f1_score(y, pred, average="macro"),
        "f1_weighted": lambda: skm.f1_score(y, pred, average="weighted"),
        "precision_macro": lambda: skm.precision_score(y, pred, average="macro"),
        "recall_macro": lambda: skm.recall_score(y, pred, average="macro"),
        "f1": lambda: skm.f1_score(y, pred),
        "precision": lambda: skm.precision_score(y, pred),
        "recall": lambda: skm.recall_score(y, pred),
        "matthews_corrcoef": lambda: skm.matthews_corrcoef(y, pred),
        "cohen_kappa": lambda: skm.cohen_kappa_score(y, pred),
        "roc_auc": lambda: skm.roc_auc_score(y, proba, multi_class="ovr"),
        "roc_auc_ovr": lambda: skm.roc_auc_score(y, proba, multi_class="ovr"),
        "average_precision": lambda: skm.average_precision_score(np.eye(k)[y], proba),
        "log_loss": lambda: skm.log_loss(y, proba),
    }[name]()
    assert math.isclose(get_scorer(name, n_classes=k).score(y, proba), expected, rel_tol=1e-12)


def test_fbeta_expected_cost_and_positive_class():
    rng = np.random.default_rng(2)
    y = rng.integers(0, 2, 200)
    proba = np.clip(rng.normal(0.35 + 0.3 * y, 0.2), 0, 1)
    proba = np.column_stack([1 - proba, proba])
    pred = proba.argmax(1)
    fbeta = get_scorer("fbeta", n_classes=2, positive=0, beta=2.0)
    assert math.isclose(fbeta.score(y, proba), skm.fbeta_score(y, pred, beta=2.0, pos_label=0))
    costs = np.array([[0.0, 1.0], [5.0, 0.0]])
    cost = get_scorer("expected_cost", n_classes=2, cost_matrix=costs)
    decided = np.argmin(proba @ costs, axis=1)
    assert not cost.greater_is_better
    assert math.isclose(cost.score(y, proba), costs[y, decided].mean())
    with pytest.raises(InputError, match="for two classes"):
        get_scorer("f1", n_classes=3)
    with pytest.raises(InputError, match="unknown metric"):
        get_scorer("auc_pr", n_classes=2)


def test_corrected_ttest_formula_against_scipy():
    a, b = [0.91, 0.93, 0.90, 0.94, 0.92], [0.90, 0.91, 0.90, 0.92, 0.90]
    out = corrected_ttest(a, b, test_train_ratio=0.25)
    d = np.subtract(a, b)
    t = d.mean() / math.sqrt((1 / 5 + 0.25) * d.var(ddof=1))
    assert math.isclose(out["t"], t) and math.isclose(out["p_value"], stats.t.sf(t, 4))
    # without the correction it equals scipy's one-sided paired t-test
    plain = corrected_ttest(a, b, test_train_ratio=0.0)
    assert math.isclose(plain["p_value"], stats.ttest_rel(a, b, alternative="greater").pvalue)
    assert corrected_ttest(a, a, test_train_ratio=0.25)["significant"] is False


def test_read_costs_forms_and_errors(tmp_path):
    labels = ["a", "b", "c"]
    matrix = [[0, 1, 2], [3, 0, 4], [5, 6, 0]]
    (tmp_path / "m.json").write_text(str(matrix))
    (tmp_path / "m.csv").write_text("true,a,b,c\na,0,1,2\nb,3,0,4\nc,5,6,0\n")
    (tmp_path / "shuffled.json").write_text(
        '{"labels": ["c", "a", "b"], "matrix": [[0, 5, 6], [2, 0, 1], [4, 3, 0]]}'
    )
    for name in ("m.json", "m.csv", "shuffled.json"):
        assert read_costs(tmp_path / name, labels).matrix.array.tolist() == matrix
    pair = read_costs({"fp": 1, "fn": 9}, ["no", "yes"], positive="no")
    assert pair.pair == (1.0, 9.0) and pair.matrix.labels == ("yes", "no")
    with pytest.raises(InputError, match="shape 2x2 but the target has 3 classes"):
        read_costs([[0, 1], [1, 0]], labels)
    with pytest.raises(InputError, match="needs two classes"):
        read_costs([1, 5], labels)
    with pytest.raises(InputError, match=">= 0"):
        read_costs([-1, 5], ["x", "y"])
    with pytest.raises(NotFoundError):
        read_costs(tmp_path / "none.json", labels)
    (tmp_path / "bad.json").write_text("{oops")
    with pytest.raises(InputError, match="invalid JSON"):
        read_costs(tmp_path / "bad.json", labels)


def test_choose_rule_threshold_is_the_brute_force_best():
    rng = np.random.default_rng(3)
    y = rng.choice(["neg", "pos"], 400, p=[0.8, 0.2])
    score = np.clip(rng.normal(0.3 + 0.3 * (y == "pos"), 0.15), 0, 1)
    proba = np.column_stack([1 - score, score])
    rule = choose_rule(y, proba, ["neg", "pos"], metric="f1", positive="pos")["rule"]
    best = max(np.unique(score), key=lambda t: (skm.f1_score(y == "pos", score >= t), -t))
    assert rule == {"kind": "threshold", "threshold": best, "positive": "pos"}
    costs = read_costs({"fp": 1, "fn": 10}, ["neg", "pos"], positive="pos")
    info = choose_rule(y, proba, ["neg", "pos"], metric="fbeta", costs=costs, positive="pos")
    cost = lambda t: ((score >= t) & (y == "neg")).sum() + 10 * ((score < t) & (y == "pos")).sum()  # noqa: E731
    assert cost(info["rule"]["threshold"]) == min(cost(t) for t in np.unique(score))
    assert info["oof"]["cost_rule"] <= info["oof"]["cost_argmax"]
    multi = choose_rule(
        np.array(["a", "b", "c"] * 10), np.full((30, 3), 1 / 3), ["a", "b", "c"], metric="accuracy"
    )
    assert multi["rule"] is None


def test_top_coefficients_per_class():
    top = top_coefficients(
        np.array([[2.0, -1.0, 0.5], [-3.0, 0.0, 1.0]]), ["x", "y", "z"], ["a", "b"], k=2
    )
    assert top["a"] == {"toward": [["x", 2.0], ["z", 0.5]], "away": [["y", -1.0]]}
    assert top["b"] == {"toward": [["z", 1.0]], "away": [["x", -3.0]]}

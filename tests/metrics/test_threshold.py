"""best_threshold / threshold_curve against brute force and scikit-learn."""

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from sklearn.base import BaseEstimator, ClassifierMixin
from sklearn.metrics import (
    confusion_matrix,
    f1_score,
    fbeta_score,
    precision_recall_curve,
    precision_score,
    recall_score,
    roc_curve,
)
from sklearn.model_selection import TunedThresholdClassifierCV

from skyclass.errors import InputError
from skyclass.metrics import best_threshold, decide, threshold_curve


class _FixedScores(ClassifierMixin, BaseEstimator):
    """A 'prefit' classifier whose positive-class probability is its only feature."""

    def fit(self, X, y):
        self.classes_ = np.unique(y)
        return self

    def predict_proba(self, X):
        score = np.asarray(X, dtype=float)[:, 0]
        return np.column_stack([1 - score, score])

    def predict(self, X):
        return self.classes_[(self.predict_proba(X)[:, 1] >= 0.5).astype(int)]


def _data(seed, n=80, decimals=2):
    rng = np.random.default_rng(seed)
    y = rng.integers(0, 2, n)
    score = np.clip(0.5 * y + rng.normal(0.25, 0.25, n), 0, 1).round(decimals)  # ties on purpose
    return y, score


def _candidates(score):
    return np.r_[np.unique(score), np.nextafter(score.max(), np.inf)]


def _brute(y, score, fn, maximise=True):
    values = [fn(y, (score >= t).astype(int)) for t in _candidates(score)]
    return max(values) if maximise else min(values)


def _cost(y, pred, fp=1.0, fn=5.0):
    tn, f_p, f_n, tp = confusion_matrix(y, pred, labels=[0, 1]).ravel()
    return (fp * f_p + fn * f_n) / len(y)


def _youden(y, pred):
    tn, fp, fn, tp = confusion_matrix(y, pred, labels=[0, 1]).ravel()
    return tp / (tp + fn) - fp / (fp + tn)


@pytest.mark.parametrize("seed", range(3))
def test_objectives_equal_brute_force(seed):
    y, s = _data(seed)
    f1 = lambda a, b: f1_score(a, b, zero_division=0)  # noqa: E731
    assert best_threshold(y, s, "f1").score == pytest.approx(_brute(y, s, f1))
    f2 = lambda a, b: fbeta_score(a, b, beta=2.0, zero_division=0)  # noqa: E731
    assert best_threshold(y, s, "fbeta", beta=2.0).score == pytest.approx(_brute(y, s, f2))
    choice = best_threshold(y, s, "cost", costs=(1.0, 5.0))
    assert choice.score == pytest.approx(_brute(y, s, _cost, maximise=False))
    assert choice.expected_cost == pytest.approx(_cost(y, (s >= choice.threshold).astype(int)))
    assert best_threshold(y, s, "youden").score == pytest.approx(_brute(y, s, _youden))


@pytest.mark.parametrize("seed", range(4))
def test_constrained_objectives_equal_brute_force(seed):
    y, s = _data(seed)
    rows = []
    for t in _candidates(s):
        pred = (s >= t).astype(int)
        p = precision_score(y, pred, zero_division=0)
        r = recall_score(y, pred, zero_division=0)
        rows.append((t, p, r))
    choice = best_threshold(y, s, "precision>=0.8")
    assert choice.score == pytest.approx(max(r for _, p, r in rows if p >= 0.8))
    assert choice.precision >= 0.8
    choice = best_threshold(y, s, "recall >= 0.9")
    assert choice.score == pytest.approx(max(p for _, p, r in rows if r >= 0.9))
    assert choice.recall >= 0.9


@pytest.mark.parametrize("seed", range(4))
def test_reported_metrics_match_sklearn_at_the_threshold(seed):
    y, s = _data(seed)
    choice = best_threshold(y, s, "f1")
    pred = (s >= choice.threshold).astype(int)
    assert choice.f1 == pytest.approx(f1_score(y, pred))
    assert choice.precision == pytest.approx(precision_score(y, pred))
    assert choice.recall == pytest.approx(recall_score(y, pred))
    # the rule ships exactly this decision
    proba = np.column_stack([1 - s, s])
    assert np.array_equal(decide(proba, choice.to_rule()), pred)


@pytest.mark.parametrize("seed", range(3))
def test_binary_f1_matches_tuned_threshold_classifier_cv(seed):
    y, s = _data(seed, n=200, decimals=3)
    thresholds = np.unique(s)
    tuned = TunedThresholdClassifierCV(
        _FixedScores().fit(s[:, None], y),
        scoring="f1",
        cv="prefit",
        refit=False,
        thresholds=thresholds,
    ).fit(s[:, None], y)
    ours = best_threshold(y, s, "f1")
    assert ours.score == pytest.approx(tuned.best_score_)
    assert ours.threshold == pytest.approx(tuned.best_threshold_)


def test_curve_matches_precision_recall_curve_and_roc_curve():
    y, s = _data(11, n=150, decimals=3)
    curve = threshold_curve(y, s)
    precision, recall, pr_thresholds = precision_recall_curve(y, s)
    fpr, tpr, roc_thresholds = roc_curve(y, s, drop_intermediate=False)
    at = {t: i for i, t in enumerate(curve.thresholds)}
    for t, p, r in zip(pr_thresholds, precision[:-1], recall[:-1]):
        assert curve.precision[at[t]] == pytest.approx(p)
        assert curve.recall[at[t]] == pytest.approx(r)
    for t, f, r in zip(roc_thresholds[1:], fpr[1:], tpr[1:]):
        assert curve.fpr[at[t]] == pytest.approx(f)
        assert curve.recall[at[t]] == pytest.approx(r)
    assert np.all(np.diff(curve.thresholds) > 0)
    assert curve.recall[-1] == 0.0 and curve.recall[0] == 1.0
    for i in (0, 5, len(curve.thresholds) // 2):
        pred = (s >= curve.thresholds[i]).astype(int)
        assert curve.f1[i] == pytest.approx(f1_score(y, pred, zero_division=0))
        assert curve.expected_cost[i] == pytest.approx(np.mean(pred != y))


def test_sample_weight_and_string_labels():
    y, s = _data(3)
    weights = np.random.default_rng(0).uniform(0.1, 3.0, y.size)
    labels = np.where(y == 1, "yes", "no")
    curve = threshold_curve(labels, s, sample_weight=weights, pos_label="yes")
    for i in range(0, len(curve.thresholds), 7):
        pred = np.where(s >= curve.thresholds[i], "yes", "no")
        expected = f1_score(labels, pred, pos_label="yes", sample_weight=weights, zero_division=0)
        assert curve.f1[i] == pytest.approx(expected)
    assert curve.positive == "yes"
    assert best_threshold(labels, s, "f1").positive == "yes"  # larger label by default


def test_to_dict_is_plain_json():
    import json

    y, s = _data(1)
    curve = threshold_curve(y, s, costs={"fp": 1, "fn": 3})
    payload = json.loads(json.dumps(curve.to_dict()))
    assert payload["cost_fn"] == 3.0 and len(payload["f1"]) == len(curve.thresholds)
    assert json.loads(json.dumps(best_threshold(y, s).to_dict()))["objective"] == "f1"


@pytest.mark.parametrize(
    ("kwargs", "message"),
    [
        ({"objective": "auc"}, "unknown objective"),
        ({"objective": "precision>=1.5"}, "within"),
        ({"objective": "cost", "costs": (-1, 2)}, "non-negative"),
        ({"objective": "cost", "costs": [[0, 1, 2], [1, 0, 2]]}, "shape"),
        ({"objective": "cost", "costs": {"fp": 1}}, "fn"),
        ({"objective": "fbeta", "beta": 0}, "beta"),
        ({"objective": "precision>=1.0"}, "no threshold reaches precision"),
    ],
)
def test_bad_inputs(kwargs, message):
    y = [0, 1, 0, 1, 1]
    s = [0.9, 0.1, 0.8, 0.3, 0.2]
    with pytest.raises(InputError, match=message):
        best_threshold(y, s, **kwargs)


def test_bad_shapes():
    with pytest.raises(InputError, match="only one class"):
        threshold_curve([1, 1, 1], [0.1, 0.2, 0.3])
    with pytest.raises(InputError, match="rows"):
        threshold_curve([0, 1, 1], [0.1, 0.2])
    with pytest.raises(InputError, match="binary"):
        threshold_curve([0, 1, 2], [0.1, 0.2, 0.3])


@settings(max_examples=60, deadline=None)
@given(
    st.lists(
        st.tuples(st.booleans(), st.integers(0, 6), st.integers(1, 3)), min_size=2, max_size=25
    ).filter(lambda rows: len({r[0] for r in rows}) == 2),
    st.floats(0.1, 10),
    st.floats(0.1, 10),
)
def test_any_small_sample_matches_exhaustive_search(rows, cost_fp, cost_fn):
    y = np.array([r[0] for r in rows], dtype=int)
    s = np.array([r[1] for r in rows], dtype=float) / 6  # few distinct values: many ties
    w = np.array([r[2] for r in rows], dtype=float)

    def counts(t):
        pred = s >= t
        return (
            w[pred & (y == 1)].sum(),
            w[pred & (y == 0)].sum(),
            w[~pred & (y == 1)].sum(),
        )

    f1s, costs = [], []
    for t in _candidates(s):
        tp, fp, fn = counts(t)
        f1s.append(2 * tp / (2 * tp + fp + fn) if tp + fp + fn else 0.0)
        costs.append((cost_fp * fp + cost_fn * fn) / w.sum())
    f1 = best_threshold(y, s, "f1", sample_weight=w)
    assert f1.score == pytest.approx(max(f1s))
    cost = best_threshold(y, s, "cost", costs=(cost_fp, cost_fn), sample_weight=w)
    assert cost.score == pytest.approx(min(costs))
    assert cost.expected_cost == pytest.approx(costs[list(_candidates(s)).index(cost.threshold)])

"""bootstrap_ci: vectorised metrics equal scikit-learn per resample; intervals agree with a loop
and with scipy.stats.bootstrap (BCa and percentile); degenerate cases say why."""

import json

import numpy as np
import pytest
from scipy import stats
from sklearn.metrics import (
    accuracy_score,
    average_precision_score,
    balanced_accuracy_score,
    brier_score_loss,
    cohen_kappa_score,
    f1_score,
    log_loss,
    matthews_corrcoef,
    precision_score,
    recall_score,
    roc_auc_score,
)

from skyclass.errors import InputError
from skyclass.metrics import UndefinedMetricError, bootstrap_ci
from skyclass.metrics._bootstrap_metrics import (
    LABEL_METRICS,
    weighted_average_precision,
    weighted_binary_auc,
)

SKLEARN = {
    "accuracy": accuracy_score,
    "balanced_accuracy": balanced_accuracy_score,
    "matthews_corrcoef": matthews_corrcoef,
    "cohen_kappa": cohen_kappa_score,
    "f1_micro": lambda t, p: f1_score(t, p, average="micro"),
    "f1_macro": lambda t, p: f1_score(t, p, average="macro", zero_division=0),
    "f1_weighted": lambda t, p: f1_score(t, p, average="weighted", zero_division=0),
    "precision_macro": lambda t, p: precision_score(t, p, average="macro", zero_division=0),
    "precision_weighted": lambda t, p: precision_score(t, p, average="weighted", zero_division=0),
    "recall_macro": lambda t, p: recall_score(t, p, average="macro", zero_division=0),
    "recall_weighted": lambda t, p: recall_score(t, p, average="weighted", zero_division=0),
}


def _rows_from_cm(cm):
    t, p = [], []
    for i in range(cm.shape[0]):
        for j in range(cm.shape[1]):
            t += [i] * int(cm[i, j])
            p += [j] * int(cm[i, j])
    return np.array(t), np.array(p)


@pytest.mark.filterwarnings("ignore:y_pred contains classes not in y_true")
@pytest.mark.parametrize("name", sorted(SKLEARN))
def test_vectorised_label_metrics_equal_sklearn_on_each_matrix(name):
    rng = np.random.default_rng(42)
    cms = rng.integers(0, 6, size=(25, 4, 4)).astype(float)
    cms[3, 2, :] = 0  # a class absent from the truth
    cms[4, :, 1] = 0  # a class never predicted
    cms[5, 1, :] = 0
    cms[5, :, 1] = 0  # a class absent from both
    got = LABEL_METRICS[name](cms)
    for cm, value in zip(cms, got):
        t, p = _rows_from_cm(cm)
        assert value == pytest.approx(SKLEARN[name](t, p), abs=1e-12)


def test_binary_metrics_use_the_last_label_as_positive():
    rng = np.random.default_rng(0)
    y = rng.integers(0, 2, 300)
    pred = np.where(rng.random(300) < 0.7, y, 1 - y)
    for name, fn in (("f1", f1_score), ("precision", precision_score), ("recall", recall_score)):
        assert bootstrap_ci(name, y, pred, n_resamples=20).estimate == pytest.approx(fn(y, pred))


def test_weighted_auc_equals_sklearn_with_counts_as_sample_weight():
    rng = np.random.default_rng(1)
    y = rng.integers(0, 2, 200).astype(bool)
    score = (rng.random(200) + 0.3 * y).round(2)  # ties
    weights = rng.integers(0, 4, size=(6, 200)).astype(float)
    got = weighted_binary_auc(weights, y, score)
    for w, value in zip(weights, got):
        assert value == pytest.approx(roc_auc_score(y, score, sample_weight=w))


def test_weighted_average_precision_equals_sklearn_with_counts_as_sample_weight():
    rng = np.random.default_rng(6)
    y = rng.random(300) < 0.2
    score = (rng.random(300) + 0.4 * y).round(2)  # ties
    weights = rng.integers(0, 4, size=(6, 300)).astype(float)
    got = weighted_average_precision(weights, y, score)
    for w, value in zip(weights, got):
        assert value == pytest.approx(average_precision_score(y, score, sample_weight=w))
    assert np.isnan(weighted_average_precision(np.ones((1, 300)), np.zeros(300, bool), score)[0])


@pytest.mark.parametrize("stratified", [True, False])
def test_interval_matches_a_naive_sklearn_loop(stratified):
    rng = np.random.default_rng(7)
    n = 1500
    y = rng.choice(3, size=n, p=[0.6, 0.3, 0.1])
    pred = np.where(rng.random(n) < 0.75, y, rng.integers(0, 3, n))
    ours = bootstrap_ci(
        "f1_macro", y, pred, n_resamples=2000, stratified=stratified, seed=3, method="percentile"
    )
    loop = []
    classes = [np.flatnonzero(y == c) for c in range(3)]
    for _ in range(400):
        if stratified:
            idx = np.concatenate([rng.choice(m, m.size) for m in classes])
        else:
            idx = rng.integers(0, n, n)
        loop.append(f1_score(y[idx], pred[idx], average="macro"))
    low, high = np.quantile(loop, [0.025, 0.975])
    assert ours.estimate == pytest.approx(f1_score(y, pred, average="macro"))
    width = high - low
    assert ours.low == pytest.approx(low, abs=0.15 * width)
    assert ours.high == pytest.approx(high, abs=0.15 * width)
    assert ours.std == pytest.approx(np.std(loop, ddof=1), rel=0.15)


@pytest.mark.parametrize(("method", "scipy_method"), [("bca", "BCa"), ("percentile", "percentile")])
def test_accuracy_interval_agrees_with_scipy_bootstrap(method, scipy_method):
    rng = np.random.default_rng(11)
    y = rng.integers(0, 2, 800)
    pred = np.where(rng.random(800) < 0.8, y, 1 - y)
    ours = bootstrap_ci("accuracy", y, pred, n_resamples=4000, seed=5, method=method)
    ref = stats.bootstrap(
        ((pred == y).astype(float),), np.mean, n_resamples=4000, method=scipy_method, random_state=5
    ).confidence_interval
    assert ours.method == method
    assert ours.low == pytest.approx(ref.low, abs=0.006)
    assert ours.high == pytest.approx(ref.high, abs=0.006)


def test_bca_of_a_skewed_mean_agrees_with_scipy_through_the_grouped_jackknife():
    """log loss is a mean of skewed row losses; 3000 distinct rows use the grouped jackknife."""
    rng = np.random.default_rng(8)
    n = 3000
    y = rng.integers(0, 2, n)
    p1 = np.clip(rng.beta(2, 2, n) * 0.6 + 0.4 * y, 0.001, 0.999)
    ours = bootstrap_ci("log_loss", y, p1, n_resamples=4000, seed=2)
    rows = -np.log(np.where(y == 1, p1, 1 - p1))
    ref = stats.bootstrap((rows,), np.mean, n_resamples=4000, method="BCa", random_state=2)
    percentile = bootstrap_ci("log_loss", y, p1, n_resamples=4000, seed=2, method="percentile")
    width = ref.confidence_interval.high - ref.confidence_interval.low
    assert ours.low == pytest.approx(ref.confidence_interval.low, abs=0.05 * width)
    assert ours.high == pytest.approx(ref.confidence_interval.high, abs=0.05 * width)
    # right-skewed losses: BCa moves both endpoints up from the percentile ones
    assert ours.high > percentile.high and ours.low > percentile.low


def test_probability_metrics():
    rng = np.random.default_rng(2)
    n = 600
    y = rng.integers(0, 3, n)
    logits = rng.normal(size=(n, 3)) + 1.5 * np.eye(3)[y]
    proba = np.exp(logits) / np.exp(logits).sum(axis=1, keepdims=True)
    auc = bootstrap_ci("roc_auc", y, proba, n_resamples=200)
    assert auc.estimate == pytest.approx(roc_auc_score(y, proba, multi_class="ovr"))
    assert auc.low < auc.estimate < auc.high
    loss = bootstrap_ci("log_loss", y, proba, n_resamples=200)
    assert loss.estimate == pytest.approx(log_loss(y, proba))
    brier = bootstrap_ci("brier_score_loss", y, proba, n_resamples=200)
    assert brier.estimate == pytest.approx(brier_score_loss(y, proba))
    assert brier.low < brier.estimate < brier.high
    ap = bootstrap_ci("average_precision", y, proba, n_resamples=200)
    expected_ap = np.mean([average_precision_score(y == j, proba[:, j]) for j in range(3)])
    assert ap.estimate == pytest.approx(expected_ap)
    assert ap.estimate == pytest.approx(average_precision_score(y, proba, average="macro"))
    yb = (y == 1).astype(int)
    binary = bootstrap_ci("roc_auc", yb, proba[:, 1], n_resamples=200, stratified=False)
    assert binary.estimate == pytest.approx(roc_auc_score(yb, proba[:, 1]))
    for name, fn in (
        ("brier_score_loss", brier_score_loss),
        ("average_precision", average_precision_score),
        ("log_loss", log_loss),
    ):
        assert bootstrap_ci(name, yb, proba[:, 1], n_resamples=20).estimate == pytest.approx(
            fn(yb, proba[:, 1])
        )
    # probabilities given to a label metric are decided by argmax
    acc = bootstrap_ci("accuracy", y, proba, n_resamples=50)
    assert acc.estimate == pytest.approx(accuracy_score(y, proba.argmax(axis=1)))


def test_callable_metric_falls_back_to_a_loop_and_seed_is_reproducible():
    y = np.array([0, 1, 1, 0, 1, 0, 1, 1, 0, 1])
    pred = np.array([0, 1, 0, 0, 1, 1, 1, 1, 0, 1])
    a = bootstrap_ci(accuracy_score, y, pred, n_resamples=100, seed=4)
    b = bootstrap_ci(accuracy_score, y, pred, n_resamples=100, seed=4)
    assert a.metric == "accuracy_score" and a.estimate == pytest.approx(0.8)
    assert np.array_equal(a.distribution, b.distribution)
    named = bootstrap_ci("accuracy", y, pred, n_resamples=100, seed=4)
    assert np.array_equal(
        named.distribution, bootstrap_ci("accuracy", y, pred, 100, seed=4).distribution
    )
    payload = json.loads(json.dumps(named.to_dict()))
    assert payload["n_resamples"] == 100 and payload["method"] == "bca"


@pytest.mark.filterwarnings("ignore::sklearn.exceptions.UndefinedMetricWarning")
def test_explicit_labels_average_over_every_listed_label_like_sklearn():
    y = np.array([0, 1, 2] * 20)
    pred = np.roll(y, 1)
    pred[:40] = y[:40]
    labels = [0, 1, 2, 3]  # 3 never occurs
    for name, average in (("f1_macro", "macro"), ("recall_macro", "macro")):
        fn = f1_score if name.startswith("f1") else recall_score
        expected = fn(y, pred, labels=labels, average=average, zero_division=0)
        got = bootstrap_ci(name, y, pred, n_resamples=20, labels=labels)
        assert got.estimate == pytest.approx(expected)
    assert bootstrap_ci("f1_macro", y, pred, n_resamples=20).estimate == pytest.approx(
        f1_score(y, pred, average="macro")
    )


def test_string_labels():
    y = np.array(["cat", "dog", "emu"] * 20)
    pred = np.roll(y, 1)
    pred[:30] = y[:30]
    ci = bootstrap_ci("f1_macro", y, pred, n_resamples=50)
    assert ci.estimate == pytest.approx(f1_score(y, pred, average="macro"))


@pytest.mark.parametrize(
    ("args", "kwargs", "message"),
    [
        (("f2", [0, 1], [0, 1]), {}, "unknown metric"),
        (("accuracy", [0, 1, 1], [0, 1]), {}, "rows"),
        (("accuracy", [0, 1], [0, 1]), {"confidence": 95}, "confidence"),
        (("accuracy", [0, 1], [0, 1]), {"n_resamples": 1}, "n_resamples"),
        (("f1", [0, 1, 2], [0, 1, 2]), {}, "f1_macro"),
        (("roc_auc", [0, 1, 2], [0.1, 0.5, 0.9]), {}, "binary"),
        (("log_loss", [0, 1, 2], np.full((3, 2), 0.5)), {}, "columns"),
    ],
)
def test_bad_inputs(args, kwargs, message):
    with pytest.raises(InputError, match=message):
        bootstrap_ci(*args, **kwargs)


def test_rows_not_classes_are_resampled_by_default():
    """A one-class predictor's accuracy varies with the class mix: never a zero-width interval."""
    y = np.array([0] * 86 + [1] * 30 + [2] * 19)  # 135 rows, 63.7% in class 0
    pred = np.zeros(135, dtype=int)
    ci = bootstrap_ci("accuracy", y, pred)
    assert ci.method == "bca" and ci.note == ""
    assert ci.low < 0.6370 < ci.high and ci.high - ci.low > 0.1
    fixed = bootstrap_ci("accuracy", y, pred, stratified=True)
    assert fixed.method == "wilson" and "stratified resampling fixes" in fixed.note
    wilson = stats.binomtest(86, 135).proportion_ci(method="wilson")
    assert (fixed.low, fixed.high) == (pytest.approx(wilson.low), pytest.approx(wilson.high))


def test_no_errors_at_all_gives_wilson_for_accuracy_and_no_interval_otherwise():
    y = np.array([0, 1, 2] * 45)
    perfect = bootstrap_ci("accuracy", y, y)
    low, high = stats.binomtest(135, 135).proportion_ci(method="wilson")
    assert perfect.method == "wilson" and "135 of 135 rows right" in perfect.note
    assert (perfect.low, perfect.high) == (pytest.approx(low), pytest.approx(high))
    f1 = bootstrap_ci("f1_macro", y, y)
    assert np.isnan(f1.low) and np.isnan(f1.high) and not f1.defined
    assert "every resample gave 1.0000" in f1.note and "no errors" in f1.note
    assert str(f1).startswith("f1_macro 1.0000 (no 95% interval: every resample gave")
    assert f1.to_dict()["low"] is None and f1.to_dict()["note"] == f1.note


def test_undefined_metrics_raise_and_partly_undefined_resamples_are_counted():
    y = np.array([0] * 40 + [1] * 40)
    proba = np.column_stack([np.linspace(0.9, 0.1, 80), np.linspace(0.1, 0.9, 80), np.zeros(80)])
    with pytest.raises(UndefinedMetricError, match="roc_auc is undefined on these 80 rows"):
        bootstrap_ci("roc_auc", y, proba, labels=[0, 1, 2])
    rare = np.zeros(40, dtype=int)
    rare[[20, 35]] = 1  # two positives, one of them ranked below most negatives
    scores = np.linspace(0, 1, 40)
    ci = bootstrap_ci("roc_auc", rare, scores, n_resamples=500, seed=0)
    left_out = int(np.sum(~np.isfinite(ci.distribution)))
    assert left_out > 0 and ci.note.startswith(f"{left_out} of 500 resamples left out")


def test_bad_method():
    with pytest.raises(InputError, match="method must be one of"):
        bootstrap_ci("accuracy", [0, 1], [0, 1], method="basic")


@pytest.mark.parametrize(
    "module",
    ["_bootstrap", "_bootstrap_interval", "_interval_methods", "_baseline", "_plausibility"],
)
def test_docstring_examples_run(module):
    import doctest
    import importlib

    result = doctest.testmod(importlib.import_module(f"skyclass.metrics.{module}"))
    assert result.attempted > 0 and result.failed == 0

"""compare_to_baseline: the class-prior baseline equals scikit-learn's DummyClassifier(prior),
the McNemar p-value equals the binomial test on the discordant rows, and the headline leads
with the warning when the model is not significantly better."""

import json

import numpy as np
import pytest
from scipy import stats
from sklearn.dummy import DummyClassifier
from sklearn.metrics import (
    accuracy_score,
    balanced_accuracy_score,
    f1_score,
    log_loss,
    roc_auc_score,
)

from skyclass.errors import InputError
from skyclass.metrics import BASELINE_METRICS, compare_to_baseline


def _data(n=400, signal=1.5, seed=0):
    rng = np.random.default_rng(seed)
    y = rng.choice(3, size=n, p=[0.6, 0.3, 0.1])
    logits = rng.normal(size=(n, 3)) + signal * np.eye(3)[y]
    return y, np.exp(logits) / np.exp(logits).sum(axis=1, keepdims=True)


def test_baseline_values_equal_sklearn_dummy_prior():
    y, proba = _data()
    train_y = np.random.default_rng(9).choice(3, size=1000, p=[0.55, 0.3, 0.15])
    dummy = DummyClassifier(strategy="prior").fit(np.zeros((1000, 1)), train_y)
    base_proba = dummy.predict_proba(np.zeros((len(y), 1)))
    base_pred = dummy.predict(np.zeros((len(y), 1)))
    prior = np.bincount(train_y) / 1000
    result = compare_to_baseline(y, proba, labels=[0, 1, 2], prior=prior)
    c = result.comparisons
    assert set(c) == set(BASELINE_METRICS)
    assert c["accuracy"].baseline == pytest.approx(accuracy_score(y, base_pred))
    assert c["balanced_accuracy"].baseline == pytest.approx(balanced_accuracy_score(y, base_pred))
    # macro F1: the majority class scores 0 on two of three classes, so the baseline is
    # DummyClassifier(strategy="stratified") (random at the prior rates), in expectation
    assert c["f1_macro"].strategy == "random at the prior rates"
    assert c["f1_macro"].baseline > f1_score(y, base_pred, average="macro")
    stratified = [
        f1_score(
            y,
            DummyClassifier(strategy="stratified", random_state=s)
            .fit(np.zeros((1000, 1)), train_y)
            .predict(np.zeros((len(y), 1))),
            average="macro",
        )
        for s in range(300)
    ]
    assert c["f1_macro"].baseline == pytest.approx(np.mean(stratified), abs=0.005)
    assert c["accuracy"].strategy == "majority class"
    assert c["log_loss"].baseline == pytest.approx(log_loss(y, base_proba))
    assert c["roc_auc"].baseline == pytest.approx(roc_auc_score(y, base_proba, multi_class="ovr"))
    pred = proba.argmax(axis=1)
    assert c["accuracy"].model == pytest.approx(accuracy_score(y, pred))
    assert c["f1_macro"].model == pytest.approx(f1_score(y, pred, average="macro"))
    assert c["log_loss"].model == pytest.approx(log_loss(y, proba))
    assert c["roc_auc"].model == pytest.approx(roc_auc_score(y, proba, multi_class="ovr"))
    assert c["log_loss"].difference == pytest.approx(c["log_loss"].baseline - c["log_loss"].model)
    assert all(comp.significant and comp.low > 0 for comp in c.values())
    assert result.headline("f1_macro").startswith("f1_macro ")
    json.dumps(result.to_dict())


def test_mcnemar_p_value_is_the_exact_binomial_test_on_discordant_rows():
    y, proba = _data(n=120, signal=0.6, seed=3)
    pred = proba.argmax(axis=1)
    result = compare_to_baseline(y, proba, labels=[0, 1, 2], metrics=["accuracy"])
    only_model = int(np.sum((pred == y) & (y != 0)))
    only_base = int(np.sum((pred != y) & (y == 0)))
    expected = stats.binomtest(only_model, only_model + only_base, 0.5, alternative="greater")
    assert result.comparisons["accuracy"].p_value == pytest.approx(expected.pvalue)
    assert result.comparisons["accuracy"].test == "McNemar exact test"


def test_a_model_no_better_than_the_prior_says_so_first():
    rng = np.random.default_rng(4)
    y = rng.choice(2, size=300, p=[0.8, 0.2])
    proba = rng.dirichlet([1, 1], size=300)  # features carry nothing
    result = compare_to_baseline(y, proba, labels=[0, 1])
    assert result.better_on("accuracy") is False and result.better_on("roc_auc") is False
    headline = result.headline("accuracy")
    assert headline.startswith("Not significantly better than predicting the class prior on 300")
    assert "NOT significantly better" in headline and "McNemar" in headline


def test_decided_labels_absent_classes_and_bad_input():
    y = np.array([0] * 30 + [1] * 10)
    proba = np.column_stack([np.linspace(0.9, 0.2, 40), np.linspace(0.1, 0.8, 40), np.zeros(40)])
    decided = np.where(proba[:, 1] > 0.3, 1, 0)
    result = compare_to_baseline(y, proba, labels=[0, 1, 2], y_pred=decided)
    assert result.comparisons["accuracy"].model == pytest.approx(accuracy_score(y, decided))
    assert result.comparisons["roc_auc"].undefined
    assert "no baseline comparison" in result.comparisons["roc_auc"].statement()
    assert result.better_on("roc_auc") is None
    with pytest.raises(InputError, match="proba must be"):
        compare_to_baseline(y, proba[:, :2], labels=[0, 1, 2])
    with pytest.raises(InputError, match="unknown baseline metrics"):
        compare_to_baseline(y, proba, labels=[0, 1, 2], metrics=["auc"])
    with pytest.raises(InputError, match="'x', which is not one of the labels"):
        compare_to_baseline(np.array(["x"] * 40), proba, labels=[0, 1, 2])
    with pytest.raises(InputError, match="prior must be 3"):
        compare_to_baseline(y, proba, labels=[0, 1, 2], prior=[0.5, 0.5])


def test_evaluate_carries_the_prior_baseline_of_its_rows():
    from skyclass.metrics import evaluate

    y, proba = _data(n=300, seed=5)
    ev = evaluate(y, proba)
    dummy = DummyClassifier(strategy="prior").fit(np.zeros((300, 1)), y)
    base_pred = dummy.predict(np.zeros((300, 1)))
    base_proba = dummy.predict_proba(np.zeros((300, 1)))
    assert ev.baseline["accuracy"] == pytest.approx(accuracy_score(y, base_pred))
    assert ev.baseline["balanced_accuracy"] == pytest.approx(balanced_accuracy_score(y, base_pred))
    assert ev.baseline["f1_macro"] == pytest.approx(1 / 3)  # random at the prior rates
    assert ev.baseline["log_loss"] == pytest.approx(log_loss(y, base_proba))
    assert ev.baseline["roc_auc"] == 0.5
    assert ev.to_dict()["baseline"]["baseline"] == "class prior"
    assert "class-prior baseline (majority class" in ev.summary()

"""Decision rules: Bayes cost decisions, thresholds, prior shift, JSON round trips."""

import json

import numpy as np
import pytest

from skyclass.errors import InputError
from skyclass.metrics import (
    ClassThresholds,
    CostMatrix,
    PriorShift,
    ThresholdRule,
    decide,
    rule_from_dict,
    rule_to_dict,
)


def _proba(seed, n=300, k=4):
    rng = np.random.default_rng(seed)
    return rng.dirichlet(np.ones(k), size=n)


def test_none_is_argmax_with_labels():
    proba = _proba(0)
    assert np.array_equal(decide(proba, None), proba.argmax(axis=1))
    names = ["a", "b", "c", "d"]
    assert decide(proba, None, labels=names).tolist() == [names[i] for i in proba.argmax(1)]
    assert np.array_equal(decide(proba, {"kind": "argmax"}), proba.argmax(axis=1))


@pytest.mark.parametrize("seed", range(3))
def test_cost_matrix_is_the_bayes_decision_by_brute_force(seed):
    rng = np.random.default_rng(seed)
    proba = _proba(seed)
    matrix = rng.uniform(0, 10, (4, 4))
    np.fill_diagonal(matrix, 0)
    got = decide(proba, CostMatrix(matrix))
    for row, choice in zip(proba, got):
        expected = [sum(row[i] * matrix[i, j] for i in range(4)) for j in range(4)]
        assert choice == int(np.argmin(expected))
    # the Bayes decision has the lowest expected total cost of any rule, e.g. argmax
    y = np.array([rng.choice(4, p=p) for p in proba])
    rule = CostMatrix(matrix)
    assert rule.total_cost(y, got) <= rule.total_cost(y, proba.argmax(1)) + 1e-9


def test_zero_one_costs_equal_argmax():
    proba = _proba(5)
    matrix = np.ones((4, 4)) - np.eye(4)
    assert np.array_equal(decide(proba, CostMatrix(matrix)), proba.argmax(axis=1))


def test_cost_matrix_labels_reorder_to_the_model_columns():
    proba = np.array([[0.85, 0.15], [0.95, 0.05]])
    rule = CostMatrix([[0, 1], [10, 0]], labels=["ok", "fraud"])
    assert decide(proba, rule).tolist() == ["fraud", "ok"]
    # the same rule against a model whose columns are (fraud, ok)
    flipped = proba[:, ::-1]
    assert decide(flipped, rule, labels=["fraud", "ok"]).tolist() == ["fraud", "ok"]
    with pytest.raises(InputError, match="'spam'"):
        decide(proba, rule, labels=["ok", "spam"])


def test_binary_threshold_rule():
    p = np.array([0.1, 0.3, 0.5, 0.9])
    proba = np.column_stack([1 - p, p])
    rule = {"kind": "threshold", "threshold": 0.3, "positive": "yes"}
    assert decide(proba, rule, labels=["no", "yes"]).tolist() == ["no", "yes", "yes", "yes"]
    assert decide(p, ThresholdRule(0.5, positive=1)).tolist() == [0, 0, 1, 1]  # 1-D = P(class 1)
    # positive may be the first column too
    rule0 = ThresholdRule(0.8, positive="no")
    assert decide(proba, rule0, labels=["no", "yes"]).tolist() == ["no", "yes", "yes", "yes"]


def test_labels_match_across_json_text_and_numbers():
    proba = np.array([[0.7, 0.3], [0.2, 0.8]])
    rule = {"kind": "threshold", "threshold": 0.25, "positive": "1"}
    assert decide(proba, rule, labels=[0, 1]).tolist() == [1, 1]
    assert decide(proba, ThresholdRule(0.9, positive=1), labels=["0", "1"]).tolist() == ["0", "0"]


def test_class_thresholds_binary_equivalence_and_fit():
    p = np.random.default_rng(1).uniform(size=200)
    proba = np.column_stack([1 - p, p])
    for t in (0.2, 0.5, 0.7):
        got = decide(proba, ClassThresholds([1 - t, t]))
        assert np.array_equal(got, (p > t).astype(int) | ((p == t).astype(int)))
    rng = np.random.default_rng(2)
    proba = _proba(2, n=400, k=3)
    y = np.array([rng.choice(3, p=row) for row in proba])
    rule = ClassThresholds.fit(y, proba, labels=[0, 1, 2])
    assert len(rule.thresholds) == 3 and rule.labels == (0, 1, 2)
    assert decide(proba, rule).shape == (400,)


def test_prior_shift_matches_bayes_rule_by_hand():
    proba = _proba(3, k=3)
    train, target = np.array([0.5, 0.3, 0.2]), np.array([0.1, 0.3, 0.6])
    rule = PriorShift(train, target)
    adjusted = proba * target / train
    adjusted /= adjusted.sum(axis=1, keepdims=True)
    assert np.allclose(rule.adjust(proba), adjusted)
    assert np.allclose(rule.adjust(proba).sum(axis=1), 1.0)
    assert np.array_equal(decide(proba, rule), adjusted.argmax(axis=1))
    fitted = PriorShift.from_labels(["a", "a", "b", "c"], [0.2, 0.4, 0.4])
    assert fitted.train_priors == (0.5, 0.25, 0.25) and fitted.labels == ("a", "b", "c")


def test_prior_shift_estimate_recovers_the_new_class_shares():
    rng = np.random.default_rng(8)
    # two Gaussian classes (means 0 and 1.5, sd 1); the model was calibrated on 50/50 data
    x = np.where(rng.random(20000) < 0.8, rng.normal(0, 1, 20000), rng.normal(1.5, 1, 20000))
    like0, like1 = np.exp(-0.5 * x**2), np.exp(-0.5 * (x - 1.5) ** 2)
    proba = np.column_stack([like0, like1]) / (like0 + like1)[:, None]
    rule = PriorShift.estimate(proba, [0.5, 0.5], labels=["a", "b"])
    assert rule.target_priors[0] == pytest.approx(0.8, abs=0.02)
    assert rule.labels == ("a", "b")
    truth = np.where(like0 * 0.8 > like1 * 0.2, "a", "b")  # the Bayes decision under 80/20
    agree = np.mean(decide(proba, rule) == truth)
    assert agree > 0.99 and np.mean(decide(proba, None, ["a", "b"]) == truth) < agree
    with pytest.raises(InputError, match="train_priors"):
        PriorShift.estimate(proba, [0.2, 0.3, 0.5])


@pytest.mark.parametrize(
    "rule",
    [
        None,
        ThresholdRule(0.35, positive="yes"),
        CostMatrix([[0, 1, 2], [4, 0, 1], [9, 3, 0]], labels=["a", "b", "c"]),
        CostMatrix.from_binary(1, 7),
        ClassThresholds([0.2, 0.5, 0.3]),
        PriorShift([0.2, 0.3, 0.5], [0.3, 0.3, 0.4], labels=[1, 2, 3]),
    ],
)
def test_round_trip_through_json(rule):
    data = json.loads(json.dumps(rule_to_dict(rule)))
    back = rule_from_dict(data)
    assert back == rule
    assert rule_to_dict(back) == data


def test_numpy_labels_become_plain_json():
    rule = ThresholdRule(np.float64(0.4), positive=np.int64(1))
    assert (
        json.dumps(rule_to_dict(rule)) == '{"kind": "threshold", "threshold": 0.4, "positive": 1}'
    )


@pytest.mark.parametrize(
    ("make", "message"),
    [
        (lambda: CostMatrix([[0, 1, 2], [1, 0, 2]]), "square"),
        (lambda: CostMatrix([[0, -1], [1, 0]]), r"\[0\]\[1\].*>= 0"),
        (lambda: CostMatrix([[0, 1], [1, 0]], labels=["a", "b", "c"]), "labels"),
        (lambda: rule_from_dict({"kind": "magic"}), "unknown decision rule kind"),
        (lambda: rule_from_dict({"kind": "threshold", "threshold": 0.5}), "positive"),
        (lambda: rule_from_dict({"kind": "cost_matrix", "matrix": 3}), "list of rows"),
        (
            lambda: rule_from_dict(
                {"kind": "prior_shift", "train_priors": [1, 1], "target_priors": [1, 1], "bogus": 1}
            ),
            "unknown field",
        ),
        (lambda: PriorShift([0.5, 0.5], [0.2, 0.3, 0.5]), "classes"),
        (lambda: PriorShift([0.0, 1.0], [0.5, 0.5]), "positive"),
        (lambda: ThresholdRule(float("nan")), "finite"),
        (lambda: decide(_proba(0), CostMatrix(np.ones((3, 3)))), "classes"),
        (lambda: decide(_proba(0), None, labels=["a"]), "4 columns"),
        (
            lambda: decide(
                np.array([[0.5, 0.5]]), ThresholdRule(0.5, positive="z"), labels=["x", "y"]
            ),
            "'z'",
        ),
    ],
)
def test_bad_rules(make, message):
    with pytest.raises(InputError, match=message):
        make()


@pytest.mark.parametrize(
    "module",
    [
        "_advisor",
        "_bootstrap",
        "_bootstrap_interval",
        "_bootstrap_metrics",
        "_calibration",
        "_decision",
        "_decision_base",
        "_decision_class_thresholds",
        "_decision_costs",
        "_decision_priors",
        "_decision_threshold",
        "_delong",
        "_fairness",
        "_threshold",
        "_validation",
    ],
)
def test_docstring_examples_run(module):
    import doctest
    import importlib

    result = doctest.testmod(importlib.import_module(f"skyclass.metrics.{module}"))
    assert result.attempted > 0 and result.failed == 0


def test_a_new_rule_needs_only_the_base_contract():
    """A rule written against DecisionRule alone is applied by decide() like the built-ins."""
    from dataclasses import dataclass
    from typing import ClassVar

    from skyclass.metrics._decision_base import DecisionRule

    @dataclass(frozen=True)
    class LastClass(DecisionRule):
        kind: ClassVar[str] = "last"
        fields: ClassVar[frozenset[str]] = frozenset()

        def _indices(self, proba, labels):
            return np.full(proba.shape[0], proba.shape[1] - 1)

        def to_dict(self):
            return {"kind": self.kind}

    proba = _proba(3, n=5, k=3)
    assert decide(proba, LastClass(), labels=["a", "b", "c"]).tolist() == ["c"] * 5
    assert LastClass().decide(proba).tolist() == [2] * 5
    with pytest.raises(InputError, match="3 columns but 2 labels"):
        LastClass().decide(proba, labels=["a", "b"])

"""Fairness metrics against Fairlearn 0.15 (the oracle), including its documented example."""

import json

import numpy as np
import pandas as pd
import pytest
from fairlearn import metrics as fl
from sklearn.metrics import accuracy_score

from skyclass.errors import InputError
from skyclass.metrics import (
    demographic_parity_difference,
    demographic_parity_ratio,
    equalized_odds_difference,
    equalized_odds_ratio,
    group_metrics,
)

# The data of Fairlearn's user guide (assessment: "Metrics with grouping").
DOC_Y_TRUE = [0, 1, 1, 1, 1, 0, 1, 0, 1, 0, 0, 0, 1, 1, 1, 1]
DOC_Y_PRED = [0, 0, 1, 0, 1, 1, 1, 0, 0, 1, 1, 1, 1, 0, 0, 1]
DOC_GROUPS = ["d", "a", "c", "b", "b", "c", "c", "c", "b", "d", "c", "a", "b", "d", "c", "c"]

PAIRS = [
    (demographic_parity_difference, fl.demographic_parity_difference),
    (demographic_parity_ratio, fl.demographic_parity_ratio),
    (equalized_odds_difference, fl.equalized_odds_difference),
    (equalized_odds_ratio, fl.equalized_odds_ratio),
]


def _random(seed, n=400):
    rng = np.random.default_rng(seed)
    group = rng.choice(["x", "y", "z"], size=n, p=[0.5, 0.3, 0.2])
    y = rng.integers(0, 2, n)
    bias = np.where(group == "x", 0.15, -0.1)
    pred = (rng.random(n) < 0.4 + 0.3 * y + bias).astype(int)
    return y, pred, group


@pytest.mark.parametrize(("ours", "theirs"), PAIRS)
@pytest.mark.parametrize("method", ["between_groups", "to_overall"])
def test_documented_example_equals_fairlearn(ours, theirs, method):
    expected = theirs(DOC_Y_TRUE, DOC_Y_PRED, sensitive_features=DOC_GROUPS, method=method)
    got = ours(DOC_Y_TRUE, DOC_Y_PRED, sensitive_features=DOC_GROUPS, method=method)
    assert got == pytest.approx(expected)


def test_documented_example_recall_by_group():
    frame = fl.MetricFrame(
        metrics={"recall": fl.true_positive_rate, "selection_rate": fl.selection_rate},
        y_true=DOC_Y_TRUE,
        y_pred=DOC_Y_PRED,
        sensitive_features=DOC_GROUPS,
    )
    table = group_metrics(DOC_Y_TRUE, DOC_Y_PRED, DOC_GROUPS, ["recall", "selection_rate"])
    assert table.overall["recall"] == pytest.approx(0.5)  # stated in Fairlearn's guide
    for group in "abcd":
        assert table.by_group[group]["recall"] == pytest.approx(frame.by_group.loc[group, "recall"])
    for name in ("recall", "selection_rate"):
        assert table.difference()[name] == pytest.approx(frame.difference()[name])
        assert table.ratio()[name] == pytest.approx(frame.ratio()[name])
        assert table.difference("to_overall")[name] == pytest.approx(
            frame.difference(method="to_overall")[name]
        )
        assert table.ratio("to_overall")[name] == pytest.approx(
            frame.ratio(method="to_overall")[name]
        )


@pytest.mark.parametrize("seed", range(4))
@pytest.mark.parametrize(("ours", "theirs"), PAIRS)
def test_random_data_with_weights_equals_fairlearn(seed, ours, theirs):
    y, pred, group = _random(seed)
    w = np.random.default_rng(seed + 100).uniform(0.2, 2.0, y.size)
    for method in ("between_groups", "to_overall"):
        expected = theirs(y, pred, sensitive_features=group, method=method, sample_weight=w)
        got = ours(y, pred, sensitive_features=group, method=method, sample_weight=w)
        assert got == pytest.approx(expected)


@pytest.mark.parametrize(("ours", "theirs"), PAIRS[2:])
def test_equalized_odds_mean_aggregation(ours, theirs):
    y, pred, group = _random(9)
    expected = theirs(y, pred, sensitive_features=group, agg="mean")
    assert ours(y, pred, sensitive_features=group, agg="mean") == pytest.approx(expected)


def test_group_metrics_with_two_features_matches_metricframe():
    y, pred, group = _random(3)
    region = np.random.default_rng(1).choice(["eu", "us"], size=y.size)
    table = group_metrics(
        y,
        pred,
        {"group": group, "region": region},
        {"acc": accuracy_score, "fpr": "false_positive_rate"},
    )
    frame = fl.MetricFrame(
        metrics={"acc": accuracy_score, "fpr": fl.false_positive_rate},
        y_true=y,
        y_pred=pred,
        sensitive_features=pd.DataFrame({"group": group, "region": region}),
    )
    assert len(table.groups) == 6 and ("x", "eu") in table.groups
    for key in table.groups:
        for name in ("acc", "fpr"):
            assert table.by_group[key][name] == pytest.approx(frame.by_group.loc[key, name])
    assert table.difference()["acc"] == pytest.approx(frame.difference()["acc"])
    payload = json.loads(json.dumps(table.to_dict(), allow_nan=False))
    assert "x & eu" in payload["by_group"]
    nobody = group_metrics([0, 1, 0, 1], [0, 0, 0, 0], ["a", "a", "b", "b"], ["selection_rate"])
    assert np.isnan(nobody.ratio()["selection_rate"])  # 0 / 0, as in Fairlearn
    assert nobody.to_dict()["ratio"]["selection_rate"] is None


def test_multiclass_is_one_vs_rest_with_the_worst_class():
    rng = np.random.default_rng(5)
    n = 500
    group = rng.choice(["p", "q"], size=n)
    y = rng.integers(0, 3, n)
    pred = np.where(rng.random(n) < np.where(group == "p", 0.8, 0.5), y, rng.integers(0, 3, n))
    per_class = {}
    for c in range(3):
        per_class[c] = fl.equalized_odds_difference(
            (y == c).astype(int), (pred == c).astype(int), sensitive_features=group
        )
    got = equalized_odds_difference(y, pred, sensitive_features=group, per_class=True)
    assert got == pytest.approx(per_class)
    assert equalized_odds_difference(y, pred, sensitive_features=group) == pytest.approx(
        max(per_class.values())
    )
    ratios = {
        c: fl.demographic_parity_ratio(
            (y == c).astype(int), (pred == c).astype(int), sensitive_features=group
        )
        for c in range(3)
    }
    assert demographic_parity_ratio(y, pred, sensitive_features=group) == pytest.approx(
        min(ratios.values())
    )
    table = group_metrics(y, pred, group)
    assert "true_positive_rate[2]" in table.metrics and "accuracy" in table.metrics


def test_string_labels_use_pos_label():
    y, pred, group = _random(2)
    ys, ps = np.where(y == 1, "approve", "deny"), np.where(pred == 1, "approve", "deny")
    expected = fl.demographic_parity_difference(y, pred, sensitive_features=group)
    got = demographic_parity_difference(ys, ps, sensitive_features=group, pos_label="approve")
    assert got == pytest.approx(expected)


@pytest.mark.parametrize(
    ("call", "message"),
    [
        (
            lambda: demographic_parity_difference([0, 1, 1], [0, 1, 0], sensitive_features=["a"]),
            "sensitive has 1 values but y_true has 3 rows",
        ),
        (lambda: group_metrics([0, 1], [0, 1], ["a", "b"], ["auc"]), "unknown group metric"),
        (
            lambda: equalized_odds_ratio([0, 1], [0, 1], sensitive_features=["a", "b"], agg="max"),
            "agg",
        ),
        (
            lambda: demographic_parity_ratio(
                [0, 1], [0, 1], sensitive_features=["a", "b"], method="pairwise"
            ),
            "unknown method",
        ),
        (lambda: group_metrics([0, 1], [0, 1, 1], ["a", "b"]), "y_pred"),
        (lambda: group_metrics([0, 1], [0, 1], {"g": ["a"]}), "'g'"),
    ],
)
def test_bad_inputs(call, message):
    with pytest.raises(InputError, match=message):
        call()

"""recommend_metric: each rule of the advisor, the numbers its reasons cite, and bad inputs."""

import json
import math

import numpy as np
import pytest

from skyclass.errors import InputError
from skyclass.metrics import recommend_metric


def _text(rec):
    return " ".join(rec.reasons)


def test_balanced_equal_costs_is_accuracy_with_macro_f1():
    rec = recommend_metric(["a", "b"] * 50, costs=(2, 2))
    assert (rec.primary, rec.secondary, rec.task) == ("accuracy", ["f1_macro"], "binary")
    assert "a 50.0%, b 50.0%" in _text(rec) and "1.00" in _text(rec)
    assert rec.facts["cost_ratio"] == 1.0


def test_imbalance_gives_macro_f1_balanced_accuracy_and_average_precision():
    rec = recommend_metric([0] * 95 + [1] * 5)
    assert rec.primary == "f1_macro"
    assert rec.secondary == ["balanced_accuracy", "average_precision"]
    assert rec.positive == 1 and rec.facts["imbalance_ratio"] == pytest.approx(19.0)
    assert "19.0" in _text(rec) and "95.0%" in _text(rec)  # majority-class accuracy is cited


@pytest.mark.parametrize(("fp", "fn"), [(1, 4), (1, 9), (2, 50)])
def test_costlier_false_negatives_give_fbeta_above_one(fp, fn):
    rec = recommend_metric(["ok"] * 80 + ["fraud"] * 20, costs={"fp": fp, "fn": fn})
    assert rec.primary == "fbeta" and rec.positive == "fraud"
    assert rec.beta == pytest.approx(math.sqrt(fn / fp))
    assert rec.secondary[0] == "recall"
    assert f"{math.sqrt(fn / fp):.2f}" in _text(rec)
    assert f"{fn / fp:.3g}" in _text(rec)


def test_costlier_false_positives_give_fbeta_below_one():
    rec = recommend_metric([0] * 60 + [1] * 40, costs=(5, 1))
    assert rec.primary == "fbeta" and rec.beta == pytest.approx(math.sqrt(0.2))
    assert rec.beta < 1 and rec.secondary[0] == "precision"


def test_binary_cost_matrix_in_sorted_label_order():
    # labels sorted: ["fraud", "ok"]; C[true][pred]; missing a fraud (true fraud, pred ok) costs 16
    rec = recommend_metric(["ok"] * 80 + ["fraud"] * 20, costs=[[0, 16], [1, 0]])
    assert rec.positive == "fraud" and rec.beta == pytest.approx(4.0)


def test_only_false_negatives_cost_is_recall():
    rec = recommend_metric([0, 1] * 30, costs=(0, 3))
    assert rec.primary == "recall" and math.isinf(rec.facts["cost_ratio"])


def test_ranking_priority_is_roc_auc_with_average_precision_when_rare():
    rec = recommend_metric([0] * 90 + [1] * 10, priority="ranking")
    assert rec.primary == "roc_auc" and "average_precision" in rec.secondary
    assert recommend_metric([0, 1] * 10, priority="screening").primary == "roc_auc"
    multi = recommend_metric([0, 1, 2] * 10, priority="ranking")
    assert multi.primary == "roc_auc_ovr"


def test_other_priorities():
    assert recommend_metric([0, 1] * 10, priority="recall").primary == "recall"
    assert recommend_metric([0, 1] * 10, priority="precision").primary == "precision"
    assert recommend_metric([0, 1] * 10, priority="probabilities").primary == "log_loss"
    assert recommend_metric([0, 1, 2] * 10, priority="recall").primary == "recall_macro"


def test_multiclass_explains_averages_and_picks_one():
    balanced = recommend_metric(["x", "y", "z"] * 30)
    assert balanced.primary == "accuracy" and balanced.task == "multiclass"
    assert "micro" in _text(balanced) and "macro" in _text(balanced)
    assert "weighted" in _text(balanced)
    skewed = recommend_metric(["x"] * 70 + ["y"] * 25 + ["z"] * 5)
    assert skewed.primary == "f1_macro"
    assert skewed.facts["rare_classes"] == ["z"] and "'z'" in _text(skewed)
    assert skewed.facts["class_shares"] == {"x": 0.7, "y": 0.25, "z": 0.05}


def test_multiclass_cost_matrix_gives_expected_cost_and_names_the_costliest_error():
    y = ["a"] * 50 + ["b"] * 30 + ["c"] * 20
    rec = recommend_metric(y, costs=[[0, 1, 1], [1, 0, 2], [25, 5, 0]])
    assert rec.primary == "expected_cost" and rec.secondary[0] == "recall[c]"
    assert rec.facts["cost_ratio"] == pytest.approx(25.0)
    assert "'a' for a true 'c' (cost 25)" in _text(rec)
    equal = recommend_metric(y, costs=np.ones((3, 3)) - np.eye(3))
    assert equal.primary == "f1_macro" and equal.facts["cost_ratio"] == 1.0


def test_to_dict_is_json_and_str_is_readable():
    rec = recommend_metric(["ok"] * 90 + ["fraud"] * 10, costs=(1, 9))
    payload = json.loads(json.dumps(rec.to_dict()))
    assert payload["primary"] == "fbeta" and payload["beta"] == pytest.approx(3.0)
    assert str(rec).startswith("primary metric: fbeta (beta=3.00)")


@pytest.mark.parametrize(
    ("kwargs", "message"),
    [
        ({"y": [1, 1, 1]}, "single class"),
        ({"y": [0, 1], "priority": "speed"}, "unknown priority"),
        ({"y": [0, 1], "task": "regression"}, "unknown task"),
        ({"y": [0, 1, 2], "task": "binary"}, "3 classes"),
        ({"y": [0, 1], "costs": (-1, 2)}, "non-negative"),
        ({"y": [0, 1], "costs": [[0, 1, 1], [1, 0, 1], [1, 1, 0]]}, "2x2"),
        ({"y": [0, 1, 2], "costs": (1, 5)}, "3x3 matrix"),
        ({"y": [0, 1, 2], "costs": [[0, 1], [1, 0]]}, "2x2 but y has 3 classes"),
        ({"y": [0, 1, 2], "costs": [[0, 1, 1], [1, 0, -3], [1, 1, 0]]}, ">= 0"),
        ({"y": [0, 1], "pos_label": 7}, "pos_label"),
        ({"y": ["a", None, "b"]}, "missing label.*row 1"),
        ({"y": [0.0, float("nan"), 1.0]}, "missing label.*row 1"),
        ({"y": np.array(["a", 1, "b"], dtype=object)}, "mixes label types"),
    ],
)
def test_bad_inputs(kwargs, message):
    y = kwargs.pop("y")
    with pytest.raises(InputError, match=message):
        recommend_metric(y, **kwargs)

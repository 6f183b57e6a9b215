"""Parity of the score-based metrics (curves, AUC, AP, top-k) with scikit-learn 1.9."""

import numpy as np
import pandas as pd
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from sklearn import metrics as skm

from skyclass import metrics as sc
from tests.metrics.test_core_oracle import assert_same, run_both


@st.composite
def binary_scores(draw, max_n=40):
    n = draw(st.integers(1, max_n))
    kind = draw(st.sampled_from(["01", "-11", "str"]))
    pool = {"01": [0, 1], "-11": [-1, 1], "str": ["neg", "pos"]}[kind]
    y = np.array(draw(st.lists(st.sampled_from(pool), min_size=n, max_size=n)))
    grid = draw(st.sampled_from([None, 4]))  # None: many distinct scores; 4: heavy ties
    if grid is None:
        scores = draw(st.lists(st.floats(0, 1), min_size=n, max_size=n))
    else:
        scores = [v / grid for v in draw(st.lists(st.integers(0, grid), min_size=n, max_size=n))]
    weights = draw(
        st.one_of(
            st.none(), st.lists(st.sampled_from([0.0, 0.5, 1.0, 3.0]), min_size=n, max_size=n)
        )
    )
    pos_label = "pos" if kind == "str" else draw(st.sampled_from([None, 1]))
    return y, np.array(scores), None if weights is None else np.array(weights), pos_label


@settings(max_examples=40, deadline=None, derandomize=True)
@given(binary_scores(), st.booleans())
def test_binary_curves_match_sklearn(data, drop):
    y, s, w, pos_label = data
    kw = {"sample_weight": w, "pos_label": pos_label, "drop_intermediate": drop}
    run_both(sc.roc_curve, skm.roc_curve, y, s, **kw)
    run_both(sc.precision_recall_curve, skm.precision_recall_curve, y, s, **kw)


@settings(max_examples=40, deadline=None, derandomize=True)
@given(binary_scores(), st.sampled_from([None, 0.3, 1.0]))
def test_binary_auc_and_ap_match_sklearn(data, max_fpr):
    y, s, w, pos_label = data
    run_both(sc.roc_auc_score, skm.roc_auc_score, y, s, sample_weight=w, max_fpr=max_fpr)
    ap_pos = pos_label if pos_label is not None else 1
    run_both(
        sc.average_precision_score,
        skm.average_precision_score,
        y,
        s,
        sample_weight=w,
        pos_label=ap_pos,
    )


@st.composite
def multiclass_scores(draw, max_classes=5, max_n=40):
    k = draw(st.integers(3, max_classes))
    n = draw(st.integers(k, max_n))
    y = draw(st.lists(st.integers(0, k - 1), min_size=n, max_size=n))
    y[:k] = list(range(k))  # every class present (scikit-learn needs it without labels=)
    raw = np.array(
        draw(st.lists(st.integers(0, 3), min_size=n * k, max_size=n * k)), dtype=float
    ).reshape(n, k) + draw(st.sampled_from([0.0, 0.5]))
    raw[raw.sum(axis=1) == 0] = 1.0
    proba = raw / raw.sum(axis=1, keepdims=True)
    labels_kind = draw(st.sampled_from(["int", "str"]))
    y = np.array(y) if labels_kind == "int" else np.array([f"k{v}" for v in y])
    weights = draw(
        st.one_of(
            st.none(), st.lists(st.sampled_from([0.0, 0.5, 1.0, 2.0]), min_size=n, max_size=n)
        )
    )
    return y, proba, None if weights is None else np.array(weights)


@settings(max_examples=40, deadline=None, derandomize=True)
@given(multiclass_scores(), st.sampled_from(["macro", "weighted", None, "micro"]))
def test_multiclass_auc_matches_sklearn(data, average):
    y, proba, w = data
    run_both(
        sc.roc_auc_score,
        skm.roc_auc_score,
        y,
        proba,
        multi_class="ovr",
        average=average,
        sample_weight=w,
    )
    if average is None:  # scikit-learn raises NotImplementedError; ours a ValueError
        with pytest.raises(ValueError, match="average=None"):
            sc.roc_auc_score(y, proba, multi_class="ovo", average=None)
    else:
        run_both(sc.roc_auc_score, skm.roc_auc_score, y, proba, multi_class="ovo", average=average)
    run_both(
        sc.average_precision_score,
        skm.average_precision_score,
        y,
        proba,
        average=average,
        sample_weight=w,
    )


@settings(max_examples=40, deadline=None, derandomize=True)
@given(multiclass_scores(), st.integers(1, 4), st.booleans())
def test_top_k_matches_sklearn(data, k, normalize):
    y, proba, w = data
    run_both(
        sc.top_k_accuracy_score,
        skm.top_k_accuracy_score,
        y,
        proba,
        k=k,
        normalize=normalize,
        sample_weight=w,
    )


def test_named_edge_cases():
    # tied scores
    run_both(sc.roc_auc_score, skm.roc_auc_score, [0, 1, 0, 1], [0.5, 0.5, 0.5, 0.5])
    run_both(sc.roc_curve, skm.roc_curve, [0, 1, 0, 1], [0.5, 0.5, 0.2, 0.5])
    # a single class: NaN with UndefinedMetricWarning
    with pytest.warns(sc.UndefinedMetricWarning):
        assert np.isnan(sc.roc_auc_score([1, 1, 1], [0.2, 0.3, 0.4]))
    run_both(sc.roc_auc_score, skm.roc_auc_score, [1, 1, 1], [0.2, 0.3, 0.4])
    run_both(sc.roc_curve, skm.roc_curve, [0, 0, 0], [0.2, 0.3, 0.4])
    run_both(sc.precision_recall_curve, skm.precision_recall_curve, [0, 0, 0], [0.2, 0.3, 0.4])
    run_both(sc.average_precision_score, skm.average_precision_score, [0, 0, 0], [0.2, 0.3, 0.4])
    # 1:1000 imbalance, float32 scores
    rng = np.random.default_rng(0)
    y = np.r_[np.zeros(1000, int), 1]
    s = rng.random(1001).astype(np.float32)
    run_both(sc.roc_auc_score, skm.roc_auc_score, y, s)
    run_both(sc.average_precision_score, skm.average_precision_score, y, s)
    run_both(sc.roc_curve, skm.roc_curve, y, s)
    # pandas input
    run_both(sc.roc_auc_score, skm.roc_auc_score, pd.Series(y), pd.Series(s))


def test_fifty_classes_and_absent_label_with_labels_argument():
    rng = np.random.default_rng(1)
    proba = rng.dirichlet(np.ones(50), size=400)
    y = np.r_[np.arange(50), rng.integers(0, 50, 350)]
    run_both(sc.roc_auc_score, skm.roc_auc_score, y, proba, multi_class="ovr")
    run_both(sc.top_k_accuracy_score, skm.top_k_accuracy_score, y, proba, k=5)
    # class 3 absent from y_true but listed in labels: ovr gives NaN like scikit-learn
    y3 = np.where(y == 3, 4, y)
    run_both(
        sc.roc_auc_score, skm.roc_auc_score, y3, proba, multi_class="ovr", labels=np.arange(50)
    )
    run_both(
        sc.roc_auc_score, skm.roc_auc_score, y3, proba, multi_class="ovo", labels=np.arange(50)
    )


def test_auc_of_roc_curve_and_known_value():
    fpr, tpr, _ = sc.roc_curve([0, 0, 1, 1], [0.1, 0.4, 0.35, 0.8])
    assert sc.auc(fpr, tpr) == pytest.approx(0.75)
    assert_same(sc.auc([1, 0.5, 0], [1, 1, 0]), skm.auc([1, 0.5, 0], [1, 1, 0]))
    with pytest.raises(ValueError, match="increasing"):
        sc.auc([0, 1, 0.5], [0, 1, 1])


@pytest.mark.parametrize("k", [1, 2])
def test_binary_top_k_matches_sklearn(k):
    y = [0, 1, 1, 0, 1]
    run_both(sc.top_k_accuracy_score, skm.top_k_accuracy_score, y, [0.2, 0.7, 0.4, 0.6, 0.9], k=k)
    run_both(sc.top_k_accuracy_score, skm.top_k_accuracy_score, y, [-2, 3, 1, -1, 5], k=k)
    run_both(
        sc.top_k_accuracy_score,
        skm.top_k_accuracy_score,
        [0, 1, 1],
        [[0.2, 0.5, 0.3], [0.1, 0.6, 0.3], [0.5, 0.2, 0.3]],
        k=k,
        labels=[0, 1, 2],
    )


@st.composite
def indicator_cases(draw):
    k = draw(st.integers(2, 4))
    n = draw(st.integers(2, 25))
    y = np.array(draw(st.lists(st.integers(0, 1), min_size=n * k, max_size=n * k))).reshape(n, k)
    scores = np.array(
        draw(st.lists(st.integers(0, 4), min_size=n * k, max_size=n * k)), dtype=float
    ).reshape(n, k)
    weights = draw(
        st.one_of(st.none(), st.lists(st.sampled_from([0.5, 1.0, 2.0]), min_size=n, max_size=n))
    )
    as_float = draw(st.booleans())  # np.eye(k)[y] gives a float indicator
    return (
        (y.astype(float) if as_float else y),
        scores / 4,
        None if weights is None else np.array(weights),
    )


@settings(max_examples=30, deadline=None, derandomize=True)
@given(indicator_cases(), st.sampled_from([None, "micro", "macro", "weighted", "samples"]))
def test_multilabel_indicator_auc_and_ap_match_sklearn(case, average):
    y, scores, w = case
    for name in ("roc_auc_score", "average_precision_score"):
        run_both(getattr(sc, name), getattr(skm, name), y, scores, average=average, sample_weight=w)


def test_one_hot_targets_as_the_pipeline_scorer_uses_them():
    rng = np.random.default_rng(5)
    proba = rng.dirichlet(np.ones(4), size=100)
    y = rng.integers(0, 4, 100)
    onehot = np.eye(4)[y]
    run_both(sc.average_precision_score, skm.average_precision_score, onehot, proba)
    run_both(sc.average_precision_score, skm.average_precision_score, y, proba, average="samples")

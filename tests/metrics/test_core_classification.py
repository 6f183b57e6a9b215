"""Parity of the label-based metrics with scikit-learn 1.9 (hypothesis + named edge cases)."""

import numpy as np
import pandas as pd
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from sklearn import metrics as skm

from skyclass import metrics as sc
from tests.metrics.test_core_oracle import run_both

PRF = ["precision_score", "recall_score", "f1_score"]
AVERAGES = [None, "binary", "micro", "macro", "weighted"]
ZERO_DIVISION = ["warn", 0.0, 1.0, np.nan]


@st.composite
def label_pairs(draw, max_classes=5, max_n=40):
    n_classes = draw(st.integers(1, max_classes))
    kind = draw(st.sampled_from(["int", "str", "bool"]))
    pool = {
        "int": list(range(n_classes)),
        "str": [f"c{i}" for i in range(n_classes)],
        "bool": [False, True][:n_classes],
    }[kind]
    n = draw(st.integers(1, max_n))
    y_true = draw(st.lists(st.sampled_from(pool), min_size=n, max_size=n))
    y_pred = draw(st.lists(st.sampled_from(pool), min_size=n, max_size=n))
    weights = draw(
        st.one_of(
            st.none(),
            st.lists(st.sampled_from([0.0, 0.5, 1.0, 2.0, 3.25]), min_size=n, max_size=n),
        )
    )
    return np.array(y_true), np.array(y_pred), None if weights is None else np.array(weights)


@settings(max_examples=60, deadline=None, derandomize=True)
@given(label_pairs(), st.sampled_from(AVERAGES), st.sampled_from(ZERO_DIVISION))
def test_prf_family_matches_sklearn(data, average, zero_division):
    y_true, y_pred, w = data
    pos_label = y_true[0] if average == "binary" else 1
    for name in PRF:
        run_both(
            getattr(sc, name),
            getattr(skm, name),
            y_true,
            y_pred,
            average=average,
            sample_weight=w,
            zero_division=zero_division,
            pos_label=pos_label,
        )


@settings(max_examples=50, deadline=None, derandomize=True)
@given(label_pairs(), st.sampled_from(AVERAGES), st.sampled_from([0.0, 0.5, 1.0, 2.0]))
def test_prfs_and_fbeta_match_sklearn(data, average, beta):
    y_true, y_pred, w = data
    kw = {"average": average, "sample_weight": w, "pos_label": y_true[-1]}
    run_both(sc.fbeta_score, skm.fbeta_score, y_true, y_pred, beta=beta, **kw)
    run_both(
        sc.precision_recall_fscore_support,
        skm.precision_recall_fscore_support,
        y_true,
        y_pred,
        beta=max(beta, 0.0),
        **kw,
    )


@settings(max_examples=60, deadline=None, derandomize=True)
@given(label_pairs())
def test_confusion_and_scalar_metrics_match_sklearn(data):
    y_true, y_pred, w = data
    run_both(sc.accuracy_score, skm.accuracy_score, y_true, y_pred, sample_weight=w)
    run_both(
        sc.accuracy_score, skm.accuracy_score, y_true, y_pred, normalize=False, sample_weight=w
    )
    for normalize in (None, "true", "pred", "all"):
        run_both(
            sc.confusion_matrix,
            skm.confusion_matrix,
            y_true,
            y_pred,
            sample_weight=w,
            normalize=normalize,
        )
    run_both(
        sc.balanced_accuracy_score, skm.balanced_accuracy_score, y_true, y_pred, sample_weight=w
    )
    run_both(
        sc.balanced_accuracy_score,
        skm.balanced_accuracy_score,
        y_true,
        y_pred,
        sample_weight=w,
        adjusted=True,
    )
    run_both(sc.matthews_corrcoef, skm.matthews_corrcoef, y_true, y_pred, sample_weight=w)
    for weights in (None, "linear", "quadratic"):
        run_both(
            sc.cohen_kappa_score,
            skm.cohen_kappa_score,
            y_true,
            y_pred,
            weights=weights,
            sample_weight=w,
        )


@settings(max_examples=40, deadline=None, derandomize=True)
@given(label_pairs(), st.sampled_from([0, 2, 3]))
def test_classification_report_matches_sklearn(data, digits):
    y_true, y_pred, w = data
    for output_dict in (False, True):
        run_both(
            sc.classification_report,
            skm.classification_report,
            y_true,
            y_pred,
            sample_weight=w,
            digits=digits,
            output_dict=output_dict,
        )


@settings(max_examples=40, deadline=None, derandomize=True)
@given(label_pairs(max_classes=4), st.sampled_from([None, "micro", "macro", "weighted"]))
def test_labels_subset_and_unseen_labels_match_sklearn(data, average):
    y_true, y_pred, w = data
    pool = sorted(set(y_true.tolist()) | set(y_pred.tolist()))
    extra = "zz" if y_true.dtype.kind == "U" else 99
    if y_true.dtype.kind == "b":
        return
    labels = [pool[0], extra]
    for name in PRF:
        run_both(
            getattr(sc, name),
            getattr(skm, name),
            y_true,
            y_pred,
            labels=labels,
            average=average,
            sample_weight=w,
        )
    run_both(sc.confusion_matrix, skm.confusion_matrix, y_true, y_pred, labels=labels)
    run_both(sc.classification_report, skm.classification_report, y_true, y_pred, labels=labels)
    run_both(sc.cohen_kappa_score, skm.cohen_kappa_score, y_true, y_pred, labels=labels)


def _specificity_oracle(y_true, y_pred, labels=None, average=None, sample_weight=None):
    """Specificity from scikit-learn's multilabel confusion matrices (tn / (tn + fp))."""
    mcm = skm.multilabel_confusion_matrix(
        y_true, y_pred, labels=labels, sample_weight=sample_weight
    )
    tn, fp = mcm[:, 0, 0].astype(float), mcm[:, 0, 1].astype(float)
    support = mcm[:, 1, 0] + mcm[:, 1, 1]
    if average == "micro":
        denom = tn.sum() + fp.sum()
        return tn.sum() / denom if denom > 0 else 0.0
    spec = np.where(tn + fp > 0, tn / np.where(tn + fp > 0, tn + fp, 1), 0.0)
    if average is None:
        return spec
    if average == "weighted" and support.sum() > 0:
        return float(np.average(spec, weights=support))
    return float(spec.mean())


@settings(max_examples=50, deadline=None, derandomize=True)
@given(label_pairs(), st.sampled_from([None, "micro", "macro", "weighted"]))
def test_specificity_matches_multilabel_confusion_matrix(data, average):
    y_true, y_pred, w = data

    def specificity(y_true, y_pred, average, sample_weight):
        return sc.specificity_score(
            y_true, y_pred, average=average, sample_weight=sample_weight, zero_division=0.0
        )

    run_both(
        specificity,
        _specificity_oracle,
        y_true,
        y_pred,
        average=average,
        sample_weight=w,
        check_warnings=False,
    )


def test_specificity_binary_is_recall_of_the_negative_class():
    y_true = [0, 0, 0, 1, 1, 1, 1]
    y_pred = [0, 1, 0, 1, 0, 1, 1]
    assert sc.specificity_score(y_true, y_pred) == skm.recall_score(y_true, y_pred, pos_label=0)
    assert sc.specificity_score(y_true, y_pred, pos_label=0) == skm.recall_score(y_true, y_pred)
    assert sc.specificity_score(["a", "b"], ["a", "a"], pos_label="b") == 1.0


EDGE_CASES = {
    "class absent from y_pred": ([0, 1, 2, 2, 1], [0, 0, 2, 2, 0]),
    "class absent from y_true": ([0, 0, 1, 1], [0, 2, 1, 1]),
    "single class": ([3, 3, 3], [3, 3, 3]),
    "all wrong": ([0, 0, 1], [1, 1, 0]),
    "string labels": (["cat", "dog", "cat", "emu"], ["cat", "cat", "dog", "emu"]),
    "bool labels": ([True, False, True], [True, True, False]),
    "imbalance 1:1000": ([0] * 1000 + [1], [0] * 999 + [1, 0]),
}


@pytest.mark.parametrize("case", list(EDGE_CASES))
def test_named_edge_cases_match_sklearn(case):
    y_true, y_pred = EDGE_CASES[case]
    for average in ("micro", "macro", "weighted", None):
        for name in PRF:
            run_both(getattr(sc, name), getattr(skm, name), y_true, y_pred, average=average)
    run_both(sc.confusion_matrix, skm.confusion_matrix, y_true, y_pred)
    run_both(sc.matthews_corrcoef, skm.matthews_corrcoef, y_true, y_pred)
    run_both(sc.cohen_kappa_score, skm.cohen_kappa_score, y_true, y_pred)
    run_both(sc.balanced_accuracy_score, skm.balanced_accuracy_score, y_true, y_pred)
    run_both(sc.classification_report, skm.classification_report, y_true, y_pred)


def test_zero_weights_and_fifty_classes():
    rng = np.random.default_rng(3)
    y_true = rng.integers(0, 50, 500)
    y_pred = np.where(rng.random(500) < 0.6, y_true, rng.integers(0, 50, 500))
    w = rng.random(500) * (rng.random(500) > 0.3)
    for average in ("micro", "macro", "weighted"):
        run_both(sc.f1_score, skm.f1_score, y_true, y_pred, average=average, sample_weight=w)
    run_both(sc.confusion_matrix, skm.confusion_matrix, y_true, y_pred, sample_weight=w)
    run_both(sc.matthews_corrcoef, skm.matthews_corrcoef, y_true, y_pred, sample_weight=w)
    run_both(
        sc.classification_report,
        skm.classification_report,
        y_true,
        y_pred,
        sample_weight=w,
        output_dict=True,
    )


def test_inputs_as_lists_series_and_integer_weights():
    y_true = pd.Series(["b", "a", "b", "c"])
    y_pred = pd.Series(["b", "b", "b", "c"])
    run_both(sc.f1_score, skm.f1_score, y_true, y_pred, average="macro")
    cm = run_both(
        sc.confusion_matrix, skm.confusion_matrix, y_true, y_pred, sample_weight=[1, 2, 3, 4]
    )
    assert cm.dtype == np.int64 and cm.tolist() == [[0, 2, 0], [0, 4, 0], [0, 0, 4]]
    assert sc.accuracy_score([1, 2, 3], [1, 2, 4]) == pytest.approx(2 / 3)


def test_known_values_by_hand():
    # tp=2, fp=1, fn=1 for class 1
    y_true, y_pred = [1, 1, 1, 0, 0], [1, 1, 0, 1, 0]
    assert sc.precision_score(y_true, y_pred) == pytest.approx(2 / 3)
    assert sc.recall_score(y_true, y_pred) == pytest.approx(2 / 3)
    assert sc.fbeta_score(y_true, y_pred, beta=2) == pytest.approx(2 / 3)
    assert sc.specificity_score(y_true, y_pred) == pytest.approx(1 / 2)
    assert sc.confusion_matrix(y_true, y_pred).tolist() == [[1, 1], [1, 2]]


def test_report_target_names_and_options():
    y_true, y_pred = [0, 1, 2, 2, 1], [0, 2, 2, 2, 1]
    run_both(
        sc.classification_report,
        skm.classification_report,
        y_true,
        y_pred,
        target_names=["zero", "one", "two"],
        digits=4,
    )
    run_both(  # labels size differs from target_names: a warning, like scikit-learn
        sc.classification_report,
        skm.classification_report,
        y_true,
        y_pred,
        labels=[0, 1],
        target_names=["zero", "one", "two"],
    )
    run_both(
        sc.classification_report,
        skm.classification_report,
        y_true,
        y_pred,
        labels=[0, 1, 5],
        zero_division=1.0,
        output_dict=True,
    )


def test_kappa_undefined_and_pos_label_warning():
    run_both(sc.cohen_kappa_score, skm.cohen_kappa_score, [1, 1], [1, 1], replace_undefined_by=0.0)
    run_both(sc.cohen_kappa_score, skm.cohen_kappa_score, [0, 1], [2, 2], labels=[0, 1])
    run_both(sc.f1_score, skm.f1_score, ["a", "b", "a"], ["a", "a", "a"], pos_label="a")
    run_both(
        sc.f1_score, skm.f1_score, ["a", "b", "a"], ["a", "a", "a"], pos_label="a", average="macro"
    )
    run_both(sc.recall_score, skm.recall_score, [0, 0], [0, 0])  # pos_label 1 absent

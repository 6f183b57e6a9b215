"""Parity of log_loss and brier_score_loss with scikit-learn 1.9."""

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from sklearn import metrics as skm

from skyclass import metrics as sc
from tests.metrics.test_core_oracle import run_both


@st.composite
def proba_cases(draw):
    k = draw(st.integers(2, 5))
    n = draw(st.integers(2, 30))
    y = draw(st.lists(st.integers(0, k - 1), min_size=n, max_size=n))
    y[:2] = [0, k - 1]
    raw = np.array(draw(st.lists(st.floats(0, 1), min_size=n * k, max_size=n * k))).reshape(n, k)
    raw[:, 0] += 1e-3
    proba = raw / raw.sum(axis=1, keepdims=True)
    dtype = draw(st.sampled_from([np.float64, np.float32]))
    weights = draw(st.one_of(st.none(), st.lists(st.floats(0, 3), min_size=n, max_size=n)))
    names = draw(st.booleans())
    y = np.array([f"l{v}" for v in y]) if names else np.array(y)
    return y, proba.astype(dtype), None if weights is None else np.array(weights)


@settings(max_examples=50, deadline=None, derandomize=True)
@given(proba_cases(), st.booleans())
def test_log_loss_and_brier_match_sklearn(case, normalize):
    y, proba, w = case
    run_both(sc.log_loss, skm.log_loss, y, proba, sample_weight=w, normalize=normalize)
    run_both(sc.brier_score_loss, skm.brier_score_loss, y, proba, sample_weight=w)
    run_both(sc.brier_score_loss, skm.brier_score_loss, y, proba, scale_by_half=True)
    if proba.shape[1] == 2:
        run_both(sc.log_loss, skm.log_loss, y, proba[:, 1], sample_weight=w)
        run_both(sc.brier_score_loss, skm.brier_score_loss, y, proba[:, 1], sample_weight=w)


def test_labels_argument_and_unsorted_labels_warning():
    y = [1, 1, 2]
    proba = [[0.2, 0.3, 0.5], [0.1, 0.6, 0.3], [0.3, 0.3, 0.4]]
    run_both(sc.log_loss, skm.log_loss, y, proba, labels=[0, 1, 2])
    run_both(sc.brier_score_loss, skm.brier_score_loss, y, proba, labels=[0, 1, 2])
    run_both(sc.log_loss, skm.log_loss, y, proba, labels=[2, 1, 0])
    run_both(sc.log_loss, skm.log_loss, y, proba)  # 2 classes in y_true vs 3 columns
    run_both(sc.log_loss, skm.log_loss, [5, 5], [[0.5, 0.5], [0.5, 0.5]])  # one label


def test_rows_not_summing_to_one_warn_like_sklearn():
    with pytest.warns(UserWarning, match="do not sum to one"):
        sc.log_loss([0, 1], [[0.5, 0.6], [0.5, 0.5]])
    run_both(sc.log_loss, skm.log_loss, [0, 1], [[0.5, 0.6], [0.5, 0.5]])
    run_both(sc.log_loss, skm.log_loss, [0, 1], [[1.5, -0.5], [0.5, 0.5]])


def test_binary_brier_pos_label_rules():
    run_both(sc.brier_score_loss, skm.brier_score_loss, [2, 5, 5], [0.1, 0.7, 0.9])
    run_both(sc.brier_score_loss, skm.brier_score_loss, ["a", "b", "b"], [0.1, 0.7, 0.9])
    run_both(
        sc.brier_score_loss, skm.brier_score_loss, ["a", "b", "b"], [0.1, 0.7, 0.9], pos_label="a"
    )
    assert sc.brier_score_loss([0, 1], [0.0, 1.0]) == 0.0


def test_deprecated_y_pred_keyword():
    with pytest.warns(FutureWarning):
        value = sc.log_loss([0, 1], y_pred=[0.2, 0.7])
    assert value == pytest.approx(skm.log_loss([0, 1], [0.2, 0.7]), abs=1e-12)
    with pytest.raises(ValueError):
        sc.log_loss([0, 1], [0.2, 0.7], y_pred=[0.2, 0.7])

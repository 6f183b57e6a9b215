"""calibration_curve against scikit-learn; ECE/MCE against a direct per-bin computation."""

import json

import numpy as np
import pytest
from sklearn.calibration import calibration_curve as sk_calibration_curve

from skyclass.errors import InputError
from skyclass.metrics import (
    calibration_bins,
    calibration_curve,
    expected_calibration_error,
    max_calibration_error,
)


def _binary(seed, n=500):
    rng = np.random.default_rng(seed)
    p = rng.beta(2, 3, n)
    p[:5] = [0.0, 1.0, 0.2, 0.4, 0.6]  # values exactly on the bin edges
    y = (rng.random(n) < p**1.3).astype(int)
    return y, p


def _direct(correct, conf, edges):
    """ECE and MCE by looping over bins (lo, hi], the first bin closed at 0."""
    gaps, counts = [], []
    for i, (lo, hi) in enumerate(zip(edges[:-1], edges[1:])):
        inside = (conf > lo) & (conf <= hi) if i else (conf >= lo) & (conf <= hi)
        if i == len(edges) - 2:
            inside |= conf > hi
        if inside.sum():
            gaps.append(abs(correct[inside].mean() - conf[inside].mean()))
            counts.append(inside.sum())
    gaps, counts = np.array(gaps), np.array(counts)
    return (gaps * counts).sum() / counts.sum(), gaps.max()


@pytest.mark.parametrize("seed", range(3))
@pytest.mark.parametrize("strategy", ["uniform", "quantile"])
@pytest.mark.parametrize("n_bins", [3, 5, 10])
def test_curve_equals_sklearn(seed, strategy, n_bins):
    y, p = _binary(seed)
    ours = calibration_curve(y, p, n_bins=n_bins, strategy=strategy)
    theirs = sk_calibration_curve(y, p, n_bins=n_bins, strategy=strategy)
    np.testing.assert_allclose(ours[0], theirs[0], rtol=0, atol=1e-12)
    np.testing.assert_allclose(ours[1], theirs[1], rtol=0, atol=1e-12)


def test_curve_with_string_labels_equals_sklearn():
    y, p = _binary(4)
    labels = np.where(y == 1, "fraud", "ok")
    ours = calibration_curve(labels, p, pos_label="fraud", n_bins=4)
    theirs = sk_calibration_curve(labels, p, pos_label="fraud", n_bins=4)
    np.testing.assert_allclose(ours, theirs)


@pytest.mark.parametrize("strategy", ["uniform", "quantile"])
def test_binary_ece_and_mce_equal_direct_computation(strategy):
    y, p = _binary(1)
    bins = calibration_bins(y, p, n_bins=8, strategy=strategy)
    ece, mce = _direct(y.astype(float), p, bins.edges)
    assert expected_calibration_error(y, p, n_bins=8, strategy=strategy) == pytest.approx(ece)
    assert max_calibration_error(y, p, n_bins=8, strategy=strategy) == pytest.approx(mce)
    assert bins.count.sum() == y.size
    # ECE is the count-weighted gap between scikit-learn's two curves
    prob_true, prob_pred = sk_calibration_curve(y, p, n_bins=8, strategy=strategy)
    assert bins.ece == pytest.approx(np.average(np.abs(prob_true - prob_pred), weights=bins.count))


def test_multiclass_top_label_ece():
    rng = np.random.default_rng(2)
    n, k = 600, 4
    proba = rng.dirichlet(np.ones(k) * 0.7, n)
    y = np.array([rng.choice(k, p=row) for row in proba])
    conf, correct = proba.max(axis=1), (proba.argmax(axis=1) == y).astype(float)
    ece, mce = _direct(correct, conf, np.linspace(0, 1, 11))
    assert expected_calibration_error(y, proba) == pytest.approx(ece)
    assert max_calibration_error(y, proba) == pytest.approx(mce)
    names = np.array(["a", "b", "c", "d"])[y]
    assert expected_calibration_error(names, proba) == pytest.approx(ece)


def test_perfect_calibration_is_zero_and_overconfidence_is_not():
    p = np.repeat([0.1, 0.5, 0.9], 1000)
    y = np.concatenate([np.arange(1000) < 100, np.arange(1000) < 500, np.arange(1000) < 900])
    assert expected_calibration_error(y.astype(int), p) == pytest.approx(0.0, abs=1e-12)
    overconfident = np.where(p > 0.5, 0.99, np.where(p < 0.5, 0.01, 0.5))
    assert expected_calibration_error(y.astype(int), overconfident) == pytest.approx(
        (0.09 + 0.09) * 1000 / 3000
    )
    payload = json.loads(json.dumps(calibration_bins(y.astype(int), p).to_dict()))
    assert payload["ece"] == pytest.approx(0.0, abs=1e-12)


@pytest.mark.parametrize(
    ("call", "message"),
    [
        (lambda: calibration_curve([0, 1], [0.2, 1.3]), "outside"),
        (lambda: calibration_curve([0, 1, 2], [0.2, 0.3, 0.4]), "binary"),
        (lambda: calibration_curve(["a", "b"], [0.2, 0.3]), "pos_label"),
        (lambda: calibration_curve([0, 1], [0.2, 0.3], strategy="kmeans"), "strategy"),
        (lambda: calibration_curve([0, 1], [0.2, 0.3], n_bins=0), "n_bins"),
        (lambda: calibration_curve([0, 1, 1], [0.2, 0.3]), "rows"),
        (lambda: expected_calibration_error([0, 1, 2], np.full((3, 2), 0.5)), "labels"),
    ],
)
def test_bad_inputs(call, message):
    with pytest.raises(InputError, match=message):
        call()

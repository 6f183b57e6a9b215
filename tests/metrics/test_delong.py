"""DeLong AUC variance and paired test against a direct O(n^2) computation."""

import json

import numpy as np
import pytest
from scipy import stats
from sklearn.metrics import roc_auc_score

from skyclass.errors import InputError
from skyclass.metrics import delong_ci, delong_test


def _brute(y, scores):
    """DeLong et al. (1988) by definition: psi over every (positive, negative) pair."""
    y = np.asarray(y).astype(bool)
    aucs, v10s, v01s = [], [], []
    for s in scores:
        x, z = s[y], s[~y]
        psi = (x[:, None] > z[None, :]) + 0.5 * (x[:, None] == z[None, :])
        aucs.append(psi.mean())
        v10s.append(psi.mean(axis=1))
        v01s.append(psi.mean(axis=0))
    m, n = y.sum(), (~y).sum()
    k = len(scores)
    s10 = np.array(
        [
            [np.sum((v10s[a] - aucs[a]) * (v10s[b] - aucs[b])) / (m - 1) for b in range(k)]
            for a in range(k)
        ]
    )
    s01 = np.array(
        [
            [np.sum((v01s[a] - aucs[a]) * (v01s[b] - aucs[b])) / (n - 1) for b in range(k)]
            for a in range(k)
        ]
    )
    return np.array(aucs), s10 / m + s01 / n


def _data(seed, n=120):
    rng = np.random.default_rng(seed)
    y = rng.integers(0, 2, n)
    a = (rng.normal(size=n) + 1.0 * y).round(1)  # ties on purpose
    b = (0.5 * a + rng.normal(size=n) + 0.3 * y).round(1)
    return y, a, b


@pytest.mark.parametrize("seed", range(5))
def test_ci_matches_brute_force(seed):
    y, a, _ = _data(seed)
    auc, cov = _brute(y, [a])
    ci = delong_ci(y, a, confidence=0.9)
    assert ci.estimate == pytest.approx(auc[0]) == pytest.approx(roc_auc_score(y, a))
    assert ci.std == pytest.approx(np.sqrt(cov[0, 0]))
    z = stats.norm.ppf(0.95)
    assert ci.low == pytest.approx(max(0, auc[0] - z * np.sqrt(cov[0, 0])))
    assert ci.high == pytest.approx(min(1, auc[0] + z * np.sqrt(cov[0, 0])))


@pytest.mark.parametrize("seed", range(5))
def test_paired_test_matches_brute_force(seed):
    y, a, b = _data(seed)
    auc, cov = _brute(y, [a, b])
    var = cov[0, 0] + cov[1, 1] - 2 * cov[0, 1]
    z = (auc[0] - auc[1]) / np.sqrt(var)
    result = delong_test(y, a, b)
    assert result.auc_a == pytest.approx(auc[0]) and result.auc_b == pytest.approx(auc[1])
    assert result.std == pytest.approx(np.sqrt(var))
    assert result.z == pytest.approx(z)
    assert result.p_value == pytest.approx(2 * stats.norm.sf(abs(z)))
    swapped = delong_test(y, b, a)
    assert swapped.z == pytest.approx(-z) and swapped.p_value == pytest.approx(result.p_value)
    assert json.loads(json.dumps(result.to_dict()))["p_value"] == pytest.approx(result.p_value)


def test_same_model_and_clearly_better_model():
    y, a, b = _data(9, n=400)
    same = delong_test(y, a, a)
    assert same.difference == 0 and same.p_value == 1.0
    noise = np.random.default_rng(0).normal(size=y.size)
    better = delong_test(y, a, noise)
    assert better.difference > 0.2 and better.p_value < 1e-6


def test_multiclass_one_vs_rest_per_class():
    rng = np.random.default_rng(3)
    n, k = 150, 3
    y = rng.integers(0, k, n)
    pa = rng.dirichlet(np.ones(k), n) + 0.6 * np.eye(k)[y]
    pb = rng.dirichlet(np.ones(k), n) + 0.2 * np.eye(k)[y]
    cis = delong_ci(y, pa)
    tests = delong_test(y, pa, pb)
    assert set(cis) == set(tests) == {0, 1, 2}
    for j in range(k):
        auc, cov = _brute(y == j, [pa[:, j], pb[:, j]])
        assert cis[j].estimate == pytest.approx(auc[0])
        assert cis[j].std == pytest.approx(np.sqrt(cov[0, 0]))
        assert tests[j].auc_b == pytest.approx(auc[1])
        var = cov[0, 0] + cov[1, 1] - 2 * cov[0, 1]
        assert tests[j].std == pytest.approx(np.sqrt(var))


def test_string_labels_and_two_column_scores():
    y, a, _ = _data(2)
    labels = np.where(y == 1, "yes", "no")
    proba = np.column_stack([-a, a])
    assert delong_ci(labels, proba).estimate == pytest.approx(roc_auc_score(y, a))
    assert delong_ci(labels, -a, pos_label="no").estimate == pytest.approx(roc_auc_score(y, a))


@pytest.mark.parametrize(
    ("call", "message"),
    [
        (lambda: delong_ci([1, 1, 1], [0.1, 0.2, 0.3]), "both positive and negative"),
        (lambda: delong_ci([0, 1, 1], [0.1, 0.2]), "rows"),
        (lambda: delong_ci([0, 1, 2], [0.1, 0.2, 0.3]), "matrix"),
        (lambda: delong_ci([0, 1], [0.1, 0.9], confidence=2), "confidence"),
        (lambda: delong_test([0, 1, 0], [0.1, 0.9, 0.3], [0.2, np.nan, 0.1]), "finite"),
        (lambda: delong_test([0, 1, 2], np.ones((3, 3)), np.ones((3, 2))), "score matrices"),
    ],
)
def test_bad_inputs(call, message):
    with pytest.raises(InputError, match=message):
        call()


def test_perfect_separation_gives_no_zero_width_interval():
    from skyclass.metrics import delong_ci

    ci = delong_ci([0, 0, 0, 1, 1], [0.1, 0.2, 0.3, 0.8, 0.9])
    assert ci.estimate == 1.0 and not ci.defined
    assert "separate the 2 positive and 3 negative rows perfectly" in ci.note
    assert ci.to_dict()["low"] is None

"""The L1 / elastic-net Newton solver's building blocks, against finite differences and by hand."""

import numpy as np
import pytest
import scipy.sparse as sp

from skyclass.linear._newton import newton_l1, pseudo_gradient
from skyclass.linear._objective import DenseProblem


def _problem(link, sparse):
    rng = np.random.default_rng(0)
    X = rng.normal(size=(80, 6))
    X[rng.random(X.shape) < 0.5] = 0.0
    y = (X @ rng.normal(size=(6, 3)) + rng.gumbel(size=(80, 3))).argmax(axis=1)
    target = y if link == "softmax" else np.eye(3)[y]
    X = sp.csr_matrix(X) if sparse else X
    return DenseProblem(X, target, np.full((80, 1), 1 / 80), link=link, n_outputs=3), rng


@pytest.mark.parametrize("link", ["softmax", "sigmoid"])
@pytest.mark.parametrize("sparse", [False, True], ids=["dense", "csr"])
def test_curvature_is_the_derivative_of_the_gradient(link, sparse):
    problem, rng = _problem(link, sparse)
    W, b = rng.normal(size=(6, 3)), rng.normal(size=3)
    V, c = rng.normal(size=(6, 3)), rng.normal(size=3)
    eps = 1e-6
    _, gW1, gb1 = problem.value_grad(W + eps * V, b + eps * c)
    _, gW0, gb0 = problem.value_grad(W - eps * V, b - eps * c)
    HV, Hc = problem.curvature(W, b).dot(V, c)
    np.testing.assert_allclose(HV, (gW1 - gW0) / (2 * eps), rtol=1e-6, atol=1e-9)
    np.testing.assert_allclose(Hc, (gb1 - gb0) / (2 * eps), rtol=1e-6, atol=1e-9)
    # the diagonal is what unit directions give
    unit = np.zeros((6, 3))
    unit[2, 1] = 1.0
    assert problem.curvature(W, b).dot(unit, np.zeros(3))[0][2, 1] == pytest.approx(
        problem.curvature(W, b).diag_W[2, 1], rel=1e-12
    )


def test_pseudo_gradient_is_the_minimum_norm_subgradient():
    W = np.array([[0.0], [0.0], [0.0], [2.0], [-1.0]])
    G = np.array([[0.3], [-1.5], [1.25], [0.5], [0.5]])
    # |g| <= l1 at a zero: 0; else shrunk by l1; nonzero w: g + l1 * sign(w)
    assert pseudo_gradient(W, G, np.array([1.0])).ravel().tolist() == [0.0, -0.5, 0.25, 1.5, -0.5]


def test_l1_solution_meets_the_optimality_conditions():
    # zero where |g| <= l1, g = -l1 sign(w) elsewhere, intercept gradient 0: all to tol
    problem, _ = _problem("sigmoid", False)
    l1 = np.full(3, 0.05)
    res = newton_l1(problem, np.zeros((6, 3)), np.zeros(3), l1=l1, l2=np.zeros(3),
                    fit_intercept=True, tol=1e-10, max_iter=100)
    assert res.converged and res.violation <= 1e-10
    _, gW, gb = problem.value_grad(res.W, res.b)
    zero = res.W == 0
    assert zero.any() and (~zero).any()
    assert np.all(np.abs(gW[zero]) <= 0.05 + 1e-10)
    np.testing.assert_allclose(gW[~zero], -0.05 * np.sign(res.W[~zero]), atol=1e-10)
    np.testing.assert_allclose(gb, 0.0, atol=1e-10)


def test_reports_not_converged_when_max_iter_runs_out():
    problem, _ = _problem("softmax", True)
    res = newton_l1(problem, np.zeros((6, 3)), np.zeros(3), l1=np.full(3, 0.01),
                    l2=np.full(3, 0.01), fit_intercept=True, tol=1e-12, max_iter=1)
    assert not res.converged and res.n_iter == 1 and res.violation > 1e-12


def test_explicit_hessian_block_equals_the_hessian_vector_products():
    problem, rng = _problem("sigmoid", False)
    W, b = rng.normal(size=(6, 3)), rng.normal(size=3)
    hess = problem.curvature(W, b)
    assert hess.has_blocks
    cols = np.array([0, 2, 5])
    block = hess.block(1, cols, intercept=True)
    for i, j in enumerate(cols):
        unit = np.zeros((6, 3))
        unit[j, 1] = 1.0
        HV, Hc = hess.dot(unit, np.zeros(3))
        np.testing.assert_allclose(block[:3, i], HV[cols, 1], rtol=1e-12, atol=1e-15)
        assert block[3, i] == pytest.approx(Hc[1], rel=1e-12)
    assert not _problem("sigmoid", True)[0].curvature(W, b).has_blocks  # sparse X: products
    assert not _problem("softmax", False)[0].curvature(W, b).has_blocks  # coupled columns

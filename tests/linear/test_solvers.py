"""The solver building blocks on problems with known minima."""

import numpy as np
import pytest

from skyclass.linear._lbfgs import lbfgs, lbfgs_rows


def test_lbfgs_finds_the_minimum_of_a_badly_scaled_quadratic():
    scales = np.logspace(0, 2, 20)
    target = np.linspace(-1, 1, 20)
    last = {}

    def fun(x):
        r = x - target
        last["g"] = scales * r
        return float(0.5 * (scales * r) @ r), scales * r

    def stop():
        return np.abs(last["g"]).max() <= 1e-10

    x, n_iter, stopped = lbfgs(fun, np.zeros(20), max_iter=500, stop=stop)
    assert stopped and n_iter < 200
    np.testing.assert_allclose(x, target, atol=1e-10)


def test_lbfgs_rows_solves_each_row_on_its_own():
    rng = np.random.default_rng(0)
    scales = np.vstack([np.ones(8), np.logspace(0, 1, 8), np.logspace(0, 2, 8)])
    target = rng.normal(size=(3, 8))
    seen = []

    def fun(x):
        seen.append(x.copy())
        r = x - target
        return 0.5 * np.einsum("kp,kp->k", scales * r, r), scales * r

    def done():
        g = scales * (seen[-1] - target)
        return np.abs(g).max(axis=1) <= 1e-9

    x, n_iter, stopped = lbfgs_rows(fun, np.zeros((3, 8)), max_iter=500, done=done)
    assert stopped
    np.testing.assert_allclose(x, target, atol=1e-8)
    # the well-conditioned row converged first and then stopped moving
    moves = [np.abs(a[0] - b[0]).max() for a, b in zip(seen[1:], seen[:-1])]
    assert moves[-1] == 0.0


def test_objective_rejects_labels_the_model_never_saw():
    from sklearn.datasets import load_iris

    from skyclass.linear import LogisticRegression

    X, y = load_iris(return_X_y=True)
    model = LogisticRegression(max_iter=500).fit(X, y)
    with pytest.raises(ValueError, match="fitted on"):
        model.objective(X[y > 0], y[y > 0])

"""L1 / elastic-net logistic regression by orthant-wise Newton-CG, to a tight optimality test.

The objective, for coefficients ``W`` (``[d, m]``) and intercepts ``b`` (``[m]``)::

    F(W, b) = data(W, b) + sum_k (l2_k / 2 * ||W[:, k]||^2 + l1_k * ||W[:, k]||_1)

is smooth inside each orthant (each coefficient's sign fixed). Every iteration:

1. the **minimum-norm subgradient** ``pg`` of ``F``: for ``w != 0`` the gradient plus
   ``l1 * sign(w)``; for ``w == 0`` the gradient shrunk towards 0 by ``l1`` (0 when
   ``|g| <= l1``, which is what makes a zero optimal). The fit has converged when
   ``max |pg| <= tol`` (intercepts included): scikit-learn's documented test, checked on
   the exact subgradient, so a fit never stops early and calls it success;
2. the **orthant**: the sign of each nonzero coefficient, and ``-sign(pg)`` for a zero one
   that wants to move; zeros with ``pg == 0`` stay fixed at exactly 0;
3. a **Newton direction** on the free coefficients: ``H d = -pg`` solved by conjugate
   gradients preconditioned with the Hessian's diagonal, from Hessian-vector products
   (``X`` stays sparse), to a relative accuracy that tightens as ``pg`` shrinks
   (superlinear convergence near the optimum). Dense binary / one-vs-rest problems
   (independent columns) solve it exactly instead, from each column's explicit Hessian
   block over its free features: one matrix product beats many Hessian-vector products;
4. a **projected line search**: ``W + t d`` with every coefficient that leaves its orthant
   set to exactly 0, halving ``t`` until the decrease is at least ``1e-4`` of the one
   ``pg`` predicts (Armijo). Once the objective changes by less than rounding, a step is
   accepted when it lowers ``max |pg|`` instead.

If no step can be accepted, or ``max_iter`` runs out, before the test holds, the result
says ``converged=False`` (the estimator then warns).

Example:
    >>> import numpy as np
    >>> from skyclass.linear._objective import DenseProblem
    >>> X = np.array([[-1.0, 0.1], [0.0, 0.0], [1.0, -0.1], [2.0, 0.0]])
    >>> y = np.array([[0.0], [0.0], [1.0], [1.0]])
    >>> p = DenseProblem(X, y, np.full((4, 1), 0.25), link="sigmoid", n_outputs=1)
    >>> res = newton_l1(p, np.zeros((2, 1)), np.zeros(1), l1=np.full(1, 0.1), l2=np.zeros(1),
    ...                 fit_intercept=True, tol=1e-10, max_iter=100)
    >>> bool(res.converged), bool(res.W[0, 0] > 0), float(res.W[1, 0])
    (True, True, 0.0)
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

ARMIJO = 1e-4
ROUNDING = 64 * np.finfo(float).eps  # relative change of F below which it is rounding noise
MAX_CG = 500


@dataclass
class NewtonResult:
    """What ``newton_l1`` found: coefficients, intercepts, iterations, whether ``tol`` was met."""

    W: np.ndarray
    b: np.ndarray
    n_iter: int
    converged: bool
    objective: float
    violation: float


def pseudo_gradient(W: np.ndarray, G: np.ndarray, l1: np.ndarray) -> np.ndarray:
    """The minimum-norm subgradient of ``F`` in ``W`` given the smooth gradient ``G``.

    Example:
        >>> import numpy as np
        >>> pseudo_gradient(np.array([[0.0], [0.0], [1.0]]), np.array([[0.5], [-2.0], [0.5]]),
        ...                 np.array([1.0])).ravel().tolist()
        [0.0, -1.0, 1.5]
    """
    shrunk = np.sign(G) * np.maximum(np.abs(G) - l1, 0.0)
    return np.where(W != 0, G + l1 * np.sign(W), shrunk)


class _Point:
    """``F``, its smooth gradient and minimum-norm subgradient at one ``(W, b)``."""

    def __init__(self, problem, W, b, l1, l2, fit_intercept: bool) -> None:
        self.W, self.b = W, b
        f, gW, gb = problem.value_grad(W, b)
        sq = np.einsum("jk,jk->k", W, W)
        self.f = float(f.sum() + (0.5 * l2) @ sq + l1 @ np.abs(W).sum(axis=0))
        self.G = gW + l2 * W
        self.pg = pseudo_gradient(W, self.G, l1)
        self.gb = gb if fit_intercept else np.zeros_like(gb)
        self.violation = max(float(np.abs(self.pg).max(initial=0.0)), float(np.abs(self.gb).max()))


def newton_l1(
    problem,
    W0: np.ndarray,
    b0: np.ndarray,
    *,
    l1: np.ndarray,
    l2: np.ndarray,
    fit_intercept: bool,
    tol: float,
    max_iter: int,
) -> NewtonResult:
    """Minimise ``F`` from ``(W0, b0)`` until ``max |pg| <= tol`` (see the module docstring).

    ``l1``/``l2`` hold one penalty strength per column of ``W``; ``problem`` is a
    ``DenseProblem`` or ``TorchProblem`` (``value_grad`` and ``curvature``).
    """
    here = _Point(problem, np.array(W0, dtype=np.float64), np.array(b0, dtype=np.float64),
                  l1, l2, fit_intercept)
    n_iter = 0
    while here.violation > tol and n_iter < max_iter:
        n_iter += 1
        step = _step(problem, here, l1, l2, fit_intercept, tol)
        if step is None:
            break
        here = step
    return NewtonResult(here.W, here.b, n_iter, here.violation <= tol, here.f, here.violation)


def _step(problem, here: _Point, l1, l2, fit_intercept: bool, tol: float) -> _Point | None:
    """One Newton iteration: direction on the free set, then the projected line search."""
    W = here.W
    orthant = np.where(W != 0, np.sign(W), -np.sign(here.pg))
    free = orthant != 0
    dW, db = _newton_direction(problem.curvature(W, here.b), here, free, l2, fit_intercept)
    dW[(W == 0) & (np.sign(dW) != orthant)] = 0.0  # a zero may only leave towards -pg
    t = 1.0
    for _ in range(50):
        W_new = W + t * dW
        W_new[np.sign(W_new) != orthant] = 0.0
        b_new = here.b + t * db
        trial = _Point(problem, W_new, b_new, l1, l2, fit_intercept)
        predicted = float(np.sum(here.pg * (W_new - W)) + here.gb @ (b_new - here.b))
        if trial.f <= here.f + ARMIJO * predicted:
            return trial
        noise = abs(trial.f - here.f) <= ROUNDING * max(abs(here.f), 1.0)
        if noise and trial.violation < here.violation:
            return trial
        t *= 0.5
    return None


def _newton_direction(hess, here: _Point, free: np.ndarray, l2, fit_intercept: bool):
    """Solve ``H d = -pg`` on the free coefficients (and the intercepts) by Jacobi-PCG."""
    mask_W = free.astype(np.float64)
    mask_b = np.full(here.b.shape, 1.0 if fit_intercept else 0.0)
    diag_W = (hess.diag_W + l2) * mask_W + (1.0 - mask_W)
    diag_b = hess.diag_b * mask_b + (1.0 - mask_b)
    scale = max(float(diag_W.max(initial=0.0)), float(diag_b.max()), 1.0)
    damping = max(1e-12 * scale, min(here.violation, 1e-2 * scale))
    if getattr(hess, "has_blocks", False):
        return _block_direction(hess, here, free, l2, fit_intercept, damping)
    diag_W = np.maximum(diag_W, damping)
    diag_b = np.maximum(diag_b, damping)

    def product(V, c):
        HV, Hc = hess.dot(V, c)
        return (HV + l2 * V + damping * V) * mask_W, (Hc + damping * c) * mask_b

    rW, rb = -here.pg * mask_W, -here.gb * mask_b
    norm0 = np.sqrt(np.sum(rW * rW) + rb @ rb)
    rtol = min(0.1, np.sqrt(here.violation))
    xW, xb = np.zeros_like(rW), np.zeros_like(rb)
    zW, zb = rW / diag_W, rb / diag_b
    pW, pb = zW.copy(), zb.copy()
    rz = np.sum(rW * zW) + rb @ zb
    for _ in range(min(MAX_CG, 2 * int(free.sum()) + 2 * len(rb) + 1)):
        HpW, Hpb = product(pW, pb)
        curv = np.sum(pW * HpW) + pb @ Hpb
        if curv <= 1e-14 * (np.sum(pW * pW) + pb @ pb) * scale:
            break  # no curvature left along p: keep what we have
        a = rz / curv
        xW += a * pW
        xb += a * pb
        rW -= a * HpW
        rb -= a * Hpb
        if np.sqrt(np.sum(rW * rW) + rb @ rb) <= rtol * norm0:
            break
        zW, zb = rW / diag_W, rb / diag_b
        rz_new = np.sum(rW * zW) + rb @ zb
        pW = zW + (rz_new / rz) * pW
        pb = zb + (rz_new / rz) * pb
        rz = rz_new
    if not np.any(xW) and not np.any(xb):
        return zW, zb  # no usable curvature: the preconditioned steepest descent direction
    return xW, xb


def _block_direction(hess, here: _Point, free: np.ndarray, l2, fit_intercept: bool, damping):
    """The exact Newton direction, column by column, from explicit (free-set) Hessian blocks."""
    dW, db = np.zeros_like(here.W), np.zeros_like(here.b)
    for k in range(here.W.shape[1]):
        cols = np.flatnonzero(free[:, k])
        H = hess.block(k, cols, fit_intercept)
        H[np.arange(len(cols)), np.arange(len(cols))] += l2[k]
        H.flat[:: len(H) + 1] += damping
        rhs = -here.pg[cols, k]
        if fit_intercept:
            rhs = np.append(rhs, -here.gb[k])
        try:
            step = np.linalg.solve(H, rhs)
        except np.linalg.LinAlgError:
            step = np.linalg.lstsq(H, rhs, rcond=None)[0]
        dW[cols, k] = step[: len(cols)]
        if fit_intercept:
            db[k] = step[-1]
    return dW, db

"""Minimise the smooth (L2 or unpenalised) logistic objective with L-BFGS, preconditioned.

The objective, for coefficients ``W`` (``[d, m]``) and intercepts ``b`` (``[m]``)::

    F(W, b) = data(W, b) + sum_k alpha_k / 2 * ||W[:, k]||^2

``data`` comes from a problem object (numpy or torch backend), ``alpha_k = 1 / (C * S_k)``
with ``S_k`` the sum of sample weights. The intercept is never penalised. L1 and
elastic-net penalties are not smooth: ``_newton.py`` solves those.

Preconditioning makes it fast and exact:

- **Preconditioning.** The optimiser works on ``W' = W / D`` and ``b' = b + mu @ W``
  where ``mu`` is the weighted column mean and ``D[j, k] = 1 / sqrt(var_j + alpha_k / c_k)``
  (``c_k``: the curvature ``p (1 - p)`` of the class prior): the objective seen in centred
  coordinates whose Hessian diagonal is about 1, implicitly (``X`` is never copied or
  densified). Rare sparse features are scaled by the penalty, not blown up. Dense ``X``
  of moderate width is whitened instead (``transform``). The minimiser is the lean
  L-BFGS of ``_lbfgs.py``.

The stopping test is scikit-learn's: the largest entry of the gradient of ``F`` in the
original coordinates is at most ``tol``; the same is asked of the gradient in the
preconditioned coordinates.

Example:
    >>> import numpy as np
    >>> from skyclass.linear._objective import DenseProblem
    >>> X = np.array([[-1.0], [0.0], [1.0], [2.0]]); y = np.array([0, 0, 1, 1])
    >>> p = DenseProblem(X, y, np.full((4, 1), 0.25), link="softmax", n_outputs=2)
    >>> res = solve(p, np.zeros((1, 2)), np.zeros(2), alpha=np.full(2, 0.25),
    ...             fit_intercept=True, tol=1e-8, max_iter=100, mean=np.full(1, 0.5),
    ...             scale=np.ones((1, 1)))
    >>> bool(res.converged), bool(res.W[0, 1] > 0)
    (True, True)
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from skyclass.linear._lbfgs import lbfgs, lbfgs_rows

# Besides the gradient test, smooth problems stop only once the quasi-Newton model predicts
# less than GAP * tol relative decrease left: on nearly separable classes a small gradient
# alone can leave the objective 1e-4 above its minimum.
GAP = 1e-3


@dataclass
class Solution:
    """What ``solve`` found: coefficients, intercepts, iterations and whether ``tol`` was met."""

    W: np.ndarray
    b: np.ndarray
    n_iter: int
    converged: bool
    objective: float


def objective_value(
    problem, W: np.ndarray, b: np.ndarray, alpha: np.ndarray, l1_ratio: float
) -> float:
    """``F(W, b)``: the problem's data term plus the elastic-net penalty."""
    f = float(problem.value_grad(W, b)[0].sum())
    f += 0.5 * float((alpha * (1.0 - l1_ratio)) @ np.einsum("jk,jk->k", W, W))
    return f + float((alpha * l1_ratio) @ np.abs(W).sum(axis=0))


def solve(
    problem,
    W0: np.ndarray,
    b0: np.ndarray,
    *,
    alpha: np.ndarray,
    fit_intercept: bool,
    tol: float,
    max_iter: int,
    mean: np.ndarray,
    scale: np.ndarray,
    separable: bool = False,
    transform: np.ndarray | None = None,
) -> Solution:
    """Minimise ``F`` from ``(W0, b0)``; ``scale`` is ``[d, m]`` (or ``[d, 1]``).

    ``separable``: the m columns are independent problems (one-vs-rest); smooth ones are
    then solved row-wise by ``lbfgs_rows``. ``transform`` (``[d, d]``, smooth problems
    only) replaces the diagonal scaling: ``W = transform @ W'`` (a whitening of dense X).
    """
    d, m = W0.shape
    D = np.broadcast_to(1.0 / scale, (d, m))
    mu = mean if fit_intercept else np.zeros(d)
    n_w = d * m
    cache: dict = {}

    def unpack(x: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
        Wp = x[:n_w]
        W = transform @ Wp.reshape(d, m) if transform is not None else Wp.reshape(d, m) * D
        b = x[-m:] - mu @ W if fit_intercept else np.zeros(m)
        return W, b

    def fun(x: np.ndarray) -> tuple[float, np.ndarray]:
        W, b = unpack(x)
        f_parts, gW, gb = problem.value_grad(W, b)  # [m] (separable columns) or [1]
        penalty = 0.5 * alpha * np.einsum("jk,jk->k", W, W)
        f_parts = f_parts + (penalty if f_parts.shape == penalty.shape else penalty.sum())
        gW = gW + W * alpha
        f = float(f_parts.sum())
        cache.update(x=x, W=W, b=b, f=f, f_parts=f_parts, gW=gW, gb=gb)
        gWc = gW - mu[:, None] * gb[None, :] if fit_intercept else gW
        gWp = transform.T @ gWc if transform is not None else gWc * D
        parts = [gWp.ravel()]
        if fit_intercept:
            parts.append(gb)
        cache["g"] = np.concatenate(parts)
        return f, cache["g"]

    def kkt_violation() -> float:
        gW, gb = cache["gW"], cache["gb"]
        worst = float(np.abs(gW).max(initial=0.0))
        if fit_intercept:
            worst = max(worst, float(np.abs(gb).max(initial=0.0)))
        return worst

    Wp0 = np.linalg.solve(transform, W0) if transform is not None else W0 / D
    parts = [Wp0.ravel()]
    if fit_intercept:
        parts.append(b0 + mu @ W0)
    x0 = np.concatenate(parts)

    f0, _ = fun(x0)
    if max_iter == 0 or kkt_violation() <= tol:
        return Solution(cache["W"], cache["b"], 0, kkt_violation() <= tol, f0)
    if separable:
        x, n_iter, stopped = _rows(fun, x0, d, m, fit_intercept, max_iter, tol, cache)
    else:
        # also ask the preconditioned gradient to be small: the original one alone lets
        # rarely active (sparse) features stop early, far from the optimum
        def stop() -> bool:
            return kkt_violation() <= tol and float(np.abs(cache["g"]).max()) <= tol

        x, n_iter, stopped = lbfgs(fun, x0, max_iter=max_iter, stop=stop, gap=GAP * tol)
    if not np.array_equal(x, cache["x"]):
        fun(x)
    return Solution(cache["W"], cache["b"], n_iter, stopped, cache["f"])


def _rows(fun, x0, d: int, m: int, fit_intercept: bool, max_iter: int, tol: float, cache):
    """Independent smooth problems: row k of the ``[m, p]`` matrix is column k's ``(w', b')``."""

    def to_rows(x: np.ndarray) -> np.ndarray:
        rows = x[: d * m].reshape(d, m).T
        return np.column_stack([rows, x[-m:]]) if fit_intercept else rows.copy()

    def from_rows(r: np.ndarray) -> np.ndarray:
        flat = r[:, :d].T.ravel()
        return np.concatenate([flat, r[:, d]]) if fit_intercept else flat

    def fun_rows(r: np.ndarray):
        fun(from_rows(r))
        return cache["f_parts"], to_rows(cache["g"])

    def done() -> np.ndarray:
        worst = np.abs(cache["gW"]).max(axis=0, initial=0.0)
        if fit_intercept:
            worst = np.maximum(worst, np.abs(cache["gb"]))
        precond = np.abs(to_rows(cache["g"])).max(axis=1, initial=0.0)
        return (worst <= tol) & (precond <= tol)

    r, n_iter, stopped = lbfgs_rows(
        fun_rows, to_rows(x0), max_iter=max_iter, done=done, gap=GAP * tol
    )
    return from_rows(r), n_iter, stopped


"""Minimise the penalised logistic objective with L-BFGS-B on preconditioned coordinates.

The full objective, for coefficients ``W`` (``[d, m]``) and intercepts ``b`` (``[m]``)::

    F(W, b) = data(W, b) + sum_k alpha_k * ((1 - r) / 2 * ||W[:, k]||^2 + r * ||W[:, k]||_1)

``data`` comes from a problem object (numpy or torch backend), ``alpha_k = 1 / (C * S_k)``
with ``S_k`` the sum of sample weights, and ``r`` is ``l1_ratio``. The intercept is never
penalised.

Two tricks make it fast and exact:

- **Preconditioning.** The optimiser works on ``W' = W / D`` and ``b' = b + mu @ W``
  where ``mu`` is the weighted column mean and ``D = 1 / std``: the same objective seen
  in centred, unit-variance coordinates (implicitly: ``X`` is never copied or densified).
- **L1 as bounds.** With ``r > 0`` the coefficients are split ``W' = P - N`` with
  ``P, N >= 0``; ``|W|`` becomes the linear term ``D * (P + N)`` and L-BFGS-B handles the
  bounds, so exact zeros come out of the projection.

The stopping test is scikit-learn's: the largest entry of the (minimum-norm sub)gradient
of ``F`` in the original coordinates is at most ``tol``.

Example:
    >>> import numpy as np
    >>> from skyclass.linear._objective import DenseProblem
    >>> X = np.array([[-1.0], [0.0], [1.0], [2.0]]); y = np.array([0, 0, 1, 1])
    >>> p = DenseProblem(X, y, np.full((4, 1), 0.25), link="softmax", n_outputs=2)
    >>> res = solve(p, np.zeros((1, 2)), np.zeros(2), alpha=np.full(2, 0.25), l1_ratio=0.0,
    ...             fit_intercept=True, tol=1e-8, max_iter=100, mean=np.full(1, 0.5),
    ...             scale=np.ones(1))
    >>> bool(res.converged), bool(res.W[0, 1] > 0)
    (True, True)
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
from scipy.optimize import minimize


@dataclass
class Solution:
    """What ``solve`` found: coefficients, intercepts, iterations and whether ``tol`` was met."""

    W: np.ndarray
    b: np.ndarray
    n_iter: int
    converged: bool
    objective: float


def solve(
    problem,
    W0: np.ndarray,
    b0: np.ndarray,
    *,
    alpha: np.ndarray,
    l1_ratio: float,
    fit_intercept: bool,
    tol: float,
    max_iter: int,
    mean: np.ndarray,
    scale: np.ndarray,
    on_iteration=None,
) -> Solution:
    """Minimise ``F`` from ``(W0, b0)``; ``on_iteration(W, b, F)`` is called after each step."""
    d, m = W0.shape
    D = 1.0 / scale
    mu = mean if fit_intercept else np.zeros(d)
    l2 = alpha * (1.0 - l1_ratio)  # per column
    l1 = alpha * l1_ratio
    split = bool(np.any(l1 > 0))
    n_w = d * m
    cache: dict = {}

    def unpack(x: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
        Wp = (x[:n_w] - x[n_w : 2 * n_w]) if split else x[:n_w]
        Wp = Wp.reshape(d, m)
        W = Wp * D[:, None]
        if fit_intercept:
            b = x[-m:] - mu @ W
        else:
            b = np.zeros(m)
        return W, b

    def fun(x: np.ndarray) -> tuple[float, np.ndarray]:
        W, b = unpack(x)
        f, gW, gb = problem.value_grad(W, b)
        f += 0.5 * float(l2 @ np.einsum("jk,jk->k", W, W))
        gW = gW + W * l2
        if split:
            f += float(l1 @ np.abs(W).sum(axis=0))
        cache["x"], cache["W"], cache["b"], cache["f"] = x.copy(), W, b, f
        cache["gW"], cache["gb"] = gW, gb
        gWp = (gW - mu[:, None] * gb[None, :]) * D[:, None] if fit_intercept else gW * D[:, None]
        parts = [gWp.ravel()]
        if split:
            lin = (D[:, None] * l1[None, :]).ravel()
            parts = [gWp.ravel() + lin, -gWp.ravel() + lin]
        if fit_intercept:
            parts.append(gb)
        return f, np.concatenate(parts)

    def kkt_violation() -> float:
        W, gW, gb = cache["W"], cache["gW"], cache["gb"]
        if split:
            sub = np.where(W != 0, np.abs(gW + l1 * np.sign(W)), np.maximum(np.abs(gW) - l1, 0.0))
        else:
            sub = np.abs(gW)
        worst = float(sub.max(initial=0.0))
        if fit_intercept:
            worst = max(worst, float(np.abs(gb).max(initial=0.0)))
        return worst

    Wp0 = W0 / D[:, None]
    parts = [np.maximum(Wp0, 0).ravel(), np.maximum(-Wp0, 0).ravel()] if split else [Wp0.ravel()]
    if fit_intercept:
        parts.append(b0 + mu @ W0)
    x0 = np.concatenate(parts)
    bounds = [(0.0, None)] * (2 * n_w) + [(None, None)] * (m if fit_intercept else 0)

    f0, _ = fun(x0)
    if max_iter == 0 or kkt_violation() <= tol:
        return Solution(cache["W"], cache["b"], 0, kkt_violation() <= tol, f0)

    state = {"done": False}

    def callback(intermediate_result) -> None:
        if not np.array_equal(intermediate_result.x, cache["x"]):
            fun(intermediate_result.x)
        if on_iteration is not None:
            on_iteration(cache["W"], cache["b"], cache["f"])
        if kkt_violation() <= tol:
            state["done"] = True
            raise StopIteration

    result = minimize(
        fun,
        x0,
        jac=True,
        method="L-BFGS-B",
        bounds=bounds if split else None,
        callback=callback,
        options={"maxiter": max_iter, "maxls": 50, "gtol": 0.0, "ftol": 64 * np.finfo(float).eps},
    )
    if not np.array_equal(result.x, cache["x"]):
        fun(result.x)
    converged = state["done"] or (result.nit < max_iter and kkt_violation() <= max(tol, 1e-12))
    if not converged and result.nit < max_iter and result.status == 0:
        converged = True  # stopped on a relative objective change of ~machine precision
    return Solution(cache["W"], cache["b"], int(result.nit), converged, cache["f"])

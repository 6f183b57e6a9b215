"""A small L-BFGS minimiser for smooth problems with many parameters.

scipy's L-BFGS-B spends most of its time in its own bookkeeping once there are
hundreds of thousands of parameters (a sparse problem with 20,000 features and 20
classes); this two-loop recursion costs ``O(memory * n)`` numpy work per step.
The line search backtracks from the unit step (Armijo); a curvature pair is kept only
when ``s @ y > 0``, which keeps the inverse-Hessian estimate positive definite.

Example:
    >>> import numpy as np
    >>> fun = lambda x: (float(x @ x), 2 * x)
    >>> x, n_iter, _ = lbfgs(fun, np.ones(3), max_iter=50, stop=lambda: True)
    >>> bool(np.allclose(x, 0))
    True
"""

from __future__ import annotations

from collections import deque

import numpy as np

FTOL = 64 * np.finfo(float).eps


def lbfgs(fun, x0: np.ndarray, *, max_iter: int, stop, gap: float = 0.0, memory: int = 10):
    """Minimise ``fun(x) -> (f, grad)`` from ``x0``.

    Stops when ``stop()`` holds (it may look at the last point ``fun`` saw, which is
    always the accepted one) and the decrease the quasi-Newton model still predicts,
    ``-grad @ direction / 2``, is at most ``gap * max(|f|, 1)``; or when ``f`` changes
    by less than ~1e-14 relatively. Returns ``(x, n_iter, stopped)``.
    """
    x = np.array(x0, dtype=np.float64)
    f, g = fun(x)
    pairs: deque = deque(maxlen=memory)
    direction, slope = _direction(g, pairs)
    for it in range(1, max_iter + 1):
        step = 1.0 if pairs else min(1.0, 1.0 / max(np.sqrt(-slope), 1e-12))
        for _ in range(60):
            x_new = x + step * direction
            f_new, g_new = fun(x_new)
            if f_new <= f + 1e-4 * step * slope:
                break
            step *= 0.5
        else:
            return x, it, True  # no decrease possible at machine precision
        s, y = x_new - x, g_new - g
        sy = float(s @ y)
        if sy > 1e-12 * float(y @ y):
            pairs.append((s, y, 1.0 / sy))
        small_change = f - f_new <= FTOL * max(abs(f), abs(f_new), 1.0)
        x, f, g = x_new, f_new, g_new
        direction, slope = _direction(g, pairs)
        if small_change or (stop() and -0.5 * slope <= gap * max(abs(f), 1.0)):
            return x, it, True
    return x, max_iter, False


def _direction(g: np.ndarray, pairs: deque) -> tuple[np.ndarray, float]:
    """The quasi-Newton direction and its slope; steepest descent if that is not downhill."""
    direction = -_two_loop(g, pairs)
    slope = float(g @ direction)
    if slope >= 0:  # not a descent direction: forget the curvature pairs
        pairs.clear()
        direction, slope = -g, -float(g @ g)
    return direction, slope


def _two_loop(g: np.ndarray, pairs: deque) -> np.ndarray:
    """Apply the L-BFGS inverse-Hessian estimate to ``g``.

    One scratch buffer takes every scaled vector: fresh temporaries of this size would
    cost a page fault per page on each allocation, more than the arithmetic itself.
    """
    q = g.copy()
    buf = np.empty_like(g)
    alphas = []
    for s, y, rho in reversed(pairs):
        a = rho * float(s @ q)
        q -= np.multiply(y, a, out=buf)
        alphas.append(a)
    if pairs:
        s, y, _ = pairs[-1]
        q *= float(s @ y) / float(y @ y)
    for (s, y, rho), a in zip(pairs, reversed(alphas)):
        q += np.multiply(s, a - rho * float(y @ q), out=buf)
    return q


def lbfgs_rows(fun, x0: np.ndarray, *, max_iter: int, done, gap: float = 0.0, memory: int = 10):
    """L-BFGS on K independent problems at once (one-vs-rest): row k of ``x`` is problem k.

    ``fun(x) -> (f [K], grad [K, p])`` evaluates every problem in one pass (one product
    with the data for all classes); each row keeps its own curvature pairs, step and
    line search, so an easy class is not held back by a hard one, and a row stops
    moving once ``done() -> bool [K]`` holds and its predicted decrease is below ``gap``
    (as in ``lbfgs``). Returns ``(x, n_iter, stopped)`` like ``lbfgs``.
    """
    x = np.array(x0, dtype=np.float64)
    f, g = fun(x)
    pairs: deque = deque(maxlen=memory)
    gamma = np.zeros(x.shape[0])  # s.y / y.y of the latest good pair per row; 0: none yet
    direction, slope = _direction_rows(g, pairs, gamma)
    active = ~(done() & (-0.5 * slope <= gap * np.maximum(np.abs(f), 1.0)))
    for it in range(1, max_iter + 1):
        direction[~active], slope[~active] = 0.0, 0.0
        step = np.where(gamma > 0, 1.0, np.minimum(1.0, 1.0 / np.sqrt(np.maximum(-slope, 1e-24))))
        step[~active] = 0.0
        for _ in range(60):
            x_new = x + step[:, None] * direction
            f_new, g_new = fun(x_new)
            ok = f_new <= f + 1e-4 * step * slope
            if ok.all():
                break
            step = np.where(ok, step, 0.5 * step)
        else:  # rows that cannot decrease at machine precision stay where they are
            step = np.where(ok, step, 0.0)
            active &= ok
            x_new = x + step[:, None] * direction
            f_new, g_new = fun(x_new)
        s, y = x_new - x, g_new - g
        sy, yy = _rowdot(s, y), _rowdot(y, y)
        good = sy > 1e-12 * yy
        pairs.append((s, y, np.where(good, 1.0 / np.where(good, sy, 1.0), 0.0)))
        gamma = np.where(good, sy / np.where(good, yy, 1.0), gamma)
        small_change = f - f_new <= FTOL * np.maximum(np.maximum(np.abs(f), np.abs(f_new)), 1.0)
        x, f, g = x_new, f_new, g_new
        direction, slope = _direction_rows(g, pairs, gamma)
        settled = done() & (-0.5 * slope <= gap * np.maximum(np.abs(f), 1.0))
        active &= ~settled & ~small_change
        if not active.any():
            return x, it, True
    return x, max_iter, False


def _direction_rows(g: np.ndarray, pairs: deque, gamma: np.ndarray):
    """Row-wise quasi-Newton directions and slopes; steepest descent for rows not downhill."""
    direction = -_two_loop_rows(g, pairs, gamma)
    slope = _rowdot(g, direction)
    uphill = slope >= 0
    direction[uphill] = -g[uphill]
    slope[uphill] = -_rowdot(g[uphill], g[uphill])
    return direction, slope


def _rowdot(a: np.ndarray, b: np.ndarray) -> np.ndarray:
    return np.einsum("kp,kp->k", a, b)


def _two_loop_rows(g: np.ndarray, pairs: deque, gamma: np.ndarray) -> np.ndarray:
    """Row-wise two-loop recursion; a pair with ``rho = 0`` in a row leaves that row alone."""
    q = g.copy()
    buf = np.empty_like(g)
    alphas = []
    for s, y, rho in reversed(pairs):
        a = rho * _rowdot(s, q)
        q -= np.multiply(y, a[:, None], out=buf)
        alphas.append(a)
    q *= np.where(gamma > 0, gamma, 1.0)[:, None]
    for (s, y, rho), a in zip(pairs, reversed(alphas)):
        q += np.multiply(s, (a - rho * _rowdot(y, q))[:, None], out=buf)
    return q

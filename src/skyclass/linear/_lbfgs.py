"""A small L-BFGS minimiser for smooth problems with many parameters.

scipy's L-BFGS-B spends most of its time in its own bookkeeping once there are
hundreds of thousands of parameters (a sparse problem with 20,000 features and 20
classes); this two-loop recursion costs ``O(memory * n)`` numpy work per step.
The line search backtracks from the unit step (Armijo); a curvature pair is kept only
when ``s @ y > 0``, which keeps the inverse-Hessian estimate positive definite.

Example:
    >>> import numpy as np
    >>> fun = lambda x: (float(x @ x), 2 * x)
    >>> x, n_iter, _ = lbfgs(fun, np.ones(3), max_iter=50, stop=lambda: False)
    >>> bool(np.allclose(x, 0))
    True
"""

from __future__ import annotations

from collections import deque

import numpy as np

FTOL = 64 * np.finfo(float).eps


def lbfgs(fun, x0: np.ndarray, *, max_iter: int, stop, memory: int = 10):
    """Minimise ``fun(x) -> (f, grad)`` from ``x0``.

    ``stop()`` is asked after every step (it may look at the last point ``fun`` saw,
    which is always the accepted one). Returns ``(x, n_iter, stopped)`` where
    ``stopped`` says that ``stop()`` or a relative change of ``f`` below ~1e-14 ended it.
    """
    x = np.array(x0, dtype=np.float64)
    f, g = fun(x)
    pairs: deque = deque(maxlen=memory)
    for it in range(1, max_iter + 1):
        direction = -_two_loop(g, pairs)
        slope = float(g @ direction)
        if slope >= 0:  # not a descent direction: forget the curvature pairs
            pairs.clear()
            direction, slope = -g, -float(g @ g)
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
        if stop() or small_change:
            return x, it, True
    return x, max_iter, False


def _two_loop(g: np.ndarray, pairs: deque) -> np.ndarray:
    """Apply the L-BFGS inverse-Hessian estimate to ``g``."""
    q = g.copy()
    alphas = []
    for s, y, rho in reversed(pairs):
        a = rho * float(s @ q)
        q -= a * y
        alphas.append(a)
    if pairs:
        s, y, _ = pairs[-1]
        q *= float(s @ y) / float(y @ y)
    for (s, y, rho), a in zip(pairs, reversed(alphas)):
        q += (a - rho * float(y @ q)) * s
    return q

"""The data term of the logistic objective on numpy / scipy.sparse (the CPU backend).

A *problem* knows the training rows and answers one question: for coefficients
``W`` (``[n_features, n_outputs]``) and intercepts ``b`` (``[n_outputs]``), what
is the weighted mean log-loss and its gradient. Penalties, preconditioning and
the optimiser live in ``_lbfgs.py``, so the same solver drives every backend.

Two link functions:

- ``"softmax"`` (multinomial): ``loss_i = logsumexp(z_i) - z_i[y_i]`` over the K columns;
- ``"sigmoid"`` (binary, and one-vs-rest with one column per class):
  ``loss_ik = log(1 + exp(z_ik)) - y_ik * z_ik``.

``weights`` is ``[n, 1]`` or ``[n, n_outputs]``: each column already divided by its
sum, so the data term of column k is ``sum_i w_ik * loss_ik`` (scikit-learn's
"sum of weighted losses divided by the sum of weights").

Example:
    >>> import numpy as np
    >>> X = np.array([[0.0], [1.0]]); y = np.array([0, 1])
    >>> p = DenseProblem(X, y, np.full((2, 1), 0.5), link="softmax", n_outputs=2)
    >>> f, gW, gb = p.value_grad(np.zeros((1, 2)), np.zeros(2))
    >>> round(float(f.sum()), 6)
    0.693147
"""

from __future__ import annotations

import numpy as np
import scipy.sparse as sp
from scipy.special import expit

BLOCK_MAX_FEATURES = 1000  # dense sigmoid problems up to this width get explicit Hessian blocks


class DenseProblem:
    """Weighted mean log-loss of a linear model on numpy or CSR ``X`` (float64)."""

    def __init__(
        self,
        X: np.ndarray | sp.csr_matrix,
        y: np.ndarray,
        weights: np.ndarray,
        *,
        link: str,
        n_outputs: int,
    ) -> None:
        self.X = X
        # a CSR copy of X.T makes the gradient product X.T @ G a fast row-major product
        self.XT = X.T.tocsr() if sp.issparse(X) else None
        self.link = link
        self.n_outputs = n_outputs
        self.weights = weights
        self.n_samples, self.n_features = X.shape
        self.rows = np.arange(self.n_samples)
        if link == "softmax":
            self.y = np.asarray(y, dtype=np.intp)  # class index per row
        else:
            self.y = np.asarray(y, dtype=np.float64)  # [n, n_outputs] of 0/1

    def scores(self, W: np.ndarray, b: np.ndarray) -> np.ndarray:
        """Linear scores ``X @ W + b`` as a fresh ``[n, n_outputs]`` array."""
        Z = np.asarray(self.X @ W)
        Z += b
        return Z

    def value_grad(self, W: np.ndarray, b: np.ndarray) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
        """Data term and its gradients ``(f, dF/dW, dF/db)``.

        ``f`` holds one value per independent problem: ``[n_outputs]`` for the sigmoid
        link (one binary problem per column), ``[1]`` for the softmax.
        """
        Z = self.scores(W, b)
        if self.link == "softmax":
            f, G = _softmax_loss_residual(Z, self.y, self.rows, self.weights)
        else:
            f, G = _sigmoid_loss_residual(Z, self.y, self.weights)
        gW = np.asarray(self.XT @ G) if self.XT is not None else self.X.T @ G
        return f, gW, G.sum(axis=0)

    def curvature(self, W: np.ndarray, b: np.ndarray) -> Curvature:
        """The Hessian of the data term at ``(W, b)`` (see ``Curvature``)."""
        Z = self.scores(W, b)
        if self.link == "softmax":
            Z -= Z.max(axis=1, keepdims=True)
            np.exp(Z, out=Z)
            Z /= Z.sum(axis=1, keepdims=True)
            return Curvature(self, Z)
        return Curvature(self, expit(Z))


def _softmax_loss_residual(
    Z: np.ndarray, y: np.ndarray, rows: np.ndarray, weights: np.ndarray
) -> tuple[np.ndarray, np.ndarray]:
    """Weighted mean multinomial log-loss (as ``[1]``) and residual ``w * (softmax(Z) - onehot(y))``."""
    Z -= Z.max(axis=1, keepdims=True)
    z_true = Z[rows, y]
    np.exp(Z, out=Z)
    total = Z.sum(axis=1)
    w = weights[:, 0]
    f = np.array([w @ (np.log(total) - z_true)])
    Z /= total[:, None]
    Z[rows, y] -= 1.0
    Z *= weights
    return f, Z


def _sigmoid_loss_residual(
    Z: np.ndarray, Y: np.ndarray, weights: np.ndarray
) -> tuple[np.ndarray, np.ndarray]:
    """Weighted mean binary log-loss per column and residual ``w * (sigmoid(Z) - Y)``.

    One ``exp`` and one ``log1p`` per entry: with ``e = exp(-|z|)``,
    ``log(1 + exp(z)) = log1p(e) + max(z, 0)`` and ``sigmoid(z) = 1/(1+e)`` or ``e/(1+e)``.
    """
    e = np.exp(-np.abs(Z))
    loss = np.log1p(e)
    loss += np.maximum(Z, 0.0)
    loss -= Y * Z
    loss *= weights
    f = loss.sum(axis=0)
    e += 1.0
    P = np.reciprocal(e, out=e)  # sigmoid(|z|)
    np.subtract(1.0, P, out=P, where=Z < 0)  # sigmoid(z) = 1 - sigmoid(|z|) for z < 0
    P -= Y
    P *= weights
    return f, P


class Curvature:
    """The data term's Hessian at one point, as products (for the L1 / elastic-net Newton solver).

    ``dot(V, c)`` is ``H @ (V, c)`` for a coefficient direction ``V`` (``[d, m]``) and an
    intercept direction ``c`` (``[m]``); ``diag_W`` / ``diag_b`` are the Hessian's diagonal,
    the preconditioner of the conjugate-gradient solve. ``X`` is never densified.

    Example:
        >>> import numpy as np
        >>> X = np.array([[0.0], [1.0]]); y = np.array([[0.0], [1.0]])
        >>> p = DenseProblem(X, y, np.full((2, 1), 0.5), link="sigmoid", n_outputs=1)
        >>> h = p.curvature(np.zeros((1, 1)), np.zeros(1))
        >>> float(h.dot(np.ones((1, 1)), np.zeros(1))[0][0, 0]), float(h.diag_b[0])
        (0.125, 0.25)
    """

    def __init__(self, problem: DenseProblem, P: np.ndarray) -> None:
        self.problem = problem
        self.P = P  # probabilities [n, m]
        w = problem.weights
        h = w * P * (1.0 - P)  # the diagonal of each row's curvature block
        X2 = problem.X.multiply(problem.X).T.tocsr() if sp.issparse(problem.X) else None
        self.diag_W = np.asarray(X2 @ h) if X2 is not None else np.einsum("ij,ik->jk", problem.X**2, h)
        self.diag_b = h.sum(axis=0)
        self.h = h

    @property
    def has_blocks(self) -> bool:
        """Whether ``block`` is available: independent columns (sigmoid link) on dense X."""
        p = self.problem
        return p.link == "sigmoid" and p.XT is None and p.n_features <= BLOCK_MAX_FEATURES

    def block(self, k: int, cols: np.ndarray, intercept: bool) -> np.ndarray:
        """Column k's Hessian over the features ``cols`` (and the intercept, last), explicitly.

        With the sigmoid link each column is its own problem, so its Hessian is
        ``[X_cols, 1].T @ diag(h_k) @ [X_cols, 1]``: one matrix product instead of the many
        Hessian-vector products conjugate gradients would need.
        """
        A = self.problem.X[:, cols]
        if intercept:
            A = np.column_stack([A, np.ones(len(A))])
        return A.T @ (A * self.h[:, k : k + 1])

    def dot(self, V: np.ndarray, c: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
        """``(H_WW V + H_Wb c, H_bW V + H_bb c)``."""
        p = self.problem
        A = p.scores(V, c)
        if p.link == "softmax":
            A -= np.einsum("ik,ik->i", self.P, A)[:, None]
            A *= self.P
            A *= p.weights
        else:
            A *= self.h
        HV = np.asarray(p.XT @ A) if p.XT is not None else p.X.T @ A
        return HV, A.sum(axis=0)

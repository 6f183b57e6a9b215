"""The data term of the logistic objective in PyTorch (the GPU backend, extra ``gpu``).

Same contract as ``_objective.DenseProblem``: ``value_grad(W, b)`` takes and returns
float64 numpy arrays, so the one L-BFGS-B solver in ``_lbfgs.py`` drives both backends.
Only the small ``[d, m]`` coefficient block crosses the device boundary per step; the
rows stay on the device. Torch is imported lazily, so the package works without it.

Example:
    >>> import numpy as np
    >>> X = np.array([[0.0], [1.0]]); y = np.array([0, 1])
    >>> p = TorchProblem(X, y, np.full((2, 1), 0.5), link="softmax", n_outputs=2, device="cpu")
    >>> round(float(p.value_grad(np.zeros((1, 2)), np.zeros(2))[0].sum()), 6)
    0.693147
"""

from __future__ import annotations

import warnings

import numpy as np
import scipy.sparse as sp

from skyclass.errors import InputError


def import_torch():
    """Import torch or raise an ``InputError`` that says how to install it."""
    try:
        import torch
    except ImportError as err:
        raise InputError(
            "device: the torch backend needs PyTorch; install it with "
            "`pip install 'skyclass[gpu]'` or use device='cpu'"
        ) from err
    return torch


def resolve_device(device: str):
    """Map the estimator's ``device`` to ``None`` (numpy) or a ``torch.device``.

    ``"cpu"`` is numpy; ``"auto"`` is CUDA when torch sees a GPU, else numpy;
    ``"cuda"``/``"cuda:N"`` need torch and a GPU; ``"torch:cpu"`` runs the torch
    backend on the CPU (to test it, or to compare backends).
    """
    if device == "cpu":
        return None
    if device == "auto":
        try:
            import torch
        except ImportError:
            return None
        return torch.device("cuda") if torch.cuda.is_available() else None
    if device == "torch:cpu":
        return import_torch().device("cpu")
    if isinstance(device, str) and (device == "cuda" or device.startswith("cuda:")):
        torch = import_torch()
        if not torch.cuda.is_available():
            raise InputError(
                f"device={device!r}: PyTorch sees no CUDA GPU on this machine; "
                "use device='cpu' or device='auto' (falls back to the CPU)"
            )
        return torch.device(device)
    raise InputError(
        f"device={device!r} is not supported; use 'cpu', 'cuda', 'cuda:N', 'auto' or 'torch:cpu'"
    )


def _to_tensor(torch, X, device):
    if sp.issparse(X):
        X = X.tocsr()
        with warnings.catch_warnings():
            warnings.filterwarnings("ignore", message="Sparse CSR tensor support is in beta")
            return torch.sparse_csr_tensor(
                torch.from_numpy(X.indptr.astype(np.int64)),
                torch.from_numpy(X.indices.astype(np.int64)),
                torch.from_numpy(X.data.astype(np.float64)),
                size=X.shape,
                device=device,
                check_invariants=True,
            )
    return torch.from_numpy(np.ascontiguousarray(X, dtype=np.float64)).to(device)


class TorchProblem:
    """Weighted mean log-loss of a linear model with the rows held as torch tensors."""

    def __init__(self, X, y, weights: np.ndarray, *, link: str, n_outputs: int, device) -> None:
        torch = import_torch()
        self.torch = torch
        self.device = torch.device(device)
        self.link = link
        self.n_outputs = n_outputs
        self.n_samples, self.n_features = X.shape
        self.X = _to_tensor(torch, X, self.device)
        self.XT = _to_tensor(torch, X.T.tocsr(), self.device) if sp.issparse(X) else None
        self.weights = torch.from_numpy(np.asarray(weights, dtype=np.float64)).to(self.device)
        if link == "softmax":
            self.y = torch.from_numpy(np.asarray(y, dtype=np.int64)).to(self.device)
        else:
            self.y = torch.from_numpy(np.asarray(y, dtype=np.float64)).to(self.device)

    def value_grad(self, W: np.ndarray, b: np.ndarray) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
        """Data term (one value per independent problem) and its gradients, as numpy."""
        torch = self.torch
        with torch.no_grad():
            Wt = torch.from_numpy(np.ascontiguousarray(W, dtype=np.float64)).to(self.device)
            bt = torch.from_numpy(np.asarray(b, dtype=np.float64)).to(self.device)
            Z = self.X @ Wt + bt
            if self.link == "softmax":
                log_p = torch.log_softmax(Z, dim=1)
                f = -(self.weights[:, 0] * log_p.gather(1, self.y[:, None])[:, 0]).sum()[None]
                G = log_p.exp_()
                G[torch.arange(self.n_samples, device=self.device), self.y] -= 1.0
            else:
                loss = torch.logaddexp(Z, torch.zeros_like(Z)) - self.y * Z
                f = (loss * self.weights).sum(dim=0)
                G = torch.sigmoid(Z) - self.y
            G *= self.weights
            gW = self.XT @ G if self.XT is not None else self.X.T @ G
            gb = G.sum(dim=0)
            return f.cpu().numpy(), gW.cpu().numpy(), gb.cpu().numpy()

    def curvature(self, W: np.ndarray, b: np.ndarray) -> TorchCurvature:
        """The Hessian of the data term at ``(W, b)``, as products (see ``_objective.Curvature``)."""
        torch = self.torch
        with torch.no_grad():
            Z = self.X @ self._tensor(W) + self._tensor(b)
            P = torch.softmax(Z, dim=1) if self.link == "softmax" else torch.sigmoid(Z)
        return TorchCurvature(self, P)

    def _tensor(self, a: np.ndarray):
        return self.torch.from_numpy(np.ascontiguousarray(a, dtype=np.float64)).to(self.device)


class TorchCurvature:
    """``_objective.Curvature`` with the rows on the device: numpy in, numpy out."""

    def __init__(self, problem: TorchProblem, P) -> None:
        self.problem = problem
        self.P = P
        with problem.torch.no_grad():
            self.h = problem.weights * P * (1.0 - P)
            if problem.XT is not None:
                X2 = _square_csr(problem.torch, problem.XT)
            else:
                X2 = problem.X.T**2
            self.diag_W = (X2 @ self.h).cpu().numpy()
            self.diag_b = self.h.sum(dim=0).cpu().numpy()

    def dot(self, V: np.ndarray, c: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
        """``(H_WW V + H_Wb c, H_bW V + H_bb c)``."""
        p = self.problem
        with p.torch.no_grad():
            A = p.X @ p._tensor(V) + p._tensor(c)
            if p.link == "softmax":
                A = self.P * (A - (self.P * A).sum(dim=1, keepdim=True)) * p.weights
            else:
                A = A * self.h
            HV = p.XT @ A if p.XT is not None else p.X.T @ A
            return HV.cpu().numpy(), A.sum(dim=0).cpu().numpy()


def _square_csr(torch, M):
    """The entry-wise square of a sparse CSR tensor."""
    return torch.sparse_csr_tensor(
        M.crow_indices(),
        M.col_indices(),
        M.values() ** 2,
        size=M.shape,
        device=M.device,
        check_invariants=True,
    )

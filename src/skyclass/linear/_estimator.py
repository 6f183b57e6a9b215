"""``LogisticRegression``: softmax or one-vs-rest, scikit-learn's objective, faster solvers."""

from __future__ import annotations

import sys
import warnings
from dataclasses import dataclass
from typing import TYPE_CHECKING

import numpy as np
import scipy.sparse as sp
from numpy.typing import ArrayLike, DTypeLike
from scipy.linalg import solve_triangular
from scipy.special import expit, log_softmax, softmax
from sklearn.base import BaseEstimator, ClassifierMixin
from sklearn.exceptions import ConvergenceWarning
from sklearn.utils.class_weight import compute_class_weight
from sklearn.utils.multiclass import check_classification_targets
from sklearn.utils.validation import check_is_fitted, validate_data

from skyclass.errors import InputError
from skyclass.linear._newton import newton_l1
from skyclass.linear._objective import DenseProblem
from skyclass.linear._onnx import linear_graph
from skyclass.linear._params import PARAMETER_CONSTRAINTS, check_params, resolve_penalty
from skyclass.linear._solve import objective_value, solve
from skyclass.linear._torch import TorchProblem, resolve_device

if TYPE_CHECKING:
    import onnx

WHITEN_MAX_FEATURES = 500  # dense X up to this width gets a full (whitening) preconditioner


@dataclass
class _Setup:
    classes: np.ndarray
    problem: object
    alpha: np.ndarray
    target: np.ndarray
    norm: np.ndarray
    link: str
    weights: np.ndarray
    X: object  # the rows as float64 (numpy or CSR)


class LogisticRegression(ClassifierMixin, BaseEstimator):
    """Logistic regression for two or many classes: softmax (multinomial) or one-vs-rest.

    The objective is exactly scikit-learn 1.9's. With sample weights ``s_i`` (times the
    class weights), ``S = sum_i s_i``, ``r = l1_ratio`` and scores ``z_i = W x_i + b``,
    ``multi_class="multinomial"`` minimises (as ``sklearn.linear_model.LogisticRegression``)::

        F(W, b) = 1/S * sum_i s_i * (logsumexp(z_i) - z_i[y_i])
                  + 1/(C*S) * ((1 - r)/2 * ||W||_2^2 + r * ||W||_1)

    and ``multi_class="ovr"`` minimises, for each class k separately (as
    ``OneVsRestClassifier(LogisticRegression())``), with ``t_ik = [y_i == k]``::

        F_k(w_k, b_k) = 1/S_k * sum_i s_ik * (log(1 + exp(z_ik)) - t_ik * z_ik)
                        + 1/(C*S_k) * ((1 - r)/2 * ||w_k||_2^2 + r * ||w_k||_1)

    The intercept is never penalised; ``C=numpy.inf`` means no penalty. With two
    classes both schemes are scikit-learn's binary model (one row of ``coef_``,
    sigmoid of the ``classes_[1]`` score). ``class_weight="balanced"`` in ``ovr`` is
    computed per binary problem, as the wrapper does; a dict weighs each row by its class.

    Solver (``"auto"``): L-BFGS on centred, Jacobi-scaled coordinates (implicitly: sparse
    ``X`` stays sparse) for L2; with ``l1_ratio > 0``, orthant-wise Newton-CG
    (``_newton.py``), which stops on the minimum-norm subgradient and yields exact zeros.
    scikit-learn's solver names are accepted with its rules (``"lbfgs"``, ``"newton-cg"``,
    ``"newton-cholesky"``, ``"sag"``: L2 only; ``"saga"``: any penalty) and run the same
    algorithms. The solvers are deterministic: ``random_state`` is accepted for
    scikit-learn compatibility only.

    scikit-learn 1.9's other arguments mean what they mean there: ``penalty`` (deprecated,
    FutureWarning; ``"l1"`` is ``l1_ratio=1``, ``None`` is ``C=inf``), ``l1_ratio=None``
    (deprecated, means 0), ``dual`` (only ``False``: no skyclass solver is dual),
    ``intercept_scaling`` (liblinear only in scikit-learn: no effect), ``n_jobs`` (no
    effect, FutureWarning), ``verbose`` (> 0 prints one line per fit to stderr). float32
    ``X`` gives float32 ``coef_``, ``intercept_`` and probabilities, as in scikit-learn
    (the solver computes in float64). ``sparsify()``/``densify()`` store ``coef_`` as a
    scipy.sparse matrix and back.
    One-vs-rest solves its K problems together (one ``X @ W`` and one ``X.T @ G`` product
    per step for all classes), each class with its own L-BFGS memory, step and stop.
    ``device="cuda"`` evaluates the same objective in PyTorch on the GPU; ``"auto"`` uses a
    GPU when present; ``"torch:cpu"`` runs the torch backend on the CPU.

    Parameters
    ----------
    penalty : {'l1', 'l2', 'elasticnet'} or None, default='deprecated'
        Deprecated in scikit-learn 1.8 (FutureWarning); use ``l1_ratio`` and ``C``.
    multi_class : {'multinomial', 'ovr'}, default='multinomial'
        Softmax over all classes, or one binary model per class.
    C : float > 0, default=1.0
        Inverse penalty strength; ``numpy.inf``: no penalty.
    l1_ratio : float in [0, 1] or None, default=0.0
        0: L2; 1: L1 (exact zeros); between: elastic-net. None (deprecated) means 0.
    dual : bool, default=False
        Only False (no skyclass solver is dual).
    tol : float >= 0, default=1e-4
        Stop when the largest (minimum-norm sub)gradient entry is at most ``tol``.
    fit_intercept : bool, default=True
        Fit an unpenalised intercept per model.
    intercept_scaling : float > 0, default=1
        Accepted for scikit-learn compatibility; no effect (liblinear only there).
    class_weight : dict, 'balanced' or None, default=None
        Weight per class (times ``sample_weight``); 'balanced': inverse class frequency.
    random_state : int, RandomState or None, default=None
        Accepted for compatibility; the solvers are deterministic.
    solver : {'auto', 'lbfgs', 'newton-cg', 'newton-cholesky', 'sag', 'saga'}, default='auto'
        Which penalties are allowed (scikit-learn's rules); see "Solver" above.
    max_iter : int >= 0, default=100
        Iteration limit; reaching it before ``tol`` gives a ConvergenceWarning.
    verbose : int, default=0
        > 0: one line per fit on stderr.
    warm_start : bool, default=False
        Start from the previous fit's coefficients when the shapes match.
    n_jobs : int or None, default=None
        No effect (FutureWarning), as in scikit-learn 1.9.
    device : str, default='cpu'
        'cpu', 'cuda', 'cuda:N', 'auto' or 'torch:cpu' (the PyTorch backend).

    Attributes
    ----------
    classes_ : numpy.ndarray of shape (n_classes,)
        The labels, sorted.
    coef_ : numpy.ndarray (or scipy.sparse after ``sparsify()``) of shape (1 or n_classes, n_features)
        Coefficients, in the dtype of the training ``X`` (float32 or float64).
    intercept_ : numpy.ndarray of shape (1 or n_classes,)
        Intercepts (zeros when ``fit_intercept=False``).
    n_iter_ : numpy.ndarray of shape (1,)
        Solver iterations of the last fit.
    n_features_in_, feature_names_in_
        As every scikit-learn estimator.

    Example:
        >>> from sklearn.datasets import load_iris
        >>> X, y = load_iris(return_X_y=True)
        >>> soft = LogisticRegression(multi_class="multinomial", max_iter=500).fit(X, y)
        >>> ovr = LogisticRegression(multi_class="ovr", max_iter=500).fit(X, y)
        >>> soft.predict_proba(X[:1]).shape, round(float(ovr.score(X, y)), 2)
        ((1, 3), 0.95)
    """

    _parameter_constraints: dict = PARAMETER_CONSTRAINTS

    def __init__(
        self,
        penalty: str | None = "deprecated",
        *,
        multi_class: str = "multinomial",
        C: float = 1.0,
        l1_ratio: float | None = 0.0,
        dual: bool = False,
        tol: float = 1e-4,
        fit_intercept: bool = True,
        intercept_scaling: float = 1,
        class_weight: dict | str | None = None,
        random_state: int | np.random.RandomState | None = None,
        solver: str = "auto",
        max_iter: int = 100,
        verbose: int = 0,
        warm_start: bool = False,
        n_jobs: int | None = None,
        device: str = "cpu",
    ) -> None:
        self.penalty = penalty
        self.multi_class = multi_class
        self.C = C
        self.l1_ratio = l1_ratio
        self.dual = dual
        self.tol = tol
        self.fit_intercept = fit_intercept
        self.intercept_scaling = intercept_scaling
        self.class_weight = class_weight
        self.random_state = random_state
        self.solver = solver
        self.max_iter = max_iter
        self.verbose = verbose
        self.warm_start = warm_start
        self.n_jobs = n_jobs
        self.device = device

    def __sklearn_tags__(self):
        tags = super().__sklearn_tags__()
        tags.input_tags.sparse = True
        return tags

    # ------------------------------------------------------------------ fit
    def fit(
        self, X: ArrayLike | sp.spmatrix, y: ArrayLike, sample_weight: ArrayLike | None = None
    ) -> LogisticRegression:
        """Fit on ``X`` (dense, DataFrame or CSR) and labels ``y``; returns ``self``.

        Parameters
        ----------
        X : array-like or scipy.sparse matrix of shape (n_samples, n_features)
            Training rows, float64 or float32 (kept: float32 in, float32 ``coef_`` out).
        y : array-like of shape (n_samples,)
            Class labels (at least two distinct ones).
        sample_weight : array-like of shape (n_samples,), default=None
            Non-negative weight per row (times ``class_weight``); None: all 1.

        Returns
        -------
        self : LogisticRegression
            The fitted estimator (``coef_``, ``intercept_``, ``classes_``, ``n_iter_``).
        """
        check_params(self)
        C, l1_ratio = resolve_penalty(self)
        backend = resolve_device(self.device)
        X, y = validate_data(self, X, y, accept_sparse="csr", dtype=[np.float64, np.float32])
        setup = self._prepare(X, y, sample_weight, backend, C)
        self.classes_ = setup.classes
        m = setup.alpha.shape[0]
        W0, b0 = self._initial(X.shape[1], m, setup.link, setup.target, setup.norm)
        l1 = setup.alpha * l1_ratio
        if np.any(l1 > 0):
            result = newton_l1(
                setup.problem,
                W0,
                b0,
                l1=l1,
                l2=setup.alpha - l1,
                fit_intercept=bool(self.fit_intercept),
                tol=float(self.tol),
                max_iter=int(self.max_iter),
            )
        else:
            mean, scale, transform = self._preconditioner(setup)
            result = solve(
                setup.problem,
                W0,
                b0,
                alpha=setup.alpha,
                fit_intercept=bool(self.fit_intercept),
                tol=float(self.tol),
                max_iter=int(self.max_iter),
                mean=mean,
                scale=scale,
                separable=setup.link == "sigmoid" and m > 1,
                transform=transform,
            )
        if not result.converged:
            warnings.warn(self._not_converged(result.n_iter), ConvergenceWarning, stacklevel=2)
        if self.verbose:
            print(
                f"LogisticRegression: {result.n_iter} iterations, converged={result.converged}, "
                f"objective={result.objective:.12g}",
                file=sys.stderr,
            )
        self.coef_ = result.W.T.astype(X.dtype)
        self.intercept_ = (result.b if self.fit_intercept else np.zeros(m)).astype(X.dtype)
        self.n_iter_ = np.array([result.n_iter], dtype=np.int32)
        return self

    def _not_converged(self, n_iter: int) -> str:
        """The ConvergenceWarning text, worded as scikit-learn's for the named solver."""
        if self.solver == "newton-cholesky":
            head = f"Newton solver did not converge after {n_iter} iterations"
        else:
            name = "LogisticRegression" if self.solver == "auto" else self.solver
            head = f"{name} failed to converge after {n_iter} iteration(s)"
        why = (
            "The max_iter was reached which means the coef_ did not converge"
            if n_iter >= self.max_iter
            else "no step could lower the objective at machine precision"
        )
        return (
            f"{head}: {why} (the largest (sub)gradient entry is still above tol={self.tol}). "
            f"Increase the number of iterations to improve the convergence "
            f"(max_iter={self.max_iter}), or scale the data."
        )

    def objective(
        self, X: ArrayLike | sp.spmatrix, y: ArrayLike, sample_weight: ArrayLike | None = None
    ) -> float:
        """The training objective ``F`` (see the class docstring) of ``coef_``/``intercept_``.

        For one-vs-rest it is the sum of the K per-class objectives. Handy to compare
        solutions, e.g. with scikit-learn's coefficients copied into ``coef_``.

        Parameters
        ----------
        X : array-like or scipy.sparse matrix of shape (n_samples, n_features)
            Rows to evaluate the objective on (normally the training rows).
        y : array-like of shape (n_samples,)
            Their labels; the classes must be exactly ``classes_``.
        sample_weight : array-like of shape (n_samples,), default=None
            Non-negative weight per row (times ``class_weight``); None: all 1.

        Returns
        -------
        float
            ``F(coef_, intercept_)`` with the estimator's current ``C``, ``l1_ratio``
            and ``class_weight``.

        Example:
            >>> import numpy as np
            >>> m = LogisticRegression().fit(np.array([[0.0], [1.0]]), [0, 1])
            >>> bool(m.objective(np.array([[0.0], [1.0]]), [0, 1]) < np.log(2))
            True
        """
        check_is_fitted(self)
        check_params(self)
        C, l1_ratio = resolve_penalty(self, warn=False)
        X = validate_data(self, X, accept_sparse="csr", reset=False, dtype=[np.float64, np.float32])
        setup = self._prepare(X, np.asarray(y), sample_weight, None, C)
        if not np.array_equal(setup.classes, self.classes_):
            raise InputError(
                f"y has classes {setup.classes!r} but the model was fitted on {self.classes_!r}"
            )
        W = _dense(self.coef_).T.astype(np.float64)
        b = np.asarray(self.intercept_, dtype=np.float64)
        return objective_value(setup.problem, W, b, setup.alpha, l1_ratio)

    def _prepare(self, X, y, sample_weight, backend, C: float) -> _Setup:
        """Targets, normalised weights, penalty strengths and the data-term problem."""
        check_classification_targets(y)
        X = _as_float64(X)
        classes, y_index = np.unique(y, return_inverse=True)
        if len(classes) < 2:
            raise InputError(
                f"y contains only one class ({classes[0]!r}); logistic regression needs "
                "samples of at least 2 classes"
            )
        n, k = X.shape[0], len(classes)
        sw = _check_sample_weight(sample_weight, n)
        weights, target, link = self._targets_and_weights(classes, y_index, sw)
        totals = weights.sum(axis=0)
        if np.any(totals <= 0):
            raise InputError("sample_weight: the weights sum to zero; give some rows weight > 0")
        m = 1 if k == 2 else k
        alpha = np.zeros(len(totals)) if np.isinf(C) else 1.0 / (C * totals)
        alpha = np.broadcast_to(alpha, (m,)).copy()
        norm = weights / totals
        if backend is None:
            problem = DenseProblem(X, target, norm, link=link, n_outputs=m)
        else:
            problem = TorchProblem(X, target, norm, link=link, n_outputs=m, device=backend)
        return _Setup(classes, problem, alpha, target, norm, link, weights, X)

    @staticmethod
    def _preconditioner(setup: _Setup):
        """``(mean, scale, transform)`` for the smooth solver (see ``_solve.py``)."""
        X = setup.X
        row_weight = setup.weights.mean(axis=1)  # it sees the weights the loss sees
        row_weight = row_weight / row_weight.sum()
        mean, var = _column_stats(X, row_weight)
        m = setup.alpha.shape[0]
        if setup.link == "softmax":
            prior = np.bincount(setup.target, weights=setup.norm[:, 0], minlength=m)
        else:
            prior = (setup.norm * setup.target).sum(axis=0)
        curvature = np.clip(prior * (1.0 - prior), 1e-3, None)
        scale = np.sqrt(var[:, None] + (setup.alpha / curvature)[None, :])
        scale[scale <= 1e-10 * np.maximum(1.0, np.abs(mean))[:, None]] = 1.0
        transform = None
        if not sp.issparse(X) and X.shape[1] <= WHITEN_MAX_FEATURES:
            ridge = float(np.mean(setup.alpha / curvature))
            transform = _whitening(X, row_weight, mean, ridge)
        return mean, scale, transform

    def _targets_and_weights(self, classes: np.ndarray, y_index: np.ndarray, sw: np.ndarray):
        """Per-row (or per-row-and-class) weights, targets and link for the scheme."""
        k = len(classes)
        if self.class_weight == "balanced" and self.multi_class == "ovr" and k > 2:
            onehot = np.eye(k)[y_index]
            weights = np.empty((len(sw), k))
            for j in range(k):  # balanced within each binary problem, as OneVsRestClassifier
                cw = compute_class_weight(
                    "balanced", classes=np.array([0, 1]), y=onehot[:, j], sample_weight=sw
                )
                weights[:, j] = sw * cw[onehot[:, j].astype(int)]
            return weights, onehot, "sigmoid"
        if self.class_weight is not None:
            y = classes[y_index]
            cw = compute_class_weight(self.class_weight, classes=classes, y=y, sample_weight=sw)
            sw = sw * cw[y_index]
        weights = sw[:, None]
        if k == 2:
            return weights, (y_index == 1).astype(np.float64)[:, None], "sigmoid"
        if self.multi_class == "multinomial":
            return weights, y_index, "softmax"
        return weights, np.eye(k)[y_index], "sigmoid"

    def _initial(self, d: int, m: int, link: str, target: np.ndarray, norm: np.ndarray):
        """Start point: the previous fit (warm_start) or zero coefficients and prior intercepts."""
        if self.warm_start and hasattr(self, "coef_") and self.coef_.shape == (m, d):
            return _dense(self.coef_).T.astype(np.float64), np.asarray(self.intercept_, np.float64)
        W0 = np.zeros((d, m))
        if not self.fit_intercept or self.max_iter == 0:  # max_iter=0: scikit-learn's zeros
            return W0, np.zeros(m)
        if link == "softmax":
            prior = np.bincount(target, weights=norm[:, 0], minlength=m)
            logp = np.log(np.clip(prior, 1e-12, None))
            return W0, logp - logp.mean()
        prior = np.clip((norm * target).sum(axis=0), 1e-12, 1 - 1e-12)
        return W0, np.log(prior / (1 - prior))

    # ------------------------------------------------------------------ predict
    def decision_function(self, X: ArrayLike | sp.spmatrix) -> np.ndarray:
        """Linear scores ``X @ coef_.T + intercept_``: ``[n]`` for two classes, else ``[n, k]``.

        Parameters
        ----------
        X : array-like or scipy.sparse matrix of shape (n_samples, n_features)
            Rows to score.

        Returns
        -------
        scores : numpy.ndarray of shape (n_samples,) or (n_samples, n_classes)
            In the dtype of ``X`` and ``coef_`` (float32 for float32 fits and input).
        """
        check_is_fitted(self)
        X = validate_data(self, X, accept_sparse="csr", reset=False, dtype=[np.float64, np.float32])
        scores = X @ self.coef_.T
        scores = (scores.toarray() if sp.issparse(scores) else np.asarray(scores)) + self.intercept_
        return scores.ravel() if scores.shape[1] == 1 else scores

    def predict_proba(self, X: ArrayLike | sp.spmatrix) -> np.ndarray:
        """Class probabilities ``[n, k]`` in the order of ``classes_``.

        Parameters
        ----------
        X : array-like or scipy.sparse matrix of shape (n_samples, n_features)
            Rows to score.

        Returns
        -------
        proba : numpy.ndarray of shape (n_samples, n_classes)
            Rows sum to 1 (softmax, or normalised one-vs-rest sigmoids).
        """
        scores = self.decision_function(X)
        if scores.ndim == 1:
            p = expit(scores)
            return np.column_stack([1.0 - p, p])
        if self.multi_class == "multinomial":
            return softmax(scores, axis=1)
        p = expit(scores)
        return p / p.sum(axis=1, keepdims=True)

    def predict_log_proba(self, X: ArrayLike | sp.spmatrix) -> np.ndarray:
        """Log of ``predict_proba`` (computed stably for the softmax).

        Parameters
        ----------
        X : array-like or scipy.sparse matrix of shape (n_samples, n_features)
            Rows to score.

        Returns
        -------
        log_proba : numpy.ndarray of shape (n_samples, n_classes)
            Natural logs, columns in ``classes_`` order; exact ``log_softmax`` for the
            multinomial model, ``-inf`` where another model's probability is 0.
        """
        check_is_fitted(self)
        if len(self.classes_) > 2 and self.multi_class == "multinomial":
            return log_softmax(self.decision_function(X), axis=1)
        with np.errstate(divide="ignore"):
            return np.log(self.predict_proba(X))

    def predict(self, X: ArrayLike | sp.spmatrix) -> np.ndarray:
        """Most probable class label per row.

        Parameters
        ----------
        X : array-like or scipy.sparse matrix of shape (n_samples, n_features)
            Rows to classify.

        Returns
        -------
        labels : numpy.ndarray of shape (n_samples,)
            Values of ``classes_``.
        """
        scores = self.decision_function(X)
        index = (scores > 0).astype(int) if scores.ndim == 1 else scores.argmax(axis=1)
        return self.classes_[index]

    def sparsify(self) -> LogisticRegression:
        """Store ``coef_`` as a ``scipy.sparse.csr_matrix`` (worth it for mostly-zero L1 fits).

        Predictions are unchanged; ``densify()`` converts back.

        Returns
        -------
        self : LogisticRegression
            The estimator, ``coef_`` now sparse.

        Example:
            >>> import numpy as np
            >>> X = np.array([[0.0, 1.0], [1.0, 0.0], [2.0, 1.0], [3.0, 0.0]])
            >>> m = LogisticRegression(l1_ratio=1.0, C=0.5).fit(X, [0, 0, 1, 1]).sparsify()
            >>> type(m.coef_).__name__, m.densify().coef_.shape
            ('csr_matrix', (1, 2))
        """
        check_is_fitted(self, msg="Estimator, %(name)s, must be fitted before sparsifying.")
        if not sp.issparse(self.coef_):
            self.coef_ = sp.csr_matrix(self.coef_)
        return self

    def densify(self) -> LogisticRegression:
        """Store ``coef_`` as a dense ``numpy.ndarray`` again (the default).

        Returns
        -------
        self : LogisticRegression
            The estimator, ``coef_`` now dense.
        """
        check_is_fitted(self, msg="Estimator, %(name)s, must be fitted before densifying.")
        self.coef_ = _dense(self.coef_)
        return self

    # ------------------------------------------------------------------ export
    def to_onnx(
        self,
        input_name: str = "features",
        output_name: str = "probabilities",
        dtype: DTypeLike = np.float32,
    ) -> onnx.ModelProto:
        """ONNX graph (opset 17) mapping ``[N, n_features]`` floats to ``predict_proba``.

        Needs the ``onnx`` package (imported on call).

        Parameters
        ----------
        input_name : str, default="features"
            Name of the graph's input, ``[N, n_features]``.
        output_name : str, default="probabilities"
            Name of the graph's output, ``[N, n_classes]`` in ``classes_`` order.
        dtype : numpy.float32 or numpy.float64, default=numpy.float32
            Element type of the input, the weights and the output (``InputError`` for any
            other).

        Returns
        -------
        onnx.ModelProto
            The model, ready for ``onnx.save`` or an ONNX Runtime session.

        Example:
            >>> import numpy as np
            >>> m = LogisticRegression().fit(np.array([[0.0], [1.0]]), [0, 1])
            >>> m.to_onnx().graph.input[0].name
            'features'
        """
        check_is_fitted(self)
        return linear_graph(
            _dense(self.coef_),
            self.intercept_,
            scheme=self.multi_class,
            input_name=input_name,
            output_name=output_name,
            dtype=dtype,
        )


def _dense(coef) -> np.ndarray:
    """``coef_`` as a dense array, whether or not ``sparsify()`` stored it sparse."""
    return coef.toarray() if sp.issparse(coef) else np.asarray(coef)


def _as_float64(X):
    if sp.issparse(X):
        X = X.tocsr().astype(np.float64)
        X.sum_duplicates()
        return X
    return np.ascontiguousarray(X, dtype=np.float64)


def _check_sample_weight(sample_weight, n: int) -> np.ndarray:
    if sample_weight is None:
        return np.ones(n)
    sw = np.asarray(sample_weight, dtype=np.float64)
    if sw.ndim == 0:
        return np.full(n, float(sw))
    if sw.shape != (n,):
        raise InputError(
            f"sample_weight has shape {sw.shape}, expected ({n},): one weight per row of X"
        )
    if not np.all(np.isfinite(sw)) or np.any(sw < 0):
        raise InputError("sample_weight: every weight must be finite and >= 0")
    return sw


def _whitening(X: np.ndarray, w: np.ndarray, mean: np.ndarray, ridge: float):
    """``T`` with ``T.T @ (cov(X) + ridge I) @ T = I``: a full preconditioner for dense X.

    ``ridge`` (penalty over curvature) keeps it finite for constant or collinear columns;
    ``None`` (diagonal scaling instead) if the covariance is numerically not positive.
    """
    cov = (X * w[:, None]).T @ X - np.outer(mean, mean)
    cov.flat[:: len(mean) + 1] += max(ridge, 1e-10 * max(float(np.trace(cov)), 1.0))
    try:
        L = np.linalg.cholesky(cov)
    except np.linalg.LinAlgError:
        return None
    return solve_triangular(L, np.eye(len(mean)), lower=True).T


def _column_stats(X, w: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Weighted column means and variances."""
    if sp.issparse(X):
        mean = np.asarray(X.T @ w).ravel()
        sq = np.asarray(X.multiply(X).T @ w).ravel()
    else:
        mean = w @ X
        sq = np.einsum("i,ij,ij->j", w, X, X)
    return mean, np.maximum(sq - mean * mean, 0.0)

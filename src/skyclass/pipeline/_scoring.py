"""Selection metrics by name: how a CV fold is scored from its probabilities.

Names follow ``skyclass.metrics.bootstrap_ci`` so the same name gets a test-set
interval. Label metrics use the argmax decision; ``roc_auc`` is binary AUC, or
one-vs-rest macro AUC for more classes; ``log_loss`` is minimised.

Example:
    >>> import numpy as np
    >>> from skyclass.pipeline import get_scorer
    >>> scorer = get_scorer("f1_macro", n_classes=2)
    >>> scorer.score(np.array([0, 1, 1]), np.array([[0.9, 0.1], [0.2, 0.8], [0.6, 0.4]]))
    0.6666666666666666
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

import numpy as np

from skyclass import metrics as M
from skyclass.errors import InputError

__all__ = ["SCORERS", "Scorer", "get_scorer"]


@dataclass(frozen=True)
class Scorer:
    """A metric name, its function of ``(y_codes, proba)`` and its direction.

    Attributes
    ----------
    name : str
        The metric's name, as ``--metric`` and ``skyclass.metrics.bootstrap_ci`` spell it.
    fn : callable
        ``fn(y_codes, proba) -> float``: integer class codes and ``[n, k]`` probabilities.
    greater_is_better : bool
        Direction: ``False`` for losses (``log_loss``, ``expected_cost``); default ``True``.
    uses_proba : bool
        Whether the metric reads the probabilities themselves (AUC, log loss) rather than
        the decided labels, so no decision rule can change it; default ``False``.
    """

    name: str
    fn: Callable[[np.ndarray, np.ndarray], float]
    greater_is_better: bool = True
    uses_proba: bool = False

    def score(self, y_codes: np.ndarray, proba: np.ndarray) -> float:
        """The metric of integer class codes ``y_codes`` against probabilities ``proba``.

        Parameters
        ----------
        y_codes : numpy.ndarray
            True class codes ``0..k-1``.
        proba : numpy.ndarray
            ``[n, k]`` probabilities (or one-hot decided labels, for label metrics).

        Returns
        -------
        float
            The metric's value.
        """
        return float(self.fn(np.asarray(y_codes), np.asarray(proba)))


def _labels(fn, **kwargs) -> Callable:
    def score(y, proba):
        return fn(y, proba.argmax(axis=1), **kwargs)

    return score


def _auc(y, proba):
    k = proba.shape[1]
    if k == 2:
        return M.roc_auc_score(y, proba[:, 1])
    return M.roc_auc_score(y, proba, multi_class="ovr", average="macro", labels=list(range(k)))


def _log_loss(y, proba):
    return M.log_loss(y, proba, labels=list(range(proba.shape[1])))


def _average_precision(y, proba):
    k = proba.shape[1]
    if k == 2:
        return M.average_precision_score(y, proba[:, 1])
    onehot = np.eye(k)[y]
    return M.average_precision_score(onehot, proba, average="macro")


SCORERS: dict[str, Scorer] = {
    s.name: s
    for s in [
        Scorer("accuracy", _labels(M.accuracy_score)),
        Scorer("balanced_accuracy", _labels(M.balanced_accuracy_score)),
        Scorer("f1_macro", _labels(M.f1_score, average="macro", zero_division=0)),
        Scorer("f1_weighted", _labels(M.f1_score, average="weighted", zero_division=0)),
        Scorer("precision_macro", _labels(M.precision_score, average="macro", zero_division=0)),
        Scorer("recall_macro", _labels(M.recall_score, average="macro", zero_division=0)),
        Scorer("f1", _labels(M.f1_score, zero_division=0)),
        Scorer("precision", _labels(M.precision_score, zero_division=0)),
        Scorer("recall", _labels(M.recall_score, zero_division=0)),
        Scorer("matthews_corrcoef", _labels(M.matthews_corrcoef)),
        Scorer("cohen_kappa", _labels(M.cohen_kappa_score)),
        Scorer("roc_auc", _auc, uses_proba=True),
        Scorer("roc_auc_ovr", _auc, uses_proba=True),
        Scorer("average_precision", _average_precision, uses_proba=True),
        Scorer("log_loss", _log_loss, greater_is_better=False, uses_proba=True),
    ]
}
_BINARY_ONLY = ("f1", "precision", "recall", "fbeta")
_NAMES = (*SCORERS, "fbeta", "expected_cost")


def get_scorer(
    name: str,
    *,
    n_classes: int,
    positive: int = 1,
    beta: float | None = None,
    cost_matrix: np.ndarray | None = None,
) -> Scorer:
    """The scorer called ``name``.

    Parameters
    ----------
    name : str
        A metric name from ``SCORERS`` (accuracy, f1_macro, log_loss, roc_auc, ...).
    n_classes : int
        Number of classes; binary-only names (``f1``, ``precision``, ``recall``,
        ``fbeta``) are refused for more than two.
    positive : int
        Class code the binary names score (default 1).
    beta : float or None
        ``fbeta``'s beta (required for it).
    cost_matrix : numpy.ndarray or None
        ``[k, k]`` costs in code order (rows: true class) for ``expected_cost``: the mean
        cost per row of the Bayes decision (lower is better).

    Returns
    -------
    Scorer
        The named scorer.

    Raises
    ------
    skyclass.errors.InputError
        For an unknown name, a binary name with more classes, or ``expected_cost``
        without a cost matrix.
    """
    if name not in _NAMES:
        raise InputError(
            f"--metric: unknown metric {name!r}; choose auto or one of {', '.join(_NAMES)}"
        )
    if name in _BINARY_ONLY and n_classes != 2:
        raise InputError(
            f"--metric {name} is for two classes; with {n_classes} classes use f1_macro, "
            "precision_macro or recall_macro"
        )
    if name == "expected_cost":
        if cost_matrix is None:
            raise InputError("--metric expected_cost needs --costs (a k x k cost matrix)")
        costs = np.asarray(cost_matrix, dtype=float)

        def expected_cost(y, proba):
            return float(costs[y, np.argmin(proba @ costs, axis=1)].mean())

        return Scorer("expected_cost", expected_cost, greater_is_better=False, uses_proba=True)
    if name == "fbeta":
        b = 1.0 if beta is None else float(beta)
        return Scorer("fbeta", _labels(M.fbeta_score, beta=b, pos_label=positive, zero_division=0))
    if name in ("f1", "precision", "recall") and positive != 1:
        fn = {"f1": M.f1_score, "precision": M.precision_score, "recall": M.recall_score}[name]
        return Scorer(name, _labels(fn, pos_label=positive, zero_division=0))
    return SCORERS[name]

"""Ensemble selection: a weighted average of the leaderboard's models, chosen on out-of-fold log loss.

Caruana et al. (2004), as AutoGluon and auto-sklearn use it: start from the model
with the lowest out-of-fold log loss, then repeatedly add (with replacement) the model
whose addition lowers the log loss of the running average the most; a model's weight
is the share of rounds it was picked in. The average of calibrated probabilities stays
a probability, and it usually beats every member on log loss and on accuracy.

``Ensemble`` fits its members on the same features and averages their
``predict_proba``; ``ensemble_graph`` exports it to one ONNX graph (each member's graph,
a ``Mul`` by its weight, one ``Sum``).

Example:
    >>> import numpy as np
    >>> codes = np.array([0, 1, 1, 0])
    >>> sure = np.array([[.9, .1], [.2, .8], [.6, .4], [.7, .3]])
    >>> other = np.array([[.6, .4], [.4, .6], [.1, .9], [.8, .2]])
    >>> select_weights([sure, other], codes, rounds=4).tolist()
    [0.25, 0.75]
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

import numpy as np
import onnx
from onnx import TensorProto, helper, numpy_helper

__all__ = ["Ensemble", "cross_fitted_average", "ensemble_graph", "select_weights"]

ROUNDS = 25


def _log_loss(codes: np.ndarray, proba: np.ndarray) -> float:
    picked = np.clip(proba[np.arange(len(codes)), codes], 1e-15, 1.0)
    return float(-np.mean(np.log(picked)))


def select_weights(
    probas: Sequence[np.ndarray], codes: np.ndarray, rounds: int = ROUNDS
) -> np.ndarray:
    """Caruana ensemble-selection weights (they sum to 1) minimising log loss on ``codes``.

    Parameters
    ----------
    probas : sequence of numpy.ndarray
        Each model's out-of-fold probabilities, ``[n_rows, n_classes]``, rows aligned.
    codes : numpy.ndarray
        The true class codes ``0..k-1`` of the rows.
    rounds : int
        Picks (with replacement), the first being the best single model; default 25.

    Returns
    -------
    numpy.ndarray
        One weight per model, in the order given; models never picked get 0.
    """
    counts = np.zeros(len(probas))
    total = np.zeros_like(np.asarray(probas[0], dtype=np.float64))
    for n in range(rounds):
        losses = [_log_loss(codes, (total + p) / (n + 1)) for p in probas]
        best = int(np.argmin(losses))
        counts[best] += 1
        total += probas[best]
    return counts / counts.sum()


def cross_fitted_average(
    probas: Sequence[np.ndarray], codes: np.ndarray, val_indices: Sequence[np.ndarray]
) -> np.ndarray:
    """Out-of-fold probabilities of the ensemble, each fold's weights chosen on the other folds.

    The weights are tuned on out-of-fold rows, so scoring the ensemble on the same rows
    would flatter it; this gives each fold the average with weights it did not choose.

    Parameters
    ----------
    probas : sequence of numpy.ndarray
        Each model's out-of-fold probabilities, ``[n_rows, n_classes]``.
    codes : numpy.ndarray
        The true class codes of the rows.
    val_indices : sequence of numpy.ndarray
        Each CV fold's validation rows (they partition the rows).

    Returns
    -------
    numpy.ndarray
        ``[n_rows, n_classes]`` cross-fitted ensemble probabilities.
    """
    out = np.zeros_like(np.asarray(probas[0], dtype=np.float64))
    rows = np.arange(len(codes))
    for val in val_indices:
        rest = np.setdiff1d(rows, val)
        weights = select_weights([p[rest] for p in probas], codes[rest])
        out[val] = sum(w * p[val] for w, p in zip(weights, probas))
    return out


class Ensemble:
    """A weighted average of fitted classifiers' probabilities (all fitted on the same features).

    Parameters
    ----------
    members : sequence
        Unfitted scikit-learn-style classifiers (``fit``, ``predict_proba``, ``classes_``).
    weights : sequence of float
        One non-negative weight per member, summing to 1.

    Attributes
    ----------
    classes_ : numpy.ndarray
        The class codes, from the first member once fitted.

    Example:
        >>> import numpy as np
        >>> from sklearn.linear_model import LogisticRegression
        >>> X = np.arange(8.0).reshape(-1, 1); y = np.array([0, 0, 0, 1, 0, 1, 1, 1])
        >>> both = Ensemble([LogisticRegression(), LogisticRegression(C=0.1)], [0.5, 0.5])
        >>> both.fit(X, y).predict_proba(X).shape
        (8, 2)
    """

    def __init__(self, members: Sequence[Any], weights: Sequence[float]) -> None:
        self.members = list(members)
        self.weights = [float(w) for w in weights]

    def fit(self, X: Any, y: np.ndarray) -> Ensemble:
        """Fit every member on ``X``, ``y``.

        Parameters
        ----------
        X : array-like
            The preprocessed feature matrix.
        y : numpy.ndarray
            The class codes.

        Returns
        -------
        Ensemble
            ``self``, fitted.
        """
        for member in self.members:
            member.fit(X, y)
        self.classes_ = self.members[0].classes_
        return self

    def predict_proba(self, X: Any) -> np.ndarray:
        """The weighted average of the members' probabilities.

        Parameters
        ----------
        X : array-like
            The preprocessed feature matrix.

        Returns
        -------
        numpy.ndarray
            ``[n_rows, n_classes]`` float64 probabilities.
        """
        return sum(
            w * np.asarray(m.predict_proba(X), dtype=np.float64)
            for w, m in zip(self.weights, self.members)
        )


def ensemble_graph(
    graphs: Sequence[tuple[onnx.ModelProto, str, str]], weights: Sequence[float], n_features: int
) -> onnx.ModelProto:
    """One ONNX graph averaging member graphs: ``features`` (double) → ``probabilities`` (double).

    Parameters
    ----------
    graphs : sequence of (onnx.ModelProto, str, str)
        Each member's graph with its input name and its probabilities output name.
    weights : sequence of float
        One weight per member.
    n_features : int
        Width of the feature matrix.

    Returns
    -------
    onnx.ModelProto
        The combined graph, input ``features`` and output ``probabilities``.
    """
    nodes, initializers, terms = [], [], []
    opsets: dict[str, int] = {}
    ir_version = 0
    for i, ((graph, input_name, output_name), weight) in enumerate(zip(graphs, weights)):
        prefix = f"member{i}/"
        graph = onnx.compose.add_prefix(graph, prefix)
        for o in graph.opset_import:
            opsets[o.domain or ""] = max(opsets.get(o.domain or "", 0), o.version)
        ir_version = max(ir_version, graph.ir_version)
        elem = graph.graph.input[0].type.tensor_type.elem_type
        nodes.append(helper.make_node("Cast", ["features"], [prefix + input_name], to=elem))
        nodes.extend(graph.graph.node)
        initializers.extend(graph.graph.initializer)
        initializers.append(numpy_helper.from_array(np.array(weight), prefix + "weight"))
        nodes.append(
            helper.make_node(
                "Cast", [prefix + output_name], [prefix + "double"], to=TensorProto.DOUBLE
            )
        )
        nodes.append(
            helper.make_node("Mul", [prefix + "double", prefix + "weight"], [prefix + "term"])
        )
        terms.append(prefix + "term")
    nodes.append(helper.make_node("Sum", terms, ["probabilities"]))
    combined = helper.make_graph(
        nodes,
        "ensemble",
        [helper.make_tensor_value_info("features", TensorProto.DOUBLE, [None, n_features])],
        [helper.make_tensor_value_info("probabilities", TensorProto.DOUBLE, [None, None])],
        initializers,
    )
    return helper.make_model(
        combined,
        opset_imports=[helper.make_opsetid(d, v) for d, v in sorted(opsets.items())],
        ir_version=ir_version,
    )

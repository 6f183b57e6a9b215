"""Explain a fitted model: per-class coefficients (linear models) and permutation importance.

Permutation importance shuffles one raw input column at a time and measures how
much the selection metric drops (scikit-learn's ``permutation_importance``), so
it works for every candidate and speaks in the user's column names.

Example:
    >>> import numpy as np
    >>> from skyclass.pipeline import top_coefficients
    >>> top = top_coefficients(np.array([[1.0, -2.0, 0.5]]), ["a", "b", "c"], ["no", "yes"], k=1)
    >>> top["yes"]
    {'toward': [['a', 1.0]], 'away': [['b', -2.0]]}
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

import numpy as np
import pandas as pd
from sklearn.inspection import permutation_importance

from skyclass.pipeline._preprocess import Preprocessor
from skyclass.pipeline._scoring import Scorer

__all__ = ["permutation_ranking", "top_coefficients"]


def top_coefficients(
    coef: np.ndarray, features: Sequence[str], labels: Sequence[Any], *, k: int = 5
) -> dict[str, dict]:
    """For each class, the ``k`` features with the largest positive and negative weights.

    A binary model with a single row of coefficients is read as the second class's
    row, the first class getting its negation (as scikit-learn does).

    Parameters
    ----------
    coef : numpy.ndarray
        ``[k, n_features]`` coefficients (or ``[1, n_features]`` for two classes).
    features : sequence of str
        The model's feature names (``Preprocessor.get_feature_names_out``).
    labels : sequence
        The class labels, in coefficient-row order.
    k : int
        Features listed per direction and class (default 5).

    Returns
    -------
    dict of str to dict
        Per class label (as text): ``{"toward": [[feature, weight], ...], "away": [...]}``.
    """
    coef = np.atleast_2d(np.asarray(coef, dtype=float))
    if coef.shape[0] == 1 and len(labels) == 2:
        coef = np.vstack([-coef[0], coef[0]])
    out = {}
    for label, row in zip(labels, coef):
        order = np.argsort(row)
        toward = [[str(features[i]), float(row[i])] for i in order[::-1][:k] if row[i] > 0]
        away = [[str(features[i]), float(row[i])] for i in order[:k] if row[i] < 0]
        out[str(label)] = {"toward": toward, "away": away}
    return out


class _Fitted:
    """A fitted preprocessor + model seen as one estimator by ``permutation_importance``."""

    def __init__(self, preprocessor, model) -> None:
        self.preprocessor = preprocessor
        self.model = model

    def fit(self, X, y=None):  # permutation_importance never refits; kept for the protocol
        return self

    def predict_proba(self, X: pd.DataFrame) -> np.ndarray:
        return self.model.predict_proba(self.preprocessor.transform(X))


def permutation_ranking(
    preprocessor: Preprocessor,
    model: Any,
    X: pd.DataFrame,
    y_codes: np.ndarray,
    scorer: Scorer,
    *,
    n_repeats: int | None = None,
    max_rows: int = 5000,
    seed: int = 0,
) -> list[dict]:
    """Mean and std drop of ``scorer`` per raw column, most important first.

    Parameters
    ----------
    preprocessor : Preprocessor
        The fitted preprocessor the model was trained behind.
    model : Any
        The fitted classifier (``predict_proba`` on the preprocessed features).
    X : pandas.DataFrame
        Raw rows (the user's columns), e.g. the test rows.
    y_codes : numpy.ndarray
        Their true class codes.
    scorer : Scorer
        The metric whose drop is measured (its direction is respected).
    n_repeats : int or None
        Shuffles per column (default 5, or 3 beyond 20 columns).
    max_rows : int
        At most this many seeded rows of ``X`` are used (default 5,000).
    seed : int
        Seed of the row sample and the shuffles (default 0).

    Returns
    -------
    list of dict
        ``{"feature", "mean", "std"}`` per column, largest mean drop first.
    """
    if n_repeats is None:
        n_repeats = 5 if X.shape[1] <= 20 else 3
    if len(X) > max_rows:
        rng = np.random.default_rng(seed)
        take = np.sort(rng.choice(len(X), size=max_rows, replace=False))
        X, y_codes = X.iloc[take].reset_index(drop=True), np.asarray(y_codes)[take]
    sign = 1.0 if scorer.greater_is_better else -1.0

    def score(estimator, X_, y_):
        return sign * scorer.score(y_, estimator.predict_proba(X_))

    result = permutation_importance(
        _Fitted(preprocessor, model),
        X,
        np.asarray(y_codes),
        scoring=score,
        n_repeats=n_repeats,
        random_state=seed,
    )
    rows = [
        {"feature": str(name), "mean": float(m), "std": float(s)}
        for name, m, s in zip(X.columns, result.importances_mean, result.importances_std)
    ]
    return sorted(rows, key=lambda r: -r["mean"])

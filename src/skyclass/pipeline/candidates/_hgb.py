"""``hgb``: scikit-learn's HistGradientBoostingClassifier; its defaults are scikit-learn's own.

The defaults trial is exactly ``HistGradientBoostingClassifier()`` (100 rounds, early
stopping only above 10,000 rows), so the leaderboard's ``hgb (defaults)`` entry is what
a user would get by hand, and it is cheap on big tables. Tuned trials stop early.
"""

from __future__ import annotations

from typing import Any

import optuna
from sklearn.ensemble import HistGradientBoostingClassifier

from skyclass.pipeline.candidates._base import CANDIDATES, Candidate

# Tuned trials: boosting stops when the loss on an internal 10% validation split has not
# improved for 10 rounds, so a trial costs the rounds the data needs, not a fixed count.
_EARLY_STOPPING = {
    "max_iter": 500,
    "early_stopping": True,
    "validation_fraction": 0.1,
    "n_iter_no_change": 10,
}


@CANDIDATES.register("hgb")
class HistGradientBoosting(Candidate):
    """Tunes learning rate, tree size, leaf size, L2 and feature subsampling; rounds by early stopping.

    Example:
        >>> model = HistGradientBoosting().build(HistGradientBoosting().defaults(), seed=0)
        >>> model.max_iter, model.early_stopping
        (100, 'auto')
    """

    name = "hgb"

    def defaults(self) -> dict[str, Any]:
        return {
            "learning_rate": 0.1,
            "max_leaf_nodes": 31,
            "min_samples_leaf": 20,
            "l2_regularization": 0.0,
            "max_features": 1.0,
            "max_iter": 100,
            "early_stopping": "auto",
        }

    def suggest(self, trial: optuna.Trial) -> dict[str, Any]:
        return {
            "learning_rate": trial.suggest_float("learning_rate", 0.02, 0.3, log=True),
            "max_leaf_nodes": trial.suggest_int("max_leaf_nodes", 4, 64, log=True),
            "min_samples_leaf": trial.suggest_int("min_samples_leaf", 5, 200, log=True),
            "l2_regularization": trial.suggest_float("l2_regularization", 1e-6, 10.0, log=True),
            "max_features": trial.suggest_float("max_features", 0.3, 1.0),
        }

    def build(self, params: dict[str, Any], seed: int) -> Any:
        return HistGradientBoostingClassifier(random_state=seed, **{**_EARLY_STOPPING, **params})

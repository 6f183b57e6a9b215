"""``hgb``: scikit-learn's HistGradientBoostingClassifier."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import optuna
from sklearn.ensemble import HistGradientBoostingClassifier


@dataclass(frozen=True)
class HistGradientBoostingCandidate:
    """Tunes learning rate, tree size, leaf size, L2 and the number of boosting rounds."""

    name: str = "hgb"
    linear: bool = False
    trial_cap: int | None = None

    def defaults(self) -> dict[str, Any]:
        return {
            "learning_rate": 0.1,
            "max_leaf_nodes": 31,
            "min_samples_leaf": 20,
            "l2_regularization": 1e-6,
            "max_iter": 100,
            "class_weight": None,
        }

    def suggest(self, trial: optuna.Trial) -> dict[str, Any]:
        return {
            "learning_rate": trial.suggest_float("learning_rate", 0.02, 0.3, log=True),
            "max_leaf_nodes": trial.suggest_int("max_leaf_nodes", 8, 64, log=True),
            "min_samples_leaf": trial.suggest_int("min_samples_leaf", 5, 100, log=True),
            "l2_regularization": trial.suggest_float("l2_regularization", 1e-6, 10.0, log=True),
            "max_iter": trial.suggest_int("max_iter", 50, 300, step=50),
            "class_weight": trial.suggest_categorical("class_weight", [None, "balanced"]),
        }

    def build(self, params: dict[str, Any], seed: int) -> Any:
        return HistGradientBoostingClassifier(random_state=seed, **params)


HGB = HistGradientBoostingCandidate()

"""``rf``: scikit-learn's RandomForestClassifier (depth capped to keep the ONNX graph small)."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import optuna
from sklearn.ensemble import RandomForestClassifier


@dataclass(frozen=True)
class RandomForestCandidate:
    """Tunes the number of trees, depth, leaf size, features per split and class weighting."""

    name: str = "rf"
    linear: bool = False
    trial_cap: int | None = None

    def defaults(self) -> dict[str, Any]:
        return {
            "n_estimators": 100,
            "max_depth": 12,
            "min_samples_leaf": 1,
            "max_features": "sqrt",
            "class_weight": None,
        }

    def suggest(self, trial: optuna.Trial) -> dict[str, Any]:
        return {
            "n_estimators": trial.suggest_int("n_estimators", 50, 250, step=50),
            "max_depth": trial.suggest_int("max_depth", 4, 16),
            "min_samples_leaf": trial.suggest_int("min_samples_leaf", 1, 20, log=True),
            "max_features": trial.suggest_categorical("max_features", ["sqrt", "log2", 0.5]),
            "class_weight": trial.suggest_categorical(
                "class_weight", [None, "balanced", "balanced_subsample"]
            ),
        }

    def build(self, params: dict[str, Any], seed: int) -> Any:
        return RandomForestClassifier(random_state=seed, n_jobs=-1, **params)


RF = RandomForestCandidate()

"""``rf``: scikit-learn's RandomForestClassifier (depth capped to keep the ONNX graph small)."""

from __future__ import annotations

from typing import Any

import optuna
from sklearn.ensemble import RandomForestClassifier

from skyclass.pipeline.candidates._base import CANDIDATES, Candidate


@CANDIDATES.register("rf")
class RandomForest(Candidate):
    """Tunes the number of trees, depth, leaf size and features per split."""

    name = "rf"

    def defaults(self) -> dict[str, Any]:
        return {"n_estimators": 100, "max_depth": 12, "min_samples_leaf": 1, "max_features": "sqrt"}

    def suggest(self, trial: optuna.Trial) -> dict[str, Any]:
        return {
            "n_estimators": trial.suggest_int("n_estimators", 50, 250, step=50),
            "max_depth": trial.suggest_int("max_depth", 4, 16),
            "min_samples_leaf": trial.suggest_int("min_samples_leaf", 1, 20, log=True),
            "max_features": trial.suggest_categorical("max_features", ["sqrt", "log2", 0.5]),
        }

    def build(self, params: dict[str, Any], seed: int) -> Any:
        return RandomForestClassifier(random_state=seed, n_jobs=-1, **params)

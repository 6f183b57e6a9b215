"""``logreg`` (softmax) and ``logreg-ovr`` (one-vs-rest): skyclass's own LogisticRegression."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import optuna


@dataclass(frozen=True)
class LogisticCandidate:
    """Tunes the inverse regularisation ``C`` and the class weighting."""

    name: str
    multi_class: str
    linear: bool = True
    trial_cap: int | None = 20  # two parameters: TPE has settled well before this

    def defaults(self) -> dict[str, Any]:
        return {"C": 1.0, "class_weight": None}

    def suggest(self, trial: optuna.Trial) -> dict[str, Any]:
        return {
            "C": trial.suggest_float("C", 1e-3, 1e2, log=True),
            "class_weight": trial.suggest_categorical("class_weight", [None, "balanced"]),
        }

    def build(self, params: dict[str, Any], seed: int) -> Any:
        from skyclass.linear import LogisticRegression

        return LogisticRegression(
            multi_class=self.multi_class, max_iter=300, random_state=seed, **params
        )


LOGREG = LogisticCandidate("logreg", "multinomial")
LOGREG_OVR = LogisticCandidate("logreg-ovr", "ovr")

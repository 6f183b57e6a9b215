"""``logreg`` (softmax) and ``logreg-ovr`` (one-vs-rest): skyclass's own LogisticRegression."""

from __future__ import annotations

from typing import Any, ClassVar

import optuna

from skyclass.pipeline.candidates._base import CANDIDATES, Candidate


class _Logistic(Candidate):
    """Tunes the inverse regularisation ``C`` (two-class problems and softmax share the code)."""

    multi_class: ClassVar[str]
    linear = True
    trial_cap = 12  # one parameter: TPE has settled well before this

    def defaults(self) -> dict[str, Any]:
        return {"C": 1.0}

    def suggest(self, trial: optuna.Trial) -> dict[str, Any]:
        return {"C": trial.suggest_float("C", 1e-3, 1e2, log=True)}

    def build(self, params: dict[str, Any], seed: int) -> Any:
        from skyclass.linear import LogisticRegression

        return LogisticRegression(
            multi_class=self.multi_class, max_iter=300, random_state=seed, **params
        )


@CANDIDATES.register("logreg")
class Softmax(_Logistic):
    """Multinomial (softmax) logistic regression."""

    name = "logreg"
    multi_class = "multinomial"


@CANDIDATES.register("logreg-ovr")
class OneVsRest(_Logistic):
    """One binary logistic regression per class, probabilities normalised."""

    name = "logreg-ovr"
    multi_class = "ovr"

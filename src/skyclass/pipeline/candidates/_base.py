"""The one contract every candidate model follows."""

from __future__ import annotations

from typing import Any, Protocol

import optuna


class Candidate(Protocol):
    """A model family ``skyclass train`` can select: a search space and a builder.

    ``name`` is what ``--models`` accepts; ``linear`` says whether ``coef_`` is
    meaningful per class; ``trial_cap`` is how many trials its search space is worth
    (``None``: as many as the budget allows) so time it does not need passes to the
    next candidate; ``defaults()`` is the first trial every study runs so a sensible
    baseline exists even under a tiny time budget.
    """

    name: str
    linear: bool
    trial_cap: int | None

    def defaults(self) -> dict[str, Any]:
        """Hand-picked parameters tried first."""
        ...

    def suggest(self, trial: optuna.Trial) -> dict[str, Any]:
        """Parameters sampled from the search space for one Optuna trial."""
        ...

    def build(self, params: dict[str, Any], seed: int) -> Any:
        """An unfitted scikit-learn classifier with ``params`` and ``random_state=seed``."""
        ...

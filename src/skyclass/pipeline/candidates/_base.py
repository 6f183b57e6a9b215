"""The one contract every candidate model follows (see :class:`Candidate`)."""

from __future__ import annotations

from abc import ABC, abstractmethod
from typing import Any, ClassVar

import optuna

from skyclass.plugins import Registry

__all__ = ["CANDIDATES", "Candidate"]


class Candidate(ABC):
    """A model family ``skyclass train`` can select: known-good defaults, a search space, a builder.

    What an implementation must do:

    - ``name`` (class attribute) is what ``--models`` accepts; register the class with
      ``@CANDIDATES.register(name)`` in its own module and import that module in
      ``candidates/__init__.py``;
    - ``defaults()`` returns known-good parameters: every study runs them first, and the
      result sits in the leaderboard as this family's untuned baseline;
    - ``suggest(trial)`` samples parameters from the search space for one Optuna trial;
    - ``build(params, seed)`` returns an *unfitted* scikit-learn classifier that is fitted
      on integer class codes ``0..k-1`` and gives probabilities through ``predict_proba``
      (no class re-weighting: decisions are tuned on top of the probabilities), and that
      ``skyclass.pipeline.export_onnx`` can export.

    ``linear`` says whether ``coef_`` is meaningful per class; ``trial_cap`` is how many
    trials the search space is worth (``None``: as many as the budget allows).

    Lifecycle and thread-safety: one instance is created per ``train`` call and only read
    afterwards; ``build`` returns a new estimator each call, so an instance may be shared
    by threads.

    Example:
        >>> from skyclass.pipeline.candidates import CANDIDATES
        >>> CANDIDATES.create("logreg").defaults()
        {'C': 1.0}
    """

    name: ClassVar[str]
    linear: ClassVar[bool] = False
    trial_cap: ClassVar[int | None] = None

    @abstractmethod
    def defaults(self) -> dict[str, Any]:
        """Known-good parameters, tried first.

        Returns
        -------
        dict
            Parameters ``build`` accepts; every study runs them as its first trial, and the
            result is the family's untuned baseline in the leaderboard.
        """

    @abstractmethod
    def suggest(self, trial: optuna.Trial) -> dict[str, Any]:
        """Parameters sampled from the search space for one Optuna trial.

        Parameters
        ----------
        trial : optuna.Trial
            The trial to sample from (``trial.suggest_float``, ``suggest_int``, ...).

        Returns
        -------
        dict
            Parameters ``build`` accepts.
        """

    @abstractmethod
    def build(self, params: dict[str, Any], seed: int) -> Any:
        """An unfitted scikit-learn classifier with ``params`` and ``random_state=seed``.

        Parameters
        ----------
        params : dict
            From ``defaults()`` or ``suggest(trial)``.
        seed : int
            The model's random state.

        Returns
        -------
        Any
            A new, unfitted estimator with ``fit`` and ``predict_proba`` on class codes
            ``0..k-1`` that ``skyclass.pipeline.export_onnx`` can export.
        """


CANDIDATES: Registry[Candidate] = Registry("candidate model", Candidate, field="--models")

"""Tune every candidate with Optuna: seeded TPE, stratified CV, pruning, a time budget.

Folds arrive already preprocessed (the preprocessor was fitted on each fold's
training part only), so trials only fit models. Each candidate gets its own
study; the first trial of each runs the candidate's defaults, so a baseline
exists even when the budget is tiny. A trial that would overrun its
candidate's share of the budget is pruned between folds.

Example:
    >>> import numpy as np
    >>> from sklearn.metrics import accuracy_score
    >>> from skyclass.pipeline import Fold, tune
    >>> from skyclass.pipeline.candidates import get_candidates
    >>> rng = np.random.default_rng(0)
    >>> X = rng.normal(size=(60, 3)); y = (X[:, 0] > 0).astype(int)
    >>> idx = np.arange(60)
    >>> folds = [Fold(X[idx % 2 != i], y[idx % 2 != i], X[idx % 2 == i], y[idx % 2 == i],
    ...               idx[idx % 2 == i]) for i in (0, 1)]
    >>> score = lambda t, p: accuracy_score(t, p.argmax(1))
    >>> [r.name for r in tune(get_candidates("hgb"), folds, score=score, n_classes=2,
    ...                       time_budget=5, max_trials=2)]
    ['hgb']
"""

from __future__ import annotations

import time
import warnings
from collections.abc import Callable
from contextlib import nullcontext
from dataclasses import dataclass, field
from typing import Any

import numpy as np
import optuna
from rich.console import Console
from rich.progress import BarColumn, Progress, TextColumn, TimeElapsedColumn
from threadpoolctl import threadpool_limits

from skyclass.pipeline.candidates import Candidate

__all__ = ["CandidateResult", "Fold", "fit_quietly", "tune"]

Score = Callable[[np.ndarray, np.ndarray], float]


@dataclass
class Fold:
    """One CV fold, preprocessed: training matrix/labels, validation matrix/labels and rows."""

    X_train: Any
    y_train: np.ndarray
    X_val: Any
    y_val: np.ndarray
    val_index: np.ndarray


@dataclass
class CandidateResult:
    """The best trial of one candidate, with its per-fold scores and out-of-fold probabilities."""

    name: str
    params: dict[str, Any]
    fold_scores: list[float]
    n_trials: int
    n_pruned: int
    seconds: float
    oof_proba: np.ndarray | None = field(default=None, repr=False)
    error: str | None = None

    @property
    def mean(self) -> float:
        return float(np.mean(self.fold_scores)) if self.fold_scores else float("nan")

    @property
    def std(self) -> float:
        return float(np.std(self.fold_scores, ddof=1)) if len(self.fold_scores) > 1 else 0.0

    def to_dict(self) -> dict:
        """JSON-safe summary (without the out-of-fold probabilities)."""
        return {
            "name": self.name,
            "params": self.params,
            "fold_scores": [float(s) for s in self.fold_scores],
            "mean": self.mean,
            "std": self.std,
            "n_trials": self.n_trials,
            "n_pruned": self.n_pruned,
            "seconds": self.seconds,
            "error": self.error,
        }


_SMALL = 50_000  # rows below which native thread pools slow fits down on a busy machine


def fit_quietly(model: Any, X: Any, y: np.ndarray, X_predict: Any = None) -> np.ndarray | None:
    """Fit ``model`` (warnings silenced) and return ``predict_proba(X_predict)`` when given.

    Below 50,000 rows OpenMP/BLAS pools are limited to one thread: on small data
    their start-up and contention cost far more than they save.
    """
    limit = 1 if X.shape[0] < _SMALL else None
    with threadpool_limits(limits=limit), warnings.catch_warnings():
        warnings.simplefilter("ignore")
        model.fit(X, y)
        if X_predict is None:
            return None
        return np.asarray(model.predict_proba(X_predict), dtype=np.float64)


def _cap(max_trials: int | None, trial_cap: int | None) -> int | None:
    caps = [c for c in (max_trials, trial_cap) if c is not None]
    return min(caps) if caps else None


class _BudgetExceeded(optuna.TrialPruned):
    """Raised between folds when a trial would overrun its candidate's budget."""


def _run_trial(
    candidate: Candidate,
    params: dict[str, Any],
    folds: list[Fold],
    trial: optuna.Trial,
    score: Score,
    n_rows: int,
    n_classes: int,
    seed: int,
    deadline: float,
) -> tuple[list[float], np.ndarray]:
    oof = np.zeros((n_rows, n_classes))
    scores: list[float] = []
    for step, fold in enumerate(folds):
        if trial.number > 0 and time.monotonic() > deadline:
            raise _BudgetExceeded()
        model = candidate.build(params, seed)
        proba = fit_quietly(model, fold.X_train, fold.y_train, fold.X_val)
        oof[fold.val_index] = proba
        scores.append(float(score(fold.y_val, proba)))
        trial.report(float(np.mean(scores)), step)
        if trial.should_prune():
            raise optuna.TrialPruned()
    return scores, oof


def _tune_one(
    candidate: Candidate,
    folds: list[Fold],
    score: Score,
    greater_is_better: bool,
    n_classes: int,
    seed: int,
    budget: float,
    max_trials: int | None,
    on_trial: Callable[[], None],
) -> CandidateResult:
    start = time.monotonic()
    deadline = start + budget
    n_rows = int(sum(len(f.val_index) for f in folds))
    best: dict[str, Any] = {}
    sampler = optuna.samplers.TPESampler(seed=seed, n_startup_trials=5)
    pruner = optuna.pruners.MedianPruner(n_startup_trials=3, n_warmup_steps=1)
    direction = "maximize" if greater_is_better else "minimize"
    study = optuna.create_study(direction=direction, sampler=sampler, pruner=pruner)
    study.enqueue_trial(candidate.defaults())

    def objective(trial: optuna.Trial) -> float:
        params = candidate.defaults() if trial.number == 0 else candidate.suggest(trial)
        try:
            scores, oof = _run_trial(
                candidate, params, folds, trial, score, n_rows, n_classes, seed, deadline
            )
        finally:
            on_trial()
        value = float(np.mean(scores))
        better = not best or (value > best["value"] if greater_is_better else value < best["value"])
        if better:
            best.update(value=value, params=params, scores=scores, oof=oof)
        return value

    error = None
    try:
        study.optimize(
            objective,
            n_trials=_cap(max_trials, candidate.trial_cap),
            timeout=max(budget, 1e-3),
            catch=(ValueError, ArithmeticError, np.linalg.LinAlgError),
        )
    except Exception as err:  # a candidate that cannot fit this data is reported, not fatal
        error = f"{type(err).__name__}: {err}"
    failed = [t for t in study.trials if t.state == optuna.trial.TrialState.FAIL]
    if not best and failed:
        error = error or str(failed[0].system_attrs.get("fail_reason", "every trial failed"))
    pruned = sum(t.state == optuna.trial.TrialState.PRUNED for t in study.trials)
    return CandidateResult(
        name=candidate.name,
        params=best.get("params", candidate.defaults()),
        fold_scores=best.get("scores", []),
        n_trials=len(study.trials),
        n_pruned=int(pruned),
        seconds=time.monotonic() - start,
        oof_proba=best.get("oof"),
        error=error if not best else None,
    )


def tune(
    candidates: list[Candidate],
    folds: list[Fold],
    *,
    score: Score,
    n_classes: int,
    greater_is_better: bool = True,
    time_budget: float = 120.0,
    max_trials: int | None = None,
    seed: int = 0,
    console: Console | None = None,
) -> list[CandidateResult]:
    """Tune each candidate over ``folds`` and return one result per candidate, in order.

    ``score(y_true, proba)`` rates a fold; ``time_budget`` seconds are shared by the
    candidates (time one leaves unused passes to the next); ``max_trials`` caps
    trials per candidate (as does each candidate's own ``trial_cap``); ``console`` shows a rich progress bar when given.
    """
    optuna.logging.set_verbosity(optuna.logging.WARNING)
    results: list[CandidateResult] = []
    start = time.monotonic()
    progress = (
        Progress(
            TextColumn("  tuning {task.description:<11}"),
            BarColumn(),
            TextColumn("{task.completed} trials"),
            TimeElapsedColumn(),
            console=console,
            transient=False,
        )
        if console is not None
        else None
    )
    with progress if progress is not None else nullcontext():
        for position, candidate in enumerate(candidates):
            left = time_budget - (time.monotonic() - start)
            share = max(left / (len(candidates) - position), 0.0)
            cap = _cap(max_trials, candidate.trial_cap)
            task = progress.add_task(candidate.name, total=cap) if progress else None

            def on_trial(task=task) -> None:
                if progress is not None:
                    progress.advance(task)

            result = _tune_one(
                candidate,
                folds,
                score,
                greater_is_better,
                n_classes,
                seed,
                share,
                max_trials,
                on_trial,
            )
            if progress is not None:
                progress.update(task, total=result.n_trials, completed=result.n_trials)
            results.append(result)
    return results

"""Tune candidate families with Optuna under one time budget, shared by promise.

Folds arrive already preprocessed (the preprocessor was fitted on each fold's
training part only), so trials only fit models. Each family has its own study
(seeded TPE, median pruner over the folds) whose first trial is the family's
known-good defaults; that trial is kept apart as the family's untuned baseline.

Scheduling: first every family runs its defaults (so each has a baseline even
under a tiny budget); then, trial by trial, the family with the least time spent
relative to its promise runs next, where promise halves with each rank (the best
family so far gets half the remaining time, the second a quarter, ...). A trial
is not started when its predicted duration (its family's slowest fold so far
times the folds) would overrun the budget, and is stopped between folds when it
would; a family whose next trial cannot fit is finished.

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

import os
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
_SMALL = 50_000  # rows below which native thread pools slow fits down on a busy machine
_CAUGHT = (ValueError, ArithmeticError, np.linalg.LinAlgError)


@dataclass
class Fold:
    """One CV fold, preprocessed: training matrix/codes, validation matrix/codes and rows.

    Attributes
    ----------
    X_train : array-like
        The fold's training features (preprocessor fitted on these rows only).
    y_train : numpy.ndarray
        Their class codes.
    X_val : array-like
        The fold's validation features (transformed by the same preprocessor).
    y_val : numpy.ndarray
        Their class codes.
    val_index : numpy.ndarray
        Positions of the validation rows in the tuning sample (where their out-of-fold
        probabilities go).
    """

    X_train: Any
    y_train: np.ndarray
    X_val: Any
    y_val: np.ndarray
    val_index: np.ndarray


@dataclass
class CandidateResult:
    """One family's best trial (or its defaults trial), per-fold scores and out-of-fold probabilities.

    Attributes
    ----------
    name : str
        The candidate family (``hgb``, ``logreg``, ...).
    params : dict
        The trial's parameters (what ``Candidate.build`` takes).
    fold_scores : list of float
        The tuning score (log loss in ``train``) on each CV fold.
    n_trials : int
        Trials the family ran (pruned ones included).
    n_pruned : int
        Trials stopped early by the median pruner or the budget.
    seconds : float
        Seconds the family spent tuning.
    oof_proba : numpy.ndarray or None
        ``[n_rows, k]`` out-of-fold probabilities of this trial; ``None`` when every trial
        failed.
    error : str or None
        Why the family failed, when it did.
    default : CandidateResult or None
        The family's defaults trial (its untuned baseline).
    fold_seconds : float
        This trial's mean fold fit in seconds (predicts its fit on more rows); default 0.
    """

    name: str
    params: dict[str, Any]
    fold_scores: list[float]
    n_trials: int
    n_pruned: int
    seconds: float
    oof_proba: np.ndarray | None = field(default=None, repr=False)
    error: str | None = None
    default: CandidateResult | None = field(default=None, repr=False)
    fold_seconds: float = 0.0  # this trial's mean fold fit (predicts its fit on more rows)

    @property
    def mean(self) -> float:
        return float(np.mean(self.fold_scores)) if self.fold_scores else float("nan")

    @property
    def std(self) -> float:
        return float(np.std(self.fold_scores, ddof=1)) if len(self.fold_scores) > 1 else 0.0

    def to_dict(self) -> dict:
        """JSON-safe summary (without the out-of-fold probabilities).

        Returns
        -------
        dict
            name, params, fold_scores, mean, std, n_trials, n_pruned, seconds, error.
        """
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


def fit_quietly(model: Any, X: Any, y: np.ndarray, X_predict: Any = None) -> np.ndarray | None:
    """Fit ``model`` (warnings silenced) and return ``predict_proba(X_predict)`` when given.

    Below 50,000 rows OpenMP/BLAS pools are limited to one thread: on small data
    their start-up and contention cost far more than they save. Above, half the cores:
    OpenMP spin-waits stall badly when other work holds the rest.
    """
    limit = 1 if X.shape[0] < _SMALL else max(1, (os.cpu_count() or 2) // 2)
    with threadpool_limits(limits=limit), warnings.catch_warnings():
        warnings.simplefilter("ignore")
        model.fit(X, y)
        if X_predict is None:
            return None
        return np.asarray(model.predict_proba(X_predict), dtype=np.float64)


class _Overrun(optuna.TrialPruned):
    """Raised between folds when the next fold would overrun the budget."""


class _Family:
    """The study of one candidate and what the scheduler knows about it."""

    def __init__(self, candidate: Candidate, cap: int | None, greater: bool, seed: int) -> None:
        self.candidate = candidate
        self.cap = cap
        self.greater = greater
        sampler = optuna.samplers.TPESampler(seed=seed, n_startup_trials=5)
        pruner = optuna.pruners.MedianPruner(n_startup_trials=3, n_warmup_steps=1)
        direction = "maximize" if greater else "minimize"
        self.study = optuna.create_study(direction=direction, sampler=sampler, pruner=pruner)
        self.study.enqueue_trial(candidate.defaults())
        self.spent = 0.0
        self.fold_seconds = 0.0  # the slowest fold so far
        self.best: dict[str, Any] = {}
        self.default: dict[str, Any] = {}
        self.finished = False
        self.error: str | None = None

    @property
    def n_trials(self) -> int:
        return len(self.study.trials)

    def value(self) -> float:
        if not self.best:
            return -np.inf if self.greater else np.inf
        return self.best["value"]

    def keep(self, record: dict[str, Any]) -> None:
        if not self.default:
            self.default = record
        if not self.best or (
            record["value"] > self.best["value"]
            if self.greater
            else record["value"] < self.best["value"]
        ):
            self.best = record

    def result(self, record: dict[str, Any], n_trials: int, default=None) -> CandidateResult:
        states = [t.state for t in self.study.trials[:n_trials]]
        pruned = sum(s == optuna.trial.TrialState.PRUNED for s in states)
        return CandidateResult(
            name=self.candidate.name,
            params=record.get("params", self.candidate.defaults()),
            fold_scores=record.get("scores", []),
            n_trials=n_trials,
            n_pruned=int(pruned),
            seconds=self.spent if n_trials > 1 else record.get("seconds", self.spent),
            oof_proba=record.get("oof"),
            error=None if record else (self.error or "every trial failed"),
            default=default,
            fold_seconds=record.get("fold_seconds", self.fold_seconds),
        )


def _objective(
    family: _Family,
    folds: list[Fold],
    score: Score,
    n_classes: int,
    seed: int,
    deadline: Callable[[], float],
    on_trial: Callable[[], None],
) -> Callable[[optuna.Trial], float]:
    n_rows = int(sum(len(f.val_index) for f in folds))
    candidate = family.candidate

    def objective(trial: optuna.Trial) -> float:
        started = time.monotonic()
        params = candidate.defaults() if trial.number == 0 else candidate.suggest(trial)
        oof = np.zeros((n_rows, n_classes))
        scores: list[float] = []
        fitting = 0.0
        try:
            for step, fold in enumerate(folds):
                if trial.number > 0 and time.monotonic() + family.fold_seconds > deadline():
                    raise _Overrun()
                fold_start = time.monotonic()
                proba = fit_quietly(
                    candidate.build(params, seed), fold.X_train, fold.y_train, fold.X_val
                )
                took = time.monotonic() - fold_start
                fitting += took
                family.fold_seconds = max(family.fold_seconds, took)
                oof[fold.val_index] = proba
                scores.append(float(score(fold.y_val, proba)))
                trial.report(float(np.mean(scores)), step)
                if trial.should_prune():
                    raise optuna.TrialPruned()
        finally:
            family.spent += time.monotonic() - started
            on_trial()
        value = float(np.mean(scores))
        family.keep(
            {
                "value": value,
                "params": params,
                "scores": scores,
                "oof": oof,
                "seconds": time.monotonic() - started,
                "fold_seconds": fitting / len(folds),
            }
        )
        return value

    return objective


def _next(families: list[_Family], n_folds: int, deadline: float) -> _Family | None:
    """The family to run next: least time spent relative to promise (halving per rank)."""
    now = time.monotonic()
    for family in families:
        full = family.cap is not None and family.n_trials >= family.cap
        if full or now + n_folds * family.fold_seconds > deadline:
            family.finished = True
    active = [f for f in families if not f.finished and f.best]
    if not active:
        return None
    order = sorted(active, key=lambda f: -f.value() if f.greater else f.value())
    return min(order, key=lambda f: f.spent * 2.0 ** order.index(f))


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
    reserve: Callable[[float], float] | None = None,
) -> list[CandidateResult]:
    """Tune each candidate over ``folds``; one result per candidate, in the order given.

    Parameters
    ----------
    candidates : list of Candidate
        The families to tune; each study starts with the family's defaults.
    folds : list of Fold
        The preprocessed CV folds.
    score : callable
        ``score(y_codes, proba) -> float`` rates one fold.
    n_classes : int
        Number of classes (width of the out-of-fold probabilities).
    greater_is_better : bool
        Direction of ``score`` (``False`` for log loss); default ``True``.
    time_budget : float
        Seconds shared by the families by promise (see the module doc); default 120.
    max_trials : int or None
        Cap on trials per family (each candidate's ``trial_cap`` applies too).
    seed : int
        Seed of the TPE samplers and of the models; default 0.
    console : rich.console.Console or None
        Shows progress bars when given.
    reserve : callable or None
        ``reserve(fold_seconds) -> seconds``: after the defaults round the budget keeps back
        this many seconds, given the best family's mean fold fit (the fits after tuning
        need them).

    Returns
    -------
    list of CandidateResult
        Each family's best trial; its ``default`` is the family's defaults trial.
    """
    optuna.logging.set_verbosity(optuna.logging.WARNING)
    deadline = time.monotonic() + time_budget
    caps = [[c for c in (max_trials, cand.trial_cap) if c is not None] for cand in candidates]
    families = [
        _Family(cand, min(cap) if cap else None, greater_is_better, seed)
        for cand, cap in zip(candidates, caps)
    ]
    progress = (
        Progress(
            TextColumn("  tuning {task.description:<11}"),
            BarColumn(),
            TextColumn("{task.completed} trials"),
            TimeElapsedColumn(),
            console=console,
        )
        if console is not None
        else None
    )
    with progress if progress is not None else nullcontext():
        tasks = [
            progress.add_task(f.candidate.name, total=f.cap) if progress else None for f in families
        ]
        objectives = {}
        for family, task in zip(families, tasks):

            def on_trial(task=task) -> None:
                if progress is not None:
                    progress.advance(task)

            objectives[id(family)] = _objective(
                family, folds, score, n_classes, seed, lambda: deadline, on_trial
            )
        run_order = list(families)  # round one: every family's defaults
        reserved = False
        while run_order:
            family = run_order.pop(0)
            try:
                family.study.optimize(objectives[id(family)], n_trials=1, catch=_CAUGHT)
            except Exception as err:  # a family that cannot fit this data is reported, not fatal
                family.error, family.finished = f"{type(err).__name__}: {err}", True
            failed = family.study.trials[-1].state == optuna.trial.TrialState.FAIL
            if failed and not family.best:
                reason = family.study.trials[-1].system_attrs.get("fail_reason", "the trial failed")
                family.error, family.finished = str(reason), True
            if not run_order:
                if not reserved and reserve is not None:
                    reserved = True
                    leader = min(
                        (f for f in families if f.best),
                        key=lambda f: -f.value() if f.greater else f.value(),
                        default=None,
                    )
                    deadline -= reserve(leader.best["fold_seconds"]) if leader is not None else 0.0
                chosen = _next(families, len(folds), deadline)
                run_order = [chosen] if chosen is not None else []
        if progress is not None:
            for family, task in zip(families, tasks):
                progress.update(task, total=family.n_trials, completed=family.n_trials)
    return [
        family.result(
            family.best,
            family.n_trials,
            default=family.result(family.default, 1) if family.default else None,
        )
        for family in families
    ]

"""``train``: the whole multiclass project in one call (and ``skyclass train`` on the CLI).

``train`` checks its options, then runs the named stages of
``skyclass.pipeline._stages.STAGES`` in order (load → validate → explore → split →
tune → select → decide → test → refit → explain → package → push → report), each
printing one line. Everything is written to a temporary directory beside ``out``
and renamed into place at the end, so a failure never leaves half a result.

Example:
    >>> import skyclass
    >>> result = skyclass.train("examples/wine.csv", "cultivar", out="out/wine")  # doctest: +SKIP
    >>> result.evaluation.accuracy  # doctest: +SKIP
    1.0
"""

from __future__ import annotations

import os
import re
import time
from contextlib import ExitStack
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import pandas as pd
from rich.console import Console

from skyclass.bundle import Registry, SigningKey
from skyclass.data import Decision
from skyclass.errors import InputError
from skyclass.pipeline._outdir import staged_dir
from skyclass.pipeline._progress import Steps
from skyclass.pipeline._stages import STAGES, Options, Run
from skyclass.pipeline._summary import TrainSummary
from skyclass.pipeline.candidates import get_candidates

__all__ = ["TrainResult", "train"]


@dataclass
class TrainResult:
    """What ``train`` produced: paths, the test evaluation, the leaderboard and the summary.

    Attributes
    ----------
    out_dir : pathlib.Path
        Absolute path of ``out``: it holds ``bundle/``, ``report.html`` and ``train.json``.
    bundle_path : pathlib.Path
        The verified bundle directory (ONNX + JSON) that ``skyclass serve`` loads.
    report_path : pathlib.Path or None
        The self-contained HTML report.
    evaluation : skyclass.metrics.Evaluation
        ``skyclass.metrics.evaluate`` on the test probabilities of the model fitted on the
        training rows (labels by argmax); the metrics of the shipped decision rule, with
        intervals, are in ``summary.test.metrics``.
    leaderboard : list of dict
        Every entry best first (``LeaderboardEntry.to_dict()``): each family's tuned best and
        untuned defaults, the ensemble when there is one, and the class prior.
    winner : str
        Name of the shipped entry, e.g. ``"hgb"``, ``"logreg (defaults)"`` or ``"ensemble"``.
    metric : str
        The selection metric (``--metric``, or what ``recommend_metric`` chose).
    decisions : list of skyclass.data.Decision
        What validation did to each column and to the rows, with the reason.
    version : int or None
        The registry version the bundle was pushed as (``None`` without ``registry``).
    summary : TrainSummary or None
        Everything the report, ``train.json`` and the bundle card show, typed.
    """

    out_dir: Path
    bundle_path: Path
    report_path: Path | None
    evaluation: Any
    leaderboard: list[dict]
    winner: str
    metric: str
    decisions: list[Decision]
    version: int | None = None
    summary: TrainSummary | None = field(default=None, repr=False)


def _check_options(test_size: float, cv: int, time_budget: float) -> None:
    if not 0 < test_size < 1:
        raise InputError(f"--test-size must be between 0 and 1 (e.g. 0.2), got {test_size}")
    if cv < 2:
        raise InputError(f"--cv must be at least 2 folds, got {cv}")
    if time_budget <= 0:
        raise InputError(f"--time-budget must be positive seconds, got {time_budget}")


def _open_registry(url: str) -> Registry:
    try:
        return Registry(url)
    except (ValueError, ImportError, OSError) as err:  # SkyclassErrors too: name the option
        raise InputError(
            f"--registry {url}: {err}; use e.g. file:///abs/path or s3://bucket/prefix"
        ) from err


def _default_name(source: str, target: str) -> str:
    stem = (
        Path(source.split("?")[0].rstrip("/")).name.split(".")[0]
        if source != "DataFrame"
        else target
    )
    return re.sub(r"[^A-Za-z0-9._-]+", "-", stem).strip("-._") or "model"


def train(
    data: str | os.PathLike | pd.DataFrame,
    target: str,
    *,
    out: str | os.PathLike = "out",
    registry: str | None = None,
    name: str | None = None,
    models: str | list[str] | None = None,
    metric: str = "auto",
    costs: Any = None,
    priority: str | None = None,
    sensitive: str | None = None,
    time_budget: float = 300.0,
    test_size: float = 0.2,
    cv: int = 5,
    seed: int = 0,
    min_class_size: int | None = None,
    merge_rare: str | None = None,
    drop: list[str] | None = None,
    max_trials: int | None = None,
    tune_rows: int = 20000,
    encoding: str | None = None,
    refit_all: bool = True,
    sign: str | os.PathLike | SigningKey | None = None,
    keep_leaky: bool = False,
    console: Console | None = None,
) -> TrainResult:
    """Train, select, evaluate, explain and package a classifier for ``target``.

    Writes ``out/bundle`` (the verified bundle), ``out/report.html`` and
    ``out/train.json`` (into a temporary directory renamed into place at the end, so a
    failure leaves ``out`` as it was). Candidates are tuned on log loss; ``metric``
    selects among them, the ensemble and the class-prior baseline, and is reached by a
    decision rule tuned on out-of-fold probabilities.

    Parameters
    ----------
    data : str, os.PathLike or pandas.DataFrame
        The labelled table: a path or URL (CSV, TSV, Parquet, JSON Lines, optionally
        ``.gz``; local, ``s3://``, ``gs://``, ``az://``) or a DataFrame.
    target : str
        The column holding the class label.
    out : str or os.PathLike
        Output directory (default ``"out"``).
    registry : str or None
        Registry URL (``file:///abs/path``, ``s3://bucket/prefix``, ...) to push the bundle
        to; checked before training starts. Default: no push.
    name : str or None
        Model name in the bundle and the registry (default: the data file's stem).
    models : str, list of str or None
        Candidate names registered in ``skyclass.pipeline.candidates.CANDIDATES``
        (comma-separated or a list); default: every registered one.
    metric : str
        The selection metric, or ``"auto"`` (default) to let
        ``skyclass.metrics.recommend_metric`` choose from class balance, costs and priority.
    costs : str, os.PathLike, dict, list or None
        Misclassification costs (see ``read_costs``): ``{"fp": 1, "fn": 5}`` for two
        classes, or a k x k matrix in label order (rows: true class).
    priority : str or None
        What matters most for ``metric="auto"``: ``ranking``, ``probabilities``, ``recall``
        or ``precision``.
    sensitive : str or None
        A column for the fairness section (per-group accuracy and rates).
    time_budget : float
        Seconds for the whole run (default 300); tuning gets at most 75% of it, and the
        wall time stays within about 1.1 times it.
    test_size : float
        Share of rows held out as the test set, between 0 and 1 (default 0.2).
    cv : int
        Stratified CV folds inside the training rows, at least 2 (default 5).
    seed : int
        Seed of every random step (split, folds, tuning, models, bootstrap); default 0.
    min_class_size : int or None
        Drop classes with fewer rows than this.
    merge_rare : str or None
        Merge classes too small to stratify into one class with this label.
    drop : list of str or None
        Columns to leave out.
    max_trials : int or None
        Cap on Optuna trials per candidate family (default: as many as the budget allows).
    tune_rows : int
        Tune on a stratified sample of at most this many training rows (default 20,000;
        fewer under a short budget, see ``tune_rows``).
    encoding : str or None
        Text encoding of the file (default: sniffed from a byte-order mark, else UTF-8,
        else Windows-1252).
    refit_all : bool
        ``True`` (default): refit the winner on every row after the test estimate is
        taken; ``False``: ship the model fitted on the training rows.
    sign : str, os.PathLike, skyclass.bundle.SigningKey or None
        A PEM private key (or a loaded ``SigningKey``) that signs ``out/bundle`` and the
        pushed version; checked before training.
    keep_leaky : bool
        Keep columns that alone nearly determine the target (flagged with the evidence)
        instead of dropping them; default ``False``.
    console : rich.console.Console or None
        Where the step lines go (default: stderr).

    Returns
    -------
    TrainResult
        Paths of the bundle and report, the test evaluation, the leaderboard and the
        typed ``TrainSummary``.

    Raises
    ------
    skyclass.errors.InputError
        For bad options or data (a missing target, a class too small to stratify, a bad
        registry URL, ...), with what is wrong and how to fix it.
    """
    started = time.monotonic()
    console = console or Console(stderr=True, soft_wrap=True)
    _check_options(test_size, cv, time_budget)
    candidates = get_candidates(models)
    source = "DataFrame" if isinstance(data, pd.DataFrame) else str(data)
    store = (
        _open_registry(registry) if registry else None
    )  # a bad URL fails now, not after training
    signer = sign if sign is None or isinstance(sign, SigningKey) else SigningKey(Path(sign))
    options = Options(
        data=data,
        target=target,
        out=Path(out),
        registry=registry,
        name=name or _default_name(source, target),
        metric=metric,
        costs=costs,
        priority=priority,
        sensitive=sensitive,
        time_budget=time_budget,
        test_size=test_size,
        cv=cv,
        seed=seed,
        min_class_size=min_class_size,
        merge_rare=merge_rare,
        drop=drop,
        max_trials=max_trials,
        tune_rows=tune_rows,
        encoding=encoding,
        refit_all=refit_all,
        sign=signer,
        keep_leaky=keep_leaky,
    )
    steps = Steps(console)
    with ExitStack() as stack, staged_dir(out) as workdir:
        run = Run(options, candidates, store, source, console, steps, stack, workdir, started)
        for stage in STAGES:
            if stage.when is not None and not stage.when(run):
                continue
            with steps.step(stage.name) as step:
                step.note = stage.run(run)
    out_dir = Path(out).absolute()
    summary = run.summary
    console.print(
        f"[bold]done[/bold] in {time.monotonic() - started:.1f} s: bundle {summary.bundle.path}, "
        f"report {out_dir / 'report.html'}",
        highlight=False,
    )
    return TrainResult(
        out_dir=out_dir,
        bundle_path=Path(summary.bundle.path),
        report_path=out_dir / "report.html",
        evaluation=run.tested.evaluation,
        leaderboard=[e.to_dict() for e in summary.candidates],
        winner=summary.winner,
        metric=summary.metric.name,
        decisions=run.table.checked.decisions,
        version=run.version,
        summary=summary,
    )

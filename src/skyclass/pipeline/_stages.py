"""The named stages of ``skyclass train``, in order, as one list (``STAGES``).

Each stage is a :class:`Stage`: a name (its console line) and a function that reads
the typed values earlier stages left on the :class:`Run` and sets its own, returning
the note printed after the name. Adding a stage is one function and one list entry.

Example:
    >>> [s.name for s in STAGES][:4]
    ['load', 'validate', 'explore', 'split']
"""

from __future__ import annotations

import datetime as _dt
import json
import time
from collections.abc import Callable
from contextlib import ExitStack
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd
from rich.console import Console
from threadpoolctl import threadpool_limits

from skyclass import metrics as M
from skyclass.bundle import Registry, SigningKey
from skyclass.bundle import sign as sign_bundle
from skyclass.data import (
    Decision,
    infer_schema,
    load_table,
    profile,
    read_formats,
    stratified_folds,
    stratified_split_index,
    validate,
)
from skyclass.errors import InputError
from skyclass.pipeline._compare import corrected_ttest
from skyclass.pipeline._costs import Costs, read_costs
from skyclass.pipeline._ensemble import Ensemble
from skyclass.pipeline._honesty import honesty_checks
from skyclass.pipeline._interpret import permutation_ranking, top_coefficients
from skyclass.pipeline._package import package
from skyclass.pipeline._preprocess import Preprocessor
from skyclass.pipeline._progress import Steps
from skyclass.pipeline._scoring import Scorer, get_scorer
from skyclass.pipeline._select import ENSEMBLE, PRIOR, Scored, leaderboard, rank
from skyclass.pipeline._summary import (
    NO_MODEL_BEATS_PRIOR,
    BundleInfo,
    DataInfo,
    LeaderboardEntry,
    MetricInfo,
    RefitInfo,
    RuleInfo,
    SplitInfo,
    TestInfo,
    TrainSummary,
)
from skyclass.pipeline._testset import calibration, fairness, prior_baseline, test_metrics
from skyclass.pipeline._tune import CandidateResult, Fold, fit_quietly, tune
from skyclass.pipeline.candidates import Candidate

__all__ = ["STAGES", "Options", "Run", "Stage"]

_SMALL = 50_000
_TUNE_SHARE = 0.75  # of the time budget, less the reserve for the fits after it (see tune)


@dataclass
class Options:
    """What the user asked for (``train``'s keyword arguments, checked)."""

    data: Any
    target: str
    out: Path
    registry: str | None
    name: str
    metric: str
    costs: Any
    priority: str | None
    sensitive: str | None
    time_budget: float
    test_size: float
    cv: int
    seed: int
    min_class_size: int | None
    merge_rare: str | None
    drop: list[str] | None
    max_trials: int | None
    tune_rows: int
    encoding: str | None
    refit_all: bool
    sign: SigningKey | None = None
    keep_leaky: bool = False


@dataclass
class Table:
    """The validated table: features, schema, one label encoding (``codes`` index ``labels``)."""

    raw: pd.DataFrame
    checked: Any
    X: pd.DataFrame
    schema: Any
    labels: list[Any]
    codes: np.ndarray
    positive: Any
    costs: Costs | None


@dataclass
class Split:
    """Row positions of the train/test split and of the tuning sample, and its CV folds."""

    train: np.ndarray
    test: np.ndarray
    tune: np.ndarray  # positions within ``train``
    folds: list[Fold]


@dataclass
class Selection:
    """The tuning results, the ranked leaderboard and the winner."""

    results: list[CandidateResult]
    ranked: list[Scored]
    failed: list
    winner: Scored
    significance: dict | None


@dataclass
class Tested:
    """The winner fitted on the training rows, and its test-set numbers."""

    preprocessor: Preprocessor
    model: Any
    proba: np.ndarray
    y_pred: np.ndarray
    evaluation: Any
    info: TestInfo


@dataclass
class Run:
    """One ``train`` call: options, progress, and the typed value each stage leaves."""

    options: Options
    candidates: list[Candidate]
    store: Registry | None
    source: str
    console: Console
    steps: Steps
    stack: ExitStack
    workdir: Path
    started: float = field(default_factory=time.monotonic)
    table: Table | None = None
    profile: dict | None = None
    scorer: Scorer | None = None
    metric: MetricInfo | None = None
    split: Split | None = None
    results: list[CandidateResult] | None = None
    selection: Selection | None = None
    rule: RuleInfo | None = None
    tested: Tested | None = None
    shipped: tuple[Preprocessor, Any] | None = None
    refit: RefitInfo | None = None
    interpretation: dict | None = None
    fairness: dict | None = None
    warnings: list[str] = field(default_factory=list)
    estimate_index: np.ndarray | None = None  # rows the test estimate's model was fitted on
    summary: TrainSummary | None = None
    bundle_dir: Path | None = None
    version: int | None = None


@dataclass(frozen=True)
class Stage:
    """A named step: ``run(run) -> note`` (the text printed on its console line).

    ``when(run)``, if given, decides whether the stage applies to this run at all.
    """

    name: str
    run: Callable[[Run], str]
    when: Callable[[Run], bool] | None = None


def _plain(value):
    return value.item() if isinstance(value, np.generic) else value


def _warn(run: Run, text: str) -> None:
    if text not in run.warnings:
        run.warnings.append(text)
        run.console.print(f"[bold red]WARNING:[/bold red] {text}", highlight=False)


def load_stage(run: Run) -> str:
    o = run.options
    raw = load_table(o.data, encoding=o.encoding)
    if len(raw) < _SMALL:  # native thread pools only slow small fits down on a busy machine
        run.stack.enter_context(threadpool_limits(limits=1))
    if o.sensitive is not None and o.sensitive not in raw.columns:
        raise InputError(
            f"--sensitive {o.sensitive!r}: no such column; the columns are: {', '.join(raw.columns)}"
        )
    if o.sensitive is not None and o.sensitive == o.target:
        raise InputError("--sensitive must name a column other than the target")
    run.table = Table(raw, None, raw, None, [], np.array([]), None, None)
    return f"{len(raw):,} rows x {raw.shape[1]} columns from {run.source}"


def encode_labels(values: np.ndarray) -> tuple[list[Any], np.ndarray]:
    """``(labels, codes)``: the sorted distinct labels and each row's index into them.

    Labels are taken as they are (case and whitespace kept; ``"9"`` and ``9`` stay what
    they were); a column mixing types (numbers and strings) is compared as text, and so
    are fractional numbers (``0.5``, ``1.5``), which metrics would read as scores.

    Example:
        >>> encode_labels(np.array(["10", "9", "10"], dtype=object))
        (['10', '9'], array([0, 1, 0]))
    """
    values = np.asarray(values)
    if values.dtype == object and len({type(v) for v in values}) > 1:
        values = values.astype(str).astype(object)
    numeric = values.dtype.kind == "f" or (
        values.dtype == object and all(isinstance(v, float) for v in values)
    )
    if numeric and np.any(values.astype(float) != np.floor(values.astype(float))):
        values = np.array([repr(float(v)) for v in values], dtype=object)
    uniques, codes = np.unique(values, return_inverse=True)
    return [_plain(v) for v in uniques], codes.astype(np.int64).ravel()


def validate_stage(run: Run) -> str:
    o, table = run.options, run.table
    read = read_formats(table.raw, o.target)  # placeholders (?) and date formats, recorded
    checked = validate(
        read.frame,
        o.target,
        cv=o.cv,
        test_size=o.test_size,
        min_class_size=o.min_class_size,
        merge_rare=o.merge_rare,
        drop=o.drop,
        keep_leaky=o.keep_leaky,
    )
    frame = checked.frame
    X = frame[checked.features]
    schema = infer_schema(X, formats=read.formats)
    text = [c.name for c in schema if c.kind == "text"]
    if text:
        schema = schema.drop(text)
        reason = (
            "free text (by schema inference); bundles take numeric and categorical features only"
        )
        checked.decisions.extend(Decision(column, "drop", reason) for column in text)
        X = X[schema.names]
    labels, codes = encode_labels(frame[o.target].to_numpy())
    positive = None
    if len(labels) == 2:
        counts = np.bincount(codes, minlength=2)
        positive = labels[1] if counts[0] == counts[1] else labels[int(np.argmin(counts))]
    costs = read_costs(o.costs, labels, positive) if o.costs is not None else None
    run.table = Table(
        table.raw, checked, X.reset_index(drop=True), schema, labels, codes, positive, costs
    )
    for note in read.notes:
        run.steps.info(note)
    for d in checked.decisions:
        run.steps.info(f"{d.column or '(rows)'}: {d.action} - {d.reason}")
    return (
        f"{len(frame):,} rows, {len(schema.names)} features, {len(labels)} classes; "
        f"{len(checked.decisions)} decisions"
    )


def _choose_metric(run: Run) -> tuple[str, list[str], float | None]:
    o, t = run.options, run.table
    if o.metric != "auto":
        return o.metric, [f"chosen with --metric {o.metric}"], None
    spec = None
    if t.costs is not None:
        spec = t.costs.pair if t.costs.pair is not None else t.costs.matrix.array.tolist()
    y = np.asarray(t.labels, dtype=object)[t.codes]
    rec = M.recommend_metric(y, costs=spec, priority=o.priority, pos_label=t.positive)
    return rec.primary, list(rec.reasons), rec.beta


def explore_stage(run: Run) -> str:
    o, t = run.options, run.table
    run.profile = profile(t.checked.frame, o.target, seed=o.seed, features=t.schema.names)
    name, reasons, beta = _choose_metric(run)
    run.scorer = get_scorer(
        name,
        n_classes=len(t.labels),
        positive=t.labels.index(t.positive) if t.positive is not None else 1,
        beta=beta,
        cost_matrix=t.costs.matrix.array if t.costs is not None else None,
    )
    run.metric = MetricInfo(run.scorer.name, reasons, run.scorer.greater_is_better)
    run.steps.info(f"metric {run.scorer.name}: " + " ".join(reasons))
    top = next(iter(run.profile["mutual_information"]), "-")
    return f"imbalance ratio {run.profile['imbalance_ratio']:.2f}; top feature by mutual information: {top}"


def _subsample(codes: np.ndarray, rows: int, seed: int) -> np.ndarray:
    if len(codes) <= rows:
        return np.arange(len(codes))
    keep, _ = stratified_split_index(codes, test_size=1 - rows / len(codes), seed=seed)
    return np.sort(keep)


def tune_rows(limit: int, time_budget: float) -> int:
    """Rows to tune on: ``--tune-rows``, fewer under a short budget (150 per second, at least 2,000).

    Every family's defaults run on every fold before any tuning, so the sample must leave
    time for trials; the shipped model is refitted on every row anyway.

    Example:
        >>> tune_rows(20000, 60), tune_rows(20000, 300)
        (9000, 20000)
    """
    return min(limit, max(2000, int(150 * time_budget)))


def split_stage(run: Run) -> str:
    o, t = run.options, run.table
    train, test = stratified_split_index(t.codes, test_size=o.test_size, seed=o.seed)
    tune_pos = _subsample(t.codes[train], tune_rows(o.tune_rows, o.time_budget), o.seed)
    X_tune = t.X.iloc[train[tune_pos]].reset_index(drop=True)
    c_tune = t.codes[train[tune_pos]]
    folds = []
    for a, b in stratified_folds(c_tune, n_splits=o.cv, seed=o.seed):
        pre = Preprocessor(t.schema).fit(X_tune.iloc[a])
        folds.append(
            Fold(
                pre.transform(X_tune.iloc[a]),
                c_tune[a],
                pre.transform(X_tune.iloc[b]),
                c_tune[b],
                b,
            )
        )
    run.split = Split(train, test, tune_pos, folds)
    return (
        f"{len(train):,} train / {len(test):,} test (stratified, seed {o.seed}); {o.cv}-fold CV "
        f"on {len(tune_pos):,} rows, {folds[0].X_train.shape[1]} model features per fold "
        "(preprocessing fitted on each training fold only)"
    )


def tune_stage(run: Run) -> str:
    o = run.options
    budget = max(_TUNE_SHARE * o.time_budget - (time.monotonic() - run.started), 1.0)
    log_loss = get_scorer("log_loss", n_classes=len(run.table.labels))
    fold_rows = len(run.split.folds[0].y_train)
    n_train = len(run.split.train)
    run.results = tune(
        run.candidates,
        run.split.folds,
        score=log_loss.score,
        n_classes=len(run.table.labels),
        greater_is_better=False,
        time_budget=budget,
        max_trials=o.max_trials,
        seed=o.seed,
        console=run.console,
        reserve=lambda seconds: fit_seconds(seconds, fold_rows, n_train),
    )
    if not any(r.oof_proba is not None for r in run.results):
        raise InputError(
            "every candidate failed to fit: "
            + "; ".join(f"{r.name}: {r.error}" for r in run.results)
        )
    trials = sum(r.n_trials for r in run.results)
    return f"{trials} trials in a {budget:.0f} s budget, each family tuned on log loss (probabilities first)"


def _significance(ranked: list[Scored], scorer: Scorer, cv: int) -> dict | None:
    best = ranked[0]
    others = [s for s in ranked[1:] if s.entry.family != best.entry.family]
    if not others:
        return None
    second = others[0]
    a, b = best.entry.fold_scores, second.entry.fold_scores
    if not scorer.greater_is_better:
        a, b = [-s for s in a], [-s for s in b]
    out = corrected_ttest(a, b, test_train_ratio=1 / (cv - 1))
    out["runner_up"] = second.entry.name
    out["test"] = "corrected paired t-test (Nadeau-Bengio) on CV fold scores"
    return out


def select_stage(run: Run) -> str:
    t, s = run.table, run.split
    codes = t.codes[s.train[s.tune]]
    scored, failed = leaderboard(
        run.results,
        codes,
        [f.val_index for f in s.folds],
        t.labels,
        run.scorer,
        t.costs,
        t.positive,
    )
    ensemble = next((x for x in scored if x.entry.kind == ENSEMBLE), None)
    if ensemble is not None:
        n_all = len(s.train) + len(s.test)
        needed = sum(
            _fit_seconds_of(run, e, n) for e, _ in ensemble.members for n in (len(s.train), n_all)
        )
        if needed > _time_left(run):  # its test fit and the refit on all rows must fit the budget
            scored.remove(ensemble)
            run.steps.info(
                f"ensemble of {len(ensemble.members)} models left out: fitting it for the test "
                f"and the refit would take about {needed:.0f} s, more than the budget leaves"
            )
    ranked = rank(scored, run.scorer.greater_is_better)
    shippable = [x for x in ranked if x.entry.kind != "baseline"]
    winner = shippable[0]
    prior = next(x for x in ranked if x.entry.name == PRIOR)
    if ranked[0] is prior or winner.entry.log_loss >= prior.entry.log_loss:
        _warn(
            run,
            f"{NO_MODEL_BEATS_PRIOR} (cross-validation: prior {run.scorer.name} "
            f"{prior.entry.mean:.4f}, log loss {prior.entry.log_loss:.4f}; best model "
            f"{winner.entry.name} {winner.entry.mean:.4f}, log loss {winner.entry.log_loss:.4f})",
        )
    significance = _significance(
        [winner, *[x for x in ranked if x is not winner]], run.scorer, run.options.cv
    )
    run.selection = Selection(run.results, ranked, failed, winner, significance)
    if significance:
        verdict = "significantly" if significance["significant"] else "not significantly"
        run.steps.info(
            f"{verdict} better than {significance['runner_up']} (p = {significance['p_value']:.3g})"
        )
    e = winner.entry
    return (
        f"{e.name}: {run.scorer.name} {e.mean:.4f} ± {e.std:.4f}, log loss {e.log_loss:.4f} "
        f"(prior: {prior.entry.mean:.4f}, {prior.entry.log_loss:.4f})"
    )


def decide_stage(run: Run) -> str:
    run.rule = run.selection.winner.rule
    return run.rule.explanation


def fit_seconds(fold_seconds: float, fold_rows: int, rows: int) -> float:
    """Predicted seconds to fit on ``rows`` rows, from a fold fit on ``fold_rows`` rows.

    Fit time grows a little faster than the rows (boosting also runs more rounds before it
    stops early): ``(rows / fold_rows) ** 1.25``, measured on the benchmark tables.

    Example:
        >>> round(fit_seconds(2.0, 1000, 4000), 2)
        11.31
    """
    return fold_seconds * (rows / max(fold_rows, 1)) ** 1.25


def _time_left(run: Run) -> float:
    """Seconds left for fitting: 1.1 x the budget, less what has run and 10% for the last stages."""
    budget = run.options.time_budget
    return 1.1 * budget - (time.monotonic() - run.started) - 0.1 * budget


def _fit_seconds_of(run: Run, entry: LeaderboardEntry, rows: int) -> float:
    """Predicted seconds to fit a single-model entry on ``rows`` rows, from its mean fold fit."""
    result = next(r for r in run.results if r.name == entry.family)
    if entry.kind == "defaults" and result.default is not None:
        result = result.default
    return fit_seconds(result.fold_seconds, len(run.split.folds[0].y_train), rows)


def _members(run: Run) -> list[tuple[LeaderboardEntry, float]]:
    """The winner's models and weights: its ensemble members, or the winner alone."""
    winner = run.selection.winner
    return winner.members or [(winner.entry, 1.0)]


def _predicted_fit(run: Run, rows: int) -> float:
    """Predicted seconds to fit the winner (every member) on ``rows`` rows."""
    return sum(_fit_seconds_of(run, entry, rows) for entry, _ in _members(run))


def _candidate(run: Run, entry: LeaderboardEntry) -> Candidate:
    return next(c for c in run.candidates if c.name == entry.family)


def _fit(run: Run, rows: np.ndarray) -> tuple[Preprocessor, Any]:
    t, seed = run.table, run.options.seed
    X = t.X.iloc[rows]
    pre = Preprocessor(t.schema).fit(X)
    members = _members(run)
    models = [_candidate(run, e).build(e.params, seed) for e, _ in members]
    model = models[0] if len(models) == 1 else Ensemble(models, [w for _, w in members])
    fit_quietly(model, pre.transform(X), t.codes[rows])
    return pre, model


def test_stage(run: Run) -> str:  # the only time the test rows are used
    o, t, s, scorer = run.options, run.table, run.split, run.scorer
    rows = s.train
    share = 0.5 if o.refit_all else 1.0  # leave the refit on all rows its time too
    if _predicted_fit(run, len(rows)) > share * _time_left(run):
        fold_rows = len(s.folds[0].y_train)
        fits = (
            fold_rows
            * (share * max(_time_left(run), 0.0) / max(_predicted_fit(run, fold_rows), 1e-9)) ** 0.8
        )
        n = int(min(len(rows), max(len(s.tune), fits)))
        rows = s.train[np.sort(_subsample(t.codes[s.train], n, o.seed))]
    run.estimate_index = rows
    pre, model = _fit(run, rows)
    proba = np.asarray(model.predict_proba(pre.transform(t.X.iloc[s.test])), dtype=np.float64)
    y_test = np.asarray(t.labels, dtype=object)[t.codes[s.test]]
    y_pred = M.decide(proba, run.rule.rule, t.labels)
    metrics = test_metrics(y_test, proba, y_pred, t.labels, scorer, o.seed, t.positive, t.costs)
    per_class = M.classification_report(
        y_test, y_pred, labels=t.labels, output_dict=True, zero_division=0
    )
    evaluation = M.evaluate(y_test, proba, labels=t.labels)
    prior = prior_baseline(t.codes[s.train], t.codes[s.test], len(t.labels), scorer)
    winner = run.selection.winner.entry
    checks = honesty_checks(
        y_test,
        proba,
        y_pred,
        t.labels,
        t.codes[s.train],
        metric=scorer.name,
        cv=(winner.mean, winner.std, scorer.greater_is_better),
        X_train=t.X.iloc[s.train],
        X_test=t.X.iloc[s.test],
        test_low=metrics.get(scorer.name, {}).get("low"),
        seed=o.seed,
    )
    for warning in checks.warnings:
        _warn(run, warning)
    run.steps.info(checks.baseline["headline"])
    run.tested = Tested(
        pre,
        model,
        proba,
        y_pred,
        evaluation,
        TestInfo(metrics, per_class, evaluation.to_dict(curves=False), prior, checks.baseline),
    )
    head = metrics.get(scorer.name) or next(iter(metrics.values()))
    sign = 1 if scorer.greater_is_better else -1
    if (
        metrics["log_loss"]["value"] >= prior["log_loss"]
        or sign * (head["value"] - prior.get(scorer.name, head["value"])) < 0
    ):
        _warn(
            run,
            f"{NO_MODEL_BEATS_PRIOR} on the test rows ({scorer.name} {head['value']:.4f} vs "
            f"{prior.get(scorer.name, float('nan')):.4f}, log loss "
            f"{metrics['log_loss']['value']:.4f} vs {prior['log_loss']:.4f})",
        )
    interval = (
        f"95% interval {head['low']:.4f} to {head['high']:.4f}"
        if head.get("low") is not None
        else f"no interval: {head.get('note', 'undefined')}"
    )
    note = f"{scorer.name} {head['value']:.4f} ({interval})"
    if scorer.name != "accuracy" and "accuracy" in metrics:
        note += f"; accuracy {metrics['accuracy']['value']:.4f} (decision rule applied)"
    return note + f"; log loss {metrics['log_loss']['value']:.4f} (prior {prior['log_loss']:.4f})"


def refit_stage(run: Run) -> str:
    s = run.split
    name = run.selection.winner.entry.name
    seen = len(run.estimate_index)
    estimate = (
        f"the {seen:,} training rows"
        if seen == len(s.train)
        else f"{seen:,} of the {len(s.train):,} training rows (a fit on all of them would not "
        "have fitted the time budget)"
    )
    n_all = len(s.train) + len(s.test)
    predicted, left = _predicted_fit(run, n_all), _time_left(run)
    if run.options.refit_all and predicted <= left:
        rows = np.sort(np.concatenate([s.train, s.test]))
        run.shipped = _fit(run, rows)
        note = (
            f"the shipped model is {name} refitted on all {n_all:,} rows (training + test) "
            f"after the test estimate was taken; the test numbers are those of the same settings "
            f"fitted on {estimate} (a slightly conservative estimate)"
        )
        run.refit = RefitInfo("all", n_all, note)
        return f"{name} on all {n_all:,} rows (training + test)"
    run.shipped = (run.tested.preprocessor, run.tested.model)
    if run.options.refit_all:
        _warn(
            run,
            f"the refit on all {n_all:,} rows was skipped: it would take about "
            f"{predicted:.0f} s and --time-budget leaves {max(left, 0):.0f} s; the shipped "
            "model is the one the test numbers belong to (raise --time-budget to refit)",
        )
        why = "the refit on all rows did not fit the time budget"
    else:
        why = "--no-refit-all"
    note = f"the shipped model is {name} fitted on {estimate} ({why}); the test numbers are its own"
    run.refit = RefitInfo("train", seen, note)
    return f"kept the model fitted on {seen:,} training rows ({why})"


def _permutation_size(run: Run, X_test: pd.DataFrame) -> tuple[int, int]:
    """Rows and shuffles per column for permutation importance that fit the time left.

    At most 5,000 rows and 5 shuffles (3 beyond 20 columns), as many as the time left
    allows (measured on one prediction of up to 1,000 rows), and never fewer than 500 rows
    (one shuffle) so every report ranks its features.
    """
    sample = X_test.iloc[: min(len(X_test), 1000)]
    start = time.perf_counter()
    run.tested.model.predict_proba(run.tested.preprocessor.transform(sample))
    per_row = (time.perf_counter() - start) / max(len(sample), 1)
    left = _time_left(run) + 0.05 * run.options.time_budget
    repeats = 5 if X_test.shape[1] <= 20 else 3
    affordable = left / max(per_row * X_test.shape[1], 1e-9)
    while repeats > 1 and affordable / repeats < 1000:
        repeats -= 1
    rows = int(min(5000, len(X_test), max(affordable / repeats, 500)))
    return rows, repeats


def explain_stage(run: Run) -> str:
    o, t, s = run.options, run.table, run.split
    tested = run.tested
    X_test = t.X.iloc[s.test].reset_index(drop=True)
    rows, repeats = _permutation_size(run, X_test)
    importance = permutation_ranking(
        tested.preprocessor,
        tested.model,
        X_test,
        t.codes[s.test],
        run.scorer,
        seed=o.seed,
        n_repeats=repeats,
        max_rows=rows,
    )
    coefficients = None
    pre, model = run.shipped
    single = len(_members(run)) == 1
    if single and _candidate(run, run.selection.winner.entry).linear and hasattr(model, "coef_"):
        coefficients = top_coefficients(model.coef_, list(pre.get_feature_names_out()), t.labels)
    run.interpretation = {
        "coefficients": coefficients,
        "permutation": importance,
        "permutation_note": f"Permutation importance on {rows:,} test rows ({repeats} "
        f"shuffle{'s' if repeats > 1 else ''} per column, as many as the time budget allowed), "
        f"scored with {run.scorer.name}, for the model fitted on the training rows.",
    }
    if o.sensitive:
        groups = t.raw[o.sensitive].iloc[t.checked.rows[s.test]].astype(str).to_numpy()
        y_test = np.asarray(t.labels, dtype=object)[t.codes[s.test]]
        run.fairness = fairness(o.sensitive, groups, y_test, tested.y_pred, t.labels)
    top = importance[0]["feature"] if importance else "-"
    return f"most important feature on the test rows: {top}"


def _versions() -> dict[str, str]:
    """Library versions that decide the result (recorded so a run can be repeated)."""
    from importlib.metadata import version

    from skyclass._version import __version__

    names = ("optuna", "scikit-learn", "numpy", "onnxruntime")
    return {"skyclass": __version__, **{n: version(n) for n in names}}


def _summarise(run: Run) -> TrainSummary:
    o, t, s, sel = run.options, run.table, run.split, run.selection
    y_test = np.asarray(t.labels, dtype=object)[t.codes[s.test]]
    return TrainSummary(
        title=f"skyclass report: {o.name}",
        created=_dt.datetime.now(_dt.UTC).strftime("%Y-%m-%d %H:%M UTC"),
        data=DataInfo(
            run.source,
            o.target,
            t.labels,
            t.checked.n_rows_in,
            len(t.X),
            len(t.schema.names),
            list(t.schema.names),
        ),
        decisions=[d.to_dict() for d in t.checked.decisions],
        profile=run.profile,
        metric=run.metric,
        split=SplitInfo(len(s.train), len(s.test), o.cv, len(s.tune), o.seed, o.test_size),
        candidates=[x.entry for x in sel.ranked] + sel.failed,
        winner=sel.winner.entry.name,
        significance=sel.significance,
        decision_rule=run.rule,
        test=run.tested.info,
        calibration=calibration(y_test, run.tested.proba, t.labels),
        interpretation=run.interpretation,
        fairness=run.fairness,
        refit=run.refit,
        warnings=run.warnings,
        versions=_versions(),
    )


def package_stage(run: Run) -> str:
    o, t = run.options, run.table
    run.summary = _summarise(run)
    pre, model = run.shipped
    rows = np.arange(len(t.X)) if run.refit.on == "all" else run.estimate_index
    winner = run.selection.winner.entry
    run.bundle_dir = package(
        run.workdir / "bundle",
        preprocessor=pre,
        model=model,
        schema=t.schema,
        labels=t.labels,
        target=o.target,
        name=o.name,
        X_reference=t.X.iloc[rows].reset_index(drop=True),
        decision_rule=run.rule.rule,
        metrics={k: v["value"] for k, v in run.tested.info.metrics.items()},
        params={
            "candidate": winner.family,
            **winner.params,
            "metric": run.scorer.name,
            "seed": o.seed,
            "refit": run.refit.on,
            "versions": run.summary.versions,
        },
        card_extra=run.summary.card_text(),
        seed=o.seed,
    )
    if o.sign is not None:
        sign_bundle(run.bundle_dir, o.sign)
    final = Path(o.out).absolute() / Path(run.bundle_dir).name
    run.summary.bundle = BundleInfo(str(final), o.registry)
    signed = f", signed by key {o.sign.fingerprint[:16]}" if o.sign is not None else ""
    return f"{o.out}/bundle (ONNX + JSON, verified{signed})"


def push_stage(run: Run) -> str:
    run.version = run.store.push(run.bundle_dir, name=run.options.name, sign=run.options.sign)
    run.summary.bundle.version = run.version
    return f"{run.options.registry} {run.options.name}@{run.version}"


def _json_default(value):
    if isinstance(value, np.generic):
        return value.item()
    if isinstance(value, np.ndarray):
        return value.tolist()
    return str(value)


def report_stage(run: Run) -> str:
    from skyclass.report import render_report, write_report

    t, s = run.table, run.split
    run.summary.timings = dict(run.steps.timings)
    context = run.summary.to_dict()
    y_test = np.asarray(t.labels, dtype=object)[t.codes[s.test]]
    html = render_report(
        context, y_true=y_test, proba=run.tested.proba, y_pred=run.tested.y_pred, labels=t.labels
    )
    write_report(run.workdir / "report.html", html)
    (run.workdir / "train.json").write_text(
        json.dumps(context, indent=2, default=_json_default) + "\n"
    )
    return f"{run.options.out}/report.html"


STAGES: list[Stage] = [
    Stage("load", load_stage),
    Stage("validate", validate_stage),
    Stage("explore", explore_stage),
    Stage("split", split_stage),
    Stage("tune", tune_stage),
    Stage("select", select_stage),
    Stage("decide", decide_stage),
    Stage("test", test_stage),
    Stage("refit", refit_stage),
    Stage("explain", explain_stage),
    Stage("package", package_stage),
    Stage("push", push_stage, when=lambda run: run.store is not None),
    Stage("report", report_stage),
]

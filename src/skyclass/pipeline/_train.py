"""``train``: the whole multiclass project in one call (and ``skyclass train`` on the CLI).

Steps, each printed as one line: load → validate → explore → split → preprocess
folds → tune (Optuna per candidate) → select → decision rule on out-of-fold
predictions → refit → test (touched once) → interpret → fairness → package →
report → push. Everything is written to a temporary directory beside ``out``
and renamed into place at the end, so a failure never leaves half a result.

Example:
    >>> import skyclass
    >>> result = skyclass.train("examples/wine.csv", "cultivar", out="out/wine")  # doctest: +SKIP
    >>> result.evaluation.accuracy  # doctest: +SKIP
    1.0
"""

from __future__ import annotations

import datetime as _dt
import json
import os
import re
import time
from contextlib import ExitStack
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd
from rich.console import Console
from threadpoolctl import threadpool_limits

from skyclass import metrics as M
from skyclass._version import __version__
from skyclass.bundle import Registry
from skyclass.data import (
    Decision,
    infer_schema,
    load_table,
    profile,
    stratified_folds,
    stratified_split_index,
    validate,
)
from skyclass.errors import InputError, SkyclassError
from skyclass.pipeline._compare import corrected_ttest, rank_results
from skyclass.pipeline._costs import Costs, read_costs
from skyclass.pipeline._decision_rule import choose_rule
from skyclass.pipeline._interpret import permutation_ranking, top_coefficients
from skyclass.pipeline._outdir import staged_dir
from skyclass.pipeline._package import package
from skyclass.pipeline._preprocess import Preprocessor
from skyclass.pipeline._progress import Steps
from skyclass.pipeline._scoring import Scorer, get_scorer
from skyclass.pipeline._tune import CandidateResult, Fold, fit_quietly, tune
from skyclass.pipeline.candidates import CANDIDATES, get_candidates

__all__ = ["TrainResult", "train"]

_SMALL = 50_000
_TUNE_SHARE = 0.6  # of the time budget; the rest covers refit, test, explain, package
_HEADLINE = ("accuracy", "balanced_accuracy", "f1_macro", "roc_auc", "log_loss")


@dataclass
class TrainResult:
    """What ``train`` produced: paths, the test evaluation and the candidate leaderboard.

    ``evaluation`` is ``skyclass.metrics.evaluate`` on the test probabilities (labels by
    argmax); the metrics of the shipped decision rule, with intervals, are in
    ``summary["test"]["metrics"]``.
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
    summary: dict = field(default_factory=dict, repr=False)


def _plain(value):
    return value.item() if isinstance(value, np.generic) else value


def _json_default(value):
    if isinstance(value, np.generic):
        return value.item()
    if isinstance(value, np.ndarray):
        return value.tolist()
    if isinstance(value, Path):
        return str(value)
    return str(value)


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
    except SkyclassError:
        raise
    except (ValueError, ImportError, OSError) as err:
        raise InputError(
            f"--registry {url}: {err}; use e.g. file:///abs/path or s3://bucket/prefix"
        ) from err


def _positive(y: np.ndarray, labels: list) -> Any:
    """A binary target's positive class: the rarer one (the second label on a tie)."""
    if len(labels) != 2:
        return None
    counts = [int(np.sum(y == v)) for v in labels]
    return labels[1] if counts[0] == counts[1] else labels[int(np.argmin(counts))]


def _choose_metric(
    metric: str, y: np.ndarray, costs: Costs | None, priority: str | None, positive: Any
) -> dict:
    """``{"name", "reasons", "beta"}``: ``--metric`` as given, else ``recommend_metric``'s pick."""
    if metric != "auto":
        return {"name": metric, "reasons": [f"chosen with --metric {metric}"], "beta": None}
    spec = None
    if costs is not None:
        spec = costs.pair if costs.pair is not None else costs.matrix.array.tolist()
    rec = M.recommend_metric(y, costs=spec, priority=priority, pos_label=positive)
    return {"name": rec.primary, "reasons": list(rec.reasons), "beta": rec.beta}


def _subsample(y_codes: np.ndarray, rows: int, seed: int) -> np.ndarray:
    """Positions of a stratified subsample of at most ``rows`` rows (all when smaller)."""
    if len(y_codes) <= rows:
        return np.arange(len(y_codes))
    keep, _ = stratified_split_index(y_codes, test_size=1 - rows / len(y_codes), seed=seed)
    return keep


def _folds(X: pd.DataFrame, y: np.ndarray, schema, cv: int, seed: int) -> list[Fold]:
    folds = []
    for train_idx, val_idx in stratified_folds(y, n_splits=cv, seed=seed):
        pre = Preprocessor(schema).fit(X.iloc[train_idx])
        folds.append(
            Fold(
                pre.transform(X.iloc[train_idx]),
                y[train_idx],
                pre.transform(X.iloc[val_idx]),
                y[val_idx],
                val_idx,
            )
        )
    return folds


def _significance(ranked: list[CandidateResult], scorer: Scorer, cv: int, y_tune) -> dict | None:
    if len(ranked) < 2:
        return None
    best, second = ranked[0], ranked[1]
    a, b = best.fold_scores, second.fold_scores
    if not scorer.greater_is_better:
        a, b = [-s for s in a], [-s for s in b]
    out = corrected_ttest(a, b, test_train_ratio=1 / (cv - 1))
    out["runner_up"] = second.name
    out["test"] = "corrected paired t-test (Nadeau-Bengio) on CV fold scores"
    if best.oof_proba is not None and second.oof_proba is not None and best.oof_proba.shape[1] == 2:
        t = M.delong_test(y_tune, best.oof_proba[:, 1], second.oof_proba[:, 1], pos_label=1)
        out["delong_p_value"] = float(t.p_value)
    return out


def _label_metric(scorer: Scorer, labels: list):
    """``f(y_true, y_pred)`` for a scorer bootstrap_ci does not know by name."""
    codes = {v: i for i, v in enumerate(labels)}
    eye = np.eye(len(labels))

    def metric(y_true, y_pred):
        onehot = eye[[codes[v] for v in y_pred]]
        return scorer.score(np.array([codes[v] for v in y_true]), onehot)

    metric.__name__ = scorer.name
    return metric


def _test_metrics(
    y_test, proba, y_pred, labels, scorer: Scorer, seed: int, positive, costs: Costs | None
) -> dict:
    """The selection metric and the headline metrics on the test rows, with 95% intervals."""
    names = list(dict.fromkeys([scorer.name, *_HEADLINE]))
    binary = len(labels) == 2
    out = {}
    for name in names:
        if name in ("roc_auc", "roc_auc_ovr"):
            if binary:
                ci = M.delong_ci(y_test, proba[:, labels.index(positive)], pos_label=positive)
            else:
                ci = M.bootstrap_ci("roc_auc", y_test, proba, labels=labels, seed=seed)
        elif name == "expected_cost" and costs is not None:

            def expected_cost(y_true, y_hat):
                return costs.matrix.total_cost(y_true, y_hat, labels) / len(y_true)

            ci = M.bootstrap_ci(expected_cost, y_test, y_pred, seed=seed)
        elif name == "fbeta" or (name in ("f1", "precision", "recall") and positive != labels[-1]):
            ci = M.bootstrap_ci(_label_metric(scorer, labels), y_test, y_pred, seed=seed)
        elif name == "average_precision":
            continue
        else:
            values = proba if name == "log_loss" else y_pred
            ci = M.bootstrap_ci(name, y_test, values, labels=labels, seed=seed)
        out[name] = {"value": ci.estimate, "low": ci.low, "high": ci.high, "method": ci.method}
    return out


def _calibration(y_test, proba, labels) -> dict:
    chosen = [1] if len(labels) == 2 else range(min(len(labels), 10))
    out = {}
    for i in chosen:
        positive = (np.asarray(y_test) == labels[i]).astype(int)
        if 0 < positive.sum() < len(positive):
            prob_true, prob_pred = M.calibration_curve(positive, proba[:, i], n_bins=10)
            out[str(labels[i])] = {"prob_true": prob_true.tolist(), "prob_pred": prob_pred.tolist()}
    return out


def _fairness(column: str, groups: np.ndarray, y_test, y_pred, labels) -> dict:
    """Per-group accuracy and rates on the test rows, and Fairlearn's parity gaps."""
    names = ["count", "accuracy", "selection_rate", "true_positive_rate", "false_positive_rate"]
    pos = labels[1] if len(labels) == 2 else None
    table = M.group_metrics(y_test, y_pred, groups, metrics=names, pos_label=pos).to_dict()
    rows = [{"group": g, "n": int(v.pop("count")), **v} for g, v in table["by_group"].items()]
    gaps = {f"{k} (max - min)": v for k, v in table["difference"].items() if k != "count"}
    kwargs = {"sensitive_features": groups, "pos_label": pos}
    gaps["demographic parity difference"] = M.demographic_parity_difference(
        y_test, y_pred, **kwargs
    )
    gaps["equalized odds difference"] = M.equalized_odds_difference(y_test, y_pred, **kwargs)
    return {"column": column, "groups": rows, "gaps": gaps}


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
    console: Console | None = None,
) -> TrainResult:
    """Train, select, evaluate, explain and package a classifier for ``target``.

    ``data`` is a path/URL (CSV, TSV, Parquet, JSON Lines; local, s3://, gs://, az://)
    or a DataFrame. Writes ``out/bundle`` (the verified bundle), ``out/report.html``
    and ``out/train.json``; pushes the bundle to ``registry`` when given. Candidates
    (``models``): logreg, logreg-ovr, hgb, rf. ``metric="auto"`` asks
    ``skyclass.metrics.recommend_metric``. ``costs``: a ``--costs`` file or value
    (see ``read_costs``); ``priority`` (ranking, probabilities, recall, precision) steers
    ``recommend_metric``. ``time_budget`` (seconds) bounds the whole run; tuning
    uses at most 60% of it, on at most ``tune_rows`` training rows.
    """
    started = time.monotonic()
    console = console or Console(stderr=True, soft_wrap=True)
    steps = Steps(console)
    _check_options(test_size, cv, time_budget)
    candidates = get_candidates(models)
    source = "DataFrame" if isinstance(data, pd.DataFrame) else str(data)
    stem = (
        Path(source.split("?")[0].rstrip("/")).name.split(".")[0]
        if source != "DataFrame"
        else target
    )
    name = name or (re.sub(r"[^A-Za-z0-9._-]+", "-", stem).strip("-._") or "model")
    store = (
        _open_registry(registry) if registry else None
    )  # a bad URL fails now, not after training

    with ExitStack() as stack:
        with steps.step("load") as step:
            raw = load_table(data, encoding=encoding)
            step.note = f"{len(raw):,} rows x {raw.shape[1]} columns from {source}"
        if len(raw) < _SMALL:  # native thread pools only slow small fits down on a busy machine
            stack.enter_context(threadpool_limits(limits=1))
        if sensitive is not None and sensitive not in raw.columns:
            raise InputError(
                f"--sensitive {sensitive!r}: no such column; the columns are: {', '.join(raw.columns)}"
            )
        if sensitive is not None and sensitive == target:
            raise InputError("--sensitive must name a column other than the target")

        with steps.step("validate") as step:
            checked = validate(
                raw,
                target,
                cv=cv,
                test_size=test_size,
                min_class_size=min_class_size,
                merge_rare=merge_rare,
                drop=drop,
            )
            frame = checked.frame
            X_all = frame[checked.features]
            schema = infer_schema(X_all)
            text = [c.name for c in schema if c.kind == "text"]
            if text:
                schema = schema.drop(text)
                for column in text:
                    checked.decisions.append(
                        Decision(
                            column,
                            "drop",
                            "free text (by schema inference); bundles take numeric and categorical features only",
                        )
                    )
                X_all = X_all[schema.names]
            uniques, codes_all = np.unique(frame[target].to_numpy(), return_inverse=True)
            labels = [_plain(v) for v in uniques]
            step.note = f"{len(frame):,} rows, {len(schema.names)} features, {len(labels)} classes; {len(checked.decisions)} decisions"
            for d in checked.decisions:
                steps.info(f"{d.column or '(rows)'}: {d.action} - {d.reason}")
            positive = _positive(frame[target].to_numpy(), labels)
            cost_spec = read_costs(costs, labels, positive) if costs is not None else None

        with steps.step("explore") as step:
            prof = profile(frame, target, seed=seed)
            step.note = (
                f"imbalance ratio {prof['imbalance_ratio']:.2f}; top feature by mutual information: "
                + next(iter(prof["mutual_information"]), "-")
            )
            chosen = _choose_metric(metric, frame[target].to_numpy(), cost_spec, priority, positive)
            scorer = get_scorer(
                chosen["name"],
                n_classes=len(labels),
                positive=labels.index(positive) if positive is not None else 1,
                beta=chosen["beta"],
                cost_matrix=cost_spec.matrix.array if cost_spec is not None else None,
            )
            steps.info(f"metric {scorer.name}: " + " ".join(chosen["reasons"]))

        with steps.step("split") as step:
            y_all = frame[target].to_numpy()
            train_idx, test_idx = stratified_split_index(codes_all, test_size=test_size, seed=seed)
            X_train, X_test = (
                X_all.iloc[train_idx].reset_index(drop=True),
                X_all.iloc[test_idx].reset_index(drop=True),
            )
            y_train, y_test = y_all[train_idx], y_all[test_idx]
            c_train, c_test = codes_all[train_idx], codes_all[test_idx]
            tune_pos = _subsample(c_train, tune_rows, seed)
            X_tune, c_tune = X_train.iloc[tune_pos].reset_index(drop=True), c_train[tune_pos]
            step.note = f"{len(train_idx):,} train / {len(test_idx):,} test (stratified, seed {seed}); {cv}-fold CV on {len(tune_pos):,} rows"

        with steps.step("preprocess") as step:
            folds = _folds(X_tune, c_tune, schema, cv, seed)
            step.note = f"{folds[0].X_train.shape[1]} model features per fold (fitted on each training fold only)"

        with steps.step("tune") as step:
            budget = max(_TUNE_SHARE * time_budget - (time.monotonic() - started), 1.0)
            results = tune(
                candidates,
                folds,
                score=scorer.score,
                n_classes=len(labels),
                greater_is_better=scorer.greater_is_better,
                time_budget=budget,
                max_trials=max_trials,
                seed=seed,
                console=console,
            )
            ranked = rank_results(results, greater_is_better=scorer.greater_is_better)
            if not ranked:
                raise InputError(
                    "every candidate failed to fit: "
                    + "; ".join(f"{r.name}: {r.error}" for r in results)
                )
            step.note = f"{sum(r.n_trials for r in results)} trials in {budget:.0f} s budget"

        with steps.step("select") as step:
            best = ranked[0]
            significance = _significance(ranked, scorer, cv, c_tune)
            step.note = f"{best.name}: {scorer.name} {best.mean:.4f} ± {best.std:.4f}"
            if significance:
                verdict = "significantly" if significance["significant"] else "not significantly"
                steps.info(
                    f"{verdict} better than {significance['runner_up']} (p = {significance['p_value']:.3g})"
                )

        with steps.step("decide") as step:
            y_tune_labels = np.asarray(labels, dtype=object)[c_tune]
            rule_info = choose_rule(
                y_tune_labels,
                best.oof_proba,
                labels,
                metric=scorer.name,
                costs=cost_spec,
                positive=positive,
            )
            step.note = rule_info["explanation"]

        with steps.step("refit") as step:
            preprocessor = Preprocessor(schema).fit(X_train)
            model = CANDIDATES[best.name].build(best.params, seed)
            fit_quietly(model, preprocessor.transform(X_train), y_train)
            step.note = f"{best.name} on {len(X_train):,} training rows"

        with steps.step("test") as step:  # the only time the test rows are used
            proba = np.asarray(
                model.predict_proba(preprocessor.transform(X_test)), dtype=np.float64
            )
            y_pred = M.decide(proba, rule_info["rule"], labels)
            evaluation = M.evaluate(y_test, proba, labels=labels)
            test_metrics = _test_metrics(
                y_test, proba, y_pred, labels, scorer, seed, positive, cost_spec
            )
            per_class = M.classification_report(
                y_test, y_pred, labels=labels, output_dict=True, zero_division=0
            )
            calibration = _calibration(y_test, proba, labels)
            head = test_metrics.get(scorer.name) or next(iter(test_metrics.values()))
            step.note = f"{scorer.name} {head['value']:.4f} (95% interval {head['low']:.4f} to {head['high']:.4f})"
            if scorer.name != "accuracy" and "accuracy" in test_metrics:
                step.note += (
                    f"; accuracy {test_metrics['accuracy']['value']:.4f} (decision rule applied)"
                )
            importance = permutation_ranking(preprocessor, model, X_test, c_test, scorer, seed=seed)
            fairness = None
            if sensitive:
                groups = raw[sensitive].iloc[checked.rows[test_idx]].astype(str).to_numpy()
                fairness = _fairness(sensitive, groups, y_test, y_pred, labels)

        coefficients = None
        if CANDIDATES[best.name].linear and hasattr(model, "coef_"):
            coefficients = top_coefficients(
                model.coef_, list(preprocessor.get_feature_names_out()), labels
            )

        context: dict[str, Any] = {
            "title": f"skyclass report: {name}",
            "created": _dt.datetime.now(_dt.UTC).strftime("%Y-%m-%d %H:%M UTC"),
            "data": {
                "source": source,
                "target": target,
                "labels": labels,
                "n_rows_in": checked.n_rows_in,
                "n_rows": len(frame),
                "n_features": len(schema.names),
                "features": schema.names,
            },
            "decisions": [d.to_dict() for d in checked.decisions],
            "profile": prof,
            "metric": {
                "name": scorer.name,
                "reasons": chosen["reasons"],
                "greater_is_better": scorer.greater_is_better,
            },
            "split": {
                "train": len(train_idx),
                "test": len(test_idx),
                "cv": cv,
                "tune_rows": len(tune_pos),
                "seed": seed,
                "test_size": test_size,
            },
            "candidates": [r.to_dict() for r in results],
            "winner": best.name,
            "significance": significance,
            "decision_rule": rule_info,
            "test": {
                "metrics": test_metrics,
                "per_class": per_class,
                "evaluation": evaluation.to_dict(curves=False),
            },
            "calibration": calibration,
            "interpretation": {
                "coefficients": coefficients,
                "permutation": importance,
                "permutation_note": f"Permutation importance on up to 5,000 test rows (5 shuffles per column, 3 beyond 20 columns), scored with {scorer.name}.",
            },
            "fairness": fairness,
            "versions": _versions(),
        }

        with staged_dir(out) as tmp:
            with steps.step("package") as step:
                bundle_dir = package(
                    tmp / "bundle",
                    preprocessor=preprocessor,
                    model=model,
                    schema=schema,
                    labels=labels,
                    target=target,
                    name=name,
                    X_reference=X_train,
                    decision_rule=rule_info["rule"],
                    metrics={k: v["value"] for k, v in test_metrics.items()},
                    params={
                        "candidate": best.name,
                        **best.params,
                        "metric": scorer.name,
                        "seed": seed,
                        "versions": context["versions"],
                    },
                    card_extra=_card_extra(context),
                    seed=seed,
                )
                step.note = f"{out}/bundle (ONNX + JSON, verified)"
            final_bundle = Path(out).absolute() / Path(bundle_dir).name
            context["bundle"] = {"path": str(final_bundle), "registry": registry, "version": None}
            version = None
            if registry:
                with steps.step("push") as step:
                    version = store.push(bundle_dir, name=name)
                    context["bundle"]["version"] = version
                    step.note = f"{registry} {name}@{version}"
            with steps.step("report") as step:
                from skyclass.report import render_report, write_report

                context["timings"] = dict(steps.timings)
                html = render_report(
                    context, y_true=y_test, proba=proba, y_pred=y_pred, labels=labels
                )
                write_report(tmp / "report.html", html)
                (tmp / "train.json").write_text(
                    json.dumps(context, indent=2, default=_json_default) + "\n"
                )
                step.note = f"{out}/report.html"
        out_dir = Path(out).absolute()
        console.print(
            f"[bold]done[/bold] in {time.monotonic() - started:.1f} s: bundle {final_bundle}, report {out_dir / 'report.html'}",
            highlight=False,
        )
        return TrainResult(
            out_dir=out_dir,
            bundle_path=final_bundle,
            report_path=out_dir / "report.html",
            evaluation=evaluation,
            leaderboard=[r.to_dict() for r in ranked],
            winner=best.name,
            metric=scorer.name,
            decisions=checked.decisions,
            version=version,
            summary=context,
        )


def _versions() -> dict[str, str]:
    """Library versions that decide the result (recorded so a run can be repeated)."""
    from importlib.metadata import version

    names = ("optuna", "scikit-learn", "numpy", "onnxruntime")
    return {"skyclass": __version__, **{n: version(n) for n in names}}


def _card_extra(context: dict) -> str:
    lines = [
        "## How it was trained",
        f"Selected {context['winner']} by {context['metric']['name']} "
        f"({'; '.join(context['metric']['reasons'])}).",
        "",
        "Validation decisions:",
    ]
    lines += [
        f"- {d['column'] or '(rows)'}: {d['action']} - {d['reason']}" for d in context["decisions"]
    ] or ["- none"]
    lines += ["", f"Decision rule: {context['decision_rule']['explanation']}"]
    return "\n".join(lines)

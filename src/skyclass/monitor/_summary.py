"""The ``skyclass monitor`` terminal summary: rich tables of drift, performance and alerts.

Example:
    >>> from rich.console import Console
    >>> from skyclass.monitor import monitor, print_summary
    >>> print_summary(monitor("bundle/", ["log.db"]), Console())  # doctest: +SKIP
"""

from __future__ import annotations

import math
import time

from rich.console import Console
from rich.markup import escape
from rich.table import Table

from skyclass.monitor._run import MonitorResult

__all__ = ["print_summary"]


def _f(value, digits: int = 3) -> str:
    if value is None or (isinstance(value, float) and not math.isfinite(value)):
        return "–"
    return f"{value:.{digits}g}"


def _with_interval(value, interval) -> str:
    if value is None:
        return "–"
    return f"{value:.3f} [{interval[0]:.3f}, {interval[1]:.3f}]"


def _versus_prior(baseline: dict) -> str:
    """A group's verdict against the class prior: which metrics are not better, small samples."""
    if baseline["not_better"]:
        verdict = "[red]NOT better[/red] on " + ", ".join(baseline["not_better"])
    else:
        verdict = "[green]better[/green] on all"
    if baseline["small_sample"]:
        verdict += " [yellow](few rows)[/yellow]"
    acc = baseline["metrics"]["accuracy"]["baseline"]
    return f"acc {acc:.3f}: {verdict}"


def _baseline_table(baseline: dict, window: str) -> Table:
    """Each compared metric of the current window: model, baseline, difference, p, verdict."""
    table = Table(
        title=f"Against the class-prior baseline (labelled rows of the last {window}; "
        f"prior: {baseline['prior_source']})",
        title_justify="left",
    )
    for name in ("metric", "model", "class prior", "difference (interval)", "p", "verdict"):
        table.add_column(name, justify="left" if name in ("metric", "verdict") else "right")
    for name, comp in baseline["metrics"].items():
        if comp["undefined"]:
            table.add_row(
                name, _f(comp["model"]), _f(comp["baseline"]), "–", "–", comp["undefined"]
            )
            continue
        table.add_row(
            name,
            f"{comp['model']:.3f}",
            f"{comp['baseline']:.3f}",
            f"{comp['difference']:+.3f} [{comp['low']:+.3f}, {comp['high']:+.3f}]",
            "< 0.001" if comp["p_value"] < 0.001 else f"{comp['p_value']:.3f}",
            (
                "significantly better"
                if comp["significant"]
                else "[red]NOT significantly better[/red]"
            )
            + f" ({comp['test']})",
        )
    return table


def print_summary(result: MonitorResult, console: Console) -> None:
    """Print the baseline headline, then the overview, drift, performance and alert tables.

    Parameters
    ----------
    result : MonitorResult
        One monitoring pass.
    console : rich.console.Console
        Where to print (the CLI prints to stderr).
    """
    window = result.config.window
    drift = result.drift
    baseline = result.baseline
    if baseline is not None:  # the verdict against the class prior comes first
        bad = baseline["not_better"] or baseline["small_sample"]
        colour = "red" if baseline["not_better"] else "yellow" if bad else "green"
        console.print(f"[bold {colour}]{escape(baseline['headline'])}[/bold {colour}]")
    overview = Table(
        title=f"skyclass monitor — {result.model}", show_header=False, title_justify="left"
    )
    overview.add_column("what", style="bold")
    overview.add_column("value")
    overview.add_row(
        "predictions logged", f"{result.n_predictions:,} ({result.n_labelled:,} with feedback)"
    )
    overview.add_row(f"in the last {window}", f"{result.current.n_predictions:,}")
    if drift is not None:
        verdict = "[red]DRIFT[/red]" if drift.dataset_drift else "[green]no drift[/green]"
        overview.add_row(
            "dataset drift",
            f"{verdict}: {drift.n_drifted}/{len(drift.columns)} columns (share {drift.share:.2f} "
            f"≥ {drift.drift_share:.2f} means drift)",
        )
    pred = result.prediction_drift
    if pred is not None:
        overview.add_row(
            "prediction drift",
            ("[red]yes[/red]" if pred.drifted else "[green]no[/green]")
            + f" ({pred.stattest} {_f(pred.score)}, threshold {_f(pred.threshold)})",
        )
    values = result.current.values
    live_rows = result.live["window"].rows if "window" in result.live else []
    if "accuracy" in values:
        overview.add_row(
            f"live accuracy (last {window})",
            f"{values['accuracy']:.3f} on {result.current.n_labelled} labels",
        )
    if "log_loss" in values:
        overview.add_row(
            f"probabilities (last {window})",
            f"log loss {_f(values['log_loss'])}, ROC AUC OvR {_f(values.get('roc_auc_ovr_macro'))}, "
            f"ECE {_f(values.get('expected_calibration_error'))}",
        )
    if live_rows:
        last = live_rows[-1]
        overview.add_row(
            "live accuracy (latest bucket)",
            _with_interval(last.metrics["accuracy"], last.intervals["accuracy"]),
        )
    if result.estimated:
        latest = result.estimated[-1]
        overview.add_row(
            "estimated accuracy (latest bucket)",
            _with_interval(latest["accuracy"], latest["intervals"]["accuracy"])
            + " (no labels needed)",
        )
    overview.add_row(
        f"data quality (last {window})",
        "; ".join(result.data_quality_lines) or "nothing imputed or scored as unknown",
    )
    overview.add_row("alerts firing", ", ".join(result.firing) if result.firing else "none")
    console.print(overview)
    if baseline is not None:
        console.print(_baseline_table(baseline, window))
    if drift is not None and drift.columns:
        table = Table(title=f"Drift per feature (last {window})", title_justify="left")
        for name in ("column", "kind", "test", "score", "threshold", "drifted", "PSI"):
            table.add_column(
                name, justify="left" if name in ("column", "kind", "test") else "right"
            )
        rows = list(drift.columns) + ([pred] if pred is not None else [])
        for col in rows:
            table.add_row(
                "(predictions)" if col is pred else col.column,
                col.kind,
                col.stattest,
                _f(col.score),
                _f(col.threshold),
                "[red]yes[/red]" if col.drifted else "no",
                _f(col.psi),
            )
        console.print(table)
    for key, title in (
        ("window", "time"),
        ("region", "region"),
        ("model_version", "model version"),
    ):
        if key not in result.live:
            continue
        table = Table(
            title=f"Live performance by {title} ({result.config.confidence:.0%} bootstrap intervals)",
            title_justify="left",
        )
        table.add_column(title)
        for name in ("labelled", "accuracy", "macro F1"):
            table.add_column(name, justify="right")
        table.add_column("vs class prior")
        for row in result.live[key].rows:
            label = row.keys[key]
            if key == "window":
                label = time.strftime("%Y-%m-%d %H:%M", time.gmtime(label))
            table.add_row(
                str(label),
                str(row.n),
                _with_interval(row.metrics["accuracy"], row.intervals["accuracy"]),
                _with_interval(row.metrics["f1_macro"], row.intervals["f1_macro"]),
                _versus_prior(row.baseline),
            )
        console.print(table)
    for note in result.notes:
        console.print(f"[yellow]note:[/yellow] {note}")

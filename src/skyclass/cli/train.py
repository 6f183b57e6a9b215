"""``skyclass train``, ``skyclass evaluate`` and ``skyclass predict``: thin wrappers over the pipeline."""

from __future__ import annotations

import json
import sys
import time
from pathlib import Path

import typer

from skyclass.cli._app import app
from skyclass.cli._quality import STRICT_HELP, say_quality


def _split_list(value: str | None) -> list[str] | None:
    if not value:
        return None
    return [v.strip() for v in value.split(",") if v.strip()]


@app.command()
def train(
    data: str = typer.Argument(
        ..., help="Table: CSV/TSV/Parquet/JSON Lines, local or s3:// gs:// az://."
    ),
    target: str = typer.Option(..., "--target", "-t", help="Column holding the class label."),
    out: Path = typer.Option(
        Path("out"), help="Directory for bundle/, report.html and train.json."
    ),
    registry: str = typer.Option(
        None, help="Registry URL to push the bundle to (e.g. file:///tmp/reg)."
    ),
    name: str = typer.Option(None, help="Model name (default: the data file's stem)."),
    models: str = typer.Option(
        None, help="Comma-separated candidates (default: every registered one; see docs/train.md)."
    ),
    metric: str = typer.Option(
        "auto", help="Selection metric, or auto (recommend_metric decides)."
    ),
    costs: Path = typer.Option(None, help='JSON/CSV costs: {"fp": 1, "fn": 5} or a k x k matrix.'),
    priority: str = typer.Option(
        None, help="What matters most for --metric auto: ranking, probabilities, recall, precision."
    ),
    sensitive: str = typer.Option(
        None, help="Column for the fairness section (per-group metrics)."
    ),
    time_budget: float = typer.Option(
        300.0, help="Seconds for the whole run (tuning gets at most 75%)."
    ),
    test_size: float = typer.Option(0.2, help="Share of rows held out as the test set."),
    cv: int = typer.Option(5, min=2, help="Stratified CV folds inside the training set."),
    seed: int = typer.Option(0, min=0, help="Seed for every random step."),
    min_class_size: int = typer.Option(None, min=1, help="Drop classes with fewer rows than this."),
    merge_rare: str = typer.Option(
        None, help="Merge classes too small to stratify into this label."
    ),
    drop: str = typer.Option(None, help="Comma-separated columns to leave out."),
    max_trials: int = typer.Option(None, min=1, help="Cap on Optuna trials per candidate."),
    tune_rows: int = typer.Option(
        20000, min=1, help="Tune on a stratified sample of at most this many rows."
    ),
    encoding: str = typer.Option(None, help="Text encoding of the file (default: sniffed)."),
    refit_all: bool = typer.Option(
        True,
        help="Refit the winner on every row after the test estimate (--no-refit-all: ship the "
        "model fitted on the training rows).",
    ),
    sign: Path = typer.Option(
        None,
        "--sign",
        help="PEM private key: sign the bundle (model.sig, OpenSSF model signing); the pushed "
        "version is signed with its number.",
    ),
    keep_leaky: bool = typer.Option(
        False,
        "--keep-leaky",
        help="Keep columns that alone nearly determine the target (flagged with the evidence "
        "instead of dropped).",
    ),
) -> None:
    """Train, select, evaluate, explain and package a classifier; write a report.

    Example: skyclass train examples/wine.csv --target cultivar --out out/wine
    """
    options = {**locals(), "drop": _split_list(drop)}  # train() takes these same keywords
    from skyclass.pipeline import train as run

    result = run(**options)
    typer.echo(f"bundle: {result.bundle_path}")
    typer.echo(f"report: {result.report_path}")
    if result.version is not None:
        typer.echo(f"registry: {registry} version {result.version}")


@app.command()
def evaluate(
    bundle: str = typer.Argument(..., help="Bundle directory, .skyclass file or registry URI."),
    data: str = typer.Argument(..., help="Labelled table to evaluate on."),
    target: str = typer.Option(None, help="Target column (default: the bundle's)."),
    report: Path = typer.Option(None, help="Also write an HTML report here."),
    out: Path = typer.Option(None, help="Write the metrics JSON here instead of stdout."),
    seed: int = typer.Option(0, min=0, help="Seed for the bootstrap intervals."),
    unknown_labels: str = typer.Option(
        "drop",
        help="Rows whose label the bundle does not know: drop (counted and reported) or error.",
    ),
    strict: bool = typer.Option(False, "--strict", help=STRICT_HELP),
) -> None:
    """Metrics (with 95% intervals) and the class-prior baseline of a bundle on new labelled data.

    JSON goes to stdout (or --out); the baseline headline and any warnings (absent
    classes, unknown labels, undefined metrics) go to stderr.

    Example: skyclass evaluate out/wine/bundle examples/wine.csv --report eval.html
    """
    from skyclass.pipeline import evaluate_bundle

    result = evaluate_bundle(
        bundle,
        data,
        target=target,
        report=report,
        seed=seed,
        unknown_labels=unknown_labels,
        strict=strict,
    )
    typer.echo(result["headline"], err=True)
    for warning in result["warnings"]:
        typer.echo(f"warning: {warning}", err=True)
    text = json.dumps(result, indent=2, default=str) + "\n"
    if out is None:
        sys.stdout.write(text)
    else:
        out.write_text(text)
        typer.echo(f"metrics: {out}")


@app.command()
def predict(
    bundle: str = typer.Argument(..., help="Bundle directory, .skyclass file or registry URI."),
    data: str = typer.Argument(..., help="Table to score (streamed in chunks)."),
    out: Path = typer.Option(..., help="Output CSV (written atomically)."),
    keep: str = typer.Option(None, help="Comma-separated input columns to copy (e.g. an id)."),
    chunk_rows: int = typer.Option(65536, min=1, help="Rows per chunk."),
    probabilities: bool = typer.Option(True, help="Write proba_<label> columns."),
    strict: bool = typer.Option(False, "--strict", help=STRICT_HELP),
) -> None:
    """Score a table with a bundle: label and class probabilities per row, to CSV.

    Example: skyclass predict out/wine/bundle examples/wine.csv --out preds.csv
    """
    from skyclass.data import DataQuality
    from skyclass.pipeline import predict_file

    quality = DataQuality()
    start = time.perf_counter()
    rows = predict_file(
        bundle,
        data,
        out,
        chunk_rows=chunk_rows,
        keep=_split_list(keep),
        probabilities=probabilities,
        quality=quality,
        strict=strict,
    )
    seconds = time.perf_counter() - start
    say_quality(quality)
    typer.echo(
        f"{rows:,} rows scored in {seconds:.2f} s ({rows / max(seconds, 1e-9):,.0f} rows/s) -> {out}"
    )

"""``skyclass metrics``: evaluate saved predictions (true labels + probabilities) from files.

Example:
    $ skyclass metrics y_true.csv y_proba.csv
    $ skyclass metrics scored.csv proba.csv --column label --json > metrics.json
"""

from __future__ import annotations

import json
from pathlib import Path

import typer

from skyclass.cli._app import app
from skyclass.errors import InputError, NotFoundError


def _read_csv(path: str, what: str):
    import pandas as pd

    file = Path(path)
    if not file.is_file():
        raise NotFoundError(f"{what} file {path!r} does not exist; pass a CSV file path")
    try:
        return pd.read_csv(file)
    except (ValueError, UnicodeDecodeError) as err:
        raise InputError(f"{what} file {path!r} is not a readable CSV: {err}") from err


def _pick(frame, column: str | None, path: str, option: str):
    if column is not None:
        if column not in frame.columns:
            raise InputError(
                f"{path}: no column {column!r}; columns are {list(frame.columns)}; fix {option}"
            )
        return frame[column]
    if frame.shape[1] != 1:
        raise InputError(
            f"{path} has {frame.shape[1]} columns {list(frame.columns)}; choose one with {option}"
        )
    return frame.iloc[:, 0]


PROBA_PREFIX = "proba_"


def _probability_columns(frame, path: str):
    """The probability columns: ``proba_<label>`` ones (``skyclass predict``'s output), else all.

    Every one must hold numbers; a text column is named with how to fix it.
    """
    prefixed = [c for c in frame.columns if str(c).startswith(PROBA_PREFIX)]
    if prefixed:
        frame = frame[prefixed].rename(columns=lambda c: str(c)[len(PROBA_PREFIX) :])
    for name in frame.columns:
        if frame[name].dtype.kind not in "biuf" and not frame[name].isna().all():
            raise InputError(
                f"y_proba file {path!r}: column {name!r} is not numeric; give one probability "
                "column per class (headed by the class label), or the proba_<label> columns "
                "skyclass predict writes"
            )
    return frame


def _header_labels(names: list[str], y_true) -> list:
    """Column names of the probability file as labels of the same type as y_true."""
    if y_true.dtype.kind not in "biuf":
        return names
    labels = []
    for name in names:
        try:
            value = float(name)
        except ValueError as err:
            raise InputError(
                f"y_proba column {name!r} is not a number but y_true holds numbers; name the "
                "columns by their class (e.g. 0,1,2) or pass --labels"
            ) from err
        labels.append(int(value) if value.is_integer() else value)
    return labels


@app.command()
def metrics(
    y_true_csv: str = typer.Argument(
        ..., help="CSV with the true labels (one column, or --column)."
    ),
    y_proba_csv: str = typer.Argument(
        ..., help="CSV of probabilities: one column per class, headed by the class label."
    ),
    column: str = typer.Option(None, "--column", help="Column of Y_TRUE_CSV holding the labels."),
    weight_column: str = typer.Option(
        None, "--weight-column", help="Column of Y_TRUE_CSV holding sample weights."
    ),
    labels: str = typer.Option(
        None, "--labels", help="Comma-separated class of each probability column (default: header)."
    ),
    as_json: bool = typer.Option(False, "--json", help="Print the full evaluation as JSON."),
    curves: bool = typer.Option(False, "--curves", help="Include ROC/PR curves in --json output."),
    max_curve_points: int = typer.Option(200, "--max-curve-points", min=2, help="Points kept per curve."),
) -> None:
    """Evaluate predicted probabilities against true labels: every metric, one pass.

    Example: skyclass metrics y_true.csv y_proba.csv --json
    """
    from skyclass.metrics import evaluate

    truth_frame = _read_csv(y_true_csv, "y_true")
    proba_frame = _probability_columns(_read_csv(y_proba_csv, "y_proba"), y_proba_csv)
    y_true = _pick(truth_frame, column, y_true_csv, "--column").to_numpy()
    weights = None
    if weight_column is not None:
        weights = _pick(truth_frame, weight_column, y_true_csv, "--weight-column").to_numpy()
    proba = proba_frame.to_numpy(dtype=float, na_value=float("nan"))
    if labels is not None:
        chosen = [part.strip() for part in labels.split(",")]
        chosen = _header_labels(chosen, y_true)
    elif proba.shape[1] == 1:
        chosen, proba = None, proba[:, 0]
    else:
        chosen = _header_labels([str(c) for c in proba_frame.columns], y_true)
    ev = evaluate(
        y_true, proba, labels=chosen, sample_weight=weights, max_curve_points=max_curve_points
    )
    if as_json:
        typer.echo(json.dumps(ev.to_dict(curves=curves), indent=2))
    else:
        typer.echo(ev.summary(), nl=False)

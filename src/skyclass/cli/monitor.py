"""``skyclass monitor``, ``skyclass dashboard`` and ``skyclass retrain``: the feedback loop.

Example:
    $ skyclass monitor file:///srv/registry/wine@champion --log predictions.db --html monitor.html
    $ skyclass dashboard out/bundle --log predictions.db --gateway http://127.0.0.1:8000 --port 8765
    $ skyclass retrain wine.csv --target class --log predictions.db --registry file:///srv/registry --name wine
"""

from __future__ import annotations

import json
from pathlib import Path

import typer
from rich.console import Console

from skyclass.cli._app import app
from skyclass.errors import InputError

LOG_HELP = (
    "Prediction log(s) of 'skyclass serve --log' (repeat for several replicas; globs allowed)."
)
BUNDLE_HELP = "Bundle directory, .skyclass file or registry URI (name@alias)."
CONFIG_HELP = "Monitor config (YAML/JSON) or a deployment spec with 'monitor:'."
GATEWAY_HELP = "Gateway URL for region health, latency, errors and cost."
WEBHOOK_HELP = "POST each alert as JSON to this URL."


def _bundle_and_calibration(bundle: str, path: str | None, target: str | None):
    """The loaded bundle, and ``(labels, probabilities)`` of ``--reference-data`` (or None)."""
    from skyclass.bundle import load

    model = load(bundle)
    if path is None:
        return model, None
    from skyclass.data import load_table

    target = target or model.target
    frame = load_table(path)
    if target not in frame.columns:
        raise InputError(f"--reference-data {path}: no target column {target!r}; pass --target")
    return model, (frame[target].tolist(), model.predict_proba(frame.drop(columns=[target])))


def _regions(gateway: str | None, status: str | None):
    from skyclass.monitor import read_status_file, regions_from_gateway

    if gateway:
        return lambda: regions_from_gateway(gateway)
    if status:
        return lambda: read_status_file(status)
    return None


def _config(
    config: str | None,
    window: str | None,
    trend_window: str | None,
    webhook: str | None,
    state: str | None,
):
    from skyclass.monitor import load_monitor_config

    cfg = load_monitor_config(config)
    if window:
        cfg.window = window
    if trend_window:
        cfg.trend_window = trend_window
    if webhook:
        cfg.webhook = webhook
    if state:
        cfg.state = state
    return cfg


@app.command("monitor")
def monitor_command(
    bundle: str = typer.Argument(..., help=BUNDLE_HELP),
    log: list[str] = typer.Option(..., "--log", help=LOG_HELP),
    config: str = typer.Option(None, help=CONFIG_HELP),
    window: str = typer.Option(
        None, help="Current window for drift and estimates, e.g. 1h (default 1h)."
    ),
    trend_window: str = typer.Option(None, help="Bucket of the over-time tables, e.g. 15min."),
    reference_data: str = typer.Option(
        None, help="Labelled held-out table to calibrate estimated performance (default: feedback)."
    ),
    target: str = typer.Option(
        None, help="Target column of --reference-data (default: the bundle's)."
    ),
    html: Path = typer.Option(None, help="Write the HTML monitoring report here."),
    json_out: Path = typer.Option(None, "--json", help="Write the full result as JSON here."),
    gateway: str = typer.Option(None, help=GATEWAY_HELP),
    status: str = typer.Option(
        None, help="Status JSON file (skyclass status --json) for region health."
    ),
    webhook: str = typer.Option(None, help=WEBHOOK_HELP),
    state: str = typer.Option(None, help="Alert state file, so repeated runs don't repeat alerts."),
    now: float = typer.Option(
        None, help="End of the current window (epoch seconds; default: now)."
    ),
    fail_on_alert: bool = typer.Option(
        False, help="Exit with code 1 while any alert rule is firing."
    ),
    allow_other_model: bool = typer.Option(
        False,
        "--allow-other-model",
        help="Monitor a log written by another model (refused by default: its drift means nothing).",
    ),
) -> None:
    """Drift, prediction drift, live and estimated performance, alerts: one pass over the log.

    The summary goes to stderr; each alert that starts or stops firing is one JSON line on stdout.

    Example: skyclass monitor out/bundle --log predictions.db --html monitor.html
    """
    from skyclass.monitor import monitor, print_summary, render_html

    cfg = _config(config, window, trend_window, webhook, state)
    model, calibration = _bundle_and_calibration(bundle, reference_data, target)
    result = monitor(
        model,
        log,
        config=cfg,
        now=now,
        calibration=calibration,
        allow_other_model=allow_other_model,
    )
    console = Console(stderr=True, soft_wrap=True)
    print_summary(result, console)
    if html is not None or json_out is not None:
        read = _regions(gateway, status)
        regions = read() if read else None
        if html is not None:
            html.parent.mkdir(parents=True, exist_ok=True)
            html.write_text(render_html(result, regions=regions), encoding="utf-8")
            console.print(f"HTML report: {html}")
        if json_out is not None:
            json_out.parent.mkdir(parents=True, exist_ok=True)
            json_out.write_text(
                json.dumps({**result.to_dict(), "gateway_regions": regions}, indent=1)
            )
            console.print(f"JSON result: {json_out}")
    if fail_on_alert and result.firing:
        raise typer.Exit(1)


@app.command("dashboard")
def dashboard_command(
    bundle: str = typer.Argument(..., help=BUNDLE_HELP),
    log: list[str] = typer.Option(..., "--log", help=LOG_HELP),
    config: str = typer.Option(None, help=CONFIG_HELP),
    window: str = typer.Option(None, help="Current window for drift and estimates, e.g. 1h."),
    trend_window: str = typer.Option(None, help="Bucket of the over-time plots, e.g. 15min."),
    reference_data: str = typer.Option(
        None, help="Labelled held-out table to calibrate estimates."
    ),
    target: str = typer.Option(None, help="Target column of --reference-data."),
    gateway: str = typer.Option(None, help=GATEWAY_HELP),
    status: str = typer.Option(None, help="Status JSON file for region health."),
    webhook: str = typer.Option(None, help=WEBHOOK_HELP),
    host: str = typer.Option("127.0.0.1", help="Interface to bind (0.0.0.0 only on purpose)."),
    port: int = typer.Option(8765, min=0, max=65535, help="TCP port."),
    refresh: int = typer.Option(15, min=1, help="Seconds between page reloads."),
) -> None:
    """Serve the monitoring dashboard: regions, model versions, drift, performance over time.

    Example: skyclass dashboard out/bundle --log predictions.db --gateway http://127.0.0.1:8000
    """
    import uvicorn

    from skyclass.monitor import dashboard_app

    cfg = _config(config, window, trend_window, webhook, None)
    model, calibration = _bundle_and_calibration(bundle, reference_data, target)
    asgi = dashboard_app(
        model,
        log,
        config=cfg,
        regions=_regions(gateway, status),
        calibration=calibration,
        refresh_s=refresh,
    )
    Console(stderr=True).print(f"dashboard on http://{host}:{port}/")
    uvicorn.run(asgi, host=host, port=port, log_level="warning")


@app.command("retrain")
def retrain_command(
    data: str = typer.Argument(
        ..., help="The original training table (path or s3:// gs:// az:// URL)."
    ),
    target: str = typer.Option(..., help="Target column."),
    log: list[str] = typer.Option(..., "--log", help=LOG_HELP),
    registry: str = typer.Option(
        ..., help="Registry URL, e.g. file:///srv/registry or s3://bucket/models."
    ),
    name: str = typer.Option(..., help="Model name in the registry."),
    champion: str = typer.Option("champion", help="Alias (or version) to compare with."),
    holdout: str = typer.Option(
        None, help="Labelled table for the comparison (default: held-out feedback)."
    ),
    holdout_fraction: float = typer.Option(
        0.3, min=0.0, max=1.0, help="Share of feedback held out for the comparison."
    ),
    metric: str = typer.Option(
        "accuracy", help="accuracy, balanced_accuracy, f1_macro, precision_macro, recall_macro."
    ),
    promote: bool = typer.Option(
        False, help="Move the champion alias to the challenger unless it is worse."
    ),
    margin: float = typer.Option(
        0.0, min=0.0, help="Tolerated loss: worse means the interval lies below -margin."
    ),
    canary_spec: Path = typer.Option(
        None, help="Deployment spec whose rollout.canary.model becomes name@challenger."
    ),
    canary_weight: float = typer.Option(
        None, min=0.0, max=100.0, help="Canary traffic percentage written to the spec (default: keep or 10)."
    ),
    out: Path = typer.Option(Path("retrain-out"), help="Output directory of the training run."),
    models: str = typer.Option(
        None, help="Candidates for skyclass train, e.g. logreg,hgb (default: all)."
    ),
    time_budget: float = typer.Option(300.0, help="Seconds for the training run."),
    max_trials: int = typer.Option(
        None, min=1, help="Most tuning trials per candidate (default: the budget decides)."
    ),
    seed: int = typer.Option(0, min=0, help="Seed of the split, the training and the bootstrap."),
    json_out: Path = typer.Option(None, "--json", help="Write the result as JSON here."),
) -> None:
    """Retrain on the original data plus labelled feedback; compare with the champion; push a challenger.

    Example: skyclass retrain wine.csv --target cultivar --log predictions.db --registry file:///srv/reg --name wine --promote
    """
    from rich.table import Table

    from skyclass.monitor import retrain

    options = {"time_budget": time_budget}
    if models:
        options["models"] = models
    if max_trials:
        options["max_trials"] = max_trials
    result = retrain(
        data,
        target,
        logs=log,
        registry=registry,
        name=name,
        champion=champion,
        holdout=holdout,
        holdout_fraction=holdout_fraction,
        metric=metric,
        promote=promote,
        margin=margin,
        canary_spec=canary_spec,
        canary_weight=canary_weight,
        out=out,
        seed=seed,
        train_options=options,
    )
    console = Console(stderr=True, soft_wrap=True)
    table = Table(title=f"retrain {name}", show_header=False, title_justify="left")
    table.add_column("what", style="bold")
    table.add_column("value")
    table.add_row("training rows", f"{result.n_train} ({result.n_original} original + feedback)")
    table.add_row("held out", f"{result.n_holdout} rows: {result.holdout_source}")
    table.add_row(
        "challenger", f"{result.registry}/{name}@{result.challenger_version} (alias challenger)"
    )
    c = result.comparison
    if c is not None:
        table.add_row(
            f"{c.metric} champion → challenger",
            f"{c.champion:.3f} → {c.challenger:.3f} (Δ {c.difference:+.3f}, {c.confidence:.0%} CI "
            f"[{c.interval[0]:+.3f}, {c.interval[1]:+.3f}], p = {c.p_value:.3g}): {c.verdict}",
        )
    table.add_row(
        "champion", f"{name}@{result.challenger_version}" if result.promoted else "unchanged"
    )
    if result.canary_spec:
        table.add_row("canary", f"{result.canary_spec}: run 'skyclass deploy {result.canary_spec}'")
    console.print(table)
    for note in result.notes:
        console.print(f"[yellow]note:[/yellow] {note}")
    if json_out is not None:
        json_out.write_text(json.dumps(result.to_dict(), indent=1))
    typer.echo(json.dumps(result.to_dict()))

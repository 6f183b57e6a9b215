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


def _calibration(bundle, path: str | None, target: str | None):
    if path is None:
        return None
    from skyclass.data import load_table

    target = target or bundle.target
    frame = load_table(path)
    if target not in frame.columns:
        raise InputError(f"--reference-data {path}: no target column {target!r}; pass --target")
    return frame[target].tolist(), bundle.predict_proba(frame.drop(columns=[target]))


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
    bundle: str = typer.Argument(
        ..., help="Bundle directory, .skyclass file or registry URI (name@alias)."
    ),
    log: list[str] = typer.Option(..., "--log", help=LOG_HELP),
    config: str = typer.Option(
        None, help="Monitor config (YAML/JSON) or a deployment spec with 'monitor:'."
    ),
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
    gateway: str = typer.Option(
        None, help="Gateway URL for region health, latency, errors and cost."
    ),
    status: str = typer.Option(
        None, help="Status JSON file (skyclass status --json) for region health."
    ),
    webhook: str = typer.Option(None, help="POST each alert as JSON to this URL."),
    state: str = typer.Option(None, help="Alert state file, so repeated runs don't repeat alerts."),
    now: float = typer.Option(
        None, help="End of the current window (epoch seconds; default: now)."
    ),
    fail_on_alert: bool = typer.Option(
        False, help="Exit with code 1 while any alert rule is firing."
    ),
) -> None:
    """Drift, prediction drift, live and estimated performance, alerts: one pass over the log.

    The summary goes to stderr; each alert that starts or stops firing is one JSON line on stdout.

    Example: skyclass monitor out/bundle --log predictions.db --html monitor.html
    """
    from skyclass.bundle import load
    from skyclass.monitor import monitor, print_summary, render_html

    cfg = _config(config, window, trend_window, webhook, state)
    model = load(bundle)
    result = monitor(
        model, log, config=cfg, now=now, calibration=_calibration(model, reference_data, target)
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
    bundle: str = typer.Argument(
        ..., help="Bundle directory, .skyclass file or registry URI (name@alias)."
    ),
    log: list[str] = typer.Option(..., "--log", help=LOG_HELP),
    config: str = typer.Option(
        None, help="Monitor config (YAML/JSON) or a deployment spec with 'monitor:'."
    ),
    window: str = typer.Option(None, help="Current window for drift and estimates, e.g. 1h."),
    trend_window: str = typer.Option(None, help="Bucket of the over-time plots, e.g. 15min."),
    reference_data: str = typer.Option(
        None, help="Labelled held-out table to calibrate estimates."
    ),
    target: str = typer.Option(None, help="Target column of --reference-data."),
    gateway: str = typer.Option(
        None, help="Gateway URL for region health, latency, errors and cost."
    ),
    status: str = typer.Option(None, help="Status JSON file for region health."),
    webhook: str = typer.Option(None, help="POST each alert as JSON to this URL."),
    host: str = typer.Option("127.0.0.1", help="Interface to bind (0.0.0.0 only on purpose)."),
    port: int = typer.Option(8765, help="TCP port."),
    refresh: int = typer.Option(15, help="Seconds between page reloads."),
) -> None:
    """Serve the monitoring dashboard: regions, model versions, drift, performance over time.

    Example: skyclass dashboard out/bundle --log predictions.db --gateway http://127.0.0.1:8000
    """
    import uvicorn

    from skyclass.bundle import load
    from skyclass.monitor import dashboard_app

    cfg = _config(config, window, trend_window, webhook, None)
    model = load(bundle)
    asgi = dashboard_app(
        model,
        log,
        config=cfg,
        regions=_regions(gateway, status),
        calibration=_calibration(model, reference_data, target),
        refresh_s=refresh,
    )
    Console(stderr=True).print(f"dashboard on http://{host}:{port}/")
    uvicorn.run(asgi, host=host, port=port, log_level="warning")

"""``skyclass serve``: serve a bundle over the Open Inference Protocol (V2)."""

from __future__ import annotations

import typer

from skyclass.cli._app import app


@app.command()
def serve(
    bundle: str = typer.Argument(
        ..., help="Bundle directory, .skyclass file or registry URI (file:///reg/name@champion)."
    ),
    host: str = typer.Option("127.0.0.1", help="Interface to bind (0.0.0.0 only on purpose)."),
    port: int = typer.Option(8080, min=0, max=65535, help="TCP port."),
    region: str = typer.Option("local", help="Region name stored with every prediction."),
    workers: int = typer.Option(1, min=1, help="Worker processes (one bundle, verified once)."),
    api_key_env: str = typer.Option(
        None,
        help="Env variable holding the API key; then every route but health needs "
        "'Authorization: Bearer <key>'.",
    ),
    log: str = typer.Option(
        "skyclass-predictions.db",
        help="Prediction log: file.db (SQLite WAL), file.jsonl (JSON Lines) or none.",
    ),
    log_queue_size: int = typer.Option(
        100_000, min=1, help="Prediction rows queued for the log writer before dropping."
    ),
    max_batch_size: int = typer.Option(256, min=1, help="Most rows joined into one model call."),
    max_batch_wait_ms: float = typer.Option(
        2.0, min=0.0, help="Longest wait for concurrent requests to join a batch (never when idle)."
    ),
    max_body_bytes: int = typer.Option(8 * 1024 * 1024, min=1, help="Larger request bodies get 413."),
    max_rows: int = typer.Option(100_000, min=1, help="Requests with more rows get 413."),
    request_timeout: float = typer.Option(30.0, help="Seconds before inference gets 504."),
    access_log: bool = typer.Option(True, help="One JSON line per request on stderr."),
    strict: bool = typer.Option(
        False,
        "--strict",
        help="Answer 400 instead of imputing left-out columns / missing values or scoring "
        "unseen categories (otherwise counted and sent in the x-skyclass-data-quality header).",
    ),
    trusted_key: list[str] = typer.Option(
        None,
        "--trusted-key",
        help="PEM public key or CA certificate (repeatable, for key rotation): serve only a "
        "bundle signed by one of them; otherwise stay not ready with the reason.",
    ),
) -> None:
    """Serve BUNDLE over the Open Inference Protocol (V2) REST API.

    Example: skyclass serve out/iris --port 8080 --log predictions.db
    """
    from skyclass.serving import ServeSettings
    from skyclass.serving import serve as run

    settings = ServeSettings(
        host=host,
        port=port,
        region=region,
        workers=workers,
        api_key_env=api_key_env,
        log=log,
        log_queue_size=log_queue_size,
        max_batch_size=max_batch_size,
        max_batch_wait_ms=max_batch_wait_ms,
        max_body_bytes=max_body_bytes,
        max_rows=max_rows,
        request_timeout_s=request_timeout,
        access_log=access_log,
        strict=strict,
        trusted_keys=tuple(trusted_key or ()),
    )
    run(bundle, settings)

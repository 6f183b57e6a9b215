"""Run the server with uvicorn (uvloop + httptools), one or several worker processes.

Several workers need an import string, so the settings and bundle travel to each worker
in the environment variable ``SKYCLASS_SERVE`` (JSON; never the API key itself: each
worker reads it from ``api_key_env``).

Example:
    >>> from skyclass.serving import ServeSettings
    >>> check(ServeSettings(log="none")) is None
    True
"""

from __future__ import annotations

import json
import os
import sqlite3
from pathlib import Path

from skyclass.errors import ConfigError, NotFoundError
from skyclass.serving._app import create_app
from skyclass.serving._settings import ServeSettings
from skyclass.serving._sinks import open_sink

_ENV = "SKYCLASS_SERVE"


def check(settings: ServeSettings, bundle_or_uri: str | None = None) -> None:
    """Fail fast, before starting, on settings that cannot work (one-line errors)."""
    settings.api_key()
    sink = open_sink(settings.log)
    if sink is not None:
        try:
            sink.open()
        except (OSError, sqlite3.Error) as err:
            raise ConfigError(
                f"--log {settings.log}: cannot open the prediction log ({err}); pick a writable "
                "path or --log none"
            ) from None
        finally:
            sink.close()
    if bundle_or_uri is not None and "://" not in str(bundle_or_uri):
        if not Path(bundle_or_uri).exists():
            raise NotFoundError(
                f"bundle {bundle_or_uri!r} does not exist; pass a bundle directory, a .skyclass "
                "file or a registry URI like file:///abs/registry/name@champion"
            )


def serve(bundle_or_uri: str, settings: ServeSettings | None = None) -> None:
    """Serve a bundle over V2 with uvicorn until interrupted (blocks).

    Settings that cannot work (unset API key variable, unwritable log, missing bundle
    path) fail before anything starts.

    Parameters
    ----------
    bundle_or_uri : str
        A bundle directory, a ``.skyclass`` file or a registry URI
        (``s3://models/iris@3``).
    settings : ServeSettings or None
        Server options (host, port, workers, log, ...); ``None`` takes every default.

    Raises
    ------
    skyclass.errors.ConfigError
        When a setting cannot work (see ``check``).
    skyclass.errors.NotFoundError
        When ``bundle_or_uri`` is a local path that does not exist.
    """
    import uvicorn

    settings = settings or ServeSettings()
    check(settings, bundle_or_uri)
    options = dict(
        host=settings.host,
        port=settings.port,
        loop="uvloop",
        http="httptools",
        access_log=False,
        log_level="warning",
        timeout_graceful_shutdown=10,
    )
    if settings.workers == 1:
        uvicorn.run(create_app(bundle_or_uri, settings), **options)
        return
    os.environ[_ENV] = json.dumps({"bundle": str(bundle_or_uri), "settings": settings.to_dict()})
    uvicorn.run(
        "skyclass.serving._server:app_from_env", factory=True, workers=settings.workers, **options
    )


def app_from_env():
    """The app factory each worker process calls (reads ``SKYCLASS_SERVE``)."""
    config = json.loads(os.environ[_ENV])
    return create_app(config["bundle"], ServeSettings.from_dict(config["settings"]))

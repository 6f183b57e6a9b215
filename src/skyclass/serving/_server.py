"""Run the server with uvicorn (uvloop + httptools), one or several worker processes.

Several workers need an import string, so the settings and bundle travel to each worker
in the environment variable ``SKYCLASS_SERVE`` (JSON; never the API key itself: each
worker reads it from ``api_key_env``).

With several workers the parent loads and verifies the bundle once (download, signature,
hashes, golden rows) and writes the verified files to a private temporary ``.skyclass``
zip; each worker serves exactly those bytes: it checks that their manifest is the one the
parent verified (SHA-256) and then re-checks their hashes and golden rows itself, as every
server does before it says ready. So a registry alias is resolved once (every worker
serves the same version even if the alias moves meanwhile), a remote bundle is fetched
once, and nothing but bundle files (JSON, ONNX) crosses between the processes. Should the
parent's verification fail, each worker loads the source itself and reports why it is not
ready, as a single server does.

Example:
    >>> from skyclass.serving import ServeSettings
    >>> check(ServeSettings(log="none")) is None
    True
"""

from __future__ import annotations

import contextlib
import dataclasses
import json
import logging
import os
import shutil
import sqlite3
import tempfile
from collections.abc import Iterator
from pathlib import Path

from skyclass.bundle import Bundle, load, read_files, write_zip
from skyclass.errors import ConfigError, IntegrityError, NotFoundError, SkyclassError
from skyclass.serving._app import create_app
from skyclass.serving._observe import Observe
from skyclass.serving._settings import ServeSettings
from skyclass.serving._sinks import open_sink

_ENV = "SKYCLASS_SERVE"
_logger = logging.getLogger("skyclass.serving")


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
    with _verified_copy(bundle_or_uri, settings) as config:
        os.environ[_ENV] = json.dumps(config)
        uvicorn.run(
            "skyclass.serving._server:app_from_env",
            factory=True,
            workers=settings.workers,
            **options,
        )


@contextlib.contextmanager
def _verified_copy(bundle_or_uri: str, settings: ServeSettings) -> Iterator[dict]:
    """The workers' configuration: the bundle verified here, in a private zip while serving."""
    config: dict = {"bundle": str(bundle_or_uri), "settings": settings.to_dict()}
    try:
        bundle = load(bundle_or_uri, verify=True, trusted_keys=settings.trusted_keys or None)
    except SkyclassError as err:  # each worker fails the same way and says so when probed
        _logger.error("bundle did not verify: %s", err)
        yield config
        return
    folder = tempfile.mkdtemp(prefix="skyclass-serve-")  # readable by this user only
    try:
        path = write_zip(Path(folder) / "verified.skyclass", bundle.files)
        config["verified"] = {
            "path": str(path),
            "version": bundle.version,
            "manifest_sha256": bundle.manifest_sha256,
        }
        # the signature was checked here; the workers check the manifest is this one
        config["settings"] = dataclasses.replace(settings, trusted_keys=()).to_dict()
        del bundle  # this process only supervises the workers: free the model
        yield config
    finally:
        shutil.rmtree(folder, ignore_errors=True)


def app_from_env() -> Observe:
    """The app factory each worker process calls (reads ``SKYCLASS_SERVE``).

    Returns
    -------
    Observe
        The worker's ASGI app, over the bundle the parent verified when there is one.

    Raises
    ------
    skyclass.errors.IntegrityError
        When the parent's verified copy is not the manifest the parent verified.
    """
    config = json.loads(os.environ[_ENV])
    settings = ServeSettings.from_dict(config["settings"])
    verified = config.get("verified")
    if verified is None:
        return create_app(config["bundle"], settings)
    path = verified["path"]
    bundle = Bundle(read_files(path), source=path, verify=False, version=verified["version"])
    if bundle.manifest_sha256 != verified["manifest_sha256"]:
        raise IntegrityError(
            f"{path}: manifest.json is not the one the server verified; restart the server"
        )
    return create_app(bundle, settings)

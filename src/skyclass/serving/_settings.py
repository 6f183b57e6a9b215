"""Every knob of ``skyclass serve`` in one frozen dataclass.

Example:
    >>> from skyclass.serving import ServeSettings
    >>> settings = ServeSettings(port=8080, max_batch_size=64, log="none")
    >>> settings.max_body_bytes
    8388608
"""

from __future__ import annotations

import dataclasses
import os
from dataclasses import dataclass

from skyclass.errors import ConfigError

DEFAULT_LOG = "skyclass-predictions.db"


@dataclass(frozen=True)
class ServeSettings:
    """Server options; every field has a safe default.

    Attributes:
        host: interface to bind; loopback by default, set ``0.0.0.0`` on purpose only.
        port: TCP port.
        region: name of the region this replica serves (stored with every prediction).
        workers: uvicorn worker processes (each loads the bundle itself).
        api_key_env: name of the environment variable holding the API key; ``None`` = no auth.
        log: prediction log sink: a ``.db``/``.sqlite`` path (SQLite WAL), ``*.jsonl`` path
            (JSON Lines), ``sqlite:///path``, ``jsonl:///path`` or ``none``.
        log_queue_size: prediction rows queued for the log writer before new predictions are
            dropped and counted in ``skyclass_prediction_log_dropped_total``.
        max_batch_size: most rows the micro-batcher joins into one model call.
        max_batch_wait_ms: longest a request waits for others to join its batch; it only waits
            while other requests are being read, so a lone request never waits.
        max_body_bytes: request bodies above this get HTTP 413.
        max_rows: requests with more rows get HTTP 413.
        request_timeout_s: inference not done by then gets HTTP 504.
        access_log: write one JSON line per request to stderr.
        tune_gc: once the bundle is loaded, freeze the objects alive then out of the garbage
            collector's reach and space its passes out (short pauses, a low p99; see
            ``skyclass.serving._collector``); turn off when embedding the app in a process
            whose collector you manage yourself.
        trusted_keys: PEM public keys / CA certificates; when given, the bundle must carry a
            valid signature (``model.sig``) by one of them or the server stays not ready with
            the reason. Several at once while keys rotate.
        strict: refuse (400) a request that leaves out an optional column, has missing
            values or categories unseen in training, instead of imputing and answering with
            the ``x-skyclass-data-quality`` header.
    """

    host: str = "127.0.0.1"
    port: int = 8080
    region: str = "local"
    workers: int = 1
    api_key_env: str | None = None
    log: str = DEFAULT_LOG
    log_queue_size: int = 100_000
    max_batch_size: int = 256
    max_batch_wait_ms: float = 2.0
    max_body_bytes: int = 8 * 1024 * 1024
    max_rows: int = 100_000
    request_timeout_s: float = 30.0
    access_log: bool = True
    tune_gc: bool = True
    trusted_keys: tuple[str, ...] = ()
    strict: bool = False

    def __post_init__(self) -> None:
        object.__setattr__(self, "trusted_keys", tuple(str(k) for k in self.trusted_keys))
        if self.trusted_keys:
            from skyclass.bundle import trusted_keys

            trusted_keys(self.trusted_keys)  # unreadable or not a public key: ConfigError now
        positive = ("workers", "log_queue_size", "max_batch_size", "max_body_bytes", "max_rows")
        for name in positive:
            if getattr(self, name) < 1:
                raise ConfigError(f"serve setting {name}={getattr(self, name)} must be at least 1")
        if self.max_batch_wait_ms < 0 or self.request_timeout_s <= 0:
            raise ConfigError(
                "serve settings max_batch_wait_ms must be >= 0 and request_timeout_s > 0, "
                f"got {self.max_batch_wait_ms} and {self.request_timeout_s}"
            )
        if not 0 <= self.port <= 65535:
            raise ConfigError(f"serve setting port={self.port} is not a TCP port (0..65535)")

    def api_key(self) -> str | None:
        """The API key read from ``api_key_env`` (``ConfigError`` if that variable is unset)."""
        if not self.api_key_env:
            return None
        key = os.environ.get(self.api_key_env)
        if not key:
            raise ConfigError(
                f"--api-key-env {self.api_key_env}: that environment variable is unset or empty; "
                "export it with the key clients must send as 'Authorization: Bearer <key>'"
            )
        return key

    def to_dict(self) -> dict:
        """Plain dict (JSON-safe) of every field."""
        return dataclasses.asdict(self)

    @classmethod
    def from_dict(cls, data: dict) -> ServeSettings:
        """Inverse of :meth:`to_dict`."""
        return cls(**data)

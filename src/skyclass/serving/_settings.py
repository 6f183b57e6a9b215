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

    Validated on construction: a count below 1, a negative batch wait, a non-positive
    timeout, a port outside 0..65535 or an unreadable trusted key raise ``ConfigError``.

    Attributes
    ----------
    host : str
        Interface to bind; ``127.0.0.1`` (loopback) by default. Set ``0.0.0.0`` only on
        purpose, to accept connections from other machines.
    port : int
        TCP port (0 asks the OS for a free one). Default 8080.
    region : str
        Name of the region this replica serves, stored with every prediction and shown in
        ``GET /v2``. Default ``"local"``.
    workers : int
        Uvicorn worker processes. With more than one, the parent loads and verifies the
        bundle once and every worker serves those verified bytes. Default 1.
    api_key_env : str or None
        Name of the environment variable holding the API key; ``None`` (default) means no
        auth. When set, every route but the two health probes needs
        ``Authorization: Bearer <key>``.
    log : str
        Prediction log sink: a ``.db``/``.sqlite`` path (SQLite WAL), a ``*.jsonl`` path
        (JSON Lines), ``sqlite:///path``, ``jsonl:///path``, ``name:///path`` for any sink
        registered in ``SINKS``, or ``none``. Default ``skyclass-predictions.db``.
    log_queue_size : int
        Prediction rows queued for the log writer before new predictions are dropped and
        counted in ``skyclass_prediction_log_dropped_total``. Default 100,000 rows.
    log_process : bool
        Encode and write the prediction log in a child process of its own (forked when the
        app starts), so the per-row work of the log never holds the server's GIL. Default
        True; False writes from a thread of the server process.
    max_batch_size : int
        Most rows the micro-batcher joins into one model call. Default 256.
    max_batch_wait_ms : float
        Longest a request waits, in milliseconds, for others to join its batch; it only
        waits while other requests are being read, so a lone request never waits.
        Default 2.0; 0 turns the wait off.
    max_body_bytes : int
        Request bodies above this many bytes (declared, streamed or after decompression)
        get HTTP 413. Default 8 MiB.
    max_rows : int
        Requests with more rows get HTTP 413. Default 100,000.
    request_timeout_s : float
        Seconds an inference (or a durable log commit) may take before the reply is HTTP
        504 (503 for the commit). Default 30.
    access_log : bool
        Write one JSON line per request to stderr. Default True.
    tune_gc : bool
        Once the bundle is loaded, freeze the objects alive then out of the garbage
        collector's reach and space its passes out (short pauses, a low p99; see
        ``skyclass.serving._collector``). Turn off when embedding the app in a process whose
        collector you manage yourself. Default True.
    trusted_keys : tuple of str
        Paths of PEM public keys / CA certificates; when given, the bundle must carry a
        valid signature (``model.sig``) by one of them or the server stays not ready with
        the reason. Several at once while keys rotate. Default: none (no signature check).
    strict : bool
        Refuse (400) a request that leaves out an optional column, has missing values or
        categories unseen in training, instead of imputing and answering with the
        ``x-skyclass-data-quality`` header. Default False.
    """

    host: str = "127.0.0.1"
    port: int = 8080
    region: str = "local"
    workers: int = 1
    api_key_env: str | None = None
    log: str = DEFAULT_LOG
    log_queue_size: int = 100_000
    log_process: bool = True
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
        """The API key read from the environment variable named by ``api_key_env``.

        Returns
        -------
        str or None
            The key, or ``None`` when ``api_key_env`` is not set (no auth).

        Raises
        ------
        ConfigError
            When ``api_key_env`` names a variable that is unset or empty.
        """
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
        """Every field as a plain, JSON-safe dict (how settings travel to worker processes).

        Returns
        -------
        dict
            Field name → value; ``trusted_keys`` becomes a list.
        """
        return dataclasses.asdict(self)

    @classmethod
    def from_dict(cls, data: dict) -> ServeSettings:
        """Settings from the dict :meth:`to_dict` wrote (validated as on construction).

        Parameters
        ----------
        data : dict
            Field name → value; unknown names raise ``TypeError``.

        Returns
        -------
        ServeSettings
            Equal to the settings that wrote ``data``.
        """
        return cls(**data)

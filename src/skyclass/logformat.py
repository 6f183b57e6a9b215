"""The prediction-log format: what ``skyclass serve`` writes and ``skyclass monitor`` reads.

One home for the contract between the writer (``skyclass.serving``'s sinks) and the
reader (``skyclass.monitor.read_prediction_log``), so neither restates it:

- a log is named by a spec: ``path/log.db`` or ``sqlite:///abs/log.db`` (SQLite, WAL),
  ``path/log.jsonl`` / ``.ndjson`` or ``jsonl:///abs/log.jsonl`` (JSON Lines), or
  ``none`` / ``off`` (no log) — :func:`parse_log_spec`;
- a prediction has :data:`PREDICTION_COLUMNS`; ``inputs``, ``probabilities`` and
  ``label`` are JSON text in SQLite and JSON values in JSON Lines;
- of those, :data:`OPTIONAL_COLUMNS` may be absent (logs written before them) or null:
  ``bundle_sha256`` is the SHA-256 of the serving bundle's ``manifest.json`` (its identity),
  ``quality`` is set on the first row of a request whose inputs needed imputation: a JSON
  object ``{"rows": n, "missing_columns": {column: cells}, "missing_values": {...},
  "unseen": {...}, "coerced": {...}, "examples": {column: [value, ...]}}`` (only non-empty
  kinds), counted over the whole request (``skyclass.data.DataQuality``);
- feedback has :data:`FEEDBACK_COLUMNS` (``label`` is JSON too); in JSON Lines each
  object carries ``"kind": "prediction"`` or ``"kind": "feedback"``;
- SQLite holds the tables of :data:`SQLITE_SCHEMA`.

Example:
    >>> parse_log_spec("runs/log.jsonl"), parse_log_spec("sqlite:///srv/log.db")
    (('jsonl', 'runs/log.jsonl'), ('sqlite', '/srv/log.db'))
    >>> parse_log_spec("off") is None
    True
"""

from __future__ import annotations

from skyclass.errors import ConfigError

__all__ = [
    "FEEDBACK_COLUMNS",
    "JSONL_SUFFIXES",
    "OPTIONAL_COLUMNS",
    "PREDICTION_COLUMNS",
    "SCHEMES",
    "SQLITE_SCHEMA",
    "parse_log_spec",
]

PREDICTION_COLUMNS = (
    "id",
    "ts",
    "model_name",
    "model_version",
    "region",
    "inputs",
    "probabilities",
    "label",
    "bundle_sha256",
    "quality",
)
#: columns added after the first release: a log written before them lacks them (read as null)
OPTIONAL_COLUMNS = ("bundle_sha256", "quality")
FEEDBACK_COLUMNS = ("id", "ts", "label")
SCHEMES = ("sqlite", "jsonl")
JSONL_SUFFIXES = (".jsonl", ".ndjson")
SQLITE_SCHEMA = (
    "CREATE TABLE IF NOT EXISTS predictions(id TEXT PRIMARY KEY, ts REAL, model_name TEXT, "
    "model_version TEXT, region TEXT, inputs TEXT, probabilities TEXT, label TEXT, "
    "bundle_sha256 TEXT, quality TEXT)",
    "CREATE TABLE IF NOT EXISTS feedback(id TEXT, ts REAL, label TEXT)",
    "CREATE INDEX IF NOT EXISTS feedback_id ON feedback(id)",
)


def parse_log_spec(
    spec: str, *, where: str = "--log", schemes: tuple[str, ...] = SCHEMES
) -> tuple[str, str] | None:
    """``(scheme, path)`` of a log spec, or ``None`` for ``none`` / ``off`` / empty.

    Parameters
    ----------
    spec : str
        A path (the suffix decides: ``.jsonl``/``.ndjson`` is JSON Lines, anything
        else SQLite) or a ``scheme://path`` URI with a scheme of :data:`SCHEMES`.
    where : str
        Where the spec came from, for the error message (``--log``, ``log``).
    schemes : tuple of str
        The ``scheme://`` names accepted: the readable formats by default; the server
        passes every registered sink (``skyclass.serving``'s ``SINKS.names()``).

    Returns
    -------
    tuple of (str, str) or None
        The scheme (``"sqlite"`` or ``"jsonl"``) and the file path.

    Raises
    ------
    ConfigError
        For an unknown scheme; the message lists the valid forms.
    """
    spec = spec.strip()
    if spec.lower() in ("", "none", "off"):
        return None
    if "://" in spec:
        scheme, _, path = spec.partition("://")
        if scheme not in schemes:
            forms = ", ".join(f"{name}:///path" for name in schemes)
            raise ConfigError(f"{where} {spec!r}: unknown sink '{scheme}'; use {forms} or none")
        return scheme, path
    return ("jsonl" if spec.endswith(JSONL_SUFFIXES) else "sqlite"), spec

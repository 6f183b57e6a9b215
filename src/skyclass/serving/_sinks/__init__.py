"""Prediction log sinks: where served predictions and feedback are stored.

``open_sink(spec)`` picks one by a spec string:

* ``path/to/log.db`` or ``sqlite:///abs/log.db`` - SQLite in WAL mode (the default);
* ``path/to/log.jsonl`` or ``jsonl:///abs/log.jsonl`` - JSON Lines;
* ``none`` - no log.

Example:
    >>> import tempfile, pathlib
    >>> sink = open_sink(str(pathlib.Path(tempfile.mkdtemp()) / "log.jsonl"))
    >>> type(sink).__name__
    'JsonLinesSink'
"""

from __future__ import annotations

from skyclass.errors import ConfigError
from skyclass.serving._sinks._base import FeedbackRow, PredictionRow, Sink
from skyclass.serving._sinks._jsonl import JsonLinesSink
from skyclass.serving._sinks._sqlite import SqliteSink

__all__ = ["FeedbackRow", "JsonLinesSink", "PredictionRow", "Sink", "SqliteSink", "open_sink"]

_SCHEMES = {"sqlite": SqliteSink, "jsonl": JsonLinesSink}


def open_sink(spec: str) -> Sink | None:
    """The sink a ``--log`` spec names, or ``None`` for ``none``/``off``."""
    spec = spec.strip()
    if spec.lower() in ("", "none", "off"):
        return None
    if "://" in spec:
        scheme, _, path = spec.partition("://")
        if scheme not in _SCHEMES:
            raise ConfigError(
                f"--log {spec!r}: unknown sink '{scheme}'; use sqlite:///path, jsonl:///path or none"
            )
        return _SCHEMES[scheme](path)
    if spec.endswith((".jsonl", ".ndjson")):
        return JsonLinesSink(spec)
    return SqliteSink(spec)

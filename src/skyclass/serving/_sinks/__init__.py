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

from skyclass.logformat import parse_log_spec
from skyclass.serving._sinks._base import FeedbackRow, PredictionRow, Sink
from skyclass.serving._sinks._jsonl import JsonLinesSink
from skyclass.serving._sinks._sqlite import SqliteSink

__all__ = ["FeedbackRow", "JsonLinesSink", "PredictionRow", "Sink", "SqliteSink", "open_sink"]

_SCHEMES = {"sqlite": SqliteSink, "jsonl": JsonLinesSink}


def open_sink(spec: str) -> Sink | None:
    """The sink a ``--log`` spec names, or ``None`` for ``none``/``off``."""
    parsed = parse_log_spec(spec)  # the format shared with the monitor's reader
    if parsed is None:
        return None
    scheme, path = parsed
    return _SCHEMES[scheme](path)

"""Prediction log sinks: where served predictions and feedback are stored.

``open_sink(spec)`` picks one by a ``--log`` spec string:

* ``path/to/log.db`` or ``sqlite:///abs/log.db`` - SQLite in WAL mode (the default);
* ``path/to/log.jsonl`` or ``jsonl:///abs/log.jsonl`` - JSON Lines;
* ``name:///path`` - any sink registered in ``SINKS`` (``SINKS.names()``);
* ``none`` - no log.

A bare path is read by the rule of ``skyclass.logformat`` (the one the monitor's reader
uses); a ``scheme://`` is looked up in the registry. Each sink is one module below,
registered with ``@SINKS.register(name)`` and imported here (one line each).

Example:
    >>> import tempfile, pathlib
    >>> sink = open_sink(str(pathlib.Path(tempfile.mkdtemp()) / "log.jsonl"))
    >>> type(sink).__name__, SINKS.names()
    ('JsonLinesSink', ('jsonl', 'sqlite'))
"""

from __future__ import annotations

from skyclass.logformat import parse_log_spec
from skyclass.serving._sinks._base import SINKS, FeedbackRow, PredictionRow, Sink
from skyclass.serving._sinks._jsonl import JsonLinesSink
from skyclass.serving._sinks._sqlite import SqliteSink

__all__ = [
    "SINKS",
    "FeedbackRow",
    "JsonLinesSink",
    "PredictionRow",
    "Sink",
    "SqliteSink",
    "open_sink",
]


def open_sink(spec: str) -> Sink | None:
    """The sink a ``--log`` spec names, or ``None`` for ``none``/``off``."""
    parsed = parse_log_spec(spec, schemes=SINKS.names())
    if parsed is None:
        return None
    scheme, path = parsed
    return SINKS.create(scheme, path)

"""SQLite (WAL) prediction log: the tables monitoring reads directly.

Example:
    >>> import tempfile, pathlib
    >>> sink = SqliteSink(pathlib.Path(tempfile.mkdtemp()) / "log.db")
    >>> sink.open()
    >>> sink.write([PredictionRow("r1", 1.0, "m", "1", "eu", "{}", "[1.0]", '"a"')], [])
    1
    >>> sink.close()
"""

from __future__ import annotations

import sqlite3
from pathlib import Path

from skyclass.logformat import SQLITE_SCHEMA
from skyclass.serving._sinks._base import SINKS, FeedbackRow, PredictionRow, Sink


@SINKS.register("sqlite")
class SqliteSink(Sink):
    """Appends to ``predictions`` and ``feedback`` in one transaction per write.

    WAL mode with ``synchronous=NORMAL``: a committed transaction survives a crash or
    ``kill -9`` of the server; after an OS crash or power loss the last commits may be lost.
    A prediction id seen before is kept as first written (``INSERT OR IGNORE``).
    """

    def __init__(self, path: str | Path) -> None:
        super().__init__(path)
        self._db: sqlite3.Connection | None = None

    def open(self) -> None:
        self.path.parent.mkdir(parents=True, exist_ok=True)
        self._db = sqlite3.connect(self.path, timeout=30.0, isolation_level=None)
        self._db.execute("PRAGMA journal_mode=WAL")
        self._db.execute("PRAGMA synchronous=NORMAL")
        for statement in SQLITE_SCHEMA:
            self._db.execute(statement)

    def write(self, predictions: list[PredictionRow], feedback: list[FeedbackRow]) -> int:
        db = self._db
        db.execute("BEGIN IMMEDIATE")
        try:
            before = db.total_changes
            db.executemany(
                "INSERT OR IGNORE INTO predictions VALUES (?, ?, ?, ?, ?, ?, ?, ?)", predictions
            )
            added = db.total_changes - before
            db.executemany("INSERT INTO feedback VALUES (?, ?, ?)", feedback)
            db.execute("COMMIT")
        except BaseException:
            db.execute("ROLLBACK")
            raise
        return added

    def close(self) -> None:
        if self._db is not None:
            self._db.close()
            self._db = None

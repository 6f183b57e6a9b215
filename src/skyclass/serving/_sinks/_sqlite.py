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

import orjson

from skyclass.logformat import OPTIONAL_COLUMNS, SQLITE_SCHEMA
from skyclass.serving._sinks._base import SINKS, FeedbackRow, PredictionRow, Sink

#: every prediction of a write in one statement over one JSON array of rows: SQLite parses
#: and inserts them with the GIL released throughout, where ``executemany`` releases and
#: retakes it once per row (each retake a wait on the busy event loop thread)
_INSERT_FROM_JSON = (
    "INSERT OR IGNORE INTO predictions SELECT value->>0, value->>1, value->>2, value->>3, "
    "value->>4, value->>5, value->>6, value->>7, value->>8, value->>9 FROM json_each(?)"
)

#: in the log's own process, where releasing the GIL per row costs the server nothing:
#: ``executemany`` takes 23 ms of CPU per 10,000 rows, the JSON statement 57 (SQLite 3.40)
_INSERT_ROWS = "INSERT OR IGNORE INTO predictions VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?)"


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
        # checkpoint every ~40 MB of WAL instead of 4 MB: a page (the id index's leaves are hit
        # at random) dirtied by many commits in between is copied back to the database once
        self._db.execute("PRAGMA wal_autocheckpoint=10000")
        for statement in SQLITE_SCHEMA:
            self._db.execute(statement)
        have = {row[1] for row in self._db.execute("PRAGMA table_info(predictions)")}
        for column in OPTIONAL_COLUMNS:  # a log written before the column existed
            if column not in have:
                self._db.execute(f"ALTER TABLE predictions ADD COLUMN {column} TEXT")

    def write(self, predictions: list[PredictionRow], feedback: list[FeedbackRow]) -> int:
        db = self._db
        db.execute("BEGIN IMMEDIATE")
        try:
            before = db.total_changes
            if predictions and self.own_process:
                db.executemany(_INSERT_ROWS, predictions)  # less than half the CPU
            elif predictions:
                db.execute(_INSERT_FROM_JSON, (orjson.dumps(predictions, default=tuple),))
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

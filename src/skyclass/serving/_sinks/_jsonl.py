"""JSON Lines prediction log: one object per line, ``"kind": "prediction"`` or ``"feedback"``.

Fields are those of the SQLite tables, with ``inputs``, ``probabilities``, ``label`` and
``quality`` embedded as JSON values rather than JSON text; ``bundle_sha256`` and ``quality``
are left out of a line when ``None``.

Example:
    >>> import tempfile, pathlib
    >>> path = pathlib.Path(tempfile.mkdtemp()) / "log.jsonl"
    >>> sink = JsonLinesSink(path)
    >>> sink.open()
    >>> sink.write([], [FeedbackRow("r1", 1.0, '"a"')])
    0
    >>> sink.close()
    >>> path.read_text()
    '{"kind":"feedback","id":"r1","ts":1.0,"label":"a"}\\n'
"""

from __future__ import annotations

import os
from pathlib import Path

import orjson

from skyclass.serving._sinks._base import SINKS, FeedbackRow, PredictionRow, Sink


@SINKS.register("jsonl")
class JsonLinesSink(Sink):
    """Appends lines with one ``write`` system call per batch (``O_APPEND``), so several
    worker processes can share a file; a batch is handed to the OS before ``write`` returns,
    so it survives ``kill -9`` of the server (not an OS crash: there is no fsync)."""

    def __init__(self, path: str | Path) -> None:
        super().__init__(path)
        self._fd: int | None = None

    def open(self) -> None:
        self.path.parent.mkdir(parents=True, exist_ok=True)
        self._fd = os.open(self.path, os.O_WRONLY | os.O_APPEND | os.O_CREAT, 0o644)

    def write(self, predictions: list[PredictionRow], feedback: list[FeedbackRow]) -> int:
        lines = []
        append = lines.append
        middles: dict = {}  # the fields a batch shares, encoded once per distinct value
        for (
            row_id,
            ts,
            model_name,
            model_version,
            region,
            inputs,
            probabilities,
            label,
            bundle,
            quality,
        ) in predictions:
            key = (type(ts), ts, model_name, model_version, region, bundle)
            middle = middles.get(key)
            if middle is None:
                middle = middles[key] = (
                    b',"ts":%r,"model_name":%s,"model_version":%s,"region":%s%s,"inputs":'
                    % (
                        ts,
                        _text(model_name),
                        _text(model_version),
                        _text(region),
                        b',"bundle_sha256":%s' % _text(bundle) if bundle else b"",
                    )
                )
            append(
                b'{"kind":"prediction","id":%s%s%s,"probabilities":%s,"label":%s%s}\n'
                % (
                    _text(row_id),
                    middle,
                    inputs.encode(),
                    probabilities.encode(),
                    label.encode(),
                    b',"quality":%s' % quality.encode() if quality else b"",
                )
            )
        lines += [
            b'{"kind":"feedback","id":%s,"ts":%r,"label":%s}\n'
            % (_text(row.id), row.ts, row.label.encode())
            for row in feedback
        ]
        data = b"".join(lines)
        while data:
            written = os.write(self._fd, data)
            data = data[written:]
        return len(predictions)

    def close(self) -> None:
        if self._fd is not None:
            os.close(self._fd)
            self._fd = None


def _text(value: str) -> bytes:
    return orjson.dumps(value)

"""Following Envoy's attempt log: failed and sampled upstream attempts, unrouted requests.

Envoy writes one line per failed upstream attempt and per sampled successful one (host,
status, milliseconds, start time, which attempt of its request it was; status 0 when no
answer came) and one ``!`` line per request it answered itself with a 5xx because no
region could (see ``config.ATTEMPT_FORMAT``). The control plane reads new complete
lines every poll: latency quantiles come from the sample, failovers from the failed
attempts; request and error counts come from Envoy's host counters instead (exact, and
free of per-request logging). The file is rotated past 16 MiB (rename, then Envoy's
``/reopen_logs``).

Example:
    >>> parse("127.0.0.1:9001 200 3 1700000000.250 1\\n")
    Attempt(host='127.0.0.1:9001', status=200, ms=3.0, started=1700000000.25, attempt=1)
    >>> parse("! 503 UH\\n") is UNROUTED
    True
"""

from __future__ import annotations

import os
from dataclasses import dataclass
from pathlib import Path

ROTATE_BYTES = 16 * 1024 * 1024


@dataclass(frozen=True)
class Attempt:
    """One upstream attempt as Envoy logged it."""

    host: str
    status: int
    ms: float
    started: float
    attempt: int


UNROUTED = Attempt("", 503, 0.0, 0.0, 0)


def parse(line: str) -> Attempt | None:
    """One log line → an :class:`Attempt`, :data:`UNROUTED`, or None for a malformed line."""
    parts = line.split()
    if parts[:1] == ["!"]:
        return UNROUTED
    if len(parts) != 5 or parts[0] == "-":
        return None
    host, status, ms, started, attempt = parts
    try:
        return Attempt(host, int(status), float(ms), float(started), int(attempt))
    except ValueError:
        return None


class Tail:
    """Reads the complete lines appended to ``path`` since the last call."""

    def __init__(self, path: Path) -> None:
        self.path = path
        self._offset = 0
        self._partial = b""

    def read(self) -> list[str]:
        try:
            with open(self.path, "rb") as handle:
                handle.seek(self._offset)
                data = handle.read()
        except FileNotFoundError:
            return []
        self._offset += len(data)
        data = self._partial + data
        *lines, self._partial = data.split(b"\n")
        return [line.decode("utf-8", "replace") for line in lines]

    def needs_rotation(self) -> bool:
        return self._offset > ROTATE_BYTES

    def rotated(self) -> Path:
        """Move the file aside (Envoy keeps writing to it until it reopens its logs)."""
        aside = self.path.with_suffix(".old")
        os.replace(self.path, aside)
        return aside

    def finish(self, aside: Path) -> list[str]:
        """The last lines of the moved file; then follow the new file from its start."""
        self.path, old = aside, self.path
        lines = self.read()
        aside.unlink(missing_ok=True)
        self.path, self._offset, self._partial = old, 0, b""
        return lines

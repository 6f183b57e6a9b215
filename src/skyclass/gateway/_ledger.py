"""Cost ledger and per-region traffic statistics (req/s, p50/p99, error rate, dollars).

Example:
    >>> ledger = Ledger(now=90.0)
    >>> for t in range(20):
    ...     ledger.record("eu", ok=True, ms=4.0, now=90.0 + t / 2)
    >>> stats = ledger.region_stats("eu", now=100.0)
    >>> stats["requests"], stats["rps"], stats["p50_ms"]
    (20, 2.0, 4.0)
"""

from __future__ import annotations

import time
from collections import deque

_WINDOW_S = 10.0
_MAX_SAMPLES = 4096


class _RegionBook:
    def __init__(self) -> None:
        self.requests = 0
        self.errors = 0
        self.replica_seconds = 0.0
        self.recent: deque[tuple[float, float, bool]] = deque(maxlen=_MAX_SAMPLES)


def _quantile(sorted_values: list[float], q: float) -> float | None:
    if not sorted_values:
        return None
    index = min(len(sorted_values) - 1, int(q * (len(sorted_values) - 1) + 0.5))
    return sorted_values[index]


class Ledger:
    """Counts requests and replica-seconds per region; prices them on demand."""

    def __init__(self, now: float | None = None) -> None:
        self._books: dict[str, _RegionBook] = {}
        self._started = time.monotonic() if now is None else now

    def _book(self, region: str) -> _RegionBook:
        book = self._books.get(region)
        if book is None:
            book = self._books[region] = _RegionBook()
        return book

    def record(self, region: str, *, ok: bool, ms: float, now: float | None = None) -> None:
        """One upstream attempt answered (``ok``) or failed after ``ms`` milliseconds."""
        book = self._book(region)
        book.requests += 1
        book.errors += 0 if ok else 1
        book.recent.append((time.monotonic() if now is None else now, ms, ok))

    def add_replica_seconds(self, region: str, seconds: float) -> None:
        """Time one replica of ``region`` spent registered (billed whether used or not)."""
        self._book(region).replica_seconds += seconds

    def region_stats(self, region: str, now: float | None = None) -> dict:
        """Totals plus req/s, p50/p99 (ms) and error rate over the last 10 s."""
        now = time.monotonic() if now is None else now
        book = self._book(region)
        window = [(t, ms, ok) for t, ms, ok in book.recent if now - t <= _WINDOW_S]
        latencies = sorted(ms for _, ms, ok in window if ok)
        span = min(_WINDOW_S, max(now - self._started, 1.0))  # a young gateway: its age
        return {
            "requests": book.requests,
            "errors": book.errors,
            "rps": len(window) / span,
            "p50_ms": _quantile(latencies, 0.50),
            "p99_ms": _quantile(latencies, 0.99),
            "error_rate": (sum(1 for *_, ok in window if not ok) / len(window)) if window else 0.0,
            "replica_hours": book.replica_seconds / 3600.0,
        }

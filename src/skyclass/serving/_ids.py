"""Request and row ids: ids for requests that bring none, and the ids of a request's rows.

A request without ``id`` gets one that is unguessable, time-ordered and cheap to make.

An id is 32 hex characters, like ``uuid.uuid4().hex``: 12 for the milliseconds since the
epoch, then 20 random ones (80 bits). The time prefix makes the ids of a server sort by
time, so the prediction log's id index grows at its right edge instead of dirtying a random
page per row; the random part keeps ids unguessable, so nobody can send feedback for
another client's prediction by counting. The randomness is read from ``os.urandom`` 4 KiB
at a time: one system call per 400 ids instead of one per id (``uuid4`` was 4 % of a
single-row request's CPU).

Example:
    >>> new_id = RequestIds()
    >>> first, second = new_id(), new_id()
    >>> len(first), first != second, first[:12] <= second[:12]
    (32, True, True)
"""

from __future__ import annotations

import os
import time
from collections.abc import Sequence

_BLOCK = 4096  # random bytes per system call
_RANDOM_HEX = 20  # 80 bits per id


class RequestIds:
    """Makes request ids; call it for the next one (on one thread: the event loop's)."""

    def __init__(self) -> None:
        self._random = ""
        self._offset = 0

    def __call__(self) -> str:
        offset = self._offset
        if offset + _RANDOM_HEX > len(self._random):
            self._random, offset = os.urandom(_BLOCK).hex(), 0
        self._offset = offset + _RANDOM_HEX
        return f"{time.time_ns() // 1_000_000:012x}{self._random[offset : offset + _RANDOM_HEX]}"


def row_ids(request_id: str, n_rows: int) -> list[str]:
    """The row ids of a request: ``[R]`` for one row, else ``[R:0, R:1, ...]``."""
    if n_rows == 1:
        return [request_id]
    return [f"{request_id}:{i}" for i in range(n_rows)]


class RowIds(Sequence):
    """The row ids of a request (``R`` or ``R:0``, ``R:1``, ...), made only when read.

    Example:
        >>> list(RowIds("r", 2)), list(RowIds("r", 1)), RowIds("r", 3)[-1]
        (['r:0', 'r:1'], ['r'], 'r:2')
    """

    __slots__ = ("request_id", "n_rows")

    def __init__(self, request_id: str, n_rows: int) -> None:
        self.request_id = request_id
        self.n_rows = n_rows

    def __len__(self) -> int:
        return self.n_rows

    def __iter__(self):
        return iter(row_ids(self.request_id, self.n_rows))

    def __getitem__(self, position):
        if isinstance(position, slice):
            return row_ids(self.request_id, self.n_rows)[position]
        if not -self.n_rows <= position < self.n_rows:
            raise IndexError("row id index out of range")
        if self.n_rows == 1:
            return self.request_id
        return f"{self.request_id}:{position % self.n_rows}"

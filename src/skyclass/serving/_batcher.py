"""Adaptive micro-batching: concurrent requests share one model call.

A request that arrives while the model is idle and no other request is being read runs
at once, so a lone client sees no added latency. Under load, requests queue while the
model is busy and the next call takes them all (up to ``max_rows``); it waits up to
``max_wait_s`` only while other requests are still being read (``expect()``), the moment
those would join. Small batches run on the event loop (tens of microseconds); large ones
on a worker thread so health checks keep answering.

Example:
    >>> import asyncio, numpy as np
    >>> double = lambda columns: columns["x"] * 2
    >>> batcher = MicroBatcher(double, max_rows=64, max_wait_s=0.002)
    >>> async def main():
    ...     parts = [{"x": np.array([1.0, 2.0])}, {"x": np.array([3.0])}]
    ...     return await asyncio.gather(*(batcher.submit(p, len(p["x"])) for p in parts))
    >>> [r.tolist() for r in asyncio.run(main())]
    [[2.0, 4.0], [6.0]]
"""

from __future__ import annotations

import asyncio
from collections.abc import Callable
from dataclasses import dataclass

import numpy as np

#: batches up to this many rows run on the event loop; bigger ones on a thread
INLINE_ROWS = 512


@dataclass
class _Pending:
    columns: dict[str, np.ndarray]
    n_rows: int
    future: asyncio.Future


class MicroBatcher:
    """Joins concurrent ``submit`` calls into calls of ``predict(columns)``.

    ``predict`` returns an array (or a tuple of arrays) with one row per input row;
    each caller gets its own rows back.
    """

    def __init__(
        self,
        predict: Callable[[dict[str, np.ndarray]], np.ndarray],
        *,
        max_rows: int = 256,
        max_wait_s: float = 0.002,
        on_batch: Callable[[int, int], None] | None = None,
    ) -> None:
        self.predict = predict
        self.max_rows = max_rows
        self.max_wait_s = max_wait_s
        self.on_batch = on_batch
        self._pending: list[_Pending] = []
        self._arriving = 0
        self._wake: asyncio.Event | None = None
        self._worker: asyncio.Task | None = None

    def expect(self) -> None:
        """Note that a request is being read and will probably ``submit`` soon."""
        self._arriving += 1

    def arrived(self) -> None:
        """Undo ``expect()`` (call once per ``expect``, before ``submit`` or on failure)."""
        self._arriving -= 1

    async def submit(self, columns: dict[str, np.ndarray], n_rows: int) -> np.ndarray:
        """The model output rows for ``columns``, computed in some (shared) batch."""
        loop = asyncio.get_running_loop()
        if self._worker is None or self._worker.done():
            self._wake = asyncio.Event()
            self._worker = loop.create_task(self._run())
        future = loop.create_future()
        self._pending.append(_Pending(columns, n_rows, future))
        self._wake.set()
        return await future

    async def _run(self) -> None:
        while True:
            await self._wake.wait()
            self._wake.clear()
            while self._pending:
                await self._gather()
                batch = self._take()
                await self._execute(batch)
                await asyncio.sleep(0)  # let replies go out and new requests in

    async def _gather(self) -> None:
        """Wait (bounded) for requests being read right now, if there is room for them."""
        if self.max_wait_s <= 0:
            return
        deadline = asyncio.get_running_loop().time() + self.max_wait_s
        while self._arriving > 0 and self._rows() < self.max_rows:
            remaining = deadline - asyncio.get_running_loop().time()
            if remaining <= 0:
                return
            self._wake.clear()
            try:
                await asyncio.wait_for(self._wake.wait(), remaining)
            except TimeoutError:
                return

    def _rows(self) -> int:
        return sum(item.n_rows for item in self._pending)

    def _take(self) -> list[_Pending]:
        batch, rows = [], 0
        while self._pending and (not batch or rows + self._pending[0].n_rows <= self.max_rows):
            item = self._pending.pop(0)
            if not item.future.cancelled():
                batch.append(item)
                rows += item.n_rows
        return batch

    async def _execute(self, batch: list[_Pending]) -> None:
        if not batch:
            return
        rows = sum(item.n_rows for item in batch)
        if len(batch) == 1:
            columns = batch[0].columns
        else:
            columns = {
                name: np.concatenate([item.columns[name] for item in batch])
                for name in batch[0].columns
            }
        try:
            if rows <= INLINE_ROWS:
                output = self.predict(columns)
            else:
                output = await asyncio.to_thread(self.predict, columns)
        except Exception as err:
            if len(batch) > 1:  # one bad request must not fail its neighbours
                for item in batch:
                    await self._execute([item])
                return
            _settle(batch[0].future, error=err)
            return
        if self.on_batch is not None:
            self.on_batch(rows, len(batch))
        start = 0
        for item in batch:
            stop = start + item.n_rows
            if isinstance(output, tuple):
                _settle(item.future, result=tuple(part[start:stop] for part in output))
            else:
                _settle(item.future, result=output[start:stop])
            start = stop


def _settle(future: asyncio.Future, *, result=None, error: BaseException | None = None) -> None:
    if future.done():
        return
    if error is not None:
        future.set_exception(error)
    else:
        future.set_result(result)

"""The adaptive micro-batcher: joins concurrent requests, never delays a lone one."""

from __future__ import annotations

import asyncio
import threading

import numpy as np
import pytest

from skyclass.serving._batcher import INLINE_ROWS, MicroBatcher


class Recorder:
    """A model that doubles ``x`` and records the size of every call."""

    def __init__(self) -> None:
        self.calls: list[int] = []

    def __call__(self, columns):
        x = columns["x"]
        self.calls.append(len(x))
        if (x < 0).any():
            raise ValueError("negative")
        return x * 2, x + 1


def _part(*values: float) -> dict:
    return {"x": np.array(values, dtype=np.float64)}


def test_concurrent_requests_share_one_call_and_get_their_own_rows():
    model = Recorder()
    batcher = MicroBatcher(model, max_rows=64, max_wait_s=0.0)

    async def main():
        parts = [_part(i, i + 0.5) for i in range(10)]
        return await asyncio.gather(*(batcher.submit(p, 2) for p in parts))

    results = asyncio.run(main())
    assert model.calls == [20]
    for i, (doubled, plus_one) in enumerate(results):
        assert doubled.tolist() == [2 * i, 2 * i + 1] and plus_one.tolist() == [i + 1, i + 1.5]


def test_batches_respect_max_rows():
    model = Recorder()
    batcher = MicroBatcher(model, max_rows=5, max_wait_s=0.0)

    async def main():
        return await asyncio.gather(*(batcher.submit(_part(1, 2), 2) for _ in range(5)))

    asyncio.run(main())
    assert model.calls == [4, 4, 2]


def test_lone_request_does_not_wait_even_with_a_long_max_wait():
    batcher = MicroBatcher(Recorder(), max_rows=64, max_wait_s=5.0)

    async def main():
        loop = asyncio.get_running_loop()
        start = loop.time()
        await batcher.submit(_part(1.0), 1)
        return loop.time() - start

    assert asyncio.run(main()) < 1.0


def test_waits_for_requests_being_read_then_joins_them():
    model = Recorder()
    batcher = MicroBatcher(model, max_rows=64, max_wait_s=5.0)

    async def late():
        batcher.expect()
        await asyncio.sleep(0.05)  # still reading its body
        batcher.arrived()
        return await batcher.submit(_part(2.0), 1)

    async def main():
        batcher.expect()
        reader = asyncio.create_task(late())
        batcher.arrived()
        first = await batcher.submit(_part(1.0), 1)
        return first, await reader

    first, second = asyncio.run(main())
    assert model.calls == [2]
    assert first[0].tolist() == [2.0] and second[0].tolist() == [4.0]


def test_a_failing_request_does_not_fail_its_batch_neighbours():
    model = Recorder()
    batcher = MicroBatcher(model, max_rows=64, max_wait_s=0.0)

    async def main():
        good = batcher.submit(_part(1.0), 1)
        bad = batcher.submit(_part(-1.0), 1)
        return await asyncio.gather(good, bad, return_exceptions=True)

    good, bad = asyncio.run(main())
    assert good[0].tolist() == [2.0]
    assert isinstance(bad, ValueError)


def test_large_batches_run_off_the_event_loop():
    threads = []

    def model(columns):
        threads.append(threading.get_ident())
        return columns["x"]

    batcher = MicroBatcher(model, max_rows=10 * INLINE_ROWS, max_wait_s=0.0)

    async def main():
        await batcher.submit(_part(*range(4)), 4)
        await batcher.submit(_part(*range(INLINE_ROWS + 1)), INLINE_ROWS + 1)
        return threading.get_ident()

    loop_thread = asyncio.run(main())
    assert threads[0] == loop_thread and threads[1] != loop_thread


@pytest.mark.parametrize("max_rows", [1, 3])
def test_oversized_single_request_still_runs(max_rows):
    model = Recorder()
    batcher = MicroBatcher(model, max_rows=max_rows, max_wait_s=0.0)
    out = asyncio.run(batcher.submit(_part(1, 2, 3, 4), 4))
    assert out[0].tolist() == [2, 4, 6, 8] and model.calls == [4]

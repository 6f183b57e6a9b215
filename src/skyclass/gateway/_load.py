"""A small open-loop load generator: fixed request rate, every answer recorded.

Used by the acceptance tests, the benchmark and the demo to show that no client
request fails while regions die.

Example:
    >>> from skyclass.gateway import drive
    >>> result = drive("http://127.0.0.1:9/v2/health/ready", rate=5, duration=0.2, method="GET")
    >>> result.total, result.failed
    (1, 1)
"""

from __future__ import annotations

import asyncio
import time
from collections import Counter
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field

import aiohttp

from skyclass.gateway._client import TRANSPORT_ERRORS


@dataclass(frozen=True)
class Call:
    """One client request: when it was sent/answered (s since start), status, who answered."""

    sent: float
    done: float
    status: int
    region: str
    track: str
    error: str = ""
    model_version: str = ""

    @property
    def ok(self) -> bool:
        return not self.error and 200 <= self.status < 300


@dataclass
class LoadResult:
    """Every call of a run, plus when each scheduled event fired."""

    calls: list[Call] = field(default_factory=list)
    events: list[float] = field(default_factory=list)
    duration: float = 0.0

    @property
    def total(self) -> int:
        return len(self.calls)

    @property
    def failed(self) -> int:
        return sum(1 for c in self.calls if not c.ok)

    @property
    def rps(self) -> float:
        return self.total / self.duration if self.duration else 0.0

    def by_region(self) -> Counter:
        """Answered calls per serving region."""
        return Counter(c.region for c in self.calls if c.ok)

    def last_sent_to(self, region: str) -> float | None:
        """Send time of the last call that ``region`` answered (None if it answered none)."""
        times = [c.sent for c in self.calls if c.region == region]
        return max(times) if times else None


async def _drive(
    url: str,
    body: bytes,
    method: str,
    headers: dict,
    rate: float,
    duration: float,
    events: Sequence[tuple[float, Callable[[], object]]],
    timeout: float,
    concurrency: int,
) -> LoadResult:
    result = LoadResult()
    gate = asyncio.Semaphore(concurrency)
    start = time.perf_counter()

    async def one(session: aiohttp.ClientSession) -> None:
        async with gate:
            sent = time.perf_counter() - start
            try:
                async with session.request(method, url, data=body or None, headers=headers) as r:
                    text = await r.text()
                    call = Call(
                        sent,
                        time.perf_counter() - start,
                        r.status,
                        r.headers.get("x-skyclass-region", ""),
                        r.headers.get("x-skyclass-track", ""),
                        "" if r.status < 300 else text[:200],
                        r.headers.get("x-skyclass-model-version", ""),
                    )
            except TRANSPORT_ERRORS as err:
                call = Call(
                    sent, time.perf_counter() - start, 0, "", "", f"{type(err).__name__}: {err}"
                )
            result.calls.append(call)

    async def fire(at: float, action: Callable[[], object]) -> None:
        await asyncio.sleep(max(0.0, at - (time.perf_counter() - start)))
        result.events.append(time.perf_counter() - start)
        await asyncio.to_thread(action)

    connector = aiohttp.TCPConnector(limit=concurrency)
    client_timeout = aiohttp.ClientTimeout(total=timeout)
    async with aiohttp.ClientSession(connector=connector, timeout=client_timeout) as client:
        side = [asyncio.create_task(fire(at, action)) for at, action in events]
        tasks = []
        n = max(1, int(rate * duration))
        for i in range(n):
            delay = start + i / rate - time.perf_counter()
            if delay > 0:
                await asyncio.sleep(delay)
            tasks.append(asyncio.create_task(one(client)))
        await asyncio.gather(*tasks, *side)
    result.duration = time.perf_counter() - start
    return result


def drive(
    url: str,
    body: bytes = b"",
    *,
    rate: float = 200.0,
    duration: float = 5.0,
    method: str = "POST",
    headers: dict[str, str] | None = None,
    events: Sequence[tuple[float, Callable[[], object]]] = (),
    timeout: float = 10.0,
    concurrency: int = 128,
) -> LoadResult:
    """Send ``rate`` requests per second for ``duration`` s; run each ``(at_s, action)`` event.

    Actions run in a worker thread at their time (e.g. killing a region mid-run).
    """
    headers = {"content-type": "application/json", **(headers or {})}
    return asyncio.run(
        _drive(url, body, method, headers, rate, duration, events, timeout, concurrency)
    )

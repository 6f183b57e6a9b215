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
    """One client request: when it was sent/answered (s since start), status, who answered.

    Attributes
    ----------
    sent : float
        Seconds from the start of the run to sending the request.
    done : float
        Seconds from the start of the run to its answer (or failure).
    status : int
        The HTTP status; 0 when no answer came (refused, reset, timed out).
    region : str
        The ``x-skyclass-region`` header of the answer ("" when absent).
    track : str
        The ``x-skyclass-track`` header (``primary``, ``canary``; "" when absent).
    error : str
        Why it failed: the exception, or the start of a non-2xx body ("" on success).
    model_version : str
        The ``x-skyclass-model-version`` header of the answer.
    """

    sent: float
    done: float
    status: int
    region: str
    track: str
    error: str = ""
    model_version: str = ""

    @property
    def ok(self) -> bool:
        """True for a 2xx answer without error."""
        return not self.error and 200 <= self.status < 300


@dataclass
class LoadResult:
    """Every call of a run, plus when each scheduled event fired.

    Attributes
    ----------
    calls : list of Call
        Every request, in the order the answers came.
    events : list of float
        Seconds from the start at which each scheduled event fired.
    duration : float
        Seconds the whole run took, until the last answer.
    """

    calls: list[Call] = field(default_factory=list)
    events: list[float] = field(default_factory=list)
    duration: float = 0.0

    @property
    def total(self) -> int:
        """Requests sent."""
        return len(self.calls)

    @property
    def failed(self) -> int:
        """Requests without a 2xx answer."""
        return sum(1 for c in self.calls if not c.ok)

    @property
    def rps(self) -> float:
        """Requests per second over the run."""
        return self.total / self.duration if self.duration else 0.0

    def by_region(self) -> Counter:
        """Answered calls per serving region.

        Returns
        -------
        collections.Counter
            Region name → successful calls it answered.
        """
        return Counter(c.region for c in self.calls if c.ok)

    def last_sent_to(self, region: str) -> float | None:
        """Send time of the last call that ``region`` answered.

        Parameters
        ----------
        region : str
            The region, as the ``x-skyclass-region`` header names it.

        Returns
        -------
        float or None
            Seconds from the start; None if it answered none.
        """
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

    Open loop: requests go out on schedule whether or not earlier ones were answered (up
    to ``concurrency`` in flight), so a slow gateway shows as latency, not as fewer calls.

    Parameters
    ----------
    url : str
        The full URL every request goes to.
    body : bytes
        The request body (default empty).
    rate : float
        Requests per second (default 200).
    duration : float
        Seconds of sending (default 5); ``rate * duration`` requests in all.
    method : str
        The HTTP method (default ``POST``).
    headers : dict of str to str, optional
        Extra request headers; ``content-type: application/json`` is always sent.
    events : sequence of (float, callable)
        ``(seconds from start, action)`` pairs; each action runs in a worker thread at
        its time (e.g. killing a region mid-run).
    timeout : float
        Seconds one request may take before it counts as failed (default 10).
    concurrency : int
        Most requests in flight at once (default 128).

    Returns
    -------
    LoadResult
        Every call with its timing, status and answering region, and the event times.
    """
    headers = {"content-type": "application/json", **(headers or {})}
    return asyncio.run(
        _drive(url, body, method, headers, rate, duration, events, timeout, concurrency)
    )

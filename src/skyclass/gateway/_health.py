"""Active health checks: one asyncio task per endpoint polling the V2 readiness path."""

from __future__ import annotations

import asyncio
import time

import aiohttp

from skyclass.gateway._client import TRANSPORT_ERRORS
from skyclass.gateway._router import Router
from skyclass.gateway._state import EndpointState


async def check_forever(
    router: Router, state: EndpointState, session: aiohttp.ClientSession
) -> None:
    """GET ``health.path`` every ``interval_ms`` and report each result to the router."""
    health = router.settings.health
    url = state.endpoint.url.rstrip("/") + health.path
    timeout = aiohttp.ClientTimeout(total=health.timeout_ms / 1000.0)
    while True:
        started = time.perf_counter()
        try:
            async with session.get(url, timeout=timeout, **router.tls_options(state)) as response:
                await response.read()
                ok, refused = response.status == 200, False
        except TRANSPORT_ERRORS as err:
            ok, refused = False, not isinstance(err, asyncio.TimeoutError)
        router.on_health(state, ok, (time.perf_counter() - started) * 1000.0, refused=refused)
        await asyncio.sleep(health.interval_ms / 1000.0)


class HealthChecker:
    """Keeps exactly one check task per endpoint of the router's current table."""

    def __init__(self, router: Router, session: aiohttp.ClientSession) -> None:
        self._router = router
        self._session = session
        self._tasks: dict[str, tuple[EndpointState, asyncio.Task]] = {}

    def sync(self) -> None:
        """Start tasks for new endpoints and cancel those of removed ones."""
        states = self._router.states
        for url, (state, task) in list(self._tasks.items()):
            if states.get(url) is not state:
                task.cancel()
                del self._tasks[url]
        for url, state in states.items():
            if url not in self._tasks:
                task = asyncio.create_task(check_forever(self._router, state, self._session))
                self._tasks[url] = (state, task)

    async def stop(self) -> None:
        for _, task in self._tasks.values():
            task.cancel()
        await asyncio.gather(*(t for _, t in self._tasks.values()), return_exceptions=True)
        self._tasks.clear()

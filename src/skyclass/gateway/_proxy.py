"""Forwarding one client request: residency, canary split, retries elsewhere, hedging, shadow.

Example (inside an event loop, with a router and an ``aiohttp.ClientSession``):
    status, headers, body = await Proxy(router, session).handle("POST", "/v2/models/m/infer", [], b"{}")
"""

from __future__ import annotations

import asyncio
import time
from dataclasses import dataclass, field

import aiohttp
import orjson
from multidict import CIMultiDict

from skyclass.gateway._client import TRANSPORT_ERRORS
from skyclass.gateway._router import Router
from skyclass.gateway._state import EndpointState

_HOP_BY_HOP = {
    b"connection",
    b"keep-alive",
    b"transfer-encoding",
    b"te",
    b"trailer",
    b"upgrade",
    b"proxy-connection",
    b"content-length",
    b"host",
    b"accept-encoding",
    b"content-encoding",
}

_NOT_PASSED_BACK = _HOP_BY_HOP | {b"x-skyclass-region", b"x-skyclass-track"}

Headers = list[tuple[bytes, bytes]]
Forward = CIMultiDict


@dataclass
class Outcome:
    """One upstream attempt: an answer (status, headers, body) or a transport error."""

    state: EndpointState
    status: int = 0
    headers: Headers = field(default_factory=list)
    body: bytes = b""
    error: str = ""

    @property
    def ok(self) -> bool:
        return not self.error and self.status < 500


def _error(status: int, message: str, region: str = "none") -> tuple[int, Headers, bytes]:
    headers = [(b"content-type", b"application/json"), (b"x-skyclass-region", region.encode())]
    return status, headers, orjson.dumps({"error": message})


def _labels_of(body: bytes) -> list | None:
    """The ``label`` output's data from a V2 infer answer, or None when absent."""
    try:
        outputs = orjson.loads(body).get("outputs", [])
    except (orjson.JSONDecodeError, AttributeError):
        return None
    for output in outputs:
        if isinstance(output, dict) and output.get("name") == "label":
            return output.get("data")
    return None


class Proxy:
    """Routes requests through a :class:`Router` with one shared connection pool."""

    def __init__(self, router: Router, session: aiohttp.ClientSession) -> None:
        self.router = router
        self.session = session
        self._background: set[asyncio.Task] = set()

    async def handle(
        self, method: str, target: str, headers: Headers, body: bytes
    ) -> tuple[int, Headers, bytes]:
        """Answer one client request: ``(status, headers, body)``, never raising for bad input."""
        router = self.router
        forward = CIMultiDict(
            (k.decode("latin-1"), v.decode("latin-1")) for k, v in headers if k not in _HOP_BY_HOP
        )
        zone = self._zone(headers)
        if zone is not None and zone not in router.zones():
            known = ", ".join(sorted(router.zones())) or "none"
            return _error(
                400,
                f"unknown data zone {zone!r} in header "
                f"{router.settings.residency.header}; zones served here: {known}",
            )
        track = router.pick_track()
        outcome = await self._route(track, zone, method, target, forward, body)
        if outcome is None or outcome.error:
            router.unrouted += 1
            router.metrics.unrouted.inc()
            where = f" in data zone {zone!r}" if zone is not None else ""
            detail = f" (last failure: {outcome.state.region}: {outcome.error})" if outcome else ""
            return _error(
                503,
                f"no healthy region{where} could answer{detail}; "
                "check `skyclass status` and retry later",
            )
        if outcome.ok and outcome.state.endpoint.track == "primary" and router.pool("shadow", zone):
            if router.want_shadow():
                self._spawn(self._mirror(zone, method, target, forward, body, outcome.body))
        region = outcome.state.region.encode()
        out = [(k.lower(), v) for k, v in outcome.headers if k.lower() not in _NOT_PASSED_BACK]
        out.append((b"x-skyclass-region", region))
        out.append((b"x-skyclass-track", outcome.state.endpoint.track.encode()))
        return outcome.status, out, outcome.body

    def _zone(self, headers: Headers) -> str | None:
        residency = self.router.settings.residency
        if residency is None:
            return None
        wanted = residency.header.lower().encode()
        for key, value in headers:
            if key == wanted:
                return value.decode("latin-1").strip()
        return None

    async def _route(
        self, track: str, zone: str | None, method: str, target: str, headers: Forward, body: bytes
    ) -> Outcome | None:
        router = self.router
        tried: set[str] = set()
        last: Outcome | None = None
        for _ in range(1 + router.settings.retries):
            state = router.choose(track, zone, tried)
            if state is None and track == "canary":
                track = "primary"
                state = router.choose(track, zone, tried)
            if state is None:
                break
            if last is not None:
                router.on_failover(last.state)
            tried.add(state.endpoint.url)
            last = await self._attempt_hedged(
                state, track, zone, tried, method, target, headers, body
            )
            if last.ok:
                return last
        return last

    async def _attempt_hedged(
        self,
        state: EndpointState,
        track: str,
        zone: str | None,
        tried: set[str],
        method: str,
        target: str,
        headers: Forward,
        body: bytes,
    ) -> Outcome:
        hedge_ms = self.router.settings.hedge_after_ms
        if hedge_ms is None:
            return await self._attempt(state, method, target, headers, body)
        first = asyncio.create_task(self._attempt(state, method, target, headers, body))
        done, _ = await asyncio.wait({first}, timeout=hedge_ms / 1000.0)
        if done:
            return first.result()
        other = self.router.choose(track, zone, tried)
        if other is None:
            return await first
        tried.add(other.endpoint.url)
        second = asyncio.create_task(self._attempt(other, method, target, headers, body))
        pending = {first, second}
        result: Outcome | None = None
        while pending:
            done, pending = await asyncio.wait(pending, return_when=asyncio.FIRST_COMPLETED)
            for task in done:
                result = task.result()
                if result.ok:
                    for loser in pending:
                        loser.cancel()
                    return result
        assert result is not None
        return result

    async def _attempt(
        self, state: EndpointState, method: str, target: str, headers: Forward, body: bytes
    ) -> Outcome:
        router = self.router
        url = state.endpoint.url.rstrip("/") + target
        state.outstanding += 1
        state.last_routed = time.time()
        started = time.perf_counter()
        try:
            async with self.session.request(
                method, url, headers=headers, data=body, **router.tls_options(state)
            ) as response:
                content = await response.read()
                status, raw = response.status, list(response.raw_headers)
        except TRANSPORT_ERRORS as err:
            timed_out = isinstance(err, asyncio.TimeoutError)
            router.on_transport_error(
                state, (time.perf_counter() - started) * 1000.0, timed_out=timed_out
            )
            return Outcome(state, error=f"{type(err).__name__}: {err}".rstrip(": "))
        finally:
            state.outstanding -= 1
        router.on_response(state, status, (time.perf_counter() - started) * 1000.0)
        return Outcome(state, status, raw, content)

    def _spawn(self, coro) -> None:
        task = asyncio.create_task(coro)
        self._background.add(task)
        task.add_done_callback(self._background.discard)

    async def _mirror(
        self,
        zone: str | None,
        method: str,
        target: str,
        headers: Forward,
        body: bytes,
        primary_body: bytes,
    ) -> None:
        """Send a copy to a shadow endpoint of the same zone and count label disagreements."""
        router = self.router
        state = router.choose("shadow", zone, set())
        if state is None:
            router.shadow_failed += 1
            router.metrics.shadow.labels(result="no_endpoint").inc()
            return
        router.shadow_sent += 1
        outcome = await self._attempt(state, method, target, headers, body)
        if not outcome.ok:
            router.shadow_failed += 1
            router.metrics.shadow.labels(result="failed").inc()
            return
        if _labels_of(outcome.body) != _labels_of(primary_body):
            router.shadow_disagreements += 1
            router.metrics.shadow.labels(result="disagree").inc()
        else:
            router.metrics.shadow.labels(result="agree").inc()

    async def drain(self) -> None:
        """Wait for shadow copies still in flight (used at shutdown)."""
        if self._background:
            await asyncio.gather(*self._background, return_exceptions=True)

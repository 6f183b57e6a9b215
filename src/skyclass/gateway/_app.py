"""The gateway as a raw ASGI application (run it with uvicorn).

Paths under ``/gateway/`` belong to the gateway itself: ``/gateway/health``,
``/gateway/status`` (JSON per region) and ``/gateway/metrics`` (Prometheus).
Everything else is forwarded to an upstream V2 server.

Example:
    >>> from skyclass.gateway import GatewayApp, GatewaySettings
    >>> app = GatewayApp(GatewaySettings(), endpoints_file="endpoints.json")
    >>> # uvicorn.run(app, host="127.0.0.1", port=8000)
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
import os
from pathlib import Path

import aiohttp
import orjson
from pydantic import ValidationError

from skyclass.gateway._client import new_session
from skyclass.gateway._health import HealthChecker
from skyclass.gateway._proxy import Proxy
from skyclass.gateway._router import Router
from skyclass.gateway._settings import GatewaySettings, RoutingTable

log = logging.getLogger("skyclass.gateway")

_WATCH_INTERVAL_S = 0.1


def read_table(path: str | os.PathLike) -> RoutingTable:
    """Parse a routing-table JSON file; a missing file is an empty table.

    Parameters
    ----------
    path : str or os.PathLike
        The ``endpoints.json`` a deploy writes.

    Returns
    -------
    RoutingTable
        The table in the file, or an empty one when there is no file.

    Raises
    ------
    pydantic.ValidationError
        When the file is not a valid routing table.
    """
    try:
        raw = Path(path).read_bytes()
    except FileNotFoundError:
        return RoutingTable()
    return RoutingTable.model_validate_json(raw)


class GatewayApp:
    """ASGI app: a :class:`Router`, its health checks and (optionally) a watched table file.

    Parameters
    ----------
    settings : GatewaySettings
        How to route, retry and check health (``listen`` is the server's business).
    table : RoutingTable, optional
        The routing table to start with (default: read ``endpoints_file``, else empty).
    endpoints_file : str or os.PathLike, optional
        A routing-table file to follow: reloaded within 0.1 s of every replacement.
    """

    def __init__(
        self,
        settings: GatewaySettings,
        table: RoutingTable | None = None,
        *,
        endpoints_file: str | os.PathLike | None = None,
    ) -> None:
        self.settings = settings
        self.endpoints_file = endpoints_file
        if table is None and endpoints_file is not None:
            table = read_table(endpoints_file)
        self.router = Router(settings, table)
        self._proxy: Proxy | None = None
        self._session: aiohttp.ClientSession | None = None
        self._health: HealthChecker | None = None
        self._health_session: aiohttp.ClientSession | None = None
        self._watcher: asyncio.Task | None = None

    async def startup(self) -> None:
        """Open the upstream connection pools, start health checks and the file watcher."""
        self._session = new_session(self.settings.timeout_ms)
        self._health_session = new_session(self.settings.health.timeout_ms, limit=100)
        self._proxy = Proxy(self.router, self._session)
        self._health = HealthChecker(self.router, self._health_session)
        self._health.sync()
        if self.endpoints_file is not None:
            self._watcher = asyncio.create_task(self._watch(Path(self.endpoints_file)))

    async def shutdown(self) -> None:
        """Stop watching and checking, let requests in flight finish, close the pools."""
        if self._watcher is not None:
            self._watcher.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await self._watcher
        if self._health is not None:
            await self._health.stop()
            await self._health_session.close()
        if self._proxy is not None:
            await self._proxy.drain()
        if self._session is not None:
            await self._session.close()

    async def _watch(self, path: Path) -> None:
        """Reload the table whenever the file changes (writers replace it atomically)."""
        seen: tuple[int, int] | None = None
        while True:
            try:
                stat = path.stat()
                key = (stat.st_mtime_ns, stat.st_size)
            except FileNotFoundError:
                key = None
            if key is not None and key != seen:
                seen = key
                try:
                    self.router.load(read_table(path))
                    self._health.sync()
                except (OSError, ValidationError) as err:
                    log.error("ignoring invalid routing table %s: %s", path, err)
            await asyncio.sleep(_WATCH_INTERVAL_S)

    async def __call__(self, scope, receive, send) -> None:
        if scope["type"] == "lifespan":
            await self._lifespan(receive, send)
            return
        if scope["type"] != "http":
            return
        path = scope["path"]
        if path.startswith("/gateway/"):
            status, headers, body = self._admin(path)
        else:
            chunks = []
            more = True
            while more:
                message = await receive()
                chunks.append(message.get("body", b""))
                more = message.get("more_body", False)
            target = path + ("?" + scope["query_string"].decode() if scope["query_string"] else "")
            status, headers, body = await self._proxy.handle(
                scope["method"], target, scope["headers"], b"".join(chunks)
            )
        headers.append((b"content-length", str(len(body)).encode()))
        await send({"type": "http.response.start", "status": status, "headers": headers})
        await send({"type": "http.response.body", "body": body})

    def _admin(self, path: str) -> tuple[int, list, bytes]:
        json = [(b"content-type", b"application/json")]
        if path == "/gateway/health":
            return 200, json, b'{"status":"ok"}'
        if path == "/gateway/status":
            return 200, json, orjson.dumps(self.router.snapshot())
        if path == "/gateway/metrics":
            self.router.snapshot()
            return (
                200,
                [(b"content-type", b"text/plain; version=0.0.4")],
                self.router.metrics.render(),
            )
        message = (
            f"unknown gateway path {path}; use /gateway/health, /gateway/status or /gateway/metrics"
        )
        return 404, json, orjson.dumps({"error": message})

    async def _lifespan(self, receive, send) -> None:
        while True:
            message = await receive()
            if message["type"] == "lifespan.startup":
                await self.startup()
                await send({"type": "lifespan.startup.complete"})
            elif message["type"] == "lifespan.shutdown":
                await self.shutdown()
                await send({"type": "lifespan.shutdown.complete"})
                return

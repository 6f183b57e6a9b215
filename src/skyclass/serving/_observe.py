"""Per-request observability as raw ASGI middleware: Prometheus metrics, a JSON access log
line on stderr, and the ``X-Skyclass-Model-Version: <name>:<version>`` response header.

Routes are labelled by their template (``/v2/models/{name}/infer``), not the raw path, so
metric cardinality stays bounded. Request headers (the API key included) are never logged.

Example:
    >>> import logging
    >>> line = access_line("GET", "/v2", 200, 0.0012, "127.0.0.1", "")
    >>> line["status"], line["duration_ms"]
    (200, 1.2)
"""

from __future__ import annotations

import logging
import sys
import time

import orjson

from skyclass.serving._metrics import ServingMetrics

access_logger = logging.getLogger("skyclass.access")


def access_line(
    method: str, path: str, status: int, seconds: float, client: str, version: str
) -> dict:
    """The fields of one access-log line."""
    return {
        "ts": round(time.time(), 6),
        "method": method,
        "path": path,
        "status": status,
        "duration_ms": round(seconds * 1000, 3),
        "client": client,
        "model_version": version,
    }


class Observe:
    """Counts, times and logs every HTTP request; adds the model version header."""

    def __init__(self, app, *, metrics: ServingMetrics, host, access_log: bool = True) -> None:
        self.app = app
        self.metrics = metrics
        self.host = host
        self.access_log = access_log
        self._stream = sys.stderr.buffer if hasattr(sys.stderr, "buffer") else None

    async def __call__(self, scope, receive, send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        start = time.perf_counter()
        status = 500
        version = f"{self.host.name}:{self.host.version}" if self.host.ready else ""

        async def observed_send(message):
            nonlocal status
            if message["type"] == "http.response.start":
                status = message["status"]
                if version:
                    message["headers"] = [
                        *message.get("headers", []),
                        (b"x-skyclass-model-version", version.encode()),
                    ]
            await send(message)

        try:
            await self.app(scope, receive, observed_send)
        finally:
            self._record(scope, status, time.perf_counter() - start, version)

    def _record(self, scope, status: int, seconds: float, version: str) -> None:
        route = getattr(scope.get("route"), "path", None) or "unmatched"
        method = scope["method"]
        code = str(status)
        metrics = self.metrics
        metrics.labelled(metrics.requests, route, method, code).inc()
        metrics.labelled(metrics.latency, route).observe(seconds)
        if status >= 400:
            metrics.labelled(metrics.errors, route, code).inc()
        if self.access_log:
            client = scope.get("client")
            line = access_line(
                method, scope["path"], status, seconds, client[0] if client else "", version
            )
            self._write(orjson.dumps(line) + b"\n")

    def _write(self, data: bytes) -> None:
        if access_logger.handlers:
            access_logger.info(data.decode().rstrip())
        elif self._stream is not None:
            self._stream.write(data)
            self._stream.flush()

"""Polling helpers: a replica is ready when its V2 readiness endpoint answers 200."""

from __future__ import annotations

import ssl
import time
from pathlib import Path

import httpx

from skyclass.cloud._processes import alive
from skyclass.cloud._state import Replica
from skyclass.errors import SkyclassError


def _readiness(
    url: str, timeout: float = 0.5, tls: ssl.SSLContext | None = None
) -> tuple[bool, str]:
    """``(ready, failure)``: failure is the server's reason when it says loading failed.

    ``tls`` is the client context for ``https`` replicas (mutual TLS).
    """
    try:
        response = httpx.get(
            url.rstrip("/") + "/v2/health/ready", timeout=timeout, verify=tls or True
        )
    except httpx.HTTPError:
        return False, ""
    if response.status_code == 200:
        return True, ""
    try:
        body = response.json()
    except ValueError:
        return False, ""
    failed = isinstance(body, dict) and body.get("state") == "failed"
    return False, str(body.get("error", "failed")) if failed else ""


def is_ready(url: str, timeout: float = 0.5, tls: ssl.SSLContext | None = None) -> bool:
    return _readiness(url, timeout, tls)[0]


def wait_ready(
    replicas: list[Replica], logs: Path, timeout: float = 120.0, tls: ssl.SSLContext | None = None
) -> None:
    """Block until every replica is ready; SkyclassError if one dies or time runs out."""
    pending = list(replicas)
    deadline = time.monotonic() + timeout
    while pending:
        for replica in list(pending):
            if replica.provider == "local" and not alive(replica.pid):
                raise SkyclassError(
                    f"replica of region {replica.region!r} ({replica.model_uri}) exited while "
                    f"starting; read its log in {logs}"
                )
            ready, failure = _readiness(replica.url, tls=tls)
            if failure:
                raise SkyclassError(
                    f"replica of region {replica.region!r} cannot serve {replica.model_uri}: "
                    f"{failure}; fix the model (logs in {logs})"
                )
            if ready:
                pending.remove(replica)
        if pending and time.monotonic() > deadline:
            where = ", ".join(f"{r.region} {r.url}" for r in pending)
            raise SkyclassError(
                f"not ready after {timeout:.0f}s: {where}; check the endpoints (logs in {logs})"
            )
        if pending:
            time.sleep(0.1)


def wait_gateway_table(
    url: str | None, version: int, timeout: float = 5.0, verify: ssl.SSLContext | bool = True
) -> bool:
    """Wait until the gateway at ``url`` has loaded routing-table ``version`` (False if not)."""
    if not url:
        return False
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        try:
            status = httpx.get(url + "/gateway/status", timeout=1.0, verify=verify).json()
            if status["table_version"] >= version:
                return True
        except (httpx.HTTPError, ValueError, KeyError):
            pass
        time.sleep(0.05)
    return False


def wait_http_ok(
    url: str,
    pid: int | None,
    what: str,
    log: Path,
    timeout: float = 30.0,
    verify: ssl.SSLContext | bool = True,
) -> None:
    """Wait for ``url`` to answer 200 while process ``pid`` lives."""
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        try:
            if httpx.get(url, timeout=1.0, verify=verify).status_code == 200:
                return
        except httpx.HTTPError:
            pass
        if pid is not None and not alive(pid):
            tail = log.read_text()[-800:] if log.exists() else ""
            raise SkyclassError(f"{what} exited while starting; log {log}:\n{tail}")
        time.sleep(0.05)
    raise SkyclassError(f"{what} did not answer {url} within {timeout:.0f}s; see {log}")

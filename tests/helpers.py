"""Shared test helpers: free loopback ports and waiting for a server by polling it.

Import as ``from tests.helpers import free_port, wait_http``.
"""

import socket
import time

import httpx
import pytest


def free_port() -> int:
    """A TCP port on 127.0.0.1 that nothing listens on right now."""
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def wait_http(url: str, *, timeout: float = 30.0, expect: int | None = 200) -> httpx.Response:
    """Poll ``url`` until it answers (with ``expect`` when given); fail the test after ``timeout`` s."""
    deadline = time.monotonic() + timeout
    last: Exception | str = "no answer"
    while time.monotonic() < deadline:
        try:
            response = httpx.get(url, timeout=1.0)
            if expect is None or response.status_code == expect:
                return response
            last = f"HTTP {response.status_code}: {response.text[:200]}"
        except httpx.HTTPError as err:
            last = err
        time.sleep(0.05)
    pytest.fail(f"{url} did not answer within {timeout}s: {last}")

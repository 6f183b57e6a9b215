"""The upstream HTTP client: aiohttp connection pools (measured ~5x faster than httpx here).

One session per gateway for requests and one for health checks. Idle keep-alive
connections are closed after 3 s, before a uvicorn upstream (5 s) would close them
under us, so a reused connection is rarely stale.
"""

from __future__ import annotations

import asyncio

import aiohttp

#: What a dead, unreachable, resetting or hanging upstream raises.
TRANSPORT_ERRORS = (aiohttp.ClientError, asyncio.TimeoutError, OSError)

_SKIP = ("Accept-Encoding", "User-Agent", "Accept", "Content-Type")


def new_session(timeout_ms: float, limit: int = 1000) -> aiohttp.ClientSession:
    """A pooled session; answers are passed through undecoded (``auto_decompress=False``)."""
    connector = aiohttp.TCPConnector(limit=limit, limit_per_host=0, keepalive_timeout=3.0)
    return aiohttp.ClientSession(
        connector=connector,
        timeout=aiohttp.ClientTimeout(total=timeout_ms / 1000.0),
        auto_decompress=False,
        skip_auto_headers=_SKIP,
        raise_for_status=False,
    )

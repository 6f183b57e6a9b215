"""A tiny HTTP/1.1 proxy put in front of each local replica for drills and simulated delay.

It frames requests (head + Content-Length body) and, per request, applies the mode
read from a JSON control file (checked on every request): ``normal``, ``hang`` (accept, never answer),
``slow`` (``slow_ms`` before forwarding), ``errors`` (answer 500 at ``error_rate``);
``delay_ms`` (± ``jitter_ms``) always adds simulated network delay. ``skyclass chaos`` rewrites the file.

With ``CERT KEY CA`` it terminates mutual TLS: it presents the replica's certificate and
only accepts clients (the gateway) whose certificate the deployment's CA signed.

Run: python -m skyclass.cloud._chaos_proxy LISTEN_PORT UPSTREAM_PORT CONTROL_FILE [CERT KEY CA]

Example control file: {"mode": "slow", "slow_ms": 200, "delay_ms": 20}
"""

from __future__ import annotations

import asyncio
import contextlib
import json
import os
import random
import ssl
import sys
from collections.abc import AsyncIterator
from pathlib import Path

_ERROR = b'{"error":"chaos drill: injected error (skyclass chaos --errors)"}'
_ERROR_RESPONSE = (
    b"HTTP/1.1 500 Internal Server Error\r\ncontent-type: application/json\r\n"
    b"content-length: " + str(len(_ERROR)).encode() + b"\r\n\r\n" + _ERROR
)


class Control:
    """The current chaos mode, reloaded when the control file changes."""

    def __init__(self, path: Path) -> None:
        self.path = path
        self.mode: dict = {}
        self._seen: tuple[int, int] | None = None

    def refresh(self) -> None:
        try:
            stat = self.path.stat()
        except FileNotFoundError:
            self.mode = {}
            return
        key = (stat.st_mtime_ns, stat.st_size)
        if key != self._seen:
            self._seen = key
            with contextlib.suppress(OSError, ValueError):
                self.mode = json.loads(self.path.read_text() or "{}")


async def _pipe(reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
    with contextlib.suppress(ConnectionError, asyncio.IncompleteReadError):
        while data := await reader.read(65536):
            writer.write(data)
            await writer.drain()
    writer.close()


async def _messages(
    reader: asyncio.StreamReader, unframed: asyncio.StreamWriter
) -> AsyncIterator[bytes]:
    """Each whole HTTP/1.1 message (head and Content-Length body) read off ``reader``.

    A chunked message ends the framing: its head and everything after it are relayed to
    ``unframed`` as they come, and the iteration stops. Read errors propagate.
    """
    while True:
        head = await reader.readuntil(b"\r\n\r\n")
        length = _content_length(head)
        if length is None:
            unframed.write(head)
            await _pipe(reader, unframed)
            return
        yield head + await reader.readexactly(length)


async def _relay_answers(reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
    """Pass answers back whole (head and body in one write), as a cloud's L7 load balancer
    does: a replica dying mid-answer never leaves the gateway half an answer it cannot retry."""
    try:
        async for answer in _messages(reader, writer):
            writer.write(answer)
            await writer.drain()
    except (asyncio.IncompleteReadError, asyncio.LimitOverrunError, ConnectionError, ValueError):
        pass
    writer.close()


def _content_length(head: bytes) -> int | None:
    """Body length from a request or answer head; None when the body is chunked."""
    length = 0
    for line in head.split(b"\r\n")[1:]:
        name, _, value = line.partition(b":")
        name = name.strip().lower()
        if name == b"transfer-encoding":
            return None
        if name == b"content-length":
            length = int(value.strip())
    return length


async def _apply_chaos(control: Control) -> bool:
    """Delay/hang as the mode says; True when this request should get an injected 500."""
    control.refresh()  # one stat() per request: a drill applies to the very next request
    mode = control.mode
    if mode.get("delay_ms") or mode.get("jitter_ms"):
        jitter = mode.get("jitter_ms", 0.0)
        delay = mode.get("delay_ms", 0.0) + random.uniform(-jitter, jitter)
        await asyncio.sleep(max(0.0, delay) / 1000.0)
    kind = mode.get("mode", "normal")
    if kind == "hang":
        await asyncio.Event().wait()
    if kind == "slow":
        await asyncio.sleep(mode.get("slow_ms", 0) / 1000.0)
    return kind == "errors" and random.random() < mode.get("error_rate", 0.0)


async def _serve_client(
    control: Control, upstream_port: int, reader: asyncio.StreamReader, writer: asyncio.StreamWriter
) -> None:
    try:
        up_reader, up_writer = await asyncio.open_connection("127.0.0.1", upstream_port)
    except OSError:
        writer.close()
        return
    pump = asyncio.create_task(_relay_answers(up_reader, writer))
    try:
        async for request in _messages(reader, up_writer):
            if await _apply_chaos(control):
                writer.write(_ERROR_RESPONSE)
                await writer.drain()
                continue
            up_writer.write(request)
            await up_writer.drain()
    except (
        asyncio.IncompleteReadError,
        asyncio.LimitOverrunError,
        ConnectionError,
        ValueError,
        ssl.SSLError,
    ):
        pass
    finally:
        up_writer.close()
        writer.close()
        pump.cancel()


def mutual_tls(cert: str, key: str, ca: str) -> ssl.SSLContext:
    """Present ``cert``; require a client certificate signed by ``ca``."""
    context = ssl.create_default_context(ssl.Purpose.CLIENT_AUTH, cafile=ca)
    context.verify_mode = ssl.CERT_REQUIRED
    context.load_cert_chain(cert, key)
    return context


async def main(
    listen_port: int,
    upstream_port: int,
    control_file: str,
    tls: ssl.SSLContext | None = None,
    host: str = "127.0.0.1",
) -> None:
    control = Control(Path(control_file))
    server = await asyncio.start_server(
        lambda r, w: _serve_client(control, upstream_port, r, w),
        host,
        listen_port,
        backlog=1024,
        ssl=tls,
    )
    async with server:
        await server.serve_forever()


if __name__ == "__main__":
    import uvloop

    args = sys.argv[1:]
    context = mutual_tls(*args[3:6]) if len(args) >= 6 else None
    bind = os.environ.get("SKYCLASS_PROXY_HOST", "127.0.0.1")
    uvloop.run(main(int(args[0]), int(args[1]), args[2], context, bind))

"""Request body size limit as raw ASGI middleware: larger bodies get HTTP 413.

A declared ``Content-Length`` over the limit is refused before reading; a chunked body is
counted while it streams and refused when it crosses the limit.

Example:
    >>> BodyLimit(None, max_bytes=10).max_bytes
    10
"""

from __future__ import annotations

from skyclass.serving._responses import send_error


class BodyTooLarge(Exception):
    """Raised inside ``receive`` when the streamed body crosses the limit."""


class BodyLimit:
    """Caps request bodies at ``max_bytes``."""

    def __init__(self, app, *, max_bytes: int) -> None:
        self.app = app
        self.max_bytes = max_bytes

    def _message(self, size: str) -> str:
        return (
            f"request body is {size} bytes, over the limit of {self.max_bytes} "
            "(--max-body-bytes); split the rows over several requests"
        )

    async def __call__(self, scope, receive, send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        for name, value in scope["headers"]:
            if name == b"content-length" and value.isdigit() and int(value) > self.max_bytes:
                await send_error(send, 413, self._message(value.decode()))
                return
        received = 0
        started = False

        async def counting_receive():
            nonlocal received
            message = await receive()
            if message["type"] == "http.request":
                received += len(message.get("body", b""))
                if received > self.max_bytes:
                    raise BodyTooLarge(self._message(f"more than {self.max_bytes}"))
            return message

        async def tracking_send(message):
            nonlocal started
            if message["type"] == "http.response.start":
                started = True
            await send(message)

        try:
            await self.app(scope, counting_receive, tracking_send)
        except BodyTooLarge as err:
            if not started:
                await send_error(send, 413, str(err))

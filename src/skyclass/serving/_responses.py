"""JSON responses serialised with orjson (numpy arrays included), and the error shape.

Example:
    >>> error_response(400, "input 'x': bad").body
    b'{"error":"input \\'x\\': bad"}'
"""

from __future__ import annotations

import orjson
from starlette.responses import Response

_OPTIONS = orjson.OPT_SERIALIZE_NUMPY


class JSONResponse(Response):
    """A JSON response; numpy arrays serialise natively (FP32 stays short)."""

    media_type = "application/json"

    def render(self, content: object) -> bytes:
        return orjson.dumps(content, option=_OPTIONS)


def error_response(status: int, message: str, headers: dict | None = None) -> JSONResponse:
    """``{"error": message}`` with ``status``."""
    return JSONResponse({"error": message}, status_code=status, headers=headers)


async def send_error(send, status: int, message: str, headers: list | None = None) -> None:
    """Send ``{"error": message}`` from raw ASGI middleware."""
    body = orjson.dumps({"error": message})
    await send(
        {
            "type": "http.response.start",
            "status": status,
            "headers": [
                (b"content-type", b"application/json"),
                (b"content-length", str(len(body)).encode()),
                *(headers or []),
            ],
        }
    )
    await send({"type": "http.response.body", "body": body})

"""Bearer-token auth as raw ASGI middleware; health probes stay open.

The key is compared with ``hmac.compare_digest`` (constant time) and never logged.

Example:
    >>> app = BearerAuth(lambda scope, receive, send: None, api_key="s3cret")
    >>> app.allowed({"path": "/v2/health/live", "headers": []})
    True
    >>> app.allowed({"path": "/v2", "headers": [(b"authorization", b"Bearer s3cret")]})
    True
    >>> app.allowed({"path": "/v2", "headers": [(b"authorization", b"Bearer nope")]})
    False
"""

from __future__ import annotations

import hmac

from skyclass.serving._responses import send_error

OPEN_PATHS = frozenset({"/v2/health/live", "/v2/health/ready"})


class BearerAuth:
    """Rejects every HTTP request but the health probes without ``Authorization: Bearer <key>``."""

    def __init__(self, app, *, api_key: str) -> None:
        self.app = app
        self._expected = b"Bearer " + api_key.encode()

    def allowed(self, scope) -> bool:
        if scope["path"] in OPEN_PATHS:
            return True
        for name, value in scope["headers"]:
            if name == b"authorization":
                return hmac.compare_digest(value, self._expected)
        return False

    async def __call__(self, scope, receive, send) -> None:
        if scope["type"] != "http" or self.allowed(scope):
            await self.app(scope, receive, send)
            return
        await send_error(
            send,
            401,
            "missing or wrong API key: send the header 'Authorization: Bearer <key>'",
            [(b"www-authenticate", b'Bearer realm="skyclass"')],
        )

"""skyclass.serving: an Open Inference Protocol (V2) server over a verified bundle.

It loads the bundle in the background (ready only once hashes and golden rows check out),
micro-batches concurrent requests onto onnxruntime, limits, authenticates, exports
Prometheus metrics and logs every prediction (SQLite WAL, JSON Lines, or any ``Sink``
registered in ``SINKS``: ``--log name:///path``) for monitoring.

Example:
    >>> from skyclass.serving import ServeSettings, create_app
    >>> app = create_app("bundles/iris", ServeSettings(port=8080, log="none"))
    >>> # serve("bundles/iris", ServeSettings(port=8080))  # blocks; CLI: skyclass serve
"""

from skyclass.serving._app import create_app
from skyclass.serving._client import read_v2_response, v2_binary_request, v2_request
from skyclass.serving._server import serve
from skyclass.serving._settings import ServeSettings
from skyclass.serving._sinks import SINKS, Sink

__all__ = [
    "SINKS",
    "ServeSettings",
    "Sink",
    "create_app",
    "read_v2_response",
    "serve",
    "v2_binary_request",
    "v2_request",
]

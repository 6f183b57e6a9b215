"""The builtin data plane: the embedded asyncio proxy (works anywhere, one process).

Example:
    >>> from skyclass.gateway.engines import ENGINES
    >>> ENGINES.get("builtin").__name__
    'Builtin'
"""

from __future__ import annotations

from skyclass.gateway._server import serve
from skyclass.gateway._settings import GatewaySettings, TableSource
from skyclass.gateway.engines._base import Engine
from skyclass.gateway.engines._registry import ENGINES


@ENGINES.register("builtin")
class Builtin(Engine):
    """Routes with :class:`skyclass.gateway.Router` inside uvicorn."""

    def serve(self, settings: GatewaySettings, source: TableSource) -> None:
        """Run :func:`skyclass.gateway.serve` in this process (see :meth:`Engine.serve`)."""
        serve(settings, source.table, endpoints_file=source.file)

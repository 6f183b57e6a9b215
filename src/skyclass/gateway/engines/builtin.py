"""The builtin data plane: the embedded asyncio proxy (works anywhere, one process).

Example:
    >>> from skyclass.gateway.engines import ENGINES
    >>> ENGINES.get("builtin").__name__
    'Builtin'
"""

from __future__ import annotations

import os

from skyclass.gateway._server import serve
from skyclass.gateway._settings import GatewaySettings, RoutingTable
from skyclass.gateway.engines._base import Engine
from skyclass.gateway.engines._registry import ENGINES


@ENGINES.register("builtin")
class Builtin(Engine):
    """Routes with :class:`skyclass.gateway.Router` inside uvicorn."""

    def serve(
        self,
        settings: GatewaySettings,
        table: RoutingTable | None = None,
        *,
        endpoints_file: str | os.PathLike | None = None,
    ) -> None:
        serve(settings, table, endpoints_file=endpoints_file)

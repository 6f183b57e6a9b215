"""skyclass.gateway: a multi-region HTTP router in front of V2 inference servers.

Pure HTTP, knows nothing about models: active health checks and passive ejection,
retries on a different region, optional hedging, five routing policies, data-zone
residency, canary split and shadow mirroring, Prometheus metrics and a cost ledger, on
one of two data planes (``gateway.engine``): ``envoy`` (a real Envoy proxy that skyclass
configures, the default where ``skyclass[envoy]`` is installed) or ``builtin`` (an
embedded asyncio proxy).
Every answer carries ``X-Skyclass-Region`` (and the upstream's
``X-Skyclass-Model-Version``).

Example:
    >>> from skyclass.gateway import Endpoint, GatewaySettings, RoutingTable, start_in_thread
    >>> table = RoutingTable(endpoints=[Endpoint(url="http://127.0.0.1:9", region="r1")])
    >>> gw = start_in_thread(GatewaySettings(listen="127.0.0.1:0", policy="round_robin"), table)
    >>> gw.stop()
"""

from skyclass.gateway._app import GatewayApp, read_table
from skyclass.gateway._load import Call, LoadResult, drive
from skyclass.gateway._router import Router
from skyclass.gateway._server import GatewayThread, serve, start_in_thread
from skyclass.gateway._settings import (
    ClientTls,
    Endpoint,
    GatewaySettings,
    HealthSettings,
    OutlierSettings,
    ResidencySettings,
    RoutingTable,
    TableSource,
    UpstreamTls,
)
from skyclass.gateway.engines import ENGINES, Engine, default_engine


def run_engine(
    settings: GatewaySettings,
    table: RoutingTable | None = None,
    *,
    endpoints_file: str | None = None,
) -> None:
    """Serve one gateway in the foreground on the data plane ``settings.engine`` names.

    Parameters
    ----------
    settings : GatewaySettings
        How to listen, route, retry and check health; ``settings.engine`` picks the
        data plane from ``ENGINES``.
    table : RoutingTable, optional
        A fixed routing table (used until ``endpoints_file`` is read, if both are given).
    endpoints_file : str, optional
        The JSON routing table a deploy replaces; the gateway follows it.

    Raises
    ------
    ConfigError
        When the engine cannot run here (e.g. ``envoy`` without the Envoy binary).
    """
    ENGINES.create(settings.engine).serve(settings, TableSource(table, endpoints_file))


__all__ = [
    "ENGINES",
    "Call",
    "ClientTls",
    "Engine",
    "TableSource",
    "UpstreamTls",
    "default_engine",
    "run_engine",
    "LoadResult",
    "drive",
    "Endpoint",
    "GatewayApp",
    "GatewaySettings",
    "GatewayThread",
    "HealthSettings",
    "OutlierSettings",
    "ResidencySettings",
    "Router",
    "RoutingTable",
    "read_table",
    "serve",
    "start_in_thread",
]

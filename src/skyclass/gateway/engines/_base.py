"""The one contract of a gateway data plane (``gateway.engine`` in the deploy spec).

An engine runs one gateway instance in the foreground: it listens on
``settings.listen``, routes to the endpoints of the routing table (a
:class:`TableSource`: a fixed :class:`RoutingTable`, or the JSON file that deploys
replace atomically and the engine must follow within a fraction of a second), and answers
``/gateway/health``, ``/gateway/status`` (the JSON of :meth:`Router.snapshot`) and
``/gateway/metrics`` (Prometheus) on the same address.

Lifecycle: one instance per process; :meth:`serve` blocks until SIGTERM/SIGINT and
then releases everything it started. It is called from the main thread only.
"""

from __future__ import annotations

from abc import ABC, abstractmethod

from skyclass.gateway._settings import GatewaySettings, TableSource


class Engine(ABC):
    """A gateway data plane: serves one gateway until it is told to stop."""

    @abstractmethod
    def serve(self, settings: GatewaySettings, source: TableSource) -> None:
        """Run the gateway (blocking) on ``settings.listen`` until SIGTERM/SIGINT.

        Parameters
        ----------
        settings : GatewaySettings
            How to listen, route, retry and check health.
        source : TableSource
            The fixed routing table, or the file to follow as deploys replace it.
        """

"""Fixtures: real upstream HTTP server processes and in-thread gateways."""

import pytest

from skyclass.gateway import Endpoint, GatewaySettings, RoutingTable, start_in_thread
from tests.gateway.servers import Upstream, UpstreamPool


@pytest.fixture
def upstreams():
    """Factory: ``upstreams(("us-1",), ("eu-1",))`` → started Upstream objects (killed after)."""
    pool = UpstreamPool()
    yield pool
    pool.close()


@pytest.fixture
def gateway():
    """Factory: ``gateway(table, **settings)`` → a gateway running in a thread (stopped after)."""
    running = []

    def make(table: RoutingTable, **settings):
        settings.setdefault("listen", "127.0.0.1:0")
        gw = start_in_thread(GatewaySettings(**settings), table)
        running.append(gw)
        return gw

    yield make
    for gw in running:
        gw.stop()


def endpoint(up: Upstream, zone: str = "", **extra) -> Endpoint:
    return Endpoint(url=up.url, region=up.region, zone=zone, cloud=up.region.split("-")[0], **extra)

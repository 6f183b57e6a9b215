"""Real upstream HTTP server processes for gateway and cloud tests."""

import subprocess
import sys
from pathlib import Path

import httpx

from tests.helpers import free_port, wait_http

_SCRIPT = Path(__file__).with_name("_upstream.py")


class Upstream:
    """One `_upstream.py` process answering like a V2 server for ``region``."""

    def __init__(self, region: str, label: str, status: int = 200, delay_ms: float = 0.0):
        self.region = region
        self.port = free_port()
        self.url = f"http://127.0.0.1:{self.port}"
        self.proc = subprocess.Popen(
            [
                sys.executable,
                str(_SCRIPT),
                str(self.port),
                region,
                label,
                str(status),
                str(delay_ms),
            ]
        )

    def count(self) -> int:
        return httpx.get(self.url + "/count", timeout=5).json()["infer"]

    def kill(self) -> None:
        self.proc.kill()
        self.proc.wait(timeout=10)


class UpstreamPool:
    """Starts upstreams on demand and kills every one still running at ``close()``."""

    def __init__(self) -> None:
        self.started: list[Upstream] = []

    def __call__(
        self, *specs: tuple, label: str = "cat", status: int = 200, delay_ms: float = 0.0
    ) -> list[Upstream]:
        batch = [Upstream(region, label, status, delay_ms) for region, *_ in specs]
        self.started.extend(batch)
        for up in batch:
            wait_http(up.url + "/v2/health/ready")
        return batch

    def close(self) -> None:
        for up in self.started:
            if up.proc.poll() is None:
                up.kill()

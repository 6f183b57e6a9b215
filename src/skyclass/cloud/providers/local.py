"""Local provider: real ``skyclass serve`` processes on loopback ports.

Each replica is a ``skyclass serve`` process behind a small chaos proxy (its public
URL). The proxy adds the region's ``delay_ms`` to every request, a documented
*simulation* of network distance, and carries out ``skyclass chaos`` drills.
Costs come from the spec's ``cost_per_hour``.
"""

from __future__ import annotations

import json
import os
import socket
import sys
import time
from pathlib import Path

from skyclass.cloud._spec import RegionSpec
from skyclass.cloud._state import Replica
from skyclass.cloud.providers._base import LaunchContext
from skyclass.cloud.providers._processes import SKYCLASS_CLI, spawn, stop


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def control_file(folder: Path, region: str) -> Path:
    """The chaos control file every proxy of ``region`` watches."""
    return folder / "chaos" / f"{region}.json"


def write_control(path: Path, mode: dict) -> None:
    """Replace the control file atomically."""
    path.parent.mkdir(parents=True, exist_ok=True)
    tmp = path.with_suffix(f".{os.getpid()}.tmp")
    tmp.write_text(json.dumps(mode))
    os.replace(tmp, path)


def _trust_args(keys: list[str]) -> list[str]:
    """``--trusted-key K`` for every key the region trusts."""
    return [arg for key in keys for arg in ("--trusted-key", key)]


class LocalProvider:
    """Replicas as local processes: ``skyclass serve`` plus a chaos proxy in front."""

    name = "local"

    def launch(
        self,
        ctx: LaunchContext,
        region: RegionSpec,
        track: str,
        model_uri: str,
        model_version: str,
        count: int,
    ) -> list[Replica]:
        control = control_file(ctx.folder, region.name)
        if not control.exists():
            write_control(control, {"mode": "normal", "delay_ms": region.delay_ms})
        replicas = []
        for _ in range(count):
            serve_port, proxy_port = _free_port(), _free_port()
            tag = f"{region.name}-{track}-{serve_port}"
            serve = spawn(
                [
                    *SKYCLASS_CLI,
                    "serve",
                    model_uri,
                    "--host",
                    "127.0.0.1",
                    "--port",
                    str(serve_port),
                    "--region",
                    region.name,
                    "--no-access-log",
                    "--log",
                    str(ctx.folder / "logs" / f"{region.name}-{track}.db"),
                    *_trust_args(ctx.spec.trusted_keys(region)),
                ],
                ctx.folder / "logs" / f"{tag}.log",
            )
            proxy = spawn(
                [
                    sys.executable,
                    "-m",
                    "skyclass.cloud._chaos_proxy",
                    str(proxy_port),
                    str(serve_port),
                    str(control),
                ],
                ctx.folder / "logs" / f"{tag}.proxy.log",
            )
            replicas.append(
                Replica(
                    deployment=ctx.spec.name,
                    region=region.name,
                    track=track,
                    provider=self.name,
                    url=f"http://127.0.0.1:{proxy_port}",
                    model_uri=model_uri,
                    model_version=model_version,
                    cost_per_hour=region.cost_per_hour,
                    pid=serve.pid,
                    proxy_pid=proxy.pid,
                    started=time.time(),
                )
            )
        return replicas

    def stop(self, replica: Replica, *, graceful: bool = True) -> None:
        """Graceful: the server drains first, then its proxy. A kill takes the proxy (the
        region's public port) first, so the region refuses connections at once."""
        order = (replica.pid, replica.proxy_pid) if graceful else (replica.proxy_pid, replica.pid)
        for pid in order:
            stop(pid, graceful=graceful)

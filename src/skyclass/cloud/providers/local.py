"""Local provider: real ``skyclass serve`` processes on loopback ports.

Each replica is a ``skyclass serve`` process behind a small chaos proxy (its public
URL). The proxy adds the region's ``delay_ms`` to every request, a documented
*simulation* of network distance, and carries out ``skyclass chaos`` drills.
Costs come from the spec's ``cost_per_hour``.
"""

from __future__ import annotations

import json
import logging
import os
import random
import socket
import sys
import time
from pathlib import Path

from skyclass.cloud._certs import Certificates
from skyclass.cloud._netns import Networks, RegionNet, Shape
from skyclass.cloud._netns import available as netns_available
from skyclass.cloud._processes import SKYCLASS_CLI, spawn, stop
from skyclass.cloud._spec_models import RegionSpec
from skyclass.cloud._state import Replica
from skyclass.cloud.providers._base import PROVIDERS, LaunchContext, Provider

log = logging.getLogger("skyclass.cloud")


def _ephemeral_low() -> int:
    try:
        return int(Path("/proc/sys/net/ipv4/ip_local_port_range").read_text().split()[0])
    except (OSError, ValueError, IndexError):
        return 32768  # Linux's default lower bound


_HANDED_OUT: set[int] = set()


def _free_port() -> int:
    """A free port below the kernel's ephemeral range, never handed out twice by this process.

    ``bind(0)`` would pick from the ephemeral range, where any outgoing connection (a load
    generator's, a health check's) can take the port between this check and the replica's
    own bind ("address already in use"); below that range only listeners compete.
    """
    low = max(1025, _ephemeral_low() - 12000)
    rng = random.Random()
    for _ in range(200):
        port = rng.randrange(low, low + 12000)
        if port in _HANDED_OUT:
            continue
        with socket.socket() as sock:
            try:
                sock.bind(("127.0.0.1", port))
            except OSError:
                continue
        _HANDED_OUT.add(port)
        return port
    with socket.socket() as sock:  # that range is crowded: let the kernel choose
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


def region_network(ctx: LaunchContext, region: RegionSpec) -> tuple[RegionNet | None, Shape]:
    """The region's namespace under ``network: netns`` (None: chaos-proxy simulation), and
    the delay its proxy must add (all of ``delay_ms`` without a namespace).

    Without root, iproute2 or nftables the region falls back to the chaos proxy, with a warning.
    """
    proxy_only = Shape(region.delay_ms, region.jitter_ms)
    if ctx.spec.network != "netns":
        return None, proxy_only
    reason = netns_available()
    if reason is not None:
        log.warning(
            "region %s: %s; simulating the network with the chaos proxy", region.name, reason
        )
        return None, proxy_only
    shape = Shape(region.delay_ms, region.jitter_ms, region.loss_percent)
    return Networks(ctx.folder, ctx.spec.name).ensure(region.name, shape)


@PROVIDERS.register("local")
class LocalProvider(Provider):
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
        net, extra = region_network(ctx, region)
        control = control_file(ctx.folder, region.name)
        if not control.exists():  # netem (when there is one) delays packets; else the proxy
            write_control(
                control,
                {"mode": "normal", "delay_ms": extra.delay_ms, "jitter_ms": extra.jitter_ms},
            )
        certs = (
            Certificates(ctx.folder, ctx.spec.name) if ctx.spec.tls.replicas == "mutual" else None
        )
        inside = net.exec_prefix() if net else []
        host = net.address if net else "127.0.0.1"
        replicas = []
        for _ in range(count):
            serve_port, proxy_port = _free_port(), _free_port()
            tag = f"{region.name}-{track}-{serve_port}"
            serve = spawn(
                [
                    *inside,
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
            tls = []
            if certs is not None:
                cert, key = certs.issue_replica(region.name, f"{track}-{serve_port}")
                tls = [str(cert), str(key), str(certs.ca_cert)]
            proxy = spawn(
                [
                    *inside,
                    sys.executable,
                    "-m",
                    "skyclass.cloud._chaos_proxy",
                    str(proxy_port),
                    str(serve_port),
                    str(control),
                    *tls,
                ],
                ctx.folder / "logs" / f"{tag}.proxy.log",
                env={"SKYCLASS_PROXY_HOST": host},
            )
            replicas.append(
                Replica(
                    deployment=ctx.spec.name,
                    region=region.name,
                    track=track,
                    provider=self.name,
                    url=f"{'https' if certs else 'http'}://{host}:{proxy_port}",
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
        """Stop the replica's ``skyclass serve`` process and its chaos proxy.

        Parameters
        ----------
        replica : Replica
            A local replica (its ``pid`` and ``proxy_pid``); processes that are gone, or
            whose pid now belongs to something other than skyclass, are left alone.
        graceful : bool
            True (default): SIGTERM, the server drains in-flight requests first, then its
            proxy stops. False: SIGKILL, the proxy (the region's public port) first, so the
            region refuses connections at once.
        """
        order = (replica.pid, replica.proxy_pid) if graceful else (replica.proxy_pid, replica.pid)
        for pid in order:
            stop(pid, graceful=graceful)

"""Real network faults for local regions: one Linux network namespace per region.

With ``network: netns`` in the spec, each local region's replicas run inside their own
network namespace, joined to the host by a veth pair (host side ``10.77.K.1``, region
side ``10.77.K.2``). Packet loss is real: an nftables rule in the region's namespace
drops ``loss_percent`` of the packets arriving from the gateway (``numgen random``); a
partition drops all of them: nothing answers, no connection is refused or reset, exactly
as when a cloud region drops off the network. Delay (``delay_ms`` ± ``jitter_ms``, one per
round trip) is ``tc netem`` on the host side of the pair where the kernel has netem
(``sch_netem``), otherwise the region's proxy adds it (:meth:`Networks.shape` says which).
All of it is a documented *simulation of distance*, changed at run time by
``skyclass chaos --partition | --loss | --delay``.

It needs root, ``ip`` (iproute2) and ``nft`` (nftables); :func:`available` says whether
namespaces can be made here, and the local provider falls back to the chaos proxy when not.

Example:
    >>> netem_args(Shape(delay_ms=150.0, jitter_ms=10.0, loss_percent=5.0))
    ['delay', '150.0ms', '10.0ms', 'loss', '5.0%']
    >>> netem_args(Shape())
    ['delay', '0ms']
"""

from __future__ import annotations

import functools
import hashlib
import json
import os
import shutil
import subprocess
from dataclasses import asdict, dataclass, replace
from pathlib import Path

from skyclass.errors import SkyclassError


@dataclass(frozen=True)
class Shape:
    """What netem does to the packets towards one region."""

    delay_ms: float = 0.0
    jitter_ms: float = 0.0
    loss_percent: float = 0.0


def netem_args(shape: Shape) -> list[str]:
    """``tc qdisc ... netem`` arguments for ``shape``."""
    if not (shape.delay_ms or shape.jitter_ms or shape.loss_percent):
        return ["delay", "0ms"]
    args = ["delay", f"{shape.delay_ms}ms"]
    if shape.jitter_ms:
        args.append(f"{shape.jitter_ms}ms")
    if shape.loss_percent:
        args += ["loss", f"{shape.loss_percent}%"]
    return args


def _run(*argv: str) -> None:
    done = subprocess.run(argv, capture_output=True, text=True)
    if done.returncode != 0:
        raise SkyclassError(
            f"`{' '.join(argv)}` failed: {done.stderr.strip() or done.returncode}; network "
            "namespaces need root and iproute2 (use network: proxy otherwise)"
        )


@functools.cache
def available() -> str | None:
    """None when namespaces work here, else the reason they do not."""
    if os.name != "posix" or os.geteuid() != 0:
        return "network namespaces need root"
    for tool, package in (("ip", "iproute2"), ("tc", "iproute2"), ("nft", "nftables")):
        if shutil.which(tool) is None:
            return f"`{tool}` not found (apt-get install {package})"
    probe = f"skyprobe{os.getpid()}"
    try:
        _run("ip", "netns", "add", probe)
    except SkyclassError as err:
        return str(err)
    _run("ip", "netns", "del", probe)
    return None


@functools.cache
def has_netem() -> bool:
    """Whether this kernel can delay packets with ``tc netem`` (a container may lack it)."""
    probe = f"skynetem{os.getpid()}"
    _run("ip", "netns", "add", probe)
    try:
        done = subprocess.run(
            ["ip", "netns", "exec", probe, "tc", "qdisc", "add", "dev", "lo", "root", "netem",
             "delay", "1ms"],
            capture_output=True,
        )  # fmt: skip
        return done.returncode == 0
    finally:
        _run("ip", "netns", "del", probe)


def loss_rules(peer: str, percent: float) -> str:
    """The nftables ruleset of a region's namespace dropping ``percent`` % from ``peer``.

    Example:
        >>> "numgen random mod 10000 < 500 drop" in loss_rules("sky1n", 5)
        True
        >>> "numgen" in loss_rules("sky1n", 100)
        False
    """
    if percent >= 100:
        rule = f'iifname "{peer}" drop'
    elif percent > 0:
        rule = f'iifname "{peer}" numgen random mod 10000 < {round(percent * 100)} drop'
    else:
        rule = ""
    return (
        "flush ruleset\ntable inet skyclass {\n  chain input {\n"
        f"    type filter hook input priority 0; policy accept;\n    {rule}\n  }}\n}}\n"
    )


@dataclass(frozen=True)
class RegionNet:
    """The namespace and addresses of one region."""

    namespace: str
    host_if: str
    index: int

    @property
    def peer_if(self) -> str:
        """The region side of the veth pair."""
        return self.host_if[:-1] + "n"

    @property
    def address(self) -> str:
        """The region's address as the gateway reaches it."""
        return f"10.77.{self.index}.2"

    def exec_prefix(self) -> list[str]:
        """Prefix a command with this to run it inside the region's namespace."""
        return ["ip", "netns", "exec", self.namespace]


class Networks:
    """The namespaces of one deployment, recorded in ``<folder>/network.json``."""

    def __init__(self, folder: Path, deployment: str) -> None:
        self.path = folder / "network.json"
        self.deployment = deployment

    def _load(self) -> dict[str, dict]:
        try:
            return json.loads(self.path.read_text())
        except FileNotFoundError:
            return {}

    def _save(self, data: dict[str, dict]) -> None:
        self.path.write_text(json.dumps(data, indent=1))

    def get(self, region: str) -> RegionNet | None:
        entry = self._load().get(region)
        return None if entry is None else RegionNet(**entry)

    def _free_index(self, taken: set[int]) -> int:
        listed = subprocess.run(["ip", "-o", "addr"], capture_output=True, text=True).stdout
        for index in range(1, 255):
            if index not in taken and f"10.77.{index}." not in listed:
                return index
        raise SkyclassError("no free 10.77.K.0/30 subnet left for a region namespace")

    def ensure(self, region: str, shape: Shape) -> tuple[RegionNet, Shape]:
        """The region's namespace (made on first use), shaped as ``shape``, and what the
        region's proxy must add (see :meth:`shape`)."""
        data = self._load()
        net = self.get(region)
        if net is None or not Path(f"/run/netns/{net.namespace}").exists():
            digest = hashlib.sha1(f"{self.deployment}/{region}".encode()).hexdigest()[:6]
            taken = {e["index"] for name, e in data.items() if name != region}
            net = RegionNet(f"sky-{digest}", f"sky{digest}h", self._free_index(taken))
            peer = net.peer_if
            # a namespace left by a deployment that was never taken down: start afresh
            subprocess.run(["ip", "netns", "del", net.namespace], capture_output=True)
            subprocess.run(["ip", "link", "del", net.host_if], capture_output=True)
            _run("ip", "netns", "add", net.namespace)
            _run("ip", "link", "add", net.host_if, "type", "veth", "peer", "name", peer)
            _run("ip", "link", "set", peer, "netns", net.namespace)
            _run("ip", "addr", "add", f"10.77.{net.index}.1/30", "dev", net.host_if)
            _run("ip", "link", "set", net.host_if, "up")
            inside = ["ip", "-n", net.namespace]
            _run(*inside, "addr", "add", f"{net.address}/30", "dev", peer)
            _run(*inside, "link", "set", peer, "up")
            _run(*inside, "link", "set", "lo", "up")
            data[region] = asdict(net)
            self._save(data)
        return net, self.shape(region, shape)

    def shape(self, region: str, shape: Shape) -> Shape:
        """Apply ``shape`` to the region at once; returns what the region's proxy must add
        (the delay, when the kernel has no netem)."""
        net = self.get(region)
        if net is None:
            raise SkyclassError(f"region {region!r} has no network namespace; deploy it first")
        rules = loss_rules(net.peer_if, shape.loss_percent)
        done = subprocess.run(
            [*net.exec_prefix(), "nft", "-f", "-"], input=rules, capture_output=True, text=True
        )
        if done.returncode != 0:
            raise SkyclassError(f"nft in {net.namespace} failed: {done.stderr.strip()}")
        if has_netem():
            delay = replace(shape, loss_percent=0.0)
            _run("tc", "qdisc", "replace", "dev", net.host_if, "root", "netem", *netem_args(delay))
            return Shape()
        return Shape(shape.delay_ms, shape.jitter_ms)

    def remove_all(self) -> None:
        """Delete every namespace of the deployment (their veth pairs go with them)."""
        for entry in self._load().values():
            subprocess.run(["ip", "netns", "del", entry["namespace"]], capture_output=True)
        self.path.unlink(missing_ok=True)

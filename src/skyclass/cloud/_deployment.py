"""A handle on a recorded deployment: status, chaos drills, tear-down.

Example:
    >>> from skyclass.cloud import connect
    >>> # dep = connect("tickets"); dep.status(); dep.chaos("aws-us-east-1", kill=True); dep.down()
"""

from __future__ import annotations

from dataclasses import replace
from pathlib import Path

import httpx

from skyclass.cloud._certs import Certificates
from skyclass.cloud._gateway import gateway_url
from skyclass.cloud._netns import Networks, Shape
from skyclass.cloud._processes import stop
from skyclass.cloud._spec_models import DeploymentSpec
from skyclass.cloud._state import Replica, StateStore
from skyclass.cloud._waiting import is_ready
from skyclass.cloud.providers import get_provider
from skyclass.cloud.providers.local import control_file, write_control
from skyclass.errors import ConfigError


def _desired(spec: DeploymentSpec, region) -> int:
    """Replicas the spec asks for in ``region`` (all tracks)."""
    if region.provider == "external":
        return len(region.endpoints)
    extra = sum(part.replicas for part in (spec.rollout.canary, spec.rollout.shadow) if part)
    return region.replicas + extra


def parse_delay(text: str) -> tuple[float, float]:
    """``"150"`` → ``(150.0, 0.0)``; ``"150±20"`` or ``"150+-20"`` → ``(150.0, 20.0)``.

    Example:
        >>> parse_delay("150±20"), parse_delay("80")
        ((150.0, 20.0), (80.0, 0.0))
    """
    head, _, jitter = text.replace("+-", "±").partition("±")
    try:
        ms, spread = float(head), float(jitter or 0.0)
    except ValueError:
        raise ConfigError(f"--delay {text!r}: give milliseconds, e.g. 150 or 150±20") from None
    if ms < 0 or spread < 0:
        raise ConfigError(f"--delay {text!r}: milliseconds must not be negative")
    return ms, spread


def _spec_shape(region) -> Shape:
    return Shape(region.delay_ms, region.jitter_ms, region.loss_percent)


class Deployment:
    """One deployment as recorded in a state folder (works from any new shell).

    Get one from :func:`~skyclass.cloud.deploy` or :func:`~skyclass.cloud.connect`. It holds
    no state of its own: every call reads the state database, so handles in several
    processes stay consistent.

    Parameters
    ----------
    name : str
        The deployment's name (the spec's ``name``).
    store : StateStore
        The state folder it is recorded in.
    """

    def __init__(self, name: str, store: StateStore) -> None:
        self.name = name
        self.store = store

    @property
    def spec(self) -> DeploymentSpec:
        """The spec it was last deployed with (as recorded)."""
        return DeploymentSpec.model_validate(self.store.deployment(self.name)["spec"])

    @property
    def gateway_url(self) -> str:
        """Base URL of its gateway (recorded, else the spec's listen address)."""
        return self.store.deployment(self.name)["gateway_url"] or gateway_url(self.spec)

    @property
    def folder(self) -> Path:
        """Its folder in the state store (routing table, logs, chaos files, certificates)."""
        return self.store.folder(self.name)

    def replicas(self) -> list[Replica]:
        """The replicas recorded as running.

        Returns
        -------
        list of Replica
            Every track of every region, in start order.
        """
        return self.store.replicas(self.name)

    def _gateway_status(self) -> dict | None:
        try:
            trust = Certificates(self.folder, self.name).trust()
            return httpx.get(self.gateway_url + "/gateway/status", timeout=1.0, verify=trust).json()
        except (httpx.HTTPError, ValueError):
            return None

    def status(self) -> list[dict]:
        """One row per region: readiness, version, traffic (from the gateway) and cost.

        Traffic comes from the gateway's ``/gateway/status`` when it answers; otherwise
        readiness is asked of each replica and traffic reads as zero.

        Returns
        -------
        list of dict
            Per region, in spec order: ``region``, ``cloud``, ``zone``, ``provider``,
            ``ready`` (replicas passing health checks), ``replicas`` (wanted, all tracks),
            ``model_version``, ``rps``, ``p50_ms``, ``p99_ms`` (None without traffic),
            ``error_rate`` (0-1), ``cost_per_hour`` (of the running replicas) and
            ``dollars`` billed so far.
        """
        spec = self.spec
        active = self.replicas()
        every = self.store.replicas(self.name, active_only=False)
        live = self._gateway_status()
        rows = []
        for region in spec.regions:
            mine = [r for r in active if r.region == region.name]
            traffic = (live or {}).get("regions", {}).get(region.name, {})
            if live is not None:
                ready = traffic.get("ready", 0)
            else:
                tls = Certificates(self.folder, self.name).client_context()
                ready = sum(1 for r in mine if is_ready(r.url, tls=tls))
            rows.append(
                {
                    "region": region.name,
                    "cloud": region.cloud,
                    "zone": region.zone,
                    "provider": region.provider,
                    "ready": ready,
                    "replicas": _desired(spec, region),
                    "model_version": ",".join(sorted({r.model_version for r in mine})) or "-",
                    "rps": traffic.get("rps", 0.0),
                    "p50_ms": traffic.get("p50_ms"),
                    "p99_ms": traffic.get("p99_ms"),
                    "error_rate": traffic.get("error_rate", 0.0),
                    "cost_per_hour": region.cost_per_hour * len(mine),
                    # the gateway bills replicas while they pass health checks (the dashboard
                    # reads the same number); without a gateway, the recorded replica-hours
                    "dollars": traffic["dollars"]
                    if "dollars" in traffic
                    else sum(r.hours() * r.cost_per_hour for r in every if r.region == region.name),
                }
            )
        return rows

    def chaos(
        self,
        region: str,
        *,
        kill: bool = False,
        hang: bool = False,
        slow_ms: float | None = None,
        errors: float | None = None,
        partition: bool = False,
        loss: float | None = None,
        delay: str | None = None,
        heal: bool = False,
    ) -> str:
        """Run one drill on a local region (choose exactly one of the drills below).

        The chaos proxies of the region read their control file on every request, so a
        drill applies to the very next request.

        Parameters
        ----------
        region : str
            Name of a ``provider: local`` region of the spec.
        kill : bool
            Kill every replica process of the region at once (SIGKILL, proxy first), and
            record them as stopped.
        hang : bool
            Accept connections but never answer.
        slow_ms : float, optional
            Wait this many milliseconds before forwarding each request.
        errors : float, optional
            Answer this share of requests (0-1) with an injected HTTP 500.
        partition : bool
            Drop 100 % of the region's packets (needs ``network: netns``).
        loss : float, optional
            Drop this percentage (0-100) of the region's packets (needs ``network: netns``).
        delay : str, optional
            Network delay ``"MS"`` or ``"MS±J"`` (``MS+-J`` also works) in milliseconds
            (needs ``network: netns``).
        heal : bool
            Restore the spec's network shape and the normal mode.

        Returns
        -------
        str
            What was done, one line for the CLI to print.

        Raises
        ------
        ConfigError
            When the region is not local, not exactly one drill is chosen, a value is out
            of range, or a network fault is asked of a region without a namespace.
        """
        spec_region = self.spec.region(region)
        if spec_region.provider != "local":
            raise ConfigError(
                f"region {region!r} uses provider {spec_region.provider}; chaos drills "
                "work on provider: local only"
            )
        drills = [kill, hang, slow_ms is not None, errors is not None, partition,
                  loss is not None, delay is not None, heal]  # fmt: skip
        if sum(drills) != 1:
            raise ConfigError(
                "choose exactly one of --kill, --hang, --slow MS, --errors RATE, --partition, "
                "--loss PCT, --delay MS[±J], --heal"
            )
        if errors is not None and not 0.0 <= errors <= 1.0:
            raise ConfigError(f"--errors {errors}: give a rate between 0 and 1, e.g. 0.2")
        if loss is not None and not 0.0 <= loss <= 100.0:
            raise ConfigError(f"--loss {loss}: give a percentage between 0 and 100, e.g. 5")
        if kill:
            victims = [r for r in self.replicas() if r.region == region]
            for replica in victims:
                get_provider("local").stop(replica, graceful=False)
                self.store.mark_stopped(replica)
            return f"killed {len(victims)} replica process(es) of {region}"
        networks = Networks(self.folder, self.name)
        in_namespace = networks.get(region) is not None
        network_drill = partition or loss is not None or delay is not None
        if network_drill and not in_namespace:
            raise ConfigError(
                f"region {region!r} has no network namespace: network faults need "
                "`network: netns` in the spec and root (deploy again after adding it)"
            )
        shape = _spec_shape(spec_region)
        if partition:
            shape = replace(shape, loss_percent=100.0)
        elif loss is not None:
            shape = replace(shape, loss_percent=loss)
        elif delay is not None:
            ms, jitter = parse_delay(delay)
            shape = replace(shape, delay_ms=ms, jitter_ms=jitter)
        # what the proxy adds: all of the delay without a namespace (or without netem)
        extra = networks.shape(region, shape) if in_namespace else shape
        mode: dict = {"mode": "normal", "delay_ms": extra.delay_ms, "jitter_ms": extra.jitter_ms}
        if hang:
            mode["mode"] = "hang"
        elif slow_ms is not None:
            mode.update(mode="slow", slow_ms=slow_ms)
        elif errors is not None:
            mode.update(mode="errors", error_rate=errors)
        write_control(control_file(self.folder, region), mode)
        if network_drill:
            return (
                f"{region}: network delay {shape.delay_ms:g}±{shape.jitter_ms:g} ms, "
                f"loss {shape.loss_percent:g} %"
            )
        return f"{region}: mode {mode['mode']}"

    def down(self) -> int:
        """Stop the gateway and every replica gracefully, remove its network namespaces and
        forget the deployment (the state folder's files stay).

        Returns
        -------
        int
            How many replicas were stopped.
        """
        row = self.store.deployment(self.name)
        stop(row["gateway_pid"])
        replicas = self.replicas()
        for replica in replicas:
            get_provider(replica.provider).stop(replica)
            self.store.mark_stopped(replica)
        Networks(self.folder, self.name).remove_all()
        self.store.forget(self.name)
        return len(replicas)

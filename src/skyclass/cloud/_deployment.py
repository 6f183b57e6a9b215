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
    """One deployment as recorded in a state folder (works from any new shell)."""

    def __init__(self, name: str, store: StateStore) -> None:
        self.name = name
        self.store = store

    @property
    def spec(self) -> DeploymentSpec:
        return DeploymentSpec.model_validate(self.store.deployment(self.name)["spec"])

    @property
    def gateway_url(self) -> str:
        return self.store.deployment(self.name)["gateway_url"] or gateway_url(self.spec)

    @property
    def folder(self) -> Path:
        return self.store.folder(self.name)

    def replicas(self) -> list[Replica]:
        return self.store.replicas(self.name)

    def _gateway_status(self) -> dict | None:
        try:
            trust = Certificates(self.folder, self.name).trust()
            return httpx.get(self.gateway_url + "/gateway/status", timeout=1.0, verify=trust).json()
        except (httpx.HTTPError, ValueError):
            return None

    def status(self) -> list[dict]:
        """One row per region: readiness, version, traffic (from the gateway) and cost."""
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
        """Run one drill on a local region; returns what was done (for the CLI to print).

        ``partition``/``loss``/``delay`` are network faults (``network: netns``): 100 %
        packet loss, ``loss`` percent loss, or ``delay`` as ``"MS"`` or ``"MS±J"`` (``MS+-J``
        also works). ``heal`` restores the spec's network and the normal mode.
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
        """Stop the gateway and every replica; forget the deployment. Returns replicas stopped."""
        row = self.store.deployment(self.name)
        stop(row["gateway_pid"])
        replicas = self.replicas()
        for replica in replicas:
            get_provider(replica.provider).stop(replica)
            self.store.mark_stopped(replica)
        Networks(self.folder, self.name).remove_all()
        self.store.forget(self.name)
        return len(replicas)

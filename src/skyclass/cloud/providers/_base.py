"""The one contract every provider implements, and what a launch is given."""

from __future__ import annotations

import time
from abc import ABC, abstractmethod
from dataclasses import dataclass
from pathlib import Path

from skyclass.cloud._spec_models import DeploymentSpec, RegionSpec
from skyclass.cloud._state import Replica
from skyclass.plugins import Registry


@dataclass(frozen=True)
class LaunchContext:
    """Where a provider may write (logs, manifests, control files) and what it deploys."""

    spec: DeploymentSpec
    folder: Path
    apply: bool = False


class Provider(ABC):
    """Starts replicas of one model in one region, and stops them again.

    Lifecycle: a fresh instance per call site (``PROVIDERS.create(name)``), holding no
    state of its own: everything a later command needs is in the returned
    :class:`Replica` records (the state database) and the deployment folder. Calls come
    from one thread at a time (deploy, chaos and down are separate commands).
    """

    name: str

    @abstractmethod
    def launch(
        self,
        ctx: LaunchContext,
        region: RegionSpec,
        track: str,
        model_uri: str,
        model_version: str,
        count: int,
    ) -> list[Replica]:
        """Start ``count`` replicas (not waiting for readiness) and describe them."""

    @abstractmethod
    def stop(self, replica: Replica, *, graceful: bool = True) -> None:
        """Stop one replica; ``graceful`` lets in-flight requests finish first."""


PROVIDERS: Registry[Provider] = Registry("provider", Provider, field="regions[].provider")


def endpoint_replicas(
    provider: str,
    ctx: LaunchContext,
    region: RegionSpec,
    track: str,
    model_uri: str,
    model_version: str,
) -> list[Replica]:
    """One replica per URL in ``region.endpoints`` (primary track only; other tracks get none)."""
    return [
        Replica(
            deployment=ctx.spec.name,
            region=region.name,
            track=track,
            provider=provider,
            url=url.rstrip("/"),
            model_uri=model_uri,
            model_version=model_version,
            cost_per_hour=region.cost_per_hour,
            started=time.time(),
        )
        for url in (region.endpoints if track == "primary" else [])
    ]

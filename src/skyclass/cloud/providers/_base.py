"""The one contract every provider implements, and what a launch is given."""

from __future__ import annotations

import time
from dataclasses import dataclass
from pathlib import Path
from typing import Protocol

from skyclass.cloud._spec import DeploymentSpec, RegionSpec
from skyclass.cloud._state import Replica


@dataclass(frozen=True)
class LaunchContext:
    """Where a provider may write (logs, manifests, control files) and what it deploys."""

    spec: DeploymentSpec
    folder: Path
    apply: bool = False


class Provider(Protocol):
    """Starts replicas of one model in one region, and stops them again."""

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
        ...

    def stop(self, replica: Replica, *, graceful: bool = True) -> None:
        """Stop one replica; ``graceful`` lets in-flight requests finish first."""
        ...


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

"""The one contract every provider implements, and what a launch is given."""

from __future__ import annotations

import time
from abc import ABC, abstractmethod
from dataclasses import dataclass
from pathlib import Path

from skyclass.cloud._spec_models import DeploymentSpec, RegionSpec, names_from
from skyclass.cloud._state import Replica
from skyclass.plugins import Registry


@dataclass(frozen=True)
class LaunchContext:
    """Where a provider may write (logs, manifests, control files) and what it deploys.

    Attributes
    ----------
    spec : DeploymentSpec
        The whole deployment being reconciled (name, TLS, trust, network, ...).
    folder : pathlib.Path
        The deployment's state folder; providers write under it (``logs/``, ``chaos/``,
        ``kubernetes/``, certificates).
    apply : bool
        Whether rendered infrastructure should really be applied (``skyclass deploy
        --apply``; default False: render only).
    """

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
        """Start replicas of one model in one region and describe them.

        Return at once: the caller waits for V2 readiness and, should that fail, stops
        what was returned.

        Parameters
        ----------
        ctx : LaunchContext
            The deployment and its folder.
        region : RegionSpec
            The region to start replicas in.
        track : str
            ``"primary"``, ``"canary"`` or ``"shadow"``.
        model_uri : str
            The bundle or registry URI to serve, pinned to a version and already in the
            region's store.
        model_version : str
            That version, recorded with each replica.
        count : int
            How many replicas to start.

        Returns
        -------
        list of Replica
            One record per replica, with the URL the gateway routes to (and process ids when
            the provider has them); the caller stores them.
        """

    @abstractmethod
    def stop(self, replica: Replica, *, graceful: bool = True) -> None:
        """Stop one replica; stopping one that is already gone is no error.

        Parameters
        ----------
        replica : Replica
            A replica this provider launched (as recorded).
        graceful : bool
            Let in-flight requests finish first (default True); False stops it at once,
            as a crash would.
        """


PROVIDERS: Registry[Provider] = Registry("provider", Provider, field="regions[].provider")
names_from("provider", PROVIDERS)


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

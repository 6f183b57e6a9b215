"""External provider: V2 endpoints that already run elsewhere (a managed endpoint in any cloud).

Nothing is started or stopped; each URL in the region's ``endpoints`` becomes a replica
the gateway routes to, billed at the region's ``cost_per_hour``.
"""

from __future__ import annotations

from skyclass.cloud._spec_models import RegionSpec
from skyclass.cloud._state import Replica
from skyclass.cloud.providers._base import PROVIDERS, LaunchContext, Provider, endpoint_replicas


@PROVIDERS.register("external")
class ExternalProvider(Provider):
    """Registers existing endpoints (primary track only; ``count`` is the endpoints list)."""

    name = "external"

    def launch(
        self,
        ctx: LaunchContext,
        region: RegionSpec,
        track: str,
        model_uri: str,
        model_version: str,
        count: int,
    ) -> list[Replica]:
        return endpoint_replicas(self.name, ctx, region, track, model_uri, model_version)

    def stop(self, replica: Replica, *, graceful: bool = True) -> None:
        """Nothing to stop: external endpoints are not ours; only the registration ends.

        Parameters
        ----------
        replica : Replica
            The registered endpoint; left running.
        graceful : bool
            Ignored.
        """

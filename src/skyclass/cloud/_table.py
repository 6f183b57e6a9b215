"""Publishing a deployment's routing table (``endpoints.json``) for its gateways to watch."""

from __future__ import annotations

import os
from pathlib import Path

from skyclass.cloud._certs import Certificates
from skyclass.cloud._spec_models import DeploymentSpec
from skyclass.cloud._state import Replica
from skyclass.gateway import Endpoint, RoutingTable, UpstreamTls, read_table


def table_path(folder: Path) -> Path:
    return folder / "endpoints.json"


def build_table(
    spec: DeploymentSpec, replicas: list[Replica], version: int, tls: UpstreamTls | None = None
) -> RoutingTable:
    """The routing table for the active ``replicas`` under ``spec``'s rollout.

    ``tls`` (the gateway's client certificate) is used for the ``https`` replicas.
    """
    regions = {r.name: r for r in spec.regions}
    endpoints = []
    for replica in replicas:
        region = regions.get(replica.region)
        if region is None:
            continue
        endpoints.append(
            Endpoint(
                url=replica.url,
                region=region.name,
                cloud=region.cloud,
                zone=region.zone,
                cost_per_hour=region.cost_per_hour,
                weight=region.weight,
                track=replica.track,
            )
        )
    rollout = spec.rollout
    return RoutingTable(
        endpoints=endpoints,
        tls=tls,
        canary_weight=rollout.canary.weight if rollout.canary else 0.0,
        shadow_percent=rollout.shadow.percent if rollout.shadow else 0.0,
        version=version,
    )


def publish(folder: Path, spec: DeploymentSpec, replicas: list[Replica]) -> RoutingTable:
    """Write the next table version atomically (gateways never see a half-written file)."""
    path = table_path(folder)
    tls = Certificates(folder, spec.name).current() if spec.tls.replicas == "mutual" else None
    table = build_table(spec, replicas, read_table(path).version + 1, tls)
    tmp = path.with_suffix(f".{os.getpid()}.tmp")
    tmp.write_text(table.model_dump_json(indent=1))
    os.replace(tmp, path)
    return table

"""The JSON of ``/gateway/status``, the same on every engine.

Each engine says what it knows of every endpoint (health, outstanding requests, last
routed) and of every region (traffic and replica-hours); :func:`region_status` groups
the endpoints by region, prices each region and keeps the cost gauge in step, so status,
dashboard, metrics and ledger give one number; :func:`gateway_status` adds the rest.

Example:
    >>> from skyclass.gateway import Endpoint
    >>> from skyclass.gateway._metrics import GatewayMetrics
    >>> a = Endpoint(url="http://a", region="eu", cost_per_hour=2.0)
    >>> rows = [(a, endpoint_row(a, healthy=True, available=True, outstanding=0))]
    >>> regions = region_status(rows, lambda name: {"replica_hours": 1.5}, GatewayMetrics())
    >>> regions["eu"]["dollars"], regions["eu"]["ready"]
    (3.0, 1)
"""

from __future__ import annotations

from collections.abc import Callable, Iterable

from skyclass.gateway._metrics import GatewayMetrics
from skyclass.gateway._settings import Endpoint, GatewaySettings, RoutingTable


def endpoint_row(
    endpoint: Endpoint,
    *,
    healthy: bool,
    available: bool,
    outstanding: int,
    ewma_ms: float | None = None,
    last_routed: float | None = None,
) -> dict:
    """One endpoint's entry: its URL and track, health, load and when it last got traffic."""
    return {
        "url": endpoint.url,
        "track": endpoint.track,
        "healthy": healthy,
        "available": available,
        "outstanding": outstanding,
        "ewma_ms": ewma_ms,
        "last_routed": last_routed,
    }


def region_status(
    rows: Iterable[tuple[Endpoint, dict]],
    stats_of: Callable[[str], dict],
    metrics: GatewayMetrics,
) -> dict[str, dict]:
    """Regions by name: identity, the endpoints' rows, traffic stats, dollars, ready count."""
    regions: dict[str, dict] = {}
    for endpoint, row in rows:
        entry = regions.setdefault(
            endpoint.region,
            {
                "region": endpoint.region,
                "cloud": endpoint.cloud,
                "zone": endpoint.zone,
                "cost_per_hour": endpoint.cost_per_hour,
                "endpoints": [],
            },
        )
        entry["endpoints"].append(row)
    for name, entry in regions.items():
        stats = stats_of(name)
        entry.update(stats)
        entry["dollars"] = stats["replica_hours"] * entry["cost_per_hour"]
        entry["ready"] = sum(1 for e in entry["endpoints"] if e["available"])
        metrics.cost.labels(region=name, cloud=entry["cloud"]).set(entry["dollars"])
    return regions


def gateway_status(
    settings: GatewaySettings,
    table: RoutingTable,
    regions: dict[str, dict],
    *,
    version: int,
    shadow: tuple[int, int, int | None],
    unrouted: int,
    panic_routed: int,
) -> dict:
    """The whole status document around ``regions`` (see :meth:`Router.snapshot`).

    ``version`` is the routing table in effect; ``shadow`` is (sent, failed, label
    disagreements, None where the engine cannot compare them).
    """
    sent, failed, disagreements = shadow
    return {
        "policy": settings.policy,
        "table_version": version,
        "canary_weight": table.canary_weight,
        "shadow_percent": table.shadow_percent,
        "regions": regions,
        "shadow": {"sent": sent, "failed": failed, "disagreements": disagreements},
        "unrouted": unrouted,
        "panic_routed": panic_routed,
    }

"""Reading Envoy's admin interface: per-host health and counters, per-cluster latency.

Envoy's admin API (loopback only) is the one source of the gateway's numbers with
the Envoy engine: ``/clusters?format=json`` for each host's health flags and request
counters, ``/stats?format=json`` for the applied resource versions (and, parsed by
:func:`parse_stats`, counters and the latency quantiles of the last stats flush),
``/stats/prometheus`` for Envoy's own statistics passed on to ``/gateway/metrics``.

Example:
    >>> hosts = parse_clusters({"cluster_statuses": [{"name": "region.primary.eu",
    ...     "host_statuses": [{"address": {"socket_address": {"address": "127.0.0.1",
    ...     "port_value": 9001}}, "stats": [{"name": "rq_total", "value": "7"}],
    ...     "health_status": {"eds_health_status": "HEALTHY"}}]}]})
    >>> hosts[("region.primary.eu", "127.0.0.1:9001")]["rq_total"], hosts[("region.primary.eu",
    ...     "127.0.0.1:9001")]["healthy"]
    (7, True)
"""

from __future__ import annotations

from dataclasses import dataclass, field

import aiohttp


@dataclass
class AdminView:
    """One poll of Envoy's admin API."""

    hosts: dict[tuple[str, str], dict] = field(default_factory=dict)
    counters: dict[str, int] = field(default_factory=dict)
    texts: dict[str, str] = field(default_factory=dict)
    quantiles: dict[str, dict[str, float | None]] = field(default_factory=dict)


def parse_clusters(doc: dict) -> dict[tuple[str, str], dict]:
    """``(cluster, "host:port")`` → counters plus ``healthy``/``ejected``/``pending`` flags."""
    out: dict[tuple[str, str], dict] = {}
    for cluster in doc.get("cluster_statuses", []):
        for host in cluster.get("host_statuses", []):
            sock = host.get("address", {}).get("socket_address", {})
            key = (cluster["name"], f"{sock.get('address')}:{sock.get('port_value')}")
            entry: dict = {
                stat["name"]: int(stat.get("value", 0))
                for stat in host.get("stats", [])
                if stat.get("type", "COUNTER") in ("COUNTER", "GAUGE")
            }
            health = host.get("health_status", {})
            failed_hc = bool(health.get("failed_active_health_check"))
            entry["healthy"] = not failed_hc and health.get("eds_health_status") != "UNHEALTHY"
            entry["ejected"] = bool(health.get("failed_outlier_check"))
            entry["pending"] = bool(health.get("pending_active_hc"))
            out[key] = entry
    return out


def parse_stats(doc: dict) -> tuple[dict[str, int], dict[str, str], dict[str, dict]]:
    """Counters/gauges, text readouts, and interval quantiles (p50/p99, in ms) by name."""
    counters: dict[str, int] = {}
    texts: dict[str, str] = {}
    quantiles: dict[str, dict] = {}
    for stat in doc.get("stats", []):
        if "histograms" in stat:
            hist = stat["histograms"]
            supported = hist.get("supported_quantiles", [])
            for computed in hist.get("computed_quantiles", []):
                values = computed.get("values", [])
                picked = {}
                for q, key in ((50.0, "p50_ms"), (99.0, "p99_ms")):
                    if q in supported and supported.index(q) < len(values):
                        both = values[supported.index(q)]
                        value = both.get("interval")
                        value = both.get("cumulative") if value is None else value
                        picked[key] = None if value is None else float(value)
                quantiles[computed["name"]] = picked
        elif "name" in stat:
            value = stat.get("value")
            if isinstance(value, int | float):
                counters[stat["name"]] = int(value)
            elif isinstance(value, str):
                texts[stat["name"]] = value
    return counters, texts, quantiles


async def poll(session: aiohttp.ClientSession, admin: str, *, versions: bool = False) -> AdminView:
    """Hosts from ``/clusters``; with ``versions`` also the applied resource versions.

    Only the version readouts are asked of ``/stats`` (a filter): a full statistics dump
    costs Envoy's main thread more than all the routing a poll interval sees.
    """
    async with session.get(f"{admin}/clusters?format=json") as reply:
        hosts = parse_clusters(await reply.json(content_type=None))
    if not versions:
        return AdminView(hosts)
    async with session.get(f"{admin}/stats?format=json&filter=version_text$") as reply:
        counters, texts, quantiles = parse_stats(await reply.json(content_type=None))
    return AdminView(hosts, counters, texts, quantiles)


async def prometheus(session: aiohttp.ClientSession, admin: str) -> str:
    """Envoy's own statistics in the Prometheus text format."""
    async with session.get(f"{admin}/stats/prometheus") as reply:
        return await reply.text()

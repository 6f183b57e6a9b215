"""Region health for the dashboard: from a gateway (``/gateway/status`` JSON, else its
Prometheus ``/gateway/metrics``) or from a status JSON file (``skyclass status --json``).

Every source becomes a list of dicts with the same keys: region, cloud, zone, healthy,
ready, endpoints, requests, errors, rps, p50_ms, p99_ms, error_rate, cost_per_hour, dollars
(``None`` where the source does not say).

Example:
    >>> from skyclass.monitor._regions import regions_from_status
    >>> regions_from_status({"regions": {"eu": {"cloud": "gcp", "rps": 3.0}}})[0]["rps"]
    3.0
"""

from __future__ import annotations

import json
from collections.abc import Mapping
from pathlib import Path
from typing import Any

import httpx
from prometheus_client.parser import text_string_to_metric_families

from skyclass.errors import InputError, NotFoundError

__all__ = [
    "regions_from_gateway",
    "regions_from_prometheus",
    "regions_from_status",
    "read_status_file",
]

KEYS = (
    "region", "cloud", "zone", "healthy", "ready", "endpoints", "requests", "errors",
    "rps", "p50_ms", "p99_ms", "error_rate", "cost_per_hour", "dollars",
)  # fmt: skip
_ALIASES = {
    "rps": ("rps", "req_per_s", "requests_per_s"),
    "p50_ms": ("p50_ms", "p50"),
    "p99_ms": ("p99_ms", "p99"),
    "cost_per_hour": ("cost_per_hour", "dollars_per_hour", "usd_per_hour"),
    "dollars": ("dollars", "cost", "dollars_so_far", "cost_so_far"),
    "ready": ("ready", "replicas_ready"),
    "endpoints": ("replicas",),
}


def _number(value):
    if isinstance(value, bool):
        return float(value)
    return float(value) if isinstance(value, int | float) else None


def _one(name: str, entry: Mapping) -> dict:
    out = dict.fromkeys(KEYS)
    out["region"] = str(entry.get("region", name))
    out["cloud"] = entry.get("cloud")
    out["zone"] = entry.get("zone")
    for key in (
        "requests",
        "errors",
        "error_rate",
        "rps",
        "p50_ms",
        "p99_ms",
        "cost_per_hour",
        "dollars",
        "ready",
    ):
        for alias in _ALIASES.get(key, (key,)):
            if _number(entry.get(alias)) is not None:
                out[key] = _number(entry.get(alias))
                break
    endpoints = entry.get("endpoints")
    if isinstance(endpoints, list):
        out["endpoints"] = float(len(endpoints))
        if out["ready"] is None:
            out["ready"] = float(sum(bool(e.get("available", e.get("healthy"))) for e in endpoints))
    elif _number(entry.get("replicas")) is not None:
        out["endpoints"] = _number(entry.get("replicas"))
    if "healthy" in entry:
        out["healthy"] = bool(entry["healthy"])
    elif out["ready"] is not None:
        out["healthy"] = out["ready"] > 0
    if out["error_rate"] is None and out["requests"]:
        out["error_rate"] = (out["errors"] or 0.0) / out["requests"]
    return out


def regions_from_status(data: Any) -> list[dict]:
    """Regions from a status document: ``{"regions": {name: {...}}}``, ``{"regions": [...]}`` or a list.

    Parameters
    ----------
    data : dict or list
        The parsed status document (``skyclass status --json`` or ``/gateway/status``).

    Returns
    -------
    list of dict
        One row per region: cloud, zone, health, traffic, latency, errors and cost.
    """
    regions = data.get("regions", data) if isinstance(data, Mapping) else data
    if isinstance(regions, Mapping):
        items = list(regions.items())
    elif isinstance(regions, list):
        items = [
            (str(r.get("region", r.get("name", i))), r)
            for i, r in enumerate(regions)
            if isinstance(r, Mapping)
        ]
    else:
        raise InputError("status JSON: expected 'regions' as a mapping or a list of region objects")
    return [_one(name, entry) for name, entry in items if isinstance(entry, Mapping)]


def regions_from_prometheus(text: str) -> list[dict]:
    """Regions from the gateway's Prometheus text: requests, errors, latency quantiles, cost."""
    regions: dict[str, dict] = {}
    buckets: dict[str, list[tuple[float, float]]] = {}

    def entry(labels: Mapping) -> dict:
        name = labels.get("region", "")
        return regions.setdefault(
            name, {"region": name, "cloud": labels.get("cloud"), "requests": 0.0, "errors": 0.0}
        )

    for family in text_string_to_metric_families(text):
        for sample in family.samples:
            if "region" not in sample.labels:
                continue
            if sample.name == "skyclass_gateway_requests_total":
                entry(sample.labels)["requests"] += sample.value
            elif sample.name == "skyclass_gateway_errors_total":
                entry(sample.labels)["errors"] += sample.value
            elif sample.name == "skyclass_gateway_cost_dollars":
                entry(sample.labels)["dollars"] = sample.value
            elif sample.name == "skyclass_gateway_upstream_latency_seconds_bucket":
                entry(sample.labels)
                buckets.setdefault(sample.labels["region"], []).append(
                    (float(sample.labels["le"]), sample.value)
                )
    for name, pairs in buckets.items():
        regions[name]["p50_ms"] = _bucket_quantile(sorted(pairs), 0.5)
        regions[name]["p99_ms"] = _bucket_quantile(sorted(pairs), 0.99)
    return [_one(name, e) for name, e in sorted(regions.items())]


def _bucket_quantile(pairs: list[tuple[float, float]], q: float) -> float | None:
    """Prometheus ``histogram_quantile`` (linear inside the bucket), in milliseconds."""
    total = pairs[-1][1] if pairs else 0.0
    if total <= 0:
        return None
    rank, prev_le, prev_count = q * total, 0.0, 0.0
    for le, count in pairs:
        if count >= rank:
            if le == float("inf"):
                return prev_le * 1000
            inside = (rank - prev_count) / (count - prev_count) if count > prev_count else 0.0
            return (prev_le + (le - prev_le) * inside) * 1000
        prev_le, prev_count = le, count
    return prev_le * 1000


def regions_from_gateway(url: str, *, timeout_s: float = 2.0) -> list[dict]:
    """Ask a running gateway: ``/gateway/status`` JSON, falling back to ``/gateway/metrics``.

    Parameters
    ----------
    url : str
        The gateway's base URL.
    timeout_s : float
        Per request.

    Returns
    -------
    list of dict
        The region rows (see :func:`regions_from_status`).
    """
    base = url.rstrip("/")
    for suffix in ("/gateway/status", "/status"):
        if base.endswith(suffix):
            base = base[: -len(suffix)]
    try:
        status = httpx.get(f"{base}/gateway/status", timeout=timeout_s)
        metrics = httpx.get(f"{base}/gateway/metrics", timeout=timeout_s)
        if status.status_code != 200:
            metrics.raise_for_status()
            return regions_from_prometheus(metrics.text)
        regions = regions_from_status(status.json())
    except (httpx.HTTPError, ValueError) as err:
        raise InputError(
            f"gateway {url}: cannot read its status ({err}); is 'skyclass gateway' running?"
        ) from None
    if metrics.status_code == 200:
        # the status JSON's latency covers the last seconds only; when idle, use the histogram
        totals = {r["region"]: r for r in regions_from_prometheus(metrics.text)}
        for region in regions:
            for key in ("p50_ms", "p99_ms"):
                if region[key] is None and region["region"] in totals:
                    region[key] = totals[region["region"]][key]
    return regions


def read_status_file(path: str | Path) -> list[dict]:
    """Regions from a status JSON file.

    Parameters
    ----------
    path : str or Path
        A JSON status file.

    Returns
    -------
    list of dict
        The region rows (see :func:`regions_from_status`).
    """
    path = Path(path)
    if not path.is_file():
        raise NotFoundError(
            f"status file {path} not found; write it with 'skyclass status --json > {path}'"
        )
    try:
        return regions_from_status(json.loads(path.read_text()))
    except json.JSONDecodeError as err:
        raise InputError(f"status file {path}: not JSON ({err})") from None

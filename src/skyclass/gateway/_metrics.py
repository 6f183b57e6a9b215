"""Prometheus metrics of one gateway instance (its own registry, so two can share a process).

Example:
    >>> metrics = GatewayMetrics()
    >>> metrics.requests.labels(region="a", cloud="aws", code="200").inc()
    >>> b"skyclass_gateway_requests_total" in metrics.render()
    True
"""

from __future__ import annotations

from prometheus_client import CollectorRegistry, Counter, Gauge, Histogram, generate_latest

_BUCKETS = (0.0005, 0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1.0, 2.5, 5.0)


class GatewayMetrics:
    """Requests, errors, latency, ejections, failovers, shadow checks and cost per region/cloud."""

    def __init__(self) -> None:
        self.registry = CollectorRegistry()
        by_region = ["region", "cloud"]
        self.requests = Counter(
            "skyclass_gateway_requests",
            "Upstream answers by status code.",
            [*by_region, "code"],
            registry=self.registry,
        )
        self.errors = Counter(
            "skyclass_gateway_errors",
            "Upstream failures (refused, reset, timeout, 5xx).",
            by_region,
            registry=self.registry,
        )
        self.latency = Histogram(
            "skyclass_gateway_upstream_latency_seconds",
            "Upstream round trip.",
            by_region,
            buckets=_BUCKETS,
            registry=self.registry,
        )
        self.ejections = Counter(
            "skyclass_gateway_ejections",
            "Times an endpoint was taken out of rotation.",
            by_region,
            registry=self.registry,
        )
        self.failovers = Counter(
            "skyclass_gateway_failovers",
            "Requests retried on another region after a failure.",
            by_region,
            registry=self.registry,
        )
        self.shadow = Counter(
            "skyclass_gateway_shadow_requests",
            "Copies mirrored to shadow endpoints.",
            ["result"],
            registry=self.registry,
        )
        self.cost = Gauge(
            "skyclass_gateway_cost_dollars",
            "Replica-hours times price since registration.",
            by_region,
            registry=self.registry,
        )
        self.unrouted = Counter(
            "skyclass_gateway_unrouted",
            "Client requests answered 503: no healthy region.",
            registry=self.registry,
        )

    def render(self) -> bytes:
        """The text exposition format."""
        return generate_latest(self.registry)

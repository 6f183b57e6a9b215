"""Prometheus metrics of one server, in a registry of its own (safe with many apps per process).

Example:
    >>> metrics = ServingMetrics()
    >>> metrics.rows.inc(3)
    >>> b"skyclass_rows_predicted_total 3.0" in metrics.render()
    True
"""

from __future__ import annotations

from prometheus_client import CollectorRegistry, Counter, Gauge, Histogram, generate_latest

_LATENCY_BUCKETS = (0.0005, 0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 10)
_BATCH_BUCKETS = (1, 2, 4, 8, 16, 32, 64, 128, 256, 512, 1024, 4096, 16384, 65536)


class ServingMetrics:
    """Every metric the server exports; ``render()`` gives the text exposition format."""

    def __init__(self) -> None:
        self.registry = CollectorRegistry(auto_describe=True)
        r = self.registry
        self.requests = Counter(
            "skyclass_requests",
            "HTTP requests by route, method and status code.",
            ["route", "method", "code"],
            registry=r,
        )
        self.errors = Counter(
            "skyclass_request_errors",
            "HTTP responses with status >= 400 by route and code.",
            ["route", "code"],
            registry=r,
        )
        self.latency = Histogram(
            "skyclass_request_duration_seconds",
            "Time from request start to response end.",
            ["route"],
            buckets=_LATENCY_BUCKETS,
            registry=r,
        )
        self.batch_rows = Histogram(
            "skyclass_batch_rows",
            "Rows per model call after micro-batching.",
            buckets=_BATCH_BUCKETS,
            registry=r,
        )
        self.batch_requests = Histogram(
            "skyclass_batch_requests",
            "Requests joined into one model call.",
            buckets=_BATCH_BUCKETS[:10],
            registry=r,
        )
        self.rows = Counter("skyclass_rows_predicted", "Rows predicted.", registry=r)
        self.classes = Counter(
            "skyclass_predicted_class", "Predicted labels.", ["label"], registry=r
        )
        self.imputed = Counter(
            "skyclass_input_imputed",
            "Input cells imputed as in training, by column and reason (missing_column: the "
            "input left the column out; missing_value: null or NaN).",
            ["column", "reason"],
            registry=r,
        )
        self.unseen = Counter(
            "skyclass_input_unseen_categories",
            "Input categories never seen in training, scored as unknown, by column.",
            ["column"],
            registry=r,
        )
        self.model_info = Gauge(
            "skyclass_model_info", "The served model (value 1).", ["name", "version"], registry=r
        )
        self.ready = Gauge(
            "skyclass_model_ready", "1 once the bundle verified and loaded.", registry=r
        )
        self.log_written = Counter(
            "skyclass_prediction_log_written",
            "Rows committed to the prediction log.",
            ["kind"],
            registry=r,
        )
        self.log_dropped = Counter(
            "skyclass_prediction_log_dropped",
            "Prediction rows not logged because the log queue was full.",
            registry=r,
        )
        self.log_errors = Counter(
            "skyclass_prediction_log_errors",
            "Failed writes to the prediction log sink.",
            registry=r,
        )
        self.log_queue = Gauge(
            "skyclass_prediction_log_queue_depth",
            "Rows queued or being written by the log writer.",
            registry=r,
        )

    def render(self) -> bytes:
        """The Prometheus text exposition of every metric."""
        return generate_latest(self.registry)

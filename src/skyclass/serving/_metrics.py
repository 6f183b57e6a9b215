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
        self._children: dict[tuple, object] = {}
        self.requests = self._add(
            Counter, "skyclass_requests", "HTTP requests by route, method and status code.",
            "route", "method", "code",
        )  # fmt: skip
        self.errors = self._add(
            Counter, "skyclass_request_errors",
            "HTTP responses with status >= 400 by route and code.", "route", "code",
        )  # fmt: skip
        self.latency = self._add(
            Histogram, "skyclass_request_duration_seconds",
            "Time from request start to response end.", "route", buckets=_LATENCY_BUCKETS,
        )  # fmt: skip
        self.batch_rows = self._add(
            Histogram, "skyclass_batch_rows", "Rows per model call after micro-batching.",
            buckets=_BATCH_BUCKETS,
        )  # fmt: skip
        self.batch_requests = self._add(
            Histogram, "skyclass_batch_requests", "Requests joined into one model call.",
            buckets=_BATCH_BUCKETS[:10],
        )  # fmt: skip
        self.rows = self._add(Counter, "skyclass_rows_predicted", "Rows predicted.")
        self.classes = self._add(Counter, "skyclass_predicted_class", "Predicted labels.", "label")
        self.imputed = self._add(
            Counter, "skyclass_input_imputed",
            "Input cells imputed as in training, by column and reason (missing_column: the "
            "input left the column out; missing_value: null or NaN).", "column", "reason",
        )  # fmt: skip
        self.unseen = self._add(
            Counter, "skyclass_input_unseen_categories",
            "Input categories never seen in training, scored as unknown, by column.", "column",
        )  # fmt: skip
        self.model_info = self._add(
            Gauge, "skyclass_model_info", "The served model (value 1).", "name", "version"
        )
        self.ready = self._add(
            Gauge, "skyclass_model_ready", "1 once the bundle verified and loaded."
        )
        self.log_written = self._add(
            Counter, "skyclass_prediction_log_written", "Rows committed to the prediction log.",
            "kind",
        )  # fmt: skip
        self.log_dropped = self._add(
            Counter, "skyclass_prediction_log_dropped",
            "Prediction rows not logged because the log queue was full.",
        )  # fmt: skip
        self.log_errors = self._add(
            Counter, "skyclass_prediction_log_errors", "Failed writes to the prediction log sink."
        )
        self.log_queue = self._add(
            Gauge, "skyclass_prediction_log_queue_depth",
            "Rows queued or being written by the log writer.",
        )  # fmt: skip

    def labelled(self, metric, *values: str):
        """``metric.labels(*values)``, looked up once: ``labels()`` itself takes a lock and
        validates its arguments on every call (a few % of a single-row request)."""
        key = (metric._name, values)
        child = self._children.get(key)
        if child is None:
            child = self._children[key] = metric.labels(*values)
        return child

    def _add(self, kind: type, name: str, documentation: str, *labels: str, **options):
        """A metric of ``kind`` (Counter, Gauge, Histogram) in this server's registry."""
        return kind(name, documentation, labels, registry=self.registry, **options)

    def render(self) -> bytes:
        """The Prometheus text exposition of every metric."""
        return generate_latest(self.registry)

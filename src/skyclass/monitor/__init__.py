"""skyclass.monitor: drift, live and estimated performance, alerts, retraining, dashboard.

Example:
    >>> from skyclass.monitor import DriftConfig
    >>> DriftConfig().drift_share
    0.5
"""

from skyclass.monitor._drift import (
    ColumnDrift,
    DriftConfig,
    DriftReport,
    data_drift,
    prediction_drift,
)

__all__ = [
    "ColumnDrift",
    "DriftConfig",
    "DriftReport",
    "data_drift",
    "prediction_drift",
]

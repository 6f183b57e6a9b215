"""skyclass.monitor: drift, live and estimated performance, alerts, retraining, dashboard.

Example:
    >>> from skyclass.monitor import DriftConfig
    >>> DriftConfig().drift_share
    0.5
"""

from skyclass.monitor._alerts import Alert, AlertManager, AlertRule
from skyclass.monitor._compare import Comparison, paired_comparison
from skyclass.monitor._config import MonitorConfig, load_monitor_config
from skyclass.monitor._dashboard import dashboard_app
from skyclass.monitor._drift import (
    ColumnDrift,
    DriftConfig,
    DriftReport,
    data_drift,
    prediction_drift,
)
from skyclass.monitor._estimate import PerformanceEstimate, PerformanceEstimator
from skyclass.monitor._html import render_html
from skyclass.monitor._log import PredictionLog, read_prediction_log
from skyclass.monitor._performance import PerformanceRow, PerformanceTable, live_performance
from skyclass.monitor._regions import read_status_file, regions_from_gateway, regions_from_status
from skyclass.monitor._retrain import RetrainResult, feedback_table, retrain
from skyclass.monitor._run import MonitorResult, WindowValues, monitor
from skyclass.monitor._summary import print_summary

__all__ = [
    "Comparison",
    "RetrainResult",
    "feedback_table",
    "paired_comparison",
    "retrain",
    "dashboard_app",
    "print_summary",
    "read_status_file",
    "regions_from_gateway",
    "regions_from_status",
    "render_html",
    "MonitorResult",
    "WindowValues",
    "monitor",
    "Alert",
    "AlertManager",
    "AlertRule",
    "MonitorConfig",
    "load_monitor_config",
    "ColumnDrift",
    "DriftConfig",
    "DriftReport",
    "PerformanceEstimate",
    "PerformanceEstimator",
    "PerformanceRow",
    "PerformanceTable",
    "PredictionLog",
    "data_drift",
    "live_performance",
    "prediction_drift",
    "read_prediction_log",
]

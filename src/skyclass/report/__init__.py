"""skyclass.report: the self-contained HTML training report and its figures.

Example:
    >>> from skyclass.report import render_report, write_report
"""

from skyclass.report._plots import (
    plot_calibration,
    plot_candidates,
    plot_class_distribution,
    plot_confusion,
    plot_importance,
    plot_pr,
    plot_roc,
    plot_threshold_tradeoff,
)
from skyclass.report._render import render_report, write_report

__all__ = [
    "plot_calibration",
    "plot_candidates",
    "plot_class_distribution",
    "plot_confusion",
    "plot_importance",
    "plot_pr",
    "plot_roc",
    "plot_threshold_tradeoff",
    "render_report",
    "write_report",
]

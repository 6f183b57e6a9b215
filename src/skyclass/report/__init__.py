"""skyclass.report: the page toolkit (layout, charts, class palette) and the reports built on it.

The training and evaluate reports (``render_report``), the monitor page and the
dashboard are all ``page(...)`` of ``section(...)`` blocks holding ``table``,
``cards`` and charts (``line_chart``, ``bar_chart``, ``heatmap``) coloured by one
``Palette`` keyed by class.

Example:
    >>> from skyclass.report import Palette, bar_chart
    >>> colours = Palette(["cat", "dog"])
    >>> bar_chart("n", "Rows", ["cat", "dog"], {"": [3, 5]},
    ...           colours=[colours["cat"], colours["dog"]]).count('class="bar"')
    2
"""

from skyclass.report._charts import Line, bar_chart, figure, heatmap, line_chart
from skyclass.report._html import Markup, cards, esc, fmt, page, section, table
from skyclass.report._palette import ALERT, MUTED, PALETTE, SERIES, Palette
from skyclass.report._plots import (
    MIN_CALIBRATION_ROWS,
    MIN_ROWS,
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
    "ALERT",
    "MIN_CALIBRATION_ROWS",
    "MIN_ROWS",
    "MUTED",
    "PALETTE",
    "SERIES",
    "Line",
    "Markup",
    "Palette",
    "bar_chart",
    "cards",
    "esc",
    "figure",
    "fmt",
    "heatmap",
    "line_chart",
    "page",
    "plot_calibration",
    "plot_candidates",
    "plot_class_distribution",
    "plot_confusion",
    "plot_importance",
    "plot_pr",
    "plot_roc",
    "plot_threshold_tradeoff",
    "render_report",
    "section",
    "table",
    "write_report",
]

"""Logged data quality: what the server had to impute or score as unknown, summed over a window.

``skyclass serve`` stores each request's ``DataQuality`` counts (``skyclass.data``) on the
request's first row of the prediction log (the ``quality`` column of
:mod:`skyclass.logformat`); clean requests store nothing. :func:`logged_quality` adds them up
over some rows, and :func:`quality_lines` says it one line per column, with the rows as the
denominator.

Example:
    >>> import pandas as pd
    >>> from skyclass.monitor._log import PredictionLog
    >>> frame = pd.DataFrame({"quality": [
    ...     {"rows": 2, "missing_columns": {"age": 2}, "missing_values": {"age": 2}}, None,
    ...     {"rows": 1, "unseen": {"plan": 1}, "examples": {"plan": ["gold"]}}]})
    >>> quality = logged_quality(PredictionLog(frame))
    >>> print("\\n".join(quality_lines(quality)))
    column 'age': left out of 2 of 3 rows (imputed)
    column 'plan': 1 unseen category of 3 rows, scored as unknown (e.g. 'gold')
"""

from __future__ import annotations

from skyclass.data import DataQuality
from skyclass.monitor._log import PredictionLog

__all__ = ["logged_quality", "quality_lines"]


def logged_quality(log: PredictionLog) -> DataQuality:
    """The data-quality counts of ``log``'s rows summed; ``rows`` is the number of rows.

    A log written before the ``quality`` column (or by a server that had nothing to impute)
    gives an empty ``DataQuality``.
    """
    total = DataQuality()
    if "quality" in log.frame:
        for counts in log.frame["quality"]:
            if isinstance(counts, dict):
                total.merge(DataQuality.from_dict(counts))
    total.rows = len(log)
    return total


def quality_lines(quality: DataQuality) -> list[str]:
    """One sentence per affected column, e.g. ``column 'age': 312 of 5,000 values missing
    (imputed), 40 unseen categories ...``."""
    rows = quality.rows
    columns: dict[str, list[str]] = {}
    for column, cells in quality.missing_columns.items():
        columns.setdefault(column, []).append(f"left out of {cells:,} of {rows:,} rows (imputed)")
    for column, cells in quality.missing_values.items():
        cells -= quality.missing_columns.get(column, 0)  # a left-out column counts its cells too
        if cells > 0:
            columns.setdefault(column, []).append(f"{cells:,} of {rows:,} values missing (imputed)")
    for column, cells in quality.unseen.items():
        seen = ", ".join(repr(v) for v in quality.examples.get(column, []))
        columns.setdefault(column, []).append(
            f"{cells:,} unseen {'category' if cells == 1 else 'categories'} of {rows:,} rows, "
            "scored as unknown" + (f" (e.g. {seen})" if seen else "")
        )
    for column, cells in quality.coerced.items():
        columns.setdefault(column, []).append(f"{cells:,} values converted to the column's type")
    return [f"column {column!r}: {', '.join(parts)}" for column, parts in columns.items()]

"""Turn reference.json columns and current data columns into comparable ``ColumnSample`` values.

reference.json keys categories by their JSON text, so current values are keyed the same
way: booleans as ``"true"``/``"false"`` (``"True"`` in a reference is read the same),
everything else by ``str(value)``.

Example:
    >>> from skyclass.monitor._reference import reference_sample
    >>> reference_sample({"kind": "boolean", "n": 3, "missing": 0, "frequencies": {"True": 2, "False": 1}}).value_counts()
    {'true': 2.0, 'false': 1.0}
"""

from __future__ import annotations

from collections.abc import Mapping

import numpy as np
import pandas as pd

from skyclass.errors import InputError
from skyclass.monitor.stattests import ColumnSample

NUMERIC = "numeric"
CATEGORICAL_KINDS = ("categorical", "boolean")
_TRUE = {"true", "1", "1.0", "yes"}
_FALSE = {"false", "0", "0.0", "no"}


def category_key(value, kind: str) -> str | None:
    """The reference.json key for one value; ``None`` for a missing value."""
    if value is None or (isinstance(value, float) and np.isnan(value)) or value is pd.NA:
        return None
    if kind == "boolean":
        text = str(value).strip().lower()
        if text in _TRUE:
            return "true"
        if text in _FALSE:
            return "false"
    return str(value)


def reference_sample(column: Mapping) -> ColumnSample:
    """A ``ColumnSample`` from one column entry of reference.json (numeric sample or frequencies)."""
    kind = column.get("kind")
    if kind == NUMERIC:
        if "sample" not in column:
            raise InputError("reference.json: a numeric column has no 'sample'; rebuild the bundle")
        return ColumnSample.numeric(column["sample"])
    if kind in CATEGORICAL_KINDS:
        counts: dict[str, float] = {}
        for key, count in column.get("frequencies", {}).items():
            canon = category_key(key, kind)
            if canon is not None:
                counts[canon] = counts.get(canon, 0.0) + float(count)
        return ColumnSample.categorical(counts)
    raise InputError(
        f"reference.json: column kind {kind!r} has no drift test (numeric, categorical, boolean)"
    )


def current_sample(values, kind: str) -> ColumnSample:
    """A ``ColumnSample`` of current values (a Series, array or list) for a column of ``kind``."""
    series = pd.Series(values)
    if kind == NUMERIC:
        numbers = pd.to_numeric(series, errors="coerce").to_numpy(dtype=np.float64, na_value=np.nan)
        return ColumnSample.numeric(numbers)
    counts: dict[str, float] = {}
    for value, count in series.value_counts(dropna=True).items():
        key = category_key(value, kind)
        if key is not None:
            counts[key] = counts.get(key, 0.0) + float(count)
    return ColumnSample.categorical(counts)

"""JSON-safe values: the one conversion from numpy scalars and arrays to what JSON holds.

Every ``to_dict()``, ``train.json``, bundle manifest and monitor summary goes through
:func:`json_safe` (or :func:`json_scalar` for one value), so a numpy ``int64`` label, a
``float32`` score or a NaN never reaches a JSON encoder.

Example:
    >>> import numpy as np
    >>> json_safe({"n": np.int64(3), 1: [np.float32(0.5), float("nan")], "v": np.arange(2)})
    {'n': 3, '1': [0.5, None], 'v': [0, 1]}
    >>> json_scalar(np.str_("a")), json_scalar(2)
    ('a', 2)
"""

from __future__ import annotations

import math
from collections.abc import Mapping
from typing import Any

import numpy as np

__all__ = ["json_safe", "json_scalar"]


def json_scalar(value: Any) -> Any:
    """A numpy scalar as the plain Python value (``np.int64(3)`` → ``3``); others unchanged."""
    return value.item() if isinstance(value, np.generic) else value


def json_safe(value: Any) -> Any:
    """``value`` with numpy unwrapped, mappings keyed by ``str``, sequences as lists,
    non-finite floats (NaN, ±inf, which strict JSON cannot hold) as ``None`` and any
    other object as its ``str``."""
    if isinstance(value, Mapping):
        return {str(k): json_safe(v) for k, v in value.items()}
    if isinstance(value, list | tuple):
        return [json_safe(v) for v in value]
    if isinstance(value, np.ndarray):
        return json_safe(value.tolist())
    value = json_scalar(value)
    if isinstance(value, float) and not math.isfinite(value):
        return None
    if value is None or isinstance(value, str | int | float | bool):
        return value
    return str(value)  # a date, a path, an enum: its text

"""The input schema of a model: one ``ColumnSchema`` per column, inferred and enforced.

A schema is inferred once from the training table (``infer_schema``), travels
in the bundle manifest as JSON (``Schema.to_dict`` / ``Schema.from_dict``) and
checks every prediction request (``Schema.coerce``) with MLflow-like rules:

* a missing required column is an error naming it; a missing optional column
  (one that had missing values in training) is filled with missing values;
* extra columns are ignored;
* only safe conversions: int → float for numeric columns, 0/1 → bool for
  boolean columns, int → str for categorical columns, ISO-8601 strings →
  datetime for datetime columns; anything else is an error naming the column
  and the row;
* values outside the range seen in training and unseen categories are
  accepted (the model maps an unseen category to an all-zero encoding; drift
  monitoring reports them).

Example:
    >>> import pandas as pd
    >>> from skyclass.data import infer_schema
    >>> df = pd.DataFrame({"age": [31, 45], "plan": ["basic", "pro"], "churn": ["no", "yes"]})
    >>> schema = infer_schema(df, target="churn")
    >>> [(c.name, c.kind) for c in schema]
    [('age', 'numeric'), ('plan', 'categorical')]
    >>> schema.coerce([{"age": 50, "plan": "pro", "note": "ignored"}]).columns.tolist()
    ['age', 'plan']
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Iterator, Mapping
from dataclasses import dataclass, field, replace
from typing import Any

import numpy as np
import pandas as pd

from skyclass.errors import InputError

__all__ = ["KINDS", "ColumnSchema", "Schema", "canonical_array", "infer_schema"]

KINDS = ("numeric", "categorical", "boolean", "datetime", "text")
MAX_STORED_CATEGORIES = 1000
_ISO_DATETIME = re.compile(
    r"^\d{4}-\d{2}-\d{2}([T ]\d{2}:\d{2}(:\d{2}(\.\d+)?)?)?(Z|[+-]\d{2}:?\d{2})?$"
)


@dataclass(frozen=True)
class ColumnSchema:
    """One input column: its logical ``kind`` and what training saw of it.

    ``categories`` lists the values seen (categorical columns, at most 1000, most
    frequent first kept, then sorted); ``minimum``/``maximum`` the range seen
    (numbers; ISO strings for datetime columns). ``dtype`` is the pandas dtype
    of the training column, for information.

    Example:
        >>> ColumnSchema("age", "numeric", minimum=18.0, maximum=90.0).to_dict()["kind"]
        'numeric'
    """

    name: str
    kind: str
    required: bool = True
    categories: list[str] | None = None
    minimum: float | str | None = None
    maximum: float | str | None = None
    dtype: str | None = None

    def __post_init__(self) -> None:
        if self.kind not in KINDS:
            raise InputError(
                f"column {self.name!r}: kind {self.kind!r} is not one of {', '.join(KINDS)}"
            )

    def to_dict(self) -> dict[str, Any]:
        """A JSON-safe dict (the manifest form)."""
        return {
            "name": self.name,
            "kind": self.kind,
            "required": self.required,
            "categories": None if self.categories is None else list(self.categories),
            "minimum": self.minimum,
            "maximum": self.maximum,
            "dtype": self.dtype,
        }

    @classmethod
    def from_dict(cls, d: Mapping[str, Any]) -> ColumnSchema:
        """Inverse of ``to_dict``; unknown keys are an error naming them."""
        unknown = set(d) - {"name", "kind", "required", "categories", "minimum", "maximum", "dtype"}
        if unknown:
            raise InputError(f"schema column {d.get('name')!r}: unknown fields {sorted(unknown)}")
        if "name" not in d or "kind" not in d:
            raise InputError(f"schema column {d!r}: 'name' and 'kind' are required fields")
        cats = d.get("categories")
        return cls(
            name=str(d["name"]),
            kind=str(d["kind"]),
            required=bool(d.get("required", True)),
            categories=None if cats is None else [str(c) for c in cats],
            minimum=d.get("minimum"),
            maximum=d.get("maximum"),
            dtype=d.get("dtype"),
        )


@dataclass(frozen=True)
class Schema:
    """An ordered list of input columns, plus the name of the target (not an input).

    Example:
        >>> s = Schema([ColumnSchema("x", "numeric")], target="y")
        >>> Schema.from_dict(s.to_dict()) == s
        True
        >>> s.coerce({"x": [1, 2]})["x"].tolist()
        [1.0, 2.0]
    """

    columns: list[ColumnSchema] = field(default_factory=list)
    target: str | None = None

    def __post_init__(self) -> None:
        seen: set[str] = set()
        for col in self.columns:
            if col.name in seen:
                raise InputError(f"schema: column {col.name!r} appears twice; names must be unique")
            seen.add(col.name)

    # -- container protocol -------------------------------------------------
    def __iter__(self) -> Iterator[ColumnSchema]:
        return iter(self.columns)

    def __len__(self) -> int:
        return len(self.columns)

    def __contains__(self, name: object) -> bool:
        return any(c.name == name for c in self.columns)

    def __getitem__(self, name: str) -> ColumnSchema:
        for col in self.columns:
            if col.name == name:
                return col
        raise KeyError(name)

    @property
    def names(self) -> list[str]:
        """Column names in order."""
        return [c.name for c in self.columns]

    def select(self, names: Iterable[str]) -> Schema:
        """A schema with only ``names`` (in this schema's order)."""
        wanted = set(names)
        missing = wanted - set(self.names)
        if missing:
            raise InputError(f"schema has no columns {sorted(missing)}; known: {self.names}")
        return replace(self, columns=[c for c in self.columns if c.name in wanted])

    def drop(self, names: Iterable[str]) -> Schema:
        """A schema without ``names`` (e.g. ``schema.drop(text_columns)``)."""
        unwanted = set(names)
        return replace(self, columns=[c for c in self.columns if c.name not in unwanted])

    # -- JSON ---------------------------------------------------------------
    def to_dict(self) -> dict[str, Any]:
        """A JSON-safe dict: ``{"target": ..., "columns": [...]}``."""
        return {"target": self.target, "columns": [c.to_dict() for c in self.columns]}

    @classmethod
    def from_dict(cls, d: Mapping[str, Any]) -> Schema:
        """Inverse of ``to_dict``."""
        if not isinstance(d, Mapping) or not isinstance(d.get("columns"), list):
            raise InputError("schema: expected an object with a 'columns' list")
        return cls([ColumnSchema.from_dict(c) for c in d["columns"]], target=d.get("target"))

    # -- enforcement --------------------------------------------------------
    def coerce(self, data: Any) -> pd.DataFrame:
        """Validate ``data`` and return a DataFrame with exactly this schema's columns.

        ``data`` is a DataFrame, a list of records (dicts) or a dict of column →
        list/array. Result dtypes: numeric → float64, boolean → pandas
        ``boolean``, categorical/text → str (missing is NaN), datetime →
        ``datetime64[ns]`` (UTC, naive).
        """
        frame = _as_frame(data)
        out: dict[str, Any] = {}
        n = len(frame)
        for col in self.columns:
            if col.name not in frame.columns:
                if col.required:
                    raise InputError(
                        f"missing required column {col.name!r} ({col.kind}); "
                        f"send every column of the schema: {self.names}"
                    )
                out[col.name] = _missing_column(col.kind, n)
                continue
            out[col.name] = _COERCERS[col.kind](frame[col.name].reset_index(drop=True), col.name)
        return pd.DataFrame(out, index=pd.RangeIndex(n))

    def to_arrays(self, data: Any) -> dict[str, np.ndarray]:
        """Validate ``data`` and return the canonical 1-D arrays a bundle's ONNX graph takes.

        numeric and boolean → float64 (NaN = missing), datetime → float64
        seconds since 1970-01-01 UTC (NaN = missing), categorical/text →
        object array of str ("" = missing).

        Example:
            >>> s = Schema([ColumnSchema("x", "numeric"), ColumnSchema("c", "categorical")])
            >>> a = s.to_arrays([{"x": 1, "c": "a"}, {"x": None, "c": None}])
            >>> a["x"].tolist(), a["c"].tolist()
            ([1.0, nan], ['a', ''])
        """
        frame = self.coerce(data)
        return {col.name: canonical_array(frame[col.name], col.kind) for col in self.columns}


def canonical_array(series: pd.Series, kind: str) -> np.ndarray:
    """The canonical 1-D array of an already-coerced column (see ``Schema.to_arrays``)."""
    if kind == "numeric":
        return series.to_numpy(dtype=np.float64, na_value=np.nan)
    if kind == "boolean":
        return series.astype("Float64").to_numpy(dtype=np.float64, na_value=np.nan)
    if kind == "datetime":
        values = series.to_numpy(dtype="datetime64[ns]")
        seconds = values.astype(np.int64).astype(np.float64) / 1e9
        seconds[np.isnat(values)] = np.nan
        return seconds
    return series.astype(object).where(series.notna(), "").to_numpy(dtype=object)


def infer_schema(df: pd.DataFrame, target: str | None = None) -> Schema:
    """Infer a schema from a training table; ``target`` (if given) is left out of the columns.

    Rules: bool → boolean; int/float → numeric; datetime64 or ISO-8601 strings
    → datetime; pandas category → categorical; strings → text when they are
    mostly unique (over 50 distinct and over half the rows) and average three or
    more words, else categorical. A column is ``required`` unless it had
    missing values.

    Example:
        >>> infer_schema(pd.DataFrame({"when": ["2024-01-02", "2024-03-04"]}))["when"].kind
        'datetime'
    """
    if not isinstance(df, pd.DataFrame):
        raise InputError(f"infer_schema: expected a pandas DataFrame, got {type(df).__name__}")
    if target is not None and target not in df.columns:
        raise InputError(f"target column {target!r} not found; columns are {list(df.columns)}")
    columns = [_infer_column(str(name), df[name]) for name in df.columns if name != target]
    return Schema(columns, target=target)


# -- inference ------------------------------------------------------------------


def _infer_column(name: str, series: pd.Series) -> ColumnSchema:
    missing = int(series.isna().sum())
    required = missing == 0
    dtype = str(series.dtype)
    values = series.dropna()
    if pd.api.types.is_bool_dtype(series.dtype):
        return ColumnSchema(name, "boolean", required, dtype=dtype)
    if pd.api.types.is_numeric_dtype(series.dtype):
        lo, hi = (float(values.min()), float(values.max())) if len(values) else (None, None)
        return ColumnSchema(name, "numeric", required, minimum=lo, maximum=hi, dtype=dtype)
    if pd.api.types.is_datetime64_any_dtype(series.dtype):
        return _datetime_column(name, series, required, dtype)
    inferred = pd.api.types.infer_dtype(values, skipna=True)
    if inferred == "boolean":
        return ColumnSchema(name, "boolean", required, dtype=dtype)
    if inferred in ("integer", "floating", "mixed-integer-float"):
        numbers = values.astype(np.float64)
        lo, hi = (float(numbers.min()), float(numbers.max())) if len(numbers) else (None, None)
        return ColumnSchema(name, "numeric", required, minimum=lo, maximum=hi, dtype=dtype)
    if inferred in ("datetime", "datetime64", "date"):
        return _datetime_column(name, series, required, dtype)
    strings = values.astype(str)
    is_plain_string = inferred == "string" and not isinstance(series.dtype, pd.CategoricalDtype)
    if is_plain_string and len(strings) and strings.map(_ISO_DATETIME.match).notna().all():
        return _datetime_column(name, series, required, dtype)
    n_unique = strings.nunique()
    if is_plain_string:
        words = strings.str.split().str.len().mean() if len(strings) else 0.0
        if n_unique > 50 and n_unique > 0.5 * len(strings) and words >= 3:
            return ColumnSchema(name, "text", required, dtype=dtype)
    counts = strings.value_counts(sort=True)
    kept = counts.index[:MAX_STORED_CATEGORIES]
    return ColumnSchema(name, "categorical", required, categories=sorted(kept), dtype=dtype)


def _datetime_column(name: str, series: pd.Series, required: bool, dtype: str) -> ColumnSchema:
    stamps = _coerce_datetime(series.reset_index(drop=True), name).dropna()
    lo = stamps.min().isoformat() if len(stamps) else None
    hi = stamps.max().isoformat() if len(stamps) else None
    return ColumnSchema(name, "datetime", required, minimum=lo, maximum=hi, dtype=dtype)


# -- coercion -------------------------------------------------------------------


def _as_frame(data: Any) -> pd.DataFrame:
    if isinstance(data, pd.DataFrame):
        return data
    if isinstance(data, Mapping):
        columns = {}
        lengths = set()
        for key, value in data.items():
            arr = value if isinstance(value, (list, tuple, np.ndarray, pd.Series)) else [value]
            columns[key] = list(arr) if isinstance(arr, tuple) else arr
            lengths.add(len(arr))
        if len(lengths) > 1:
            raise InputError(
                f"columns have different lengths {sorted(lengths)}; send one value per row in every column"
            )
        return pd.DataFrame({k: pd.Series(v, dtype=_series_dtype(v)) for k, v in columns.items()})
    if isinstance(data, (list, tuple)):
        for i, record in enumerate(data):
            if not isinstance(record, Mapping):
                raise InputError(
                    f"row {i}: expected an object mapping column → value, got {type(record).__name__}"
                )
        names: dict[str, None] = {}
        for record in data:
            names.update(dict.fromkeys(record))
        cols = {k: [r.get(k) for r in data] for k in names}
        return pd.DataFrame({k: pd.Series(v, dtype=object) for k, v in cols.items()})
    raise InputError(
        f"expected a DataFrame, a list of records or a dict of columns, got {type(data).__name__}"
    )


def _series_dtype(values: Any) -> Any:
    return None if isinstance(values, (np.ndarray, pd.Series)) else object


def _missing_column(kind: str, n: int) -> pd.Series:
    if kind == "numeric":
        return pd.Series(np.full(n, np.nan))
    if kind == "boolean":
        return pd.Series(pd.array([pd.NA] * n, dtype="boolean"))
    if kind == "datetime":
        return pd.Series(np.full(n, np.datetime64("NaT"), dtype="datetime64[ns]"))
    return pd.Series(np.full(n, np.nan, dtype=object), dtype="str")


def _first_bad(series: pd.Series, ok: Any) -> tuple[int, Any] | None:
    for i, value in enumerate(series.tolist()):
        if not _is_missing(value) and not ok(value):
            return i, value
    return None


def _is_missing(value: Any) -> bool:
    if value is None or value is pd.NA or value is pd.NaT:
        return True
    return isinstance(value, float) and np.isnan(value)


def _type_error(name: str, bad: tuple[int, Any], expected: str) -> InputError:
    row, value = bad
    return InputError(
        f"column {name!r}: row {row} is {value!r} ({type(value).__name__}), expected {expected}; "
        "fix the value or send it as null"
    )


def _is_number(value: Any) -> bool:
    return isinstance(value, (int, float, np.integer, np.floating)) and not isinstance(
        value, (bool, np.bool_)
    )


def _coerce_numeric(series: pd.Series, name: str) -> pd.Series:
    dt = series.dtype
    if pd.api.types.is_numeric_dtype(dt) and not pd.api.types.is_bool_dtype(dt):
        return pd.Series(series.to_numpy(dtype=np.float64, na_value=np.nan))
    bad = _first_bad(series, _is_number)
    if bad is not None:
        raise _type_error(name, bad, "a number")
    return pd.Series(
        [np.nan if _is_missing(v) else float(v) for v in series.tolist()], dtype="float64"
    )


def _coerce_boolean(series: pd.Series, name: str) -> pd.Series:
    if pd.api.types.is_bool_dtype(series.dtype):
        return series.astype("boolean")

    def ok(v: Any) -> bool:
        return isinstance(v, (bool, np.bool_)) or (isinstance(v, (int, np.integer)) and v in (0, 1))

    bad = _first_bad(series, ok)
    if bad is not None:
        raise _type_error(name, bad, "true/false (or 0/1)")
    return pd.Series(
        [pd.NA if _is_missing(v) else bool(v) for v in series.tolist()], dtype="boolean"
    )


def _coerce_string(series: pd.Series, name: str) -> pd.Series:
    values = series.astype(object).tolist()

    def ok(v: Any) -> bool:
        return isinstance(v, (str, np.str_)) or (
            isinstance(v, (int, np.integer)) and not isinstance(v, (bool, np.bool_))
        )

    bad = _first_bad(pd.Series(values, dtype=object), ok)
    if bad is not None:
        raise _type_error(name, bad, "a string")
    return pd.Series([np.nan if _is_missing(v) else str(v) for v in values], dtype="str")


def _coerce_datetime(series: pd.Series, name: str) -> pd.Series:
    dt = series.dtype
    if pd.api.types.is_datetime64_any_dtype(dt):
        if getattr(dt, "tz", None) is not None:
            series = series.dt.tz_convert("UTC").dt.tz_localize(None)
        return series.astype("datetime64[ns]")

    def ok(v: Any) -> bool:
        if isinstance(v, (pd.Timestamp, np.datetime64)) or hasattr(v, "isoformat"):
            return True
        return isinstance(v, str) and bool(_ISO_DATETIME.match(v))

    bad = _first_bad(series, ok)
    if bad is not None:
        raise _type_error(name, bad, "an ISO-8601 date/time string")
    values = [None if _is_missing(v) else v for v in series.tolist()]
    try:
        parsed = pd.to_datetime(pd.Series(values, dtype=object), format="ISO8601", utc=True)
    except (ValueError, TypeError) as err:
        raise InputError(f"column {name!r}: cannot read a date/time ({err}); use ISO-8601") from err
    return parsed.dt.tz_localize(None).astype("datetime64[ns]")


_COERCERS = {
    "numeric": _coerce_numeric,
    "boolean": _coerce_boolean,
    "categorical": _coerce_string,
    "text": _coerce_string,
    "datetime": _coerce_datetime,
}

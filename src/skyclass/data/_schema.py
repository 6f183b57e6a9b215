"""The input schema of a model: one ``ColumnSchema`` per column, inferred and enforced.

A schema is inferred once from the training table (``infer_schema``), travels
in the bundle manifest as JSON (``Schema.to_dict`` / ``Schema.from_dict``) and
checks every prediction request (``Schema.coerce``) with MLflow-like rules:

* a missing required column is an error naming it; a missing optional column
  (one that had missing values in training) is filled with missing values;
* extra columns are ignored;
* only safe conversions: int → float for numeric columns, 0/1 → bool for
  boolean columns, int → str for categorical columns, ISO-8601 strings (and
  strings in the column's recorded training ``date_format``) → datetime for
  datetime columns, numbers written as text → float in a text column of a table
  (a CSV column one bad cell turned into text; JSON values stay strict);
  anything else is an error naming the column, the row and the value;
* the placeholders training read as missing (``missing_values``, e.g. ``?``)
  and the usual null tokens (``NA``, ``null``, ...) are missing values in
  numeric, boolean and datetime columns, so a bundle reads its own training
  file the way training did;
* values outside the range seen in training and unseen categories are
  accepted (the model maps an unseen category to an all-zero encoding); pass a
  ``DataQuality`` to ``to_arrays`` to count them, the missing cells and the
  left-out optional columns.

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
from collections.abc import Callable, Iterable, Iterator, Mapping
from dataclasses import dataclass, field, replace
from typing import Any

import numpy as np
import pandas as pd

from skyclass.data._parsing import NULL_TOKENS
from skyclass.data._quality import DataQuality
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
    of the training column, for information. ``missing_values`` lists the
    placeholder strings training read as missing (e.g. ``["?"]``) and
    ``date_format`` the ``strftime`` format of a datetime column's training
    strings when they were not ISO-8601 (e.g. ``"%b-%Y"``); both are ``None``
    when training needed neither, and are then left out of the JSON.

    Parameters
    ----------
    name : str
        The column's name in the input.
    kind : str
        Its logical kind, one of ``KINDS``; another value raises ``InputError``.
    required : bool
        Whether a request must send it (``False`` when training saw missing values:
        a left-out optional column is filled with missing values).
    categories : list of str, optional
        The categories training saw (categorical columns).
    minimum, maximum : float or str, optional
        The smallest and largest value training saw (ISO strings for datetimes).
    dtype : str, optional
        The pandas dtype of the training column, for information only.
    missing_values : list of str, optional
        Placeholders training read as missing, such as ``"?"``.
    date_format : str, optional
        The ``strftime`` format of non-ISO datetime strings in training.

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
    missing_values: list[str] | None = None
    date_format: str | None = None

    def __post_init__(self) -> None:
        if self.kind not in KINDS:
            raise InputError(
                f"column {self.name!r}: kind {self.kind!r} is not one of {', '.join(KINDS)}"
            )

    def to_dict(self) -> dict[str, Any]:
        """A JSON-safe dict (the manifest form).

        Returns
        -------
        dict
            ``name``, ``kind``, ``required``, ``categories``, ``minimum``, ``maximum`` and
            ``dtype``, plus ``missing_values`` and ``date_format`` when set.
        """
        out = {
            "name": self.name,
            "kind": self.kind,
            "required": self.required,
            "categories": None if self.categories is None else list(self.categories),
            "minimum": self.minimum,
            "maximum": self.maximum,
            "dtype": self.dtype,
        }
        if self.missing_values is not None:
            out["missing_values"] = list(self.missing_values)
        if self.date_format is not None:
            out["date_format"] = self.date_format
        return out

    @classmethod
    def from_dict(cls, d: Mapping[str, Any]) -> ColumnSchema:
        """Inverse of ``to_dict``; unknown keys are an error naming them.

        Parameters
        ----------
        d : mapping
            One column of a manifest's schema; ``name`` and ``kind`` are required.

        Returns
        -------
        ColumnSchema
            The column; categories and placeholders as ``str``.

        Raises
        ------
        InputError
            On an unknown field, a missing ``name``/``kind`` or an unknown kind.
        """
        unknown = set(d) - {
            *("name", "kind", "required", "categories", "minimum", "maximum", "dtype"),
            *("missing_values", "date_format"),
        }
        if unknown:
            raise InputError(f"schema column {d.get('name')!r}: unknown fields {sorted(unknown)}")
        if "name" not in d or "kind" not in d:
            raise InputError(f"schema column {d!r}: 'name' and 'kind' are required fields")
        cats = d.get("categories")
        tokens = d.get("missing_values")
        return cls(
            name=str(d["name"]),
            kind=str(d["kind"]),
            required=bool(d.get("required", True)),
            categories=None if cats is None else [str(c) for c in cats],
            minimum=d.get("minimum"),
            maximum=d.get("maximum"),
            dtype=d.get("dtype"),
            missing_values=None if tokens is None else [str(t) for t in tokens],
            date_format=d.get("date_format"),
        )


@dataclass(frozen=True)
class Schema:
    """An ordered list of input columns, plus the name of the target (not an input).

    Parameters
    ----------
    columns : list of ColumnSchema
        The input columns in the order the ONNX graph takes them; names must be unique.
    target : str, optional
        The training target's name (recorded, never an input).

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
        """A schema with only ``names`` (in this schema's order).

        Parameters
        ----------
        names : iterable of str
            Columns to keep; each must be in the schema.

        Returns
        -------
        Schema
            A new schema with the same target.

        Raises
        ------
        InputError
            Naming the columns the schema does not have.
        """
        wanted = set(names)
        missing = wanted - set(self.names)
        if missing:
            raise InputError(f"schema has no columns {sorted(missing)}; known: {self.names}")
        return replace(self, columns=[c for c in self.columns if c.name in wanted])

    def drop(self, names: Iterable[str]) -> Schema:
        """A schema without ``names`` (e.g. ``schema.drop(text_columns)``).

        Parameters
        ----------
        names : iterable of str
            Columns to leave out; names the schema lacks are ignored.

        Returns
        -------
        Schema
            A new schema with the remaining columns in order and the same target.
        """
        unwanted = set(names)
        return replace(self, columns=[c for c in self.columns if c.name not in unwanted])

    # -- JSON ---------------------------------------------------------------
    def to_dict(self) -> dict[str, Any]:
        """A JSON-safe dict: ``{"target": ..., "columns": [...]}``.

        Returns
        -------
        dict
            The target and one :meth:`ColumnSchema.to_dict` per column (the manifest's
            ``schema``).
        """
        return {"target": self.target, "columns": [c.to_dict() for c in self.columns]}

    @classmethod
    def from_dict(cls, d: Mapping[str, Any]) -> Schema:
        """Inverse of ``to_dict``.

        Parameters
        ----------
        d : mapping
            ``{"target": ..., "columns": [...]}`` as a manifest stores it.

        Returns
        -------
        Schema
            The schema.

        Raises
        ------
        InputError
            When ``d`` has no ``columns`` list, or a column is invalid.
        """
        if not isinstance(d, Mapping) or not isinstance(d.get("columns"), list):
            raise InputError("schema: expected an object with a 'columns' list")
        return cls([ColumnSchema.from_dict(c) for c in d["columns"]], target=d.get("target"))

    # -- enforcement --------------------------------------------------------
    def coerce(self, data: Any, quality: DataQuality | None = None) -> pd.DataFrame:
        """Validate ``data`` and return a DataFrame with exactly this schema's columns.

        ``data`` is a DataFrame, a list of records (dicts) or a dict of column →
        list/array. Result dtypes: numeric → float64, boolean → pandas
        ``boolean``, categorical/text → str (missing is NaN), datetime →
        ``datetime64[ns]`` (UTC, naive). ``quality`` counts as in ``to_arrays``.

        Parameters
        ----------
        data : DataFrame, list of dict or dict of lists
            The rows to check; columns the schema lacks are ignored.
        quality : DataQuality, optional
            Filled in with the left-out optional columns and converted values.

        Returns
        -------
        DataFrame
            Exactly the schema's columns, in order, with a fresh ``RangeIndex``.

        Raises
        ------
        InputError
            Naming the missing required column, or the column, row and value of a cell
            of the wrong type.
        """
        columns, n = self._validated(data, quality)
        out = {}
        for col in self.columns:
            values = columns[col.name]
            if col.kind == "boolean":
                out[col.name] = pd.array(
                    [None if np.isnan(v) else bool(v) for v in values], dtype="boolean"
                )
            elif col.kind in ("categorical", "text"):
                out[col.name] = pd.Series(values, dtype="str")
            else:
                out[col.name] = values
        return pd.DataFrame(out, index=pd.RangeIndex(n))

    def to_arrays(self, data: Any, quality: DataQuality | None = None) -> dict[str, np.ndarray]:
        """Validate ``data`` and return the canonical 1-D arrays a bundle's ONNX graph takes.

        numeric and boolean → float64 (NaN = missing), datetime → float64
        seconds since 1970-01-01 UTC (NaN = missing), categorical/text →
        object array of str ("" = missing). ``quality`` (a ``DataQuality``), when
        given, counts left-out optional columns, converted values, missing cells and
        unseen categories (see ``count_quality``).

        Parameters
        ----------
        data : DataFrame, list of dict or dict of lists
            The rows to check, as for :meth:`coerce`.
        quality : DataQuality, optional
            Counts to add this data's issues to.

        Returns
        -------
        dict of str to ndarray
            Column name → canonical 1-D array, in schema order.

        Raises
        ------
        InputError
            As :meth:`coerce`.

        Example:
            >>> s = Schema([ColumnSchema("x", "numeric"), ColumnSchema("c", "categorical")])
            >>> a = s.to_arrays([{"x": 1, "c": "a"}, {"x": None, "c": None}])
            >>> a["x"].tolist(), a["c"].tolist()
            ([1.0, nan], ['a', ''])
        """
        columns, _ = self._validated(data, quality)
        arrays = {col.name: _to_canonical(columns[col.name], col.kind) for col in self.columns}
        if quality is not None:
            self.count_quality(arrays, quality)
        return arrays

    def count_quality(self, arrays: Mapping[str, np.ndarray], quality: DataQuality) -> None:
        """Add the rows, missing cells and unseen categories of canonical ``arrays`` to ``quality``.

        Parameters
        ----------
        arrays : mapping of str to ndarray
            Canonical arrays (as :meth:`to_arrays` returns); columns absent here are skipped.
        quality : DataQuality
            The counts to add to (changed in place).

        Example:
            >>> s = Schema([ColumnSchema("c", "categorical", categories=["a"])])
            >>> q = DataQuality()
            >>> s.count_quality({"c": np.array(["a", "b", ""], dtype=object)}, q)
            >>> q.rows, q.missing_values, q.unseen
            (3, {'c': 1}, {'c': 1})
        """
        n = None
        for col in self.columns:
            values = arrays.get(col.name)
            if values is None:
                continue
            n = len(values) if n is None else n
            if col.kind in ("categorical", "text"):
                items = values.tolist() if isinstance(values, np.ndarray) else list(values)
                quality.count("missing_values", col.name, items.count(""))
                known = _known_categories(col)
                if known is not None:
                    unseen = [v for v in items if v not in known and v != ""]
                    quality.count("unseen", col.name, len(unseen), unseen[:3])
            else:
                values = np.asarray(values, dtype=np.float64)
                quality.count("missing_values", col.name, int(np.count_nonzero(values != values)))
        quality.add_rows(n or 0)

    def _validated(
        self, data: Any, quality: DataQuality | None = None
    ) -> tuple[dict[str, np.ndarray], int]:
        """Per column: float64 (numeric, boolean 0/1), object str/None, or datetime64[ns]."""
        raw, n = _columns(data, self.names)
        out = {}
        for col in self.columns:
            values = raw.get(col.name)
            if values is None:
                if col.required:
                    raise InputError(
                        f"missing required column {col.name!r} ({col.kind}); "
                        f"send every column of the schema: {self.names}"
                    )
                if quality is not None:
                    quality.count("missing_columns", col.name, n)
                values = [None] * n
            else:
                values = _read_text(col, values, quality)
            out[col.name] = _VALIDATORS[col.kind](values, col.name)
        return out, n


_KNOWN: dict[int, tuple[ColumnSchema, frozenset[str]]] = {}


def _known_categories(col: ColumnSchema) -> frozenset[str] | None:
    """The training categories of ``col`` as a set (cached), or ``None`` when they cannot say
    what is unseen (not categorical, not recorded, or cut at ``MAX_STORED_CATEGORIES``)."""
    if col.kind != "categorical" or col.categories is None:
        return None
    if len(col.categories) >= MAX_STORED_CATEGORIES:
        return None
    cached = _KNOWN.get(id(col))
    if cached is None or cached[0] is not col:
        if len(_KNOWN) > 1024:  # schemas come and go (bundles reloaded): stay bounded
            _KNOWN.clear()
        cached = _KNOWN[id(col)] = (col, frozenset(col.categories))
    return cached[1]


def canonical_array(values: Any, kind: str, name: str = "column") -> np.ndarray:
    """The canonical 1-D array (see ``Schema.to_arrays``) of one column's values of ``kind``.

    Parameters
    ----------
    values : sequence
        One column's values (list, numpy array or pandas Series).
    kind : str
        One of ``KINDS``.
    name : str
        The column's name, for error messages.

    Returns
    -------
    ndarray
        float64 (numeric, boolean, datetime seconds; NaN = missing) or object str
        (categorical, text; ``""`` = missing).

    Raises
    ------
    InputError
        For an unknown kind or a value of the wrong type (naming the row).

    Example:
        >>> canonical_array(["a", None], "categorical").tolist()
        ['a', '']
    """
    if kind not in _VALIDATORS:
        raise InputError(f"kind {kind!r} is not one of {', '.join(KINDS)}")
    return _to_canonical(_VALIDATORS[kind](values, name), kind)


def infer_schema(
    df: pd.DataFrame, target: str | None = None, formats: Mapping[str, Mapping] | None = None
) -> Schema:
    """Infer a schema from a training table; ``target`` (if given) is left out of the columns.

    Rules: bool → boolean; int/float → numeric; datetime64 or ISO-8601 strings
    → datetime; pandas category → categorical; strings → text when they are
    mostly unique (over 50 distinct and over half the rows) and average three or
    more words, else categorical. A column is ``required`` unless it had
    missing values. ``formats`` (``read_formats(raw).formats``) records per column
    the placeholders and date format training read, as ``missing_values`` and
    ``date_format``.

    Parameters
    ----------
    df : DataFrame
        The training table as read.
    target : str, optional
        The target column, left out of the schema and recorded as ``Schema.target``.
    formats : mapping, optional
        Column → ``{"missing_values": [...], "date_format": ...}``, from
        :func:`read_formats`.

    Returns
    -------
    Schema
        One column per feature, in table order.

    Raises
    ------
    InputError
        When ``df`` is not a DataFrame or ``target`` is not one of its columns.

    Example:
        >>> infer_schema(pd.DataFrame({"when": ["2024-01-02", "2024-03-04"]}))["when"].kind
        'datetime'
    """
    if not isinstance(df, pd.DataFrame):
        raise InputError(f"infer_schema: expected a pandas DataFrame, got {type(df).__name__}")
    if target is not None and target not in df.columns:
        raise InputError(f"target column {target!r} not found; columns are {list(df.columns)}")
    columns = [_infer_column(str(name), df[name]) for name in df.columns if name != target]
    for i, col in enumerate(columns):
        recorded = (formats or {}).get(col.name)
        if recorded:
            columns[i] = replace(
                col,
                missing_values=recorded.get("missing_values"),
                date_format=recorded.get("date_format") if col.kind == "datetime" else None,
            )
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
    stamps = pd.Series(_validate_datetime(series, name)).dropna()
    lo = stamps.min().isoformat() if len(stamps) else None
    hi = stamps.max().isoformat() if len(stamps) else None
    return ColumnSchema(name, "datetime", required, minimum=lo, maximum=hi, dtype=dtype)


# -- validation -----------------------------------------------------------------
# Each validator takes a column's values (a Series, a numpy array or a list) and
# returns float64 (numeric; boolean as 0/1), an object array of str / None
# (categorical, text) or datetime64[ns] (datetime), or raises InputError naming
# the column and the first bad row. Typed arrays take vectorised paths; object
# values are checked one by one.


def _columns(data: Any, names: list[str]) -> tuple[dict[str, Any], int]:
    """The values of each schema column present in ``data``, and the row count."""
    if isinstance(data, pd.DataFrame):
        return {c: data[c] for c in names if c in data.columns}, len(data)
    if isinstance(data, Mapping):
        columns = {}
        for key, value in data.items():
            if isinstance(value, (list, tuple, np.ndarray, pd.Series)):
                columns[key] = value
            else:
                columns[key] = [value]
        lengths = {len(v) for v in columns.values()}
        if len(lengths) > 1:
            raise InputError(
                f"columns have different lengths {sorted(lengths)}; "
                "send one value per row in every column"
            )
        n = lengths.pop() if lengths else 0
        return {c: columns[c] for c in names if c in columns}, n
    if isinstance(data, (list, tuple)):
        for i, record in enumerate(data):
            if not isinstance(record, Mapping):
                raise InputError(
                    f"row {i}: expected an object mapping column → value, got {type(record).__name__}"
                )
        present = {c for c in names if any(c in r for r in data)}
        return {c: [r.get(c) for r in data] for c in names if c in present}, len(data)
    raise InputError(
        f"expected a DataFrame, a list of records or a dict of columns, got {type(data).__name__}"
    )


def _is_missing(value: Any) -> bool:
    if value is None or value is pd.NA or value is pd.NaT:
        return True
    if isinstance(value, (float, np.floating)):
        return bool(np.isnan(value))
    return isinstance(value, np.datetime64) and bool(np.isnat(value))


def _type_error(name: str, row: int, value: Any, expected: str) -> InputError:
    """The error for a bad cell; ``.row`` is the row's position in the data given (a caller
    that scored one chunk of a file shifts it to the file's row, as ``predict`` does)."""
    err = InputError(
        f"column {name!r}: row {row} is {value!r} ({type(value).__name__}), expected {expected}; "
        "fix the value or send it as null"
    )
    err.row = row
    return err


def _dtype(values: Any) -> Any:
    return values.dtype if isinstance(values, (np.ndarray, pd.Series)) else None


def _is_number(value: Any) -> bool:
    return isinstance(value, (int, float, np.integer, np.floating)) and not isinstance(
        value, (bool, np.bool_)
    )


def _validate_numeric(values: Any, name: str) -> np.ndarray:
    dt = _dtype(values)
    if dt is not None and pd.api.types.is_numeric_dtype(dt) and not pd.api.types.is_bool_dtype(dt):
        if isinstance(values, pd.Series):
            return values.to_numpy(dtype=np.float64, na_value=np.nan)
        return np.asarray(values, dtype=np.float64)
    items = _as_list(values)
    if set(map(type, items)) <= {float, int, type(None)}:  # the common JSON case, vectorised
        return np.array([np.nan if v is None else v for v in items], dtype=np.float64)
    return _cell_by_cell(items, name, "a number", _number_cell, np.nan)


def _number_cell(value: Any) -> float | object:
    return float(value) if _is_number(value) else _REJECTED


def _validate_boolean(values: Any, name: str) -> np.ndarray:
    dt = _dtype(values)
    if dt is not None and pd.api.types.is_bool_dtype(dt):
        if isinstance(values, pd.Series):
            return values.astype("Float64").to_numpy(dtype=np.float64, na_value=np.nan)
        return np.asarray(values, dtype=np.float64)
    return _cell_by_cell(_as_list(values), name, "true/false (or 0/1)", _boolean_cell, np.nan)


def _boolean_cell(value: Any) -> float | object:
    if isinstance(value, (bool, np.bool_)) or (isinstance(value, (int, np.integer)) and value in (0, 1)):
        return float(value)
    return _REJECTED


def _validate_string(values: Any, name: str) -> np.ndarray:
    items = _as_list(values)
    if set(map(type, items)) <= {str, type(None)}:  # the common case
        return np.array([v or None for v in items] if items else [], dtype=object)
    return _cell_by_cell(items, name, "a string", _string_cell, None)


def _string_cell(value: Any) -> str | None | object:
    if isinstance(value, str):
        return value or None
    if isinstance(value, (int, np.integer)) and not isinstance(value, (bool, np.bool_)):
        return str(value)
    return _REJECTED


_REJECTED = object()  # what a cell reader returns for a value of the wrong type


def _cell_by_cell(
    items: list[Any], name: str, expected: str, read: Callable[[Any], Any], missing: Any
) -> np.ndarray:
    """The slow path of a validator: each cell ``missing`` (NaN: a float64 array, None: an
    object array) or ``read(cell)``, or the error naming the first cell ``read`` rejects."""
    out = np.empty(len(items), dtype=object if missing is None else np.float64)
    for i, v in enumerate(items):
        if _is_missing(v):
            out[i] = missing
            continue
        value = read(v)
        if value is _REJECTED:
            raise _type_error(name, i, v, expected)
        out[i] = value
    return out


def _validate_datetime(values: Any, name: str) -> np.ndarray:
    dt = _dtype(values)
    if dt is not None and pd.api.types.is_datetime64_any_dtype(dt):
        series = pd.Series(values)
        if getattr(series.dtype, "tz", None) is not None:
            series = series.dt.tz_convert("UTC").dt.tz_localize(None)
        return series.to_numpy(dtype="datetime64[ns]")
    items = _as_list(values)
    for i, v in enumerate(items):
        if (
            _is_missing(v)
            or isinstance(v, (pd.Timestamp, np.datetime64))
            or hasattr(v, "isoformat")
        ):
            continue
        if not (isinstance(v, str) and _ISO_DATETIME.match(v)):
            raise _type_error(
                name, i, v, "an ISO-8601 date/time string (or the training data's date format)"
            )
    cleaned = [None if _is_missing(v) else v for v in items]
    try:
        parsed = pd.to_datetime(pd.Series(cleaned, dtype=object), format="ISO8601", utc=True)
    except (ValueError, TypeError) as err:
        raise InputError(f"column {name!r}: cannot read a date/time ({err}); use ISO-8601") from err
    return parsed.dt.tz_localize(None).to_numpy(dtype="datetime64[ns]")


def _read_text(col: ColumnSchema, values: Any, quality: DataQuality | None) -> Any:
    """Text cells of a non-text column read as training read them (placeholders, formats).

    In numeric/boolean/datetime columns a null token or a recorded placeholder is missing;
    in a text column of a table (a CSV column one bad cell made text) numbers written as
    text become numbers, while JSON values stay strict; datetime strings in the recorded training
    format become timestamps. In categorical columns a recorded placeholder is missing.
    Anything else is left for the validator, which names the row and the value.
    """
    if col.kind == "text" or (col.kind == "categorical" and not col.missing_values):
        return values
    if _dtype(values) is not None and not _holds_text(values):
        return values
    from_file = _dtype(values) is not None  # a text column of a table: numbers may be text
    items = _as_list(values)
    text_at = [i for i, v in enumerate(items) if isinstance(v, str)]
    if not text_at:
        return values
    tokens = set(col.missing_values or ())
    if col.kind != "categorical":
        tokens |= NULL_TOKENS
    converted = 0
    pending: list[int] = []  # datetime strings to parse with the training format
    for i in text_at:
        text = items[i].strip()
        if text in tokens:
            items[i] = None
        elif col.kind == "numeric" and from_file:
            number = _number(text)
            if number is not None:
                items[i], converted = number, converted + 1
        elif col.kind == "datetime" and col.date_format and not _ISO_DATETIME.match(text):
            pending.append(i)
    if pending:
        stamps = pd.to_datetime(
            pd.Series([items[i] for i in pending], dtype=object),
            format=col.date_format,
            errors="coerce",
        )
        for i, stamp in zip(pending, stamps):
            if stamp is not pd.NaT:
                items[i] = stamp
    if quality is not None and not col.missing_values:  # else numbers-as-text is training's form
        quality.count("coerced", col.name, converted)
    return items


def _holds_text(values: Any) -> bool:
    dt = _dtype(values)
    return dt is not None and (dt.kind == "O" or pd.api.types.is_string_dtype(dt))


def _number(text: str) -> float | None:
    try:
        value = float(text)
    except ValueError:
        return None
    return value if np.isfinite(value) else None


def _as_list(values: Any) -> list[Any]:
    if isinstance(values, pd.Series):  # missing (NaN, NA, NaT) → None
        objects = values.astype(object)
        return objects.where(values.notna(), None).tolist()
    if isinstance(values, np.ndarray):
        return values.tolist() if values.dtype.kind not in "mM" else list(values)
    return list(values)


def _to_canonical(values: np.ndarray, kind: str) -> np.ndarray:
    if kind in ("categorical", "text"):
        out = values.copy()
        out[[v is None for v in values]] = ""
        return out
    if kind == "datetime":
        seconds = values.astype(np.int64).astype(np.float64) / 1e9
        seconds[np.isnat(values)] = np.nan
        return seconds
    return values


_VALIDATORS = {
    "numeric": _validate_numeric,
    "boolean": _validate_boolean,
    "categorical": _validate_string,
    "text": _validate_string,
    "datetime": _validate_datetime,
}

"""Turn decoded V2 tensors or JSON records into the canonical arrays a bundle's graph takes.

Canonical arrays (``skyclass.data.Schema.to_arrays``): numeric and boolean → float64 with
NaN for missing, datetime → float64 seconds since 1970 UTC, categorical/text → object
array of str with ``""`` for missing.

A missing value is JSON ``null`` (imputed by the model as in training); in numeric inputs a
bare ``NaN`` token (as tritonclient sends a float NaN) is missing too, and infinities are
refused naming the element (see ``_body`` and ``_tensors``). A ``required`` column must be sent;
an optional one left out is all missing. Columns the schema does not know are ignored.

Example:
    >>> from skyclass.data import ColumnSchema, Schema
    >>> from skyclass.serving._tensors import decode_request
    >>> schema = Schema([ColumnSchema("x", "numeric"), ColumnSchema("c", "categorical")])
    >>> request = decode_request({"inputs": [
    ...     {"name": "x", "datatype": "INT64", "shape": [1], "data": [3]},
    ...     {"name": "c", "datatype": "BYTES", "shape": [1], "data": ["a"]}]})
    >>> arrays = columns_from_tensors(schema, request.inputs, request.n_rows)
    >>> arrays["x"].tolist(), arrays["c"].tolist()
    ([3.0], ['a'])
"""

from __future__ import annotations

from collections.abc import Mapping

import numpy as np

from skyclass.bundle import DataQuality
from skyclass.errors import InputError
from skyclass.serving._tensors import DTYPES, Tensor

#: the V2 datatypes of numbers (integers and floats), read off the decoder's table
_NUMERIC = {name for name, dtype in DTYPES.items() if dtype.kind in "iuf"}
_INTEGER = _NUMERIC - {"FP16", "FP32", "FP64"}

#: the V2 datatype a client should send for each schema kind (model metadata)
DATATYPE_OF_KIND = {
    "numeric": "FP64",
    "boolean": "BOOL",
    "categorical": "BYTES",
    "text": "BYTES",
    "datetime": "BYTES",
}


def columns_from_tensors(
    schema, tensors: Mapping[str, Tensor], n_rows: int, quality: DataQuality | None = None
) -> dict[str, np.ndarray]:
    """Canonical arrays for every schema column from decoded V2 tensors.

    ``quality`` (a ``skyclass.data.DataQuality``) counts the optional columns left out,
    missing cells and categories unseen in training.
    """
    arrays = {}
    for column in schema:
        tensor = tensors.get(column.name)
        if tensor is None:
            arrays[column.name] = _absent(schema, column, n_rows)
            if quality is not None:
                quality.count("missing_columns", column.name, n_rows)
            continue
        arrays[column.name] = _convert(schema, column, tensor)
    if quality is not None:
        schema.count_quality(arrays, quality)
    return arrays


def columns_from_records(
    schema, records: object, quality: DataQuality | None = None
) -> dict[str, np.ndarray]:
    """Canonical arrays from ``[{column: value, ...}, ...]`` (the ``predict`` endpoint)."""
    if not isinstance(records, list):
        raise InputError("field 'instances' must be a list of objects, one per row")
    for row, record in enumerate(records):
        if not isinstance(record, dict):
            raise InputError(f"instances[{row}] must be an object mapping column → value")
    return schema.to_arrays(records, quality)


def _absent(schema, column, n_rows: int) -> np.ndarray:
    if column.required:
        raise InputError(
            f"missing required input '{column.name}' ({column.kind}, send datatype "
            f"{DATATYPE_OF_KIND[column.kind]}); the model needs every column of: {schema.names}"
        )
    if column.kind in ("categorical", "text"):
        return np.full(n_rows, "", dtype=object)
    return np.full(n_rows, np.nan)


def _convert(schema, column, tensor: Tensor) -> np.ndarray:
    kind, datatype, values = column.kind, tensor.datatype, tensor.values
    if kind == "numeric" and datatype in _NUMERIC:
        return values.astype(np.float64)
    if kind == "boolean" and datatype == "BOOL":
        if tensor.missing is None:
            return values.astype(np.float64)
        return np.array([np.nan if v is None else float(v) for v in values])
    if kind == "boolean" and datatype in _INTEGER:
        present = values[~np.isnan(values)] if values.dtype.kind == "f" else values
        if present.size and not np.isin(present, (0, 1)).all():
            row = int(np.flatnonzero(~np.isin(values, (0, 1)) & ~_nan(values))[0])
            raise InputError(
                f"input '{column.name}': row {row} is {values[row]}, expected true/false or 0/1"
            )
        return values.astype(np.float64)
    if kind in ("categorical", "text") and datatype == "BYTES":
        if tensor.missing is None:
            return values
        return np.where(tensor.missing, "", values).astype(object)
    if kind in ("categorical", "text") and datatype in _INTEGER:
        if tensor.missing is not None:
            return np.array(
                ["" if m else str(int(v)) for v, m in zip(values, tensor.missing)], dtype=object
            )
        return np.array([str(v) for v in values.tolist()], dtype=object)
    if kind == "datetime" and datatype == "BYTES":
        single = schema.select([column.name])
        return single.to_arrays({column.name: values.tolist()})[column.name]
    raise InputError(
        f"input '{column.name}' is {kind} but came as datatype {datatype}; "
        f"send {DATATYPE_OF_KIND[kind]}"
    )


def _nan(values: np.ndarray) -> np.ndarray:
    return np.isnan(values) if values.dtype.kind == "f" else np.zeros(values.shape, dtype=bool)

"""Build V2 ``infer`` bodies from records: what a client sends for a bundle's schema.

Example:
    >>> from skyclass.data import ColumnSchema, Schema
    >>> schema = Schema([ColumnSchema("x", "numeric"), ColumnSchema("c", "categorical")])
    >>> body = v2_request(schema, [{"x": 1.5, "c": "a"}], id="r1")
    >>> body["inputs"][1]
    {'name': 'c', 'datatype': 'BYTES', 'shape': [1], 'data': ['a']}
"""

from __future__ import annotations

import math

from skyclass.serving._columns import DATATYPE_OF_KIND


def v2_request(schema, records: list[dict], *, id: str | None = None) -> dict:
    """A V2 infer body with one tensor per schema column (``None``/NaN stay ``null``)."""
    inputs = []
    for column in schema:
        datatype = DATATYPE_OF_KIND[column.kind]
        data = [_value(record.get(column.name), datatype) for record in records]
        inputs.append(
            {"name": column.name, "datatype": datatype, "shape": [len(records)], "data": data}
        )
    body: dict = {"inputs": inputs}
    if id is not None:
        body = {"id": id, **body}
    return body


def _value(value, datatype: str):
    if value is None or (isinstance(value, float) and math.isnan(value)):
        return None
    if datatype == "BYTES":
        return value if isinstance(value, str) else str(value)
    if datatype == "BOOL":
        return bool(value)
    return float(value)

"""Build V2 ``infer`` bodies from records (JSON or binary) and read V2 replies.

Example:
    >>> from skyclass.data import ColumnSchema, Schema
    >>> schema = Schema([ColumnSchema("x", "numeric"), ColumnSchema("c", "categorical")])
    >>> body = v2_request(schema, [{"x": 1.5, "c": "a"}], id="r1")
    >>> body["inputs"][1]
    {'name': 'c', 'datatype': 'BYTES', 'shape': [1], 'data': ['a']}
"""

from __future__ import annotations

import math
from collections.abc import Iterable

import numpy as np
import orjson

from skyclass.serving._binary import decode_binary, encode_bytes
from skyclass.serving._columns import DATATYPE_OF_KIND


def v2_request(schema: Iterable, records: list[dict], *, id: str | None = None) -> dict:
    """A V2 infer body with one tensor per schema column (``None``/NaN stay ``null``).

    Parameters
    ----------
    schema : skyclass.data.Schema
        The served bundle's schema (``Bundle.schema``; any iterable of columns with
        ``name`` and ``kind`` will do); it sets each tensor's name and
        datatype (FP64 numbers, BOOL booleans, BYTES categories, text and datetimes).
    records : list of dict
        One dict per row, column name → value; a column left out of a record is sent as
        missing (``null``).
    id : str or None
        The request id echoed in the reply and used for the logged row ids; ``None`` leaves
        it out (the server then makes one).

    Returns
    -------
    dict
        The request body, ready for ``json=`` of an HTTP client.
    """
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


def v2_binary_request(
    schema: Iterable, records: list[dict], *, id: str | None = None, binary_output: bool = True
) -> tuple[bytes, dict]:
    """A V2 infer body using the binary tensor data extension (no JSON number parsing).

    Numeric columns travel as raw little-endian FP64 (NaN = missing); BOOL and BYTES columns
    as raw bytes when they have no missing value, else as JSON ``data``.

    Parameters
    ----------
    schema : skyclass.data.Schema
        The served bundle's schema (``Bundle.schema``).
    records : list of dict
        One dict per row, column name → value; a column left out of a record is missing.
    id : str or None
        The request id echoed in the reply; ``None`` leaves it out.
    binary_output : bool
        Ask for the reply's tensors raw as well (read them with ``read_v2_response``).
        Default True.

    Returns
    -------
    tuple of (bytes, dict)
        The body and the headers to send with it (``Inference-Header-Content-Length``,
        ``Content-Type: application/octet-stream``).

    Example:
        >>> from skyclass.data import ColumnSchema, Schema
        >>> body, headers = v2_binary_request(Schema([ColumnSchema("x", "numeric")]), [{"x": 2.0}])
        >>> cut = int(headers["Inference-Header-Content-Length"])
        >>> np.frombuffer(body[cut:], dtype="<f8").tolist()
        [2.0]
    """
    plain = v2_request(schema, records, id=id)
    blobs = []
    for tensor in plain["inputs"]:
        data = tensor["data"]
        if tensor["datatype"] == "FP64":
            blob = np.array([np.nan if v is None else v for v in data], dtype="<f8").tobytes()
        elif None in data:
            continue
        elif tensor["datatype"] == "BOOL":
            blob = np.array(data, dtype=bool).tobytes()
        else:
            blob = encode_bytes(data)
        del tensor["data"]
        tensor["parameters"] = {"binary_data_size": len(blob)}
        blobs.append(blob)
    if binary_output:
        plain["parameters"] = {"binary_data_output": True}
    header = orjson.dumps(plain)
    headers = {
        "Inference-Header-Content-Length": str(len(header)),
        "Content-Type": "application/octet-stream",
    }
    return b"".join([header, *blobs]), headers


def read_v2_response(content: bytes, header_length: str | None) -> dict:
    """A V2 reply as a dict, binary outputs decoded into ``data`` lists.

    Parameters
    ----------
    content : bytes
        The reply body as received.
    header_length : str or None
        The reply's ``Inference-Header-Content-Length`` header; ``None`` for a plain JSON
        reply.

    Returns
    -------
    dict
        The reply's JSON, each raw output's values put in its ``data`` list (FP32
        probabilities as floats, BYTES labels as strings).

    Raises
    ------
    skyclass.errors.InputError
        When a raw output's bytes do not match its datatype and shape.
    """
    if header_length is None:
        return orjson.loads(content)
    cut = int(header_length)
    reply = orjson.loads(content[:cut])
    offset = cut
    for output in reply.get("outputs", []):
        size = (output.get("parameters") or {}).get("binary_data_size")
        if size is None:
            continue
        chunk = content[offset : offset + size]
        offset += size
        count = math.prod(output["shape"])
        values, _ = decode_binary(chunk, output["datatype"], count, f"output {output['name']!r}")
        output["data"] = values.tolist()
    return reply

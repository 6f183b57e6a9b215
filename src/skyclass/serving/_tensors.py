"""Decode Open Inference Protocol (V2) request tensors into numpy arrays.

A V2 ``infer`` body carries one tensor per feature column::

    {"id": "r1", "inputs": [{"name": "age", "datatype": "FP64", "shape": [2], "data": [31, 47]}]}

``data`` may be flat or nested (``[[31], [47]]`` with shape ``[2, 1]``). Every check
names the input and, where it can, the element at fault.

Example:
    >>> request = decode_request({"inputs": [
    ...     {"name": "x", "datatype": "FP32", "shape": [2, 1], "data": [[1.5], [2]]}]})
    >>> request.n_rows, request.inputs["x"].values.tolist()
    (2, [1.5, 2.0])
"""

from __future__ import annotations

import math
from dataclasses import dataclass, field

import numpy as np

from skyclass.errors import InputError
from skyclass.serving._binary import decode_binary
from skyclass.serving._datatypes import DTYPES

_INTEGER = {name for name, dtype in DTYPES.items() if dtype.kind in "iu"}
_FLOAT = {"FP16", "FP32", "FP64"}


@dataclass
class Tensor:
    """One decoded input: its V2 datatype, flat values and a mask of missing (null) elements."""

    name: str
    datatype: str
    values: np.ndarray
    missing: np.ndarray | None = None


@dataclass
class InferRequest:
    """A decoded V2 request: id, inputs by name, requested outputs and row count."""

    id: str | None
    inputs: dict[str, Tensor]
    n_rows: int
    outputs: list[str] | None = None
    parameters: dict = field(default_factory=dict)
    #: outputs to send as binary data; ``None`` means all of them
    binary_outputs: set[str] | None = field(default_factory=set)


def decode_request(body: object, binary: bytes = b"") -> InferRequest:
    """Validate a parsed V2 infer body and decode its tensors (``InputError`` if malformed).

    ``binary`` holds the raw tensor bytes of the binary data extension (see ``_binary``).
    """
    if not isinstance(body, dict):
        raise InputError("request body must be a JSON object with an 'inputs' list")
    request_id = body.get("id")
    if request_id is not None and not isinstance(request_id, str):
        raise InputError("field 'id' must be a string")
    parameters = body.get("parameters", {})
    if not isinstance(parameters, dict):
        raise InputError("field 'parameters' must be a JSON object")
    raw_inputs = body.get("inputs")
    if not isinstance(raw_inputs, list) or not raw_inputs:
        raise InputError("field 'inputs' must be a non-empty list of tensors, one per column")
    inputs: dict[str, Tensor] = {}
    n_rows: int | None = None
    reader = _BinaryReader(binary)
    for position, raw in enumerate(raw_inputs):
        tensor, rows = _decode_tensor(raw, position, reader)
        if tensor.name in inputs:
            raise InputError(f"inputs[{position}]: input '{tensor.name}' appears twice")
        if n_rows is not None and rows != n_rows:
            raise InputError(
                f"input '{tensor.name}' has {rows} rows but earlier inputs have {n_rows}; "
                "every input needs the same first dimension"
            )
        n_rows = rows
        inputs[tensor.name] = tensor
    reader.finish()
    outputs, binary_outputs = _decode_outputs(body.get("outputs"))
    if parameters.get("binary_data_output") is True:
        binary_outputs = None  # every output
    return InferRequest(
        id=request_id,
        inputs=inputs,
        n_rows=n_rows or 0,
        outputs=outputs,
        parameters=parameters,
        binary_outputs=binary_outputs,
    )


class _BinaryReader:
    """Hands out consecutive slices of the binary part, one per binary input."""

    def __init__(self, binary: bytes) -> None:
        self.binary = memoryview(binary)
        self.offset = 0

    def take(self, size: int, where: str) -> bytes:
        if self.offset + size > len(self.binary):
            raise InputError(
                f"{where}: binary_data_size {size} runs past the {len(self.binary)} bytes of "
                "binary data after the JSON header"
            )
        chunk = self.binary[self.offset : self.offset + size].tobytes()
        self.offset += size
        return chunk

    def finish(self) -> None:
        if self.offset != len(self.binary):
            raise InputError(
                f"{len(self.binary) - self.offset} bytes of binary data are not claimed by any "
                "input's binary_data_size"
            )


def _decode_outputs(raw: object) -> tuple[list[str] | None, set[str]]:
    """Requested output names (``None`` = all) and those wanted as binary data."""
    if raw is None:
        return None, set()
    if not isinstance(raw, list):
        raise InputError('field \'outputs\' must be a list like [{"name": "label"}]')
    names, binary = [], set()
    for position, item in enumerate(raw):
        if not isinstance(item, dict) or not isinstance(item.get("name"), str):
            raise InputError(f"outputs[{position}] must be an object with a string 'name'")
        names.append(item["name"])
        parameters = item.get("parameters")
        if isinstance(parameters, dict) and parameters.get("binary_data") is True:
            binary.add(item["name"])
    return names, binary


def _decode_tensor(raw: object, position: int, reader: _BinaryReader) -> tuple[Tensor, int]:
    where = f"inputs[{position}]"
    if not isinstance(raw, dict):
        raise InputError(f"{where} must be an object with name, datatype, shape and data")
    name = raw.get("name")
    if not isinstance(name, str) or not name:
        raise InputError(f"{where}: 'name' must be a non-empty string (the column name)")
    where = f"input '{name}'"
    datatype = raw.get("datatype")
    if not isinstance(datatype, str) or datatype not in DTYPES:
        raise InputError(f"{where}: datatype {datatype!r} is not one of {', '.join(DTYPES)}")
    shape = raw.get("shape")
    if (
        not isinstance(shape, list)
        or not 1 <= len(shape) <= 2
        or not all(type(dim) is int and dim >= 0 for dim in shape)
        or (len(shape) == 2 and shape[1] != 1)
    ):
        raise InputError(f"{where}: shape {shape!r} must be [n] or [n, 1] (one value per row)")
    parameters = raw.get("parameters")
    size = parameters.get("binary_data_size") if isinstance(parameters, dict) else None
    if size is not None and "data" not in raw:
        if type(size) is not int or size < 0:
            raise InputError(f"{where}: binary_data_size must be a non-negative integer")
        chunk = reader.take(size, where)
        values, missing = decode_binary(chunk, datatype, math.prod(shape), where)
        return Tensor(name, datatype, values, missing), shape[0]
    data = raw.get("data")
    if not isinstance(data, list):
        raise InputError(f"{where}: 'data' must be a list (flat or nested)")
    values, missing = _decode_data(data, datatype, shape, where)
    return Tensor(name, datatype, values, missing), shape[0]


_NONE = type(None)
#: Python types a JSON value of each datatype may decode to (``None`` = missing)
_ALLOWED = {
    name: {str, _NONE}
    if name == "BYTES"
    else {bool, _NONE}
    if name == "BOOL"
    else {int, float, _NONE}
    if name in _FLOAT
    else {int, _NONE}
    for name in DTYPES
}


def _decode_data(
    data: list, datatype: str, shape: list[int], where: str
) -> tuple[np.ndarray, np.ndarray | None]:
    """Flat values of ``data``; numbers with nulls become float NaN, BOOL/BYTES nulls ``None``."""
    flat = _flatten(data, shape, where)
    kinds = set(map(type, flat))
    if not kinds <= _ALLOWED[datatype]:
        _raise_first_bad(flat, datatype, where)
    has_missing = _NONE in kinds
    if datatype in ("BYTES", "BOOL"):
        if not has_missing:
            return np.array(flat, dtype=DTYPES[datatype]), None
        values = np.array(flat, dtype=object)
        return values, np.equal(values, None)
    if datatype in _INTEGER:
        _check_range([v for v in flat if v is not None] if has_missing else flat, datatype, where)
        if not has_missing:
            return np.array(flat, dtype=DTYPES[datatype]), None
    dtype = np.float64 if has_missing else DTYPES[datatype]
    try:  # None → NaN; a JSON NaN token (see ``_body``) is missing too
        if dtype == np.float64:  # Python ints and floats fit (or raise OverflowError)
            values = np.array(flat, dtype=dtype)
        else:
            with np.errstate(over="ignore"):  # FP16/FP32: too large becomes inf, refused below
                values = np.array(flat, dtype=dtype)
    except OverflowError:
        values = np.array([float("inf")])
    if _all_finite(values):  # the common case: no NaN (missing), no infinity
        return values, None
    if datatype in _FLOAT:
        _check_finite(values, datatype, where)
    missing = np.isnan(values)
    return values, missing if missing.any() else None


def _flatten(data: list, shape: list[int], where: str) -> list:
    """``data`` as a flat list: flat already, or nested one level as ``[[v], [v], ...]``."""
    if data and type(data[0]) is list:
        if len(shape) != 2 or set(map(type, data)) != {list} or set(map(len, data)) != {1}:
            raise InputError(
                f"{where}: 'data' is ragged or nested in a way shape {shape} does not allow; "
                "send a flat list or one [value] per row"
            )
        data = [row[0] for row in data]
    expected = math.prod(shape)
    if len(data) != expected:
        raise InputError(
            f"{where}: shape {shape} needs {expected} values but 'data' has {len(data)}"
        )
    return data


def _raise_first_bad(flat: list, datatype: str, where: str) -> None:
    allowed = _ALLOWED[datatype]
    for index, item in enumerate(flat):
        if type(item) not in allowed:
            if isinstance(item, list):
                raise InputError(f"{where}: 'data' is ragged or nested deeper than its shape")
            raise InputError(
                f"{where}: element {index} is {item!r} ({type(item).__name__}), "
                f"which is not a valid {datatype} value"
            )


def _all_finite(values: np.ndarray) -> bool:
    """Whether no element is NaN or infinite: element by element for a few values (a numpy
    call costs a microsecond or two), else one reduction (an overflowing sum of finite
    values reads as not finite, and the exact checks that follow find nothing)."""
    if values.size <= 8:
        return all(map(math.isfinite, values.tolist()))
    return math.isfinite(values.sum(dtype=np.float64))


def _check_finite(values: np.ndarray, datatype: str, where: str) -> None:
    """Infinities (``Infinity`` tokens, or numbers too large for ``datatype``) are refused."""
    infinite = np.isinf(values)
    if infinite.any():
        index = int(np.argmax(infinite))
        raise InputError(
            f"{where}: element {index} is infinite or too large for {datatype}; send a finite "
            "value, or null / NaN for a missing one"
        )


def _check_range(values: list, datatype: str, where: str) -> None:
    if not values:
        return
    info = np.iinfo(DTYPES[datatype])
    low, high = min(values), max(values)
    if low < info.min or high > info.max:
        raise InputError(
            f"{where}: value {low if low < info.min else high} is outside the {datatype} "
            f"range [{info.min}, {info.max}]; declare a wider datatype"
        )

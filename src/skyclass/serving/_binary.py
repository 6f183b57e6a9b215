"""The V2 binary tensor data extension (KServe / Triton): raw tensor bytes after the JSON.

A request (or reply) with binary data has the header ``Inference-Header-Content-Length: N``:
the first N bytes of the body are the usual JSON, the rest are the tensors' raw bytes in
input order. A tensor sent that way has ``"parameters": {"binary_data_size": bytes}`` and no
``data``. Numbers are little-endian, row-major; BOOL is one byte per element; each BYTES
element is a 4-byte little-endian length followed by its bytes (UTF-8 here). In binary
floating-point tensors NaN means missing; infinities are refused.

Example:
    >>> values, missing = decode_binary(encode_bytes(["a", "bc"]), "BYTES", 2, "input 'x'")
    >>> values.tolist(), missing
    (['a', 'bc'], None)
"""

from __future__ import annotations

import struct

import numpy as np

from skyclass.errors import InputError
from skyclass.serving._datatypes import DTYPES

HEADER = "inference-header-content-length"
_LENGTH = struct.Struct("<I")


def split_body(body: bytes, header_length: str | None) -> tuple[bytes, bytes]:
    """``(json_part, binary_part)``; the whole body is JSON without the header."""
    if header_length is None:
        return body, b""
    if not header_length.isdigit() or int(header_length) > len(body):
        raise InputError(
            f"header Inference-Header-Content-Length: {header_length!r} must be the byte length "
            f"of the JSON part, at most the body size {len(body)}"
        )
    cut = int(header_length)
    return body[:cut], body[cut:]


def decode_binary(chunk: bytes, datatype: str, count: int, where: str):
    """``(values, missing mask or None)`` of ``count`` elements of ``datatype`` in ``chunk``."""
    if datatype == "BYTES":
        return _decode_strings(chunk, count, where), None
    dtype = DTYPES[datatype].newbyteorder("<")
    if len(chunk) != count * dtype.itemsize:
        raise InputError(
            f"{where}: binary_data_size is {len(chunk)} bytes but {count} {datatype} values "
            f"take {count * dtype.itemsize}"
        )
    values = np.frombuffer(chunk, dtype=dtype)
    if datatype == "BOOL":
        return values.astype(bool), None
    if dtype.kind != "f":
        return values.astype(dtype.newbyteorder("="), copy=False), None
    finite = np.isfinite(values)
    if finite.all():
        return values.astype(dtype.newbyteorder("="), copy=False), None
    infinite = np.isinf(values)
    if infinite.any():
        row = int(np.argmax(infinite))
        raise InputError(
            f"{where}: element {row} is {values[row]}; send a finite value or NaN for missing"
        )
    values = values.astype(np.float64)
    return values, np.isnan(values)


def _decode_strings(chunk: bytes, count: int, where: str) -> np.ndarray:
    unpack = _LENGTH.unpack_from
    parts: list[bytes] = []
    append = parts.append
    offset = 0
    try:
        for _ in range(count):
            (length,) = unpack(chunk, offset)
            start = offset + 4
            offset = start + length
            append(chunk[start:offset])
    except struct.error:
        raise InputError(
            f"{where}: binary BYTES data ends inside the length of element {len(parts)}"
        ) from None
    if offset != len(chunk):
        raise InputError(
            f"{where}: the {count} BYTES elements take {offset} bytes but binary_data_size is "
            f"{len(chunk)}"
        )
    decoded: dict[bytes, str] = {}
    try:
        texts = [decoded[p] if p in decoded else decoded.setdefault(p, p.decode()) for p in parts]
    except UnicodeDecodeError:
        raise InputError(f"{where}: a BYTES element is not valid UTF-8") from None
    values = np.empty(count, dtype=object)
    values[:] = texts
    return values


def encode_element(text: str) -> bytes:
    """One BYTES element: 4-byte little-endian length, then the UTF-8 bytes."""
    data = text.encode()
    return _LENGTH.pack(len(data)) + data


def encode_bytes(strings) -> bytes:
    """Length-prefixed UTF-8 elements (the binary form of a BYTES tensor)."""
    return b"".join(map(encode_element, strings))

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
    from skyclass.serving._tensors import DTYPES

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
    values = np.empty(count, dtype=object)
    offset = 0
    try:
        for index in range(count):
            (length,) = _LENGTH.unpack_from(chunk, offset)
            offset += 4
            if offset + length > len(chunk):
                raise InputError(
                    f"{where}: BYTES element {index} runs past the tensor's binary data"
                )
            values[index] = chunk[offset : offset + length].decode()
            offset += length
    except struct.error:
        raise InputError(
            f"{where}: binary BYTES data ends inside element {index}'s length"
        ) from None
    except UnicodeDecodeError:
        raise InputError(f"{where}: BYTES element {index} is not valid UTF-8") from None
    if offset != len(chunk):
        raise InputError(f"{where}: {len(chunk) - offset} bytes left after {count} BYTES elements")
    return values


def encode_bytes(strings) -> bytes:
    """Length-prefixed UTF-8 elements (the binary form of a BYTES tensor)."""
    parts = []
    for text in strings:
        data = text.encode()
        parts.append(_LENGTH.pack(len(data)))
        parts.append(data)
    return b"".join(parts)

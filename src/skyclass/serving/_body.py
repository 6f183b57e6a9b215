"""Request bodies as clients really send them: compressed, and with ``NaN`` / ``Infinity`` tokens.

* ``Content-Encoding: gzip`` or ``deflate`` (tritonclient's ``request_compression_algorithm``)
  is decompressed here, never beyond ``--max-body-bytes`` of output (413 otherwise), so a
  small compressed body cannot expand into a huge one. Other encodings get 415.
* JSON is parsed by orjson; a body orjson refuses only because it holds the bare tokens
  ``NaN``, ``Infinity`` or ``-Infinity`` (what tritonclient's rapidjson and Python's ``json``
  write for float NaN and infinities) is parsed again by Python's ``json``, which reads them
  as floats. For numeric inputs NaN then means a missing value, like ``null``.

Example:
    >>> import gzip
    >>> decompress(gzip.compress(b'{"a": 1}'), "gzip", limit=100)
    b'{"a": 1}'
    >>> parse_json(b'{"data": [1.5, NaN]}')
    {'data': [1.5, nan]}
"""

from __future__ import annotations

import json
import re
import zlib

import orjson

from skyclass.errors import InputError
from skyclass.serving._limits import BodyTooLarge

__all__ = ["UnsupportedEncoding", "decompress", "parse_json"]

_NON_FINITE = re.compile(rb"\bNaN\b|\bInfinity\b")
#: zlib window bits: gzip header, zlib header (RFC 1950, what HTTP "deflate" means) or raw
_WBITS = {"gzip": 16 + zlib.MAX_WBITS, "x-gzip": 16 + zlib.MAX_WBITS, "deflate": zlib.MAX_WBITS}


class UnsupportedEncoding(InputError):
    """A ``Content-Encoding`` the server does not decode (HTTP 415)."""


def decompress(body: bytes, encoding: str | None, *, limit: int) -> bytes:
    """``body`` decoded per its ``Content-Encoding`` (``None``/``identity``: unchanged).

    At most ``limit`` bytes are produced; more raises ``BodyTooLarge`` (HTTP 413).
    """
    name = (encoding or "identity").strip().lower()
    if name == "identity":
        return body
    if name not in _WBITS:
        raise UnsupportedEncoding(
            f"Content-Encoding {encoding!r} is not supported; send gzip, deflate or no encoding"
        )
    wbits = _WBITS[name]
    if name == "deflate" and not _zlib_header(body):
        wbits = -zlib.MAX_WBITS  # raw deflate without the zlib header, as some clients send
    inflater = zlib.decompressobj(wbits)
    try:
        out = inflater.decompress(body, limit + 1)
    except zlib.error as err:
        raise InputError(f"request body is not valid {name} data ({err})") from None
    if len(out) > limit or inflater.unconsumed_tail:
        raise BodyTooLarge(
            f"request body decompresses to more than {limit} bytes, over the limit "
            "(--max-body-bytes); split the rows over several requests"
        )
    if not inflater.eof:
        raise InputError(f"request body is truncated {name} data; send the whole stream")
    return out


def _zlib_header(body: bytes) -> bool:
    """Whether ``body`` starts with an RFC 1950 header (method 8, check bits valid)."""
    return len(body) >= 2 and body[0] & 0x0F == 8 and ((body[0] << 8) | body[1]) % 31 == 0


def parse_json(body: bytes) -> object:
    """The JSON value of ``body``; bare ``NaN``/``Infinity`` tokens are read as floats."""
    try:
        return orjson.loads(body)
    except orjson.JSONDecodeError as err:
        if not _NON_FINITE.search(body):
            raise InputError(f"malformed JSON body: {err}") from None
    try:
        return json.loads(body)
    except (ValueError, RecursionError) as err:
        raise InputError(f"malformed JSON body: {err}") from None

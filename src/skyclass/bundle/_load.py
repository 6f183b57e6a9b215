"""``load``: one entry point for every place a bundle lives (directory, zip, URL, registry URI).

It sits above both ``_bundle`` (reading files into a ``Bundle``) and ``_registry``
(resolving ``name@alias``), so neither of those imports the other's caller.
"""

from __future__ import annotations

import os
from collections.abc import Iterable
from pathlib import Path

from skyclass.bundle._bundle import Bundle, read_files
from skyclass.bundle._registry import load_uri
from skyclass.bundle._trust import KeyLike
from skyclass.bundle._trust import trusted_keys as trusted


def load(
    path_or_uri: str | os.PathLike[str],
    verify: bool = True,
    *,
    trusted_keys: Iterable[KeyLike] | None = None,
) -> Bundle:
    """Load a bundle from a directory, a ``.skyclass`` zip (local or any fsspec URL) or a registry URI.

    Registry URIs end in ``name@version`` or ``name@alias``, e.g.
    ``file:///srv/registry/churn@champion``, ``s3://bucket/models/churn@3`` or a
    plain path ``registry/churn@latest``.
    With ``verify`` (the default) every file hash and the golden rows are
    checked; a tampered or incomplete bundle raises ``IntegrityError`` naming
    the file. With ``trusted_keys`` (PEM public keys or CA certificates; several
    at once while keys rotate) the bundle's ``model.sig`` must be a valid
    signature by one of them over exactly these files, checked before anything
    is loaded; an unsigned, untrusted or altered bundle raises ``IntegrityError``.

    Example:
        >>> bundle = load("out/churn")  # doctest: +SKIP
        >>> bundle.predict_proba([{"age": 40, "plan": "pro"}]).shape  # doctest: +SKIP
        (1, 2)
    """
    if trusted_keys is not None:
        trusted_keys = trusted(trusted_keys)  # unreadable keys fail before anything is fetched
    text = os.fspath(path_or_uri)
    if "://" not in text and "@" in Path(text).name and not Path(text).exists():
        text = "file://" + str(Path(text).absolute())  # ./registry/churn@champion
    if "://" in text and "@" in text.rsplit("/", 1)[-1]:
        return load_uri(text, verify=verify, trusted_keys=trusted_keys)
    return Bundle(
        read_files(text),
        source=text.removeprefix("file://"),
        verify=verify,
        trusted_keys=trusted_keys,
    )

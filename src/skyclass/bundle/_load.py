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

    Parameters
    ----------
    path_or_uri : str or os.PathLike
        A bundle directory, a ``.skyclass`` zip (a path or an ``s3://``, ``gs://``, ``az://``
        URL), or a registry URI ending in ``name@version`` or ``name@alias``, e.g.
        ``file:///srv/registry/churn@champion``, ``s3://bucket/models/churn@3`` or a plain
        path ``registry/churn@latest``.
    verify : bool
        Check every file's SHA-256 against the manifest and that the golden rows reproduce
        their probabilities (default True). Only skip it for a bundle you just checked.
    trusted_keys : iterable of path or TrustedKey, optional
        PEM public keys or CA certificates (several at once while keys rotate). When given,
        ``model.sig`` must be a valid signature by one of them over exactly these files,
        checked before anything else of the bundle is read. Default None: no signature
        check.

    Returns
    -------
    Bundle
        The loaded bundle, ready to predict; ``version`` is set when it came from a registry.

    Raises
    ------
    NotFoundError
        When nothing is at ``path_or_uri`` (or the registry has no such name/version/alias).
    IntegrityError
        When a file is missing or altered, the golden rows are not reproduced, or (with
        ``trusted_keys``) the bundle is unsigned, signed by another key or altered since.
    ConfigError
        When a trusted key cannot be read or is not a public key.

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

"""Storage backends for the registry, chosen by URL scheme from ``STORES``.

``file://`` (and plain paths) → ``LocalStore``; ``gs://`` → ``GCSStore``;
``s3://`` (s3fs), ``az://``/``abfs://`` (adlfs), ``memory://`` → ``FsspecStore``,
which also serves any other scheme fsspec knows. Credentials and endpoints come
from ``storage_options`` or the usual environment (``AWS_ENDPOINT_URL``,
``STORAGE_EMULATOR_HOST``, ``AZURE_STORAGE_CONNECTION_STRING``, ...). A new backend
is one module registered with ``@STORES.register("scheme")`` (see ``_base.py``)
and one import line below.

Example:
    >>> open_store("memory://doc-reg").protocol
    'memory'
"""

from __future__ import annotations

import re
from typing import Any

import fsspec

from skyclass.bundle.stores._base import STORES, Store
from skyclass.bundle.stores._fsspec import FsspecStore
from skyclass.bundle.stores._gcs import GCSStore
from skyclass.bundle.stores._local import LocalStore

__all__ = [
    "STORES",
    "FsspecStore",
    "GCSStore",
    "LocalStore",
    "Store",
    "check_store_url",
    "open_store",
]


#: ``s3:/bucket``, ``gs:bucket``: a scheme without ``//`` (one letter is a Windows drive)
_SCHEME_TYPO = re.compile(r"^([A-Za-z][A-Za-z0-9+.-]+):(?!//)")
_EXAMPLES = "file:///srv/registry, s3://bucket/models, gs://bucket/models, az://container/models"


def check_store_url(url: str, what: str = "registry URL") -> str:
    """Check that ``url`` names a store this installation can open, before anything is written.

    Parameters
    ----------
    url : str
        A local path or ``scheme://path`` (``file``, ``s3``, ``gs``, ``az``, ``memory``, or
        any scheme fsspec knows).
    what : str
        How to name the URL in the error, e.g. ``"store"`` or ``"--registry"`` (default
        ``"registry URL"``).

    Returns
    -------
    str
        ``url`` unchanged.

    Raises
    ------
    InputError
        For an empty URL, a scheme without ``//``, a scheme neither skyclass nor fsspec
        knows, a scheme with no path, or one whose package is not installed; the message
        says how to fix it.

    Example:
        >>> check_store_url("memory://reg")
        'memory://reg'
        >>> check_store_url("s3:/bucket")
        Traceback (most recent call last):
        skyclass.errors.InputError: registry URL 's3:/bucket': the scheme needs '://', e.g. s3://bucket
    """
    from skyclass.errors import InputError

    if not isinstance(url, str) or not url.strip():
        raise InputError(f"{what} is empty; give a path or a URL such as {_EXAMPLES}")
    typo = _SCHEME_TYPO.match(url)
    if typo and "://" not in url:
        scheme = typo.group(1)
        rest = url[typo.end() :].lstrip("/")
        raise InputError(f"{what} {url!r}: the scheme needs '://', e.g. {scheme}://{rest}")
    if "://" not in url:
        return url
    scheme, _, rest = url.partition("://")
    in_fsspec = scheme in fsspec.available_protocols()
    if scheme not in STORES and not in_fsspec:
        raise InputError(
            f"{what} {url!r}: unknown scheme {scheme!r}; use one of {', '.join(STORES.names())} "
            f"(e.g. {_EXAMPLES}) or another scheme fsspec knows"
        )
    if not rest.strip("/"):
        raise InputError(f"{what} {url!r} has no path after '{scheme}://'; e.g. {scheme}://bucket")
    if not in_fsspec:
        return url  # a skyclass store that does not go through fsspec
    try:
        fsspec.get_filesystem_class(scheme)
    except ImportError as err:
        raise InputError(
            f"{what} {url!r}: {scheme}:// needs a package that is not installed ({err}); "
            "pip install 'skyclass[cloud]'"
        ) from None
    return url


def open_store(url: str, storage_options: dict[str, Any] | None = None) -> Store:
    """The store for a registry URL: the backend registered for its scheme, else fsspec's.

    Parameters
    ----------
    url : str
        A local path or ``scheme://path`` (checked by :func:`check_store_url`).
    storage_options : dict, optional
        Backend options: credentials, ``endpoint_url``, ... (default None: the environment's).

    Returns
    -------
    Store
        ``LocalStore`` for paths and ``file://``, ``GCSStore`` for ``gs://``, otherwise
        ``FsspecStore``.

    Raises
    ------
    InputError
        When the URL fails :func:`check_store_url`.
    """
    check_store_url(url)
    scheme = url.partition("://")[0] if "://" in url else "file"
    cls = STORES.get(scheme) if scheme in STORES else FsspecStore
    return cls(url, storage_options)

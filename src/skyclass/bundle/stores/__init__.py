"""Storage backends for the registry, chosen by URL scheme.

``file://`` (and plain paths) → ``LocalStore``; ``gs://`` → ``GCSStore``;
anything else fsspec knows (``s3://`` via s3fs, ``az://``/``abfs://`` via adlfs,
``memory://``) → the generic ``Store``. Credentials and endpoints come from
``storage_options`` or the usual environment (``AWS_ENDPOINT_URL``,
``STORAGE_EMULATOR_HOST``, ``AZURE_STORAGE_CONNECTION_STRING``, ...).

Example:
    >>> open_store("memory://doc-reg").protocol
    'memory'
"""

from __future__ import annotations

from typing import Any

from skyclass.bundle.stores._base import Store
from skyclass.bundle.stores._gcs import GCSStore
from skyclass.bundle.stores._local import LocalStore

__all__ = ["STORES", "GCSStore", "LocalStore", "Store", "open_store"]

STORES: dict[str, type[Store]] = {
    protocol: cls for cls in (LocalStore, GCSStore) for protocol in cls.protocols
}


def open_store(url: str, storage_options: dict[str, Any] | None = None) -> Store:
    """The store for ``url`` (a path or ``scheme://...``)."""
    scheme = url.partition("://")[0] if "://" in url else "file"
    return STORES.get(scheme, Store)(url, storage_options)

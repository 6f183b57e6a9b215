"""``GCSStore``: Google Cloud Storage (``gs://``) through gcsfs's JSON-API client.

gcsfs's default class first probes a bucket's layout over gRPC, which the
storage emulator cannot answer (a 60 s stall per bucket); the plain JSON-API
client (``gcsfs.core.GCSFileSystem``) works against GCS and the emulator alike.
``STORAGE_EMULATOR_HOST`` points it at an emulator.
"""

from __future__ import annotations

from typing import Any

import fsspec

from skyclass.bundle.stores._base import STORES
from skyclass.bundle.stores._fsspec import FsspecStore

__all__ = ["GCSStore"]


@STORES.register("gcs")
@STORES.register("gs")
class GCSStore(FsspecStore):
    """A registry root in a GCS bucket."""

    def _filesystem(self, options: dict[str, Any]) -> fsspec.AbstractFileSystem:
        from gcsfs.core import GCSFileSystem

        return GCSFileSystem(**options)

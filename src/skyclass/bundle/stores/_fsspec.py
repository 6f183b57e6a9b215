"""``FsspecStore``: any fsspec filesystem as a store (S3 via s3fs, Azure Blob via adlfs, memory).

Registered for the schemes skyclass tests against real emulators (``s3``, ``az``,
``abfs``) and ``memory``; ``open_store`` also uses it for any other scheme fsspec
knows (``hdfs``, ``sftp``, ...). Listings and existence checks invalidate fsspec's
caches first, because other processes write to the same bucket.
"""

from __future__ import annotations

from typing import Any

import fsspec

from skyclass.bundle.stores._base import STORES, Store

__all__ = ["FsspecStore"]


@STORES.register("memory")
@STORES.register("abfs")
@STORES.register("az")
@STORES.register("s3")
class FsspecStore(Store):
    """An fsspec filesystem rooted at ``url`` (``s3://bucket/prefix``, ``memory://x``, ...).

    Parameters
    ----------
    url : str
        The root, ``scheme://path``; the scheme picks the fsspec filesystem.
    storage_options : dict, optional
        Keyword arguments of that filesystem (``key``/``secret``/``endpoint_url`` for s3fs,
        ``connection_string`` for adlfs, ...); default None: the environment's.

    Example:
        >>> store = FsspecStore("memory://doc-store")
        >>> store.write("a/b.txt", b"hi"); store.read("a/b.txt")
        b'hi'
    """

    def __init__(self, url: str, storage_options: dict[str, Any] | None = None) -> None:
        super().__init__(url, storage_options)
        self.fs = self._filesystem(dict(self.storage_options))

    def _filesystem(self, options: dict[str, Any]) -> fsspec.AbstractFileSystem:
        return fsspec.filesystem(self.protocol, **options)

    def read(self, rel: str) -> bytes | None:
        try:
            return self.fs.cat_file(self.path(rel))
        except FileNotFoundError:
            return None

    def exists(self, rel: str) -> bool:
        self.fs.invalidate_cache()
        return self.fs.exists(self.path(rel))

    def listdir(self, rel: str) -> list[str]:
        self.fs.invalidate_cache()
        base = self.path(rel)
        try:
            entries = self.fs.ls(base, detail=False)
        except FileNotFoundError:
            return []
        names = []
        for entry in entries:
            name = str(entry).rstrip("/").rsplit("/", 1)[-1]
            if name and str(entry).rstrip("/") != base:
                names.append(name)
        return sorted(set(names))

    def write(self, rel: str, data: bytes) -> None:
        # object stores make a whole object visible at once
        self.fs.pipe_file(self.path(rel), data)

    def create_exclusive(self, rel: str, data: bytes) -> bool:
        try:
            self.fs.pipe_file(self.path(rel), data, mode="create")
        except FileExistsError:
            return False
        return True

    def copy(self, src: str, dst: str) -> None:
        # a server-side copy inside the store
        self.fs.copy(self.path(src), self.path(dst))

    def delete(self, rel: str, recursive: bool = False) -> None:
        self.fs.invalidate_cache()
        try:
            self.fs.rm(self.path(rel), recursive=recursive)
        except FileNotFoundError:
            return

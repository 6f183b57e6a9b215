"""``Store``: the few operations the registry needs, over one fsspec filesystem and a root.

Paths given to a store are relative to its root and use ``/``. Listings and
existence checks always bypass fsspec's caches, because other processes write
to the same bucket.
"""

from __future__ import annotations

import uuid
from typing import Any, ClassVar

import fsspec

from skyclass.errors import ConfigError

__all__ = ["Store"]


class Store:
    """An fsspec filesystem rooted at ``url`` (``s3://bucket/prefix``, ``memory://x``, ...).

    ``exclusive_create`` says whether the store refuses to overwrite an object
    written with ``create`` (a conditional write: S3 ``If-None-Match: *``, GCS
    ``ifGenerationMatch=0``, Azure ``If-None-Match: *``). It is probed once per
    store, because some emulators accept the header and ignore it.

    Example:
        >>> store = Store("memory://doc-store")
        >>> store.write("a/b.txt", b"hi"); store.read("a/b.txt")
        b'hi'
    """

    protocols: ClassVar[tuple[str, ...]] = ()

    def __init__(self, url: str, storage_options: dict[str, Any] | None = None) -> None:
        self.url = url.rstrip("/")
        self.protocol, _, rest = self.url.partition("://")
        if not rest:
            raise ConfigError(
                f"store URL {url!r} needs a scheme and a path, e.g. s3://bucket/prefix"
            )
        self.root = rest.strip("/")
        self.fs = self._filesystem(dict(storage_options or {}))
        self._exclusive: bool | None = None

    def _filesystem(self, options: dict[str, Any]) -> fsspec.AbstractFileSystem:
        return fsspec.filesystem(self.protocol, **options)

    # -- paths ------------------------------------------------------------------
    def path(self, rel: str = "") -> str:
        """The filesystem path of ``rel`` under the root."""
        rel = rel.strip("/")
        return f"{self.root}/{rel}" if rel else self.root

    def uri(self, rel: str = "") -> str:
        """The full URL of ``rel`` (for messages)."""
        rel = rel.strip("/")
        return f"{self.url}/{rel}" if rel else self.url

    # -- reads ------------------------------------------------------------------
    def read(self, rel: str) -> bytes | None:
        """The bytes of ``rel``, or ``None`` when it does not exist."""
        try:
            return self.fs.cat_file(self.path(rel))
        except FileNotFoundError:
            return None

    def exists(self, rel: str) -> bool:
        """Whether ``rel`` exists (cache bypassed)."""
        self.fs.invalidate_cache()
        return self.fs.exists(self.path(rel))

    def listdir(self, rel: str) -> list[str]:
        """Names (not paths) directly under ``rel``; empty when it does not exist."""
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

    # -- writes -----------------------------------------------------------------
    def write(self, rel: str, data: bytes) -> None:
        """Write (or overwrite) ``rel``. Object stores make a whole object visible at once."""
        self.fs.pipe_file(self.path(rel), data)

    def create_exclusive(self, rel: str, data: bytes) -> bool:
        """Create ``rel`` only if absent (conditional write); ``False`` if it already existed.

        Only meaningful when ``exclusive_create`` is true; otherwise a plain write.
        """
        try:
            self.fs.pipe_file(self.path(rel), data, mode="create")
        except FileExistsError:
            return False
        return True

    def copy(self, src: str, dst: str) -> None:
        """Server-side copy inside the store."""
        self.fs.copy(self.path(src), self.path(dst))

    def delete(self, rel: str, recursive: bool = False) -> None:
        """Remove ``rel`` (a whole prefix with ``recursive``); missing is fine."""
        self.fs.invalidate_cache()
        try:
            self.fs.rm(self.path(rel), recursive=recursive)
        except FileNotFoundError:
            return

    # -- capabilities -------------------------------------------------------------
    @property
    def exclusive_create(self) -> bool:
        """Whether conditional create is honoured here (probed once, then cached)."""
        if self._exclusive is None:
            probe = f".skyclass-probe/{uuid.uuid4().hex}"
            try:
                first = self.create_exclusive(probe, b"1")
                second = self.create_exclusive(probe, b"2")
                self._exclusive = first and not second and self.read(probe) == b"1"
            except (OSError, ValueError, TypeError):
                self._exclusive = False
            finally:
                self.delete(probe)
        return self._exclusive

    def __repr__(self) -> str:
        return f"{type(self).__name__}({self.url!r})"

"""``LocalStore``: a directory on this machine (``file://`` URLs and plain paths).

Writes go to a temporary file then ``os.replace``, so a reader never sees a
half-written file; ``create_exclusive`` uses a hard link, which fails when the
name exists (atomic on POSIX filesystems).
"""

from __future__ import annotations

import os
import uuid
from pathlib import Path
from typing import Any

import fsspec

from skyclass.bundle.stores._base import STORES
from skyclass.bundle.stores._fsspec import FsspecStore

__all__ = ["LocalStore"]


@STORES.register("local")
@STORES.register("file")
class LocalStore(FsspecStore):
    """A registry root on the local filesystem; writes go to a temporary file that is
    renamed into place, and ``create_exclusive`` is a hard link (atomic, refuses to replace).

    Parameters
    ----------
    url : str
        ``file:///abs/path`` or a plain path (made absolute).
    storage_options : dict, optional
        Options of fsspec's local filesystem (default None).
    """

    def __init__(self, url: str, storage_options: dict[str, Any] | None = None) -> None:
        if "://" not in url:
            url = "file://" + os.path.abspath(url)
        super().__init__(url, storage_options)
        self.root = "/" + self.root

    def _filesystem(self, options: dict[str, Any]) -> fsspec.AbstractFileSystem:
        return fsspec.filesystem("file", **options)

    def uri(self, rel: str = "") -> str:
        return "file://" + self.path(rel)

    def write(self, rel: str, data: bytes) -> None:
        target = Path(self.path(rel))
        target.parent.mkdir(parents=True, exist_ok=True)
        tmp = target.with_name(f".{target.name}.{uuid.uuid4().hex}.tmp")
        tmp.write_bytes(data)
        os.replace(tmp, target)

    def create_exclusive(self, rel: str, data: bytes) -> bool:
        target = Path(self.path(rel))
        target.parent.mkdir(parents=True, exist_ok=True)
        tmp = target.with_name(f".{target.name}.{uuid.uuid4().hex}.tmp")
        tmp.write_bytes(data)
        try:
            os.link(tmp, target)
        except FileExistsError:
            return False
        finally:
            tmp.unlink()
        return True

    def copy(self, src: str, dst: str) -> None:
        data = self.read(src)
        if data is None:
            raise FileNotFoundError(self.path(src))
        self.write(dst, data)

    def listdir(self, rel: str) -> list[str]:
        base = Path(self.path(rel))
        if not base.is_dir():
            return []
        return sorted(p.name for p in base.iterdir() if not p.name.startswith("."))

    def delete(self, rel: str, recursive: bool = False) -> None:
        target = Path(self.path(rel))
        if target.is_dir() and recursive:
            self.fs.rm(str(target), recursive=True)
        elif target.exists():
            target.unlink()

    @property
    def exclusive_create(self) -> bool:
        return True

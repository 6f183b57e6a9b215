"""``Store``: the contract every registry storage backend implements, and ``STORES``.

A store is a root URL (``s3://bucket/prefix``, ``file:///srv/reg``, ...) plus seven
operations on paths relative to it (``/``-separated): ``read``, ``write``,
``create_exclusive``, ``exists``, ``listdir``, ``copy``, ``delete``. The registry
(versions, claims, aliases) and replication are written against these alone.

What an implementation must guarantee:

* ``write`` makes a whole object visible at once (never a half-written file);
* ``listdir`` and ``exists`` are strongly consistent and bypass any cache, because
  other processes write to the same bucket;
* ``create_exclusive`` refuses (returns ``False``) when the object exists, if the
  backend can do a conditional write; otherwise it may write, and the probed
  ``exclusive_create`` property then reports ``False`` so claims use listings.

Lifecycle: one store per ``Registry`` (made by ``open_store``), used for as long as
the registry is; it holds no open files between calls and needs no closing.
Thread-safety: calls may come from several threads at once; implementations keep
no mutable state apart from the idempotent ``exclusive_create`` probe.

A new backend is one module: subclass ``Store`` (or ``FsspecStore``), decorate it
with ``@STORES.register("scheme")`` and import the module in ``stores/__init__.py``;
``open_store("scheme://...")``, ``Registry`` and ``skyclass.bundle.load`` then use it.
"""

from __future__ import annotations

import abc
import uuid
from typing import Any

from skyclass.errors import ConfigError
from skyclass.plugins import Registry

__all__ = ["STORES", "Store"]


class Store(abc.ABC):
    """A registry root at ``url``; paths given to its methods are relative to that root.

    ``exclusive_create`` says whether the store refuses to overwrite an object
    written with ``create_exclusive`` (a conditional write: S3 ``If-None-Match: *``,
    GCS ``ifGenerationMatch=0``, Azure ``If-None-Match: *``). It is probed once per
    store, because some emulators accept the header and ignore it.

    Parameters
    ----------
    url : str
        The root, ``scheme://path`` (a trailing ``/`` is dropped).
    storage_options : dict, optional
        Backend options (credentials, endpoint URL, ...) for the implementation to use;
        default None: the environment's configuration.

    Raises
    ------
    ConfigError
        When ``url`` has no scheme or no path.
    """

    def __init__(self, url: str, storage_options: dict[str, Any] | None = None) -> None:
        self.url = url.rstrip("/")
        self.protocol, _, rest = self.url.partition("://")
        if not rest:
            raise ConfigError(
                f"store URL {url!r} needs a scheme and a path, e.g. s3://bucket/prefix"
            )
        self.root = rest.strip("/")
        self.storage_options = dict(storage_options or {})
        self._exclusive: bool | None = None

    # -- paths ------------------------------------------------------------------
    def path(self, rel: str = "") -> str:
        """The backend path of ``rel`` under the root.

        Parameters
        ----------
        rel : str
            Path relative to the root, as for :meth:`path`.

        Returns
        -------
        str
            ``<root>/<rel>`` without the scheme (the root itself for ``""``).
        """
        rel = rel.strip("/")
        return f"{self.root}/{rel}" if rel else self.root

    def uri(self, rel: str = "") -> str:
        """The full URL of ``rel`` (for messages).

        Parameters
        ----------
        rel : str
            The object to read, relative to the root.

        Returns
        -------
        str
            ``<url>/<rel>`` (the root URL for ``""``).
        """
        rel = rel.strip("/")
        return f"{self.url}/{rel}" if rel else self.url

    # -- what an implementation provides ------------------------------------------
    @abc.abstractmethod
    def read(self, rel: str) -> bytes | None:
        """Read one object.

        Parameters
        ----------
        rel : str
            The object to write, relative to the root.

        Returns
        -------
        bytes or None
            Its content, or None when it does not exist.
        """

    @abc.abstractmethod
    def write(self, rel: str, data: bytes) -> None:
        """Write (or overwrite) one object; readers see the old or the new bytes, never a mix.

        Parameters
        ----------
        rel : str
            The object to create, relative to the root.
        data : bytes
            The whole content.
        """

    @abc.abstractmethod
    def create_exclusive(self, rel: str, data: bytes) -> bool:
        """Create one object only if it is absent (a conditional write).

        Parameters
        ----------
        rel : str
            The object to look for, relative to the root.
        data : bytes
            The whole content.

        Returns
        -------
        bool
            True when this call created it; False when it already existed (nothing written).
            A backend without conditional writes may write anyway and return True; its
            ``exclusive_create`` is then False.
        """

    @abc.abstractmethod
    def exists(self, rel: str) -> bool:
        """Whether one object exists, asked of the backend (no cache).

        Parameters
        ----------
        rel : str
            The prefix to list, relative to the root (``""``: the root itself).

        Returns
        -------
        bool
            True when something is stored at ``rel``.
        """

    @abc.abstractmethod
    def listdir(self, rel: str) -> list[str]:
        """The names directly under a prefix, asked of the backend (no cache).

        Parameters
        ----------
        rel : str
            The object, or with ``recursive`` the prefix, to remove (relative to the root).

        Returns
        -------
        list of str
            Sorted names (not paths) of objects and sub-prefixes; empty when nothing is
            there.
        """

    @abc.abstractmethod
    def copy(self, src: str, dst: str) -> None:
        """Copy one object inside the store (server-side where the backend can).

        Parameters
        ----------
        src : str
            Relative path of the object to copy.
        dst : str
            Relative path of the copy (overwritten if present).
        """

    @abc.abstractmethod
    def delete(self, rel: str, recursive: bool = False) -> None:
        """Remove an object, or a whole prefix; removing what is not there is no error.

        Parameters
        ----------
        rel : str
            ``/``-separated path relative to the store's root (leading/trailing ``/`` ignored).
        recursive : bool
            Remove everything under the prefix ``rel`` (default False: one object).
        """

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


#: store implementations by URL scheme (``file`` also serves plain paths)
STORES: Registry[Store] = Registry("store scheme", Store, field="registry URL")

"""The one plug-in pattern of skyclass: a registry of implementations looked up by name.

Every pluggable kind (routing policies, cloud providers, candidate models, stores,
drift tests, log sinks, gateway data planes) is a small subpackage laid out the way
Optuna lays out ``samplers/``:

- ``_base.py`` holds one documented abstract base class stating what an implementation
  must do, its lifecycle and its thread-safety;
- one module per implementation, whose class is decorated with ``@REGISTRY.register("name")``;
- ``__init__.py`` creates nothing itself: it imports the implementation modules (one line each)
  and re-exports ``REGISTRY.get`` / ``REGISTRY.names``.

Adding an implementation is therefore one new file and one import line. The list of valid
names is always read off the registry (``names()``), never written out a second time, and an
unknown name raises :class:`~skyclass.errors.ConfigError` listing the valid ones.

Example:
    >>> from skyclass.plugins import Registry
    >>> class Greeter:
    ...     def hello(self) -> str:
    ...         raise NotImplementedError
    >>> GREETERS: Registry[Greeter] = Registry("greeter", Greeter)
    >>> @GREETERS.register("english")
    ... class English(Greeter):
    ...     def hello(self) -> str:
    ...         return "hello"
    >>> GREETERS.names()
    ('english',)
    >>> GREETERS.create("english").hello()
    'hello'
    >>> GREETERS.get("french")
    Traceback (most recent call last):
    ...
    skyclass.errors.ConfigError: unknown greeter 'french'; use one of: english
"""

from __future__ import annotations

import threading
from collections.abc import Callable
from typing import Any, Generic, TypeVar

from skyclass.errors import ConfigError

__all__ = ["Registry"]

T = TypeVar("T")


class Registry(Generic[T]):
    """Implementations of one pluggable kind, by name.

    Parameters
    ----------
    kind : str
        What is being looked up, used in error messages ("routing policy", "store scheme").
    base : type
        The abstract base every registered class must subclass.
    field : str, optional
        Where the name comes from in a spec or CLI (e.g. ``"gateway.policy"``); prefixed
        to the error message so the user knows which setting to fix.

    Registration happens at import time; lookups are thread-safe (a lock guards the table).
    """

    def __init__(self, kind: str, base: type[T], *, field: str | None = None) -> None:
        self.kind = kind
        self.base = base
        self.field = field
        self._entries: dict[str, type[T]] = {}
        self._lock = threading.Lock()

    def register(self, name: str) -> Callable[[type[T]], type[T]]:
        """Class decorator that registers ``cls`` under ``name`` (names are unique).

        Parameters
        ----------
        name : str
            The name users type (in a spec, on the CLI, in a URL scheme).

        Returns
        -------
        Callable
            The decorator; it returns the class unchanged.
        """

        def decorate(cls: type[T]) -> type[T]:
            if not (isinstance(cls, type) and issubclass(cls, self.base)):
                raise TypeError(f"{cls!r} must subclass {self.base.__name__} to be a {self.kind}")
            with self._lock:
                if name in self._entries and self._entries[name] is not cls:
                    raise ValueError(f"{self.kind} {name!r} is already registered")
                self._entries[name] = cls
            return cls

        return decorate

    def names(self) -> tuple[str, ...]:
        """The registered names, in registration order.

        Returns
        -------
        tuple of str
            Every name registered so far (what an error message offers as valid).
        """
        with self._lock:
            return tuple(self._entries)

    def get(self, name: str) -> type[T]:
        """The class registered as ``name``.

        Parameters
        ----------
        name : str
            The name it was registered under.

        Returns
        -------
        type
            The registered class (not an instance).

        Raises
        ------
        ConfigError
            When ``name`` is unknown; the message lists every valid name.
        """
        with self._lock:
            cls = self._entries.get(name)
        if cls is None:
            where = f"{self.field}: " if self.field else ""
            raise ConfigError(where + self._unknown(name))
        return cls

    def check(self, name: str) -> str:
        """``name`` if it is registered, for a pydantic field validator to return.

        Parameters
        ----------
        name : str
            The name given in the spec or settings.

        Returns
        -------
        str
            ``name`` unchanged.

        Raises
        ------
        ValueError
            When ``name`` is unknown: ``unknown <kind> 'x'; use one of: ...`` without the
            field, which pydantic's error already names.
        """
        if name not in self:
            raise ValueError(self._unknown(name))
        return name

    def _unknown(self, name: str) -> str:
        return f"unknown {self.kind} {name!r}; use one of: {', '.join(self.names())}"

    def create(self, name: str, *args: Any, **kwargs: Any) -> T:
        """A new instance of the class registered as ``name``.

        Parameters
        ----------
        name : str
            The name it was registered under.
        *args, **kwargs
            Passed to the class's constructor.

        Returns
        -------
        T
            The new instance.

        Raises
        ------
        ConfigError
            When ``name`` is unknown (see :meth:`get`).
        """
        return self.get(name)(*args, **kwargs)

    def __contains__(self, name: object) -> bool:
        with self._lock:
            return name in self._entries

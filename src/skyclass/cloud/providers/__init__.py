"""Providers, one module each behind one abstract base, registered by name in ``PROVIDERS``.

Example:
    >>> from skyclass.cloud.providers import get_provider
    >>> get_provider("external").name
    'external'
"""

from __future__ import annotations

from skyclass.cloud.providers._base import PROVIDERS, LaunchContext, Provider
from skyclass.cloud.providers.external import ExternalProvider
from skyclass.cloud.providers.kubernetes import KubernetesProvider
from skyclass.cloud.providers.local import LocalProvider

__all__ = [
    "PROVIDERS",
    "ExternalProvider",
    "KubernetesProvider",
    "LaunchContext",
    "LocalProvider",
    "Provider",
    "get_provider",
]


def get_provider(name: str) -> Provider:
    """A provider instance by name.

    Parameters
    ----------
    name : str
        A registered provider name (``local``, ``kubernetes``, ``external``, or one added
        with ``@PROVIDERS.register``).

    Returns
    -------
    Provider
        A fresh instance.

    Raises
    ------
    ConfigError
        When no provider has that name; the message lists ``PROVIDERS.names()``.
    """
    return PROVIDERS.create(name)

"""Providers, one module each behind one protocol, registered by name.

Example:
    >>> from skyclass.cloud.providers import get_provider
    >>> get_provider("external").name
    'external'
"""

from __future__ import annotations

from skyclass.cloud.providers._base import LaunchContext, Provider
from skyclass.cloud.providers.external import ExternalProvider
from skyclass.cloud.providers.kubernetes import KubernetesProvider
from skyclass.cloud.providers.local import LocalProvider

__all__ = [
    "ExternalProvider",
    "KubernetesProvider",
    "LaunchContext",
    "LocalProvider",
    "Provider",
    "get_provider",
]

_PROVIDERS = {
    "local": LocalProvider,
    "kubernetes": KubernetesProvider,
    "external": ExternalProvider,
}


def get_provider(name: str) -> Provider:
    """A provider instance by name: ``local``, ``kubernetes`` or ``external``."""
    return _PROVIDERS[name]()

"""Putting the model where a region can pull it: pin the version, replicate to the region's store.

A registry URI ``<registry>/<name>@<version-or-alias>`` is resolved to a version
number once, so every region serves the same version even if the alias moves
mid-deploy; a region with a ``store`` gets a copy there and pulls from its own cloud.
Anything else (a bundle folder or ``.skyclass`` file) is served as it is.

Example:
    >>> split_registry_uri("s3://models/registry/tickets@champion")
    ('s3://models/registry', 'tickets', 'champion')
    >>> split_registry_uri("/tmp/bundle") is None
    True
"""

from __future__ import annotations

from collections.abc import Sequence

from skyclass.errors import SkyclassError


def split_registry_uri(uri: str) -> tuple[str, str, str] | None:
    """``(registry_url, name, ref)`` for a registry URI, None for a plain bundle path."""
    head, _, last = uri.rstrip("/").rpartition("/")
    if "@" not in last or not head:
        return None
    from skyclass.bundle import parse_uri

    return parse_uri(uri)


def place(model_uri: str, store: str | None, trusted_keys: Sequence[str] = ()) -> tuple[str, str]:
    """``(uri_the_replicas_load, version)``; replicates to ``store`` when one is given.

    With ``trusted_keys`` a model whose signature fails is refused here, before any
    copy or replica is made (each replica checks again when it loads).
    """
    keys = list(trusted_keys) or None
    parts = split_registry_uri(model_uri)
    if parts is None:
        if store:
            raise SkyclassError(
                f"model {model_uri!r} is not a registry URI (…/name@version), so it cannot be "
                "replicated to a region store; push it with `skyclass registry push` first"
            )
        from skyclass.bundle import load

        version = load(model_uri, trusted_keys=keys).version  # unregistered: version 0
        return model_uri, str(version if version is not None else 0)
    registry_url, name, ref = parts
    if ref.isdigit() and not store and not keys:  # pinned, served from where it is
        return model_uri, ref
    from skyclass.bundle import Registry, replicate

    version = Registry(registry_url).resolve(name, ref)
    pinned = f"{registry_url}/{name}@{version}"
    if not store or store.rstrip("/") == registry_url.rstrip("/"):
        if keys:
            Registry(registry_url).verify(name, version, trusted_keys=keys)
        return pinned, str(version)
    (report,) = replicate(pinned, to=[store], trusted_keys=keys)
    return f"{store.rstrip('/')}/{name}@{report['version']}", str(report["version"])

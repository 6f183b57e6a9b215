"""``replicate``: copy one registry version to other stores, verified, idempotent, resumable.

The version keeps its number everywhere (``churn@3`` is the same model in
every cloud). At each destination the version number is claimed as a
*replica* of one manifest (by its SHA-256); files are written straight into
``versions/<n>/`` (invisible until ``COMMITTED``), each checked by hash, and
``COMMITTED`` is written last. Re-running copies only what is missing or
wrong: an interrupted run resumes, a finished one is a no-op that re-verifies.
A destination whose version ``n`` holds a different model is an error.

Example:
    >>> replicate("s3://models/churn@champion", to=["gs://models", "az://models"])  # doctest: +SKIP
"""

from __future__ import annotations

import json
import time
import uuid
from collections.abc import Iterable, Sequence
from typing import Any

from skyclass.bundle._claims import claim_exact, claims_of
from skyclass.bundle._format import MANIFEST, dumps, parse_manifest, sha256
from skyclass.bundle._registry import COMMITTED, Registry, parse_uri
from skyclass.bundle._trust import KeyLike, verify_signature
from skyclass.errors import IntegrityError

__all__ = ["replicate"]


def replicate(
    uri: str,
    to: Sequence[str | Registry],
    *,
    storage_options: dict[str, Any] | None = None,
    progress: bool = False,
    trusted_keys: Iterable[KeyLike] | None = None,
) -> list[dict[str, Any]]:
    """Copy one registry version to other registries, keeping its number.

    Verified, idempotent and resumable: files a destination already holds intact are not
    written again, damaged ones are rewritten (status ``"repaired"``), and a copy cut short
    is finished on the next call; the version becomes visible there only once every file
    verifies. ``model.sig`` is copied like any file.

    Parameters
    ----------
    uri : str
        ``scheme://root/name@version_or_alias`` of the source version. When it names an
        alias, the alias is set at each destination too.
    to : sequence of str or Registry
        Destination registry URLs, or ``Registry`` objects for destinations that need their
        own storage options.
    storage_options : dict, optional
        fsspec options of the source registry's store (default None: the environment's).
    progress : bool
        Show a progress bar on the terminal (default False).
    trusted_keys : iterable of path or TrustedKey, optional
        When given, the source's signature must verify by one of these keys before anything
        is copied. Default None: no signature check.

    Returns
    -------
    list of dict
        One report per destination: ``{"destination", "name", "version", "status",
        "copied"}``, where ``status`` is ``"copied"``, ``"repaired"`` or ``"up-to-date"``
        and ``copied`` lists the files written.

    Raises
    ------
    IntegrityError
        When the source fails its checks or signature, a destination already holds a
        different bundle under that version number (never overwritten), or a copied file
        does not read back intact.
    NotFoundError
        When the source version or alias does not exist.
    """
    root, name, ref = parse_uri(uri)
    source = Registry(root, storage_options)
    version = source.resolve(name, ref)
    files = source.fetch(name, version)
    if trusted_keys is not None:
        verify_signature(files, trusted_keys, f"{source.url}/{name}@{version} (not replicated)")
    manifest_sha = sha256(files[MANIFEST])
    destinations = [d if isinstance(d, Registry) else Registry(d) for d in to]
    alias = None if ref == "latest" or ref.lstrip("v").isdigit() else ref
    reports = []
    with _Progress(progress, len(destinations) * len(files)) as bar:
        for dest in destinations:
            report = _replicate_one(dest, name, version, files, manifest_sha, bar)
            if alias and dest.aliases(name).get(alias) != version:
                dest.set_alias(name, alias, version)
            reports.append(report)
    return reports


def _replicate_one(
    dest: Registry,
    name: str,
    version: int,
    files: dict[str, bytes],
    manifest_sha: str,
    bar: _Progress,
) -> dict[str, Any]:
    store = dest.store
    prefix = f"{name}/versions/{version}"
    where = store.uri(prefix)
    marker_bytes = store.read(f"{prefix}/{COMMITTED}")
    if marker_bytes is not None:
        if json.loads(marker_bytes).get("manifest_sha256") != manifest_sha:
            raise IntegrityError(
                f"{where}: already holds a different {name} version {version}; not overwritten"
            )
        status = "up-to-date"
    else:
        _claim_replica(dest, name, version, manifest_sha)
        status = "copied"
    copied = []
    for fname in sorted(files, key=lambda f: f == MANIFEST):  # manifest last
        bar.describe(f"{store.url}: {name}@{version} {fname}")
        stored = store.read(f"{prefix}/{fname}")
        if stored is None or sha256(stored) != sha256(files[fname]):
            store.write(f"{prefix}/{fname}", files[fname])
            copied.append(fname)
        bar.advance()
    for fname, data in files.items():
        if store.read(f"{prefix}/{fname}") != data:
            raise IntegrityError(f"{where}: {fname} did not verify after copying; retry replicate")
    parse_manifest(files[MANIFEST], where)
    if marker_bytes is None:
        marker = {
            "version": version,
            "manifest_sha256": manifest_sha,
            "token": uuid.uuid4().hex,
            "committed_at": time.time(),
            "replica": True,
        }
        store.write(f"{prefix}/{COMMITTED}", dumps(marker))
    elif copied:
        status = "repaired"
    return {
        "destination": dest.url,
        "name": name,
        "version": version,
        "status": status,
        "copied": copied,
    }


def _claim_replica(dest: Registry, name: str, version: int, manifest_sha: str) -> None:
    info = {"kind": "replica", "manifest_sha256": manifest_sha}
    if claim_exact(dest.store, name, version, uuid.uuid4().hex, info):
        return
    holders = claims_of(dest.store, name, version)
    if holders and all(
        h.get("kind") == "replica" and h.get("manifest_sha256") == manifest_sha for h in holders
    ):
        return  # an earlier (interrupted) replication of this very manifest: resume it
    raise IntegrityError(
        f"{dest.store.uri(name)}: version {version} is already taken there by another push; "
        "replicate into registries that only receive replicas of this model"
    )


class _Progress:
    """A rich progress bar, or nothing."""

    def __init__(self, enabled: bool, total: int) -> None:
        self.enabled, self.total = enabled, total
        self._progress: Any = None
        self._task: Any = None

    def __enter__(self) -> _Progress:
        if self.enabled:
            from rich.progress import Progress

            self._progress = Progress(transient=False)
            self._progress.__enter__()
            self._task = self._progress.add_task("replicating", total=self.total)
        return self

    def describe(self, text: str) -> None:
        if self._progress is not None:
            self._progress.update(self._task, description=text)

    def advance(self) -> None:
        if self._progress is not None:
            self._progress.advance(self._task)

    def __exit__(self, *exc: object) -> None:
        if self._progress is not None:
            self._progress.__exit__(*exc)

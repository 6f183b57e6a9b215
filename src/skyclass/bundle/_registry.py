"""``Registry``: numbered, aliased bundle versions on any fsspec store.

Layout under the registry URL (``file:///srv/reg``, ``s3://bucket/models``, ...)::

    <name>/staging/<token>/...        a push uploads here first
    <name>/claims/<version>/...       version numbers taken (see ``_claims``)
    <name>/versions/<version>/...     the bundle files
    <name>/versions/<version>/COMMITTED   written last: the version is visible
    <name>/aliases/<alias>/<time>-<id>.json   one object per move of an alias

A version exists only once ``COMMITTED`` is written, after every file was
copied and verified, so a crashed push leaves no visible partial version.

Example:
    >>> reg = Registry("file:///tmp/doc-registry")  # doctest: +SKIP
    >>> version = reg.push("out/churn")  # doctest: +SKIP
    >>> reg.set_alias("churn", "champion", version)  # doctest: +SKIP
    >>> skyclass.bundle.load("file:///tmp/doc-registry/churn@champion")  # doctest: +SKIP
"""

from __future__ import annotations

import json
import os
import re
import shutil
import time
import uuid
from collections.abc import Iterable
from pathlib import Path
from typing import Any

from skyclass.bundle._bundle import Bundle, read_files
from skyclass.bundle._claims import claim_next
from skyclass.bundle._format import MANIFEST, check_files, dumps, parse_manifest, sha256
from skyclass.bundle._sign import SigningKey
from skyclass.bundle._signature import SIGNATURE
from skyclass.bundle._trust import KeyLike
from skyclass.bundle.stores import Store, open_store
from skyclass.errors import InputError, IntegrityError, NotFoundError

__all__ = ["COMMITTED", "Registry", "load_uri", "parse_uri"]

COMMITTED = "COMMITTED"
RESERVED_ALIASES = {"latest"}
_NAME = re.compile(r"^[A-Za-z0-9][A-Za-z0-9._-]{0,127}$")
_ALIAS = re.compile(r"^[A-Za-z_][A-Za-z0-9_-]{0,63}$")


class Registry:
    """Bundle versions (1, 2, 3, ... per model name, never reused) and aliases on one store.

    Parameters
    ----------
    url : str or os.PathLike
        The registry's root: ``file:///srv/reg`` (or a plain path), ``s3://bucket/models``,
        ``gs://...``, ``az://...`` or ``memory://...`` (tests).
    storage_options : dict, optional
        Passed to the fsspec filesystem (credentials, endpoint URL, ...); default None uses
        the environment's configuration.

    Pushes and alias moves may run concurrently from several threads or processes against
    one store: version numbers are claimed (never reused) and every alias move is a new
    object, so none is lost.

    Example:
        >>> reg = Registry("memory://doc-reg")
        >>> reg.list()
        []
    """

    def __init__(
        self, url: str | os.PathLike[str], storage_options: dict[str, Any] | None = None
    ) -> None:
        self.store: Store = open_store(os.fspath(url), storage_options)

    @property
    def url(self) -> str:
        """The registry's root URL."""
        return self.store.url

    def __repr__(self) -> str:
        return f"Registry({self.url!r})"

    # -- writing ------------------------------------------------------------------
    def push(
        self,
        bundle: str | os.PathLike[str] | Bundle,
        name: str | None = None,
        alias: str | None = None,
        *,
        sign: SigningKey | str | os.PathLike[str] | None = None,
    ) -> int:
        """Upload a bundle as the model's next version.

        The bundle is verified first (hashes and golden rows), uploaded to a
        staging prefix, checked, given the next version number, copied into
        place, checked again, and only then committed, so a crashed push leaves
        no visible version.

        Parameters
        ----------
        bundle : str, os.PathLike or Bundle
            A bundle directory, a ``.skyclass`` file or a loaded ``Bundle``.
        name : str, optional
            Model name to push under (letters, digits, ``.``, ``_``, ``-``; at most 128);
            default None: the manifest's name.
        alias : str, optional
            Alias to point at the new version (e.g. ``"challenger"``); checked before
            anything is written, so a bad one creates no version. Default None: no alias.
        sign : SigningKey, str or os.PathLike, optional
            Private key (path or ``SigningKey``) that signs the version as stored, its
            number included, so a replica can tell it from a copy moved over another
            version. Default None: a bundle already signed (``model.sig``) is stored byte
            for byte, keeping its signature valid (its number then lives in the registry
            path only); an unsigned one stays unsigned.

        Returns
        -------
        int
            The new version number.

        Raises
        ------
        IntegrityError
            When the bundle fails verification or a file did not upload intact.
        InputError
            When the name or alias is invalid, or a signed bundle would need a change its
            signature does not cover (another name, another version number).
        """
        if alias is not None:
            _check_alias(alias)
        signer = sign if sign is None or isinstance(sign, SigningKey) else SigningKey(Path(sign))
        if isinstance(bundle, Bundle):
            files, where = bundle.files, bundle.source
        else:
            files, where = read_files(bundle), os.fspath(bundle)
        Bundle(files, source=where, verify=True)
        manifest = parse_manifest(files[MANIFEST], where)
        name = _check_name(name or manifest["name"])
        keep = signer is None and SIGNATURE in files  # stored byte for byte
        if keep:
            _check_keeps_signature(manifest, name, where)
        if signer is not None:
            files = {fname: data for fname, data in files.items() if fname != SIGNATURE}
        manifest["name"] = name
        token = f"{time.time_ns()}-{uuid.uuid4().hex[:12]}"  # starts with its creation time
        staging = f"{name}/staging/{token}"
        try:
            for fname in sorted(files):
                self.store.write(f"{staging}/{fname}", files[fname])
            self._check(staging, manifest, files, "staging")
            version = claim_next(
                self.store,
                name,
                token,
                {"kind": "push", "manifest_sha256": sha256(files[MANIFEST])},
            )
            final = {fname: files[fname] for fname in manifest["files"]}
            if keep:
                final.update({MANIFEST: files[MANIFEST], SIGNATURE: files[SIGNATURE]})
            else:
                manifest["version"] = version
                final[MANIFEST] = dumps(manifest)
                if signer is not None:
                    final[SIGNATURE] = signer.sign_files(final)
            prefix = self._prefix(name, version)
            for fname in sorted(manifest["files"]):
                self.store.copy(f"{staging}/{fname}", f"{prefix}/{fname}")
            for fname in (SIGNATURE, MANIFEST):  # the manifest last
                if fname in final:
                    self.store.write(f"{prefix}/{fname}", final[fname])
            self._check(prefix, manifest, final, f"version {version}")
            self._commit(name, version, final[MANIFEST], token)
            if alias is not None:
                self._move_alias(name, alias, version, "set")
            return version
        finally:
            self.store.delete(staging, recursive=True)

    def _commit(self, name: str, version: int, manifest_bytes: bytes, token: str) -> None:
        marker = {
            "version": version,
            "manifest_sha256": sha256(manifest_bytes),
            "token": token,
            "committed_at": time.time(),
        }
        self.store.write(f"{self._prefix(name, version)}/{COMMITTED}", dumps(marker))

    def _check(
        self, prefix: str, manifest: dict[str, Any], files: dict[str, bytes], what: str
    ) -> None:
        stored = {fname: self.store.read(f"{prefix}/{fname}") for fname in manifest["files"]}
        check_files(manifest, stored, f"{self.store.uri(prefix)} ({what})")
        for fname in (MANIFEST, SIGNATURE):
            if fname in files and self.store.read(f"{prefix}/{fname}") != files[fname]:
                raise IntegrityError(f"{self.store.uri(prefix)}: {fname} did not upload intact")

    def delete(self, name: str, version: int) -> None:
        """Delete a version; its number is never reused.

        The version becomes invisible first (its ``COMMITTED`` marker goes), then its files.

        Parameters
        ----------
        name : str
            Model to delete a version of.
        version : int
            The version number to delete.

        Raises
        ------
        InputError
            While an alias points at that version (move or delete the alias first).
        NotFoundError
            When the version does not exist.
        """
        version = self.resolve(name, version)
        pointing = [a for a, v in self.aliases(name).items() if v == version]
        if pointing:
            raise InputError(
                f"{name} version {version} is aliased as {pointing}; move or delete those aliases first"
            )
        prefix = self._prefix(name, version)
        self.store.delete(f"{prefix}/{COMMITTED}")  # invisible first, then the files
        self.store.delete(prefix, recursive=True)

    def clean_staging(self, older_than_s: float = 3600.0) -> int:
        """Delete staging uploads left by crashed pushes.

        Staging is never visible as a version; this only reclaims space.

        Parameters
        ----------
        older_than_s : float
            Minimum age in seconds of an upload to delete (default 3600). Keep it well above
            the longest push, or a push in progress loses its upload.

        Returns
        -------
        int
            How many staging uploads were deleted.
        """
        cutoff = time.time_ns() - int(older_than_s * 1e9)
        removed = 0
        for name in self.store.listdir(""):
            for token in self.store.listdir(f"{name}/staging"):
                stamp = token.partition("-")[0]
                if stamp.isdigit() and int(stamp) < cutoff:
                    self.store.delete(f"{name}/staging/{token}", recursive=True)
                    removed += 1
        return removed

    # -- aliases ------------------------------------------------------------------
    def set_alias(self, name: str, alias: str, version: int) -> None:
        """Point ``alias`` at a committed ``version`` (its history keeps every move).

        Parameters
        ----------
        name : str
            Model whose alias to move.
        alias : str
            Alias rules (as MLflow's): letters, digits, ``_`` and ``-``, at most 64, starting
            with a letter or ``_``; ``latest`` is reserved (always the newest version) and
            ``v<digits>`` is reserved for version references.
        version : int
            A committed version of ``name``.

        Raises
        ------
        InputError
            When the alias breaks the rules above.
        NotFoundError
            When ``name`` has no such committed version.
        """
        _check_alias(alias)
        self._move_alias(name, alias, self.resolve(name, int(version)), "set")

    def delete_alias(self, name: str, alias: str) -> None:
        """Remove ``alias`` (its history is kept).

        Parameters
        ----------
        name : str
            Model whose alias to remove.
        alias : str
            The alias to remove.

        Raises
        ------
        NotFoundError
            When ``name`` has no such alias; the message lists its aliases.
        """
        if self._alias_version(name, alias) is None:
            raise NotFoundError(
                f"{name} has no alias {alias!r}; aliases: {sorted(self.aliases(name))}"
            )
        self._move_alias(name, alias, None, "delete")

    def aliases(self, name: str) -> dict[str, int]:
        """Current aliases of a model.

        Parameters
        ----------
        name : str
            Model whose aliases to list.

        Returns
        -------
        dict of str to int
            Alias → version it points at (empty when the model has none).
        """
        out = {}
        for alias in self.store.listdir(f"{name}/aliases"):
            version = self._alias_version(name, alias) if _ALIAS.match(alias) else None
            if version is not None:
                out[alias] = version
        return out

    def alias_history(self, name: str, alias: str) -> list[dict[str, Any]]:
        """Every move of ``alias``, oldest first.

        Parameters
        ----------
        name : str
            Model the alias belongs to.
        alias : str
            The alias whose history to read.

        Returns
        -------
        list of dict
            One ``{"version", "at", "action"}`` per move: the version (None after a delete),
            the time in epoch seconds and ``"set"`` or ``"delete"``.

        Raises
        ------
        NotFoundError
            When the alias was never set.
        """
        keys = self._alias_keys(name, alias)
        if not keys:
            raise NotFoundError(f"{name} has no alias {alias!r}")
        return [json.loads(self.store.read(f"{name}/aliases/{alias}/{k}") or b"{}") for k in keys]

    # Each move of an alias is a new object named by its time and a random
    # suffix; nothing is overwritten, so concurrent moves never lose history,
    # and the move with the latest name is the alias's current value.
    def _move_alias(self, name: str, alias: str, version: int | None, action: str) -> None:
        key = f"{time.time_ns():020d}-{uuid.uuid4().hex[:8]}.json"
        move = {"version": version, "at": time.time(), "action": action}
        self.store.write(f"{name}/aliases/{alias}/{key}", dumps(move))

    def _alias_keys(self, name: str, alias: str) -> list[str]:
        return sorted(
            k for k in self.store.listdir(f"{name}/aliases/{alias}") if k.endswith(".json")
        )

    def _alias_version(self, name: str, alias: str) -> int | None:
        keys = self._alias_keys(name, alias)
        if not keys:
            return None
        version = json.loads(self.store.read(f"{name}/aliases/{alias}/{keys[-1]}") or b"{}").get(
            "version"
        )
        return None if version is None else int(version)

    # -- reading ------------------------------------------------------------------
    def models(self) -> list[str]:
        """Names that have at least one committed version.

        Returns
        -------
        list of str
            Model names in the store's listing order.
        """
        return [n for n in self.store.listdir("") if _NAME.match(n) and self.versions(n)]

    def versions(self, name: str) -> list[int]:
        """Committed versions of a model.

        Parameters
        ----------
        name : str
            Model whose versions to list.

        Returns
        -------
        list of int
            Version numbers, ascending (empty for an unknown name; uncommitted or deleted
            versions are left out).
        """
        numbers = sorted(int(v) for v in self.store.listdir(f"{name}/versions") if v.isdigit())
        return [v for v in numbers if self.store.exists(f"{self._prefix(name, v)}/{COMMITTED}")]

    def list(self) -> list[dict[str, Any]]:
        """Everything the registry holds, one entry per model.

        Returns
        -------
        list of dict
            ``{"name", "versions", "latest", "aliases"}`` per model: its committed versions
            (ascending), the newest one and its alias → version mapping.
        """
        out = []
        for name in self.models():
            versions = self.versions(name)
            out.append(
                {
                    "name": name,
                    "versions": versions,
                    "latest": versions[-1],
                    "aliases": self.aliases(name),
                }
            )
        return out

    def resolve(self, name: str, version_or_alias: int | str) -> int:
        """The committed version number that ``version_or_alias`` names.

        Parameters
        ----------
        name : str
            Model to look the version up in.
        version_or_alias : int or str
            A version number (``3`` or ``"v3"``), ``"latest"`` or an alias.

        Returns
        -------
        int
            The committed version number.

        Raises
        ------
        NotFoundError
            When the model has no committed versions, no such version or alias, or the alias
            points at a deleted version; the message lists what exists.
        """
        ref = str(version_or_alias)
        versions = self.versions(name)
        if not versions:
            raise NotFoundError(f"{self.store.uri(name)}: no committed versions of model {name!r}")
        if ref == "latest":
            return versions[-1]
        if ref.isdigit() or (ref[:1] == "v" and ref[1:].isdigit()):
            number = int(ref.lstrip("v"))
            if number not in versions:
                raise NotFoundError(f"{name} has no version {number}; versions: {versions}")
            return number
        target = self._alias_version(name, ref) if _ALIAS.match(ref) else None
        if target is None:
            raise NotFoundError(
                f"{name} has no alias {ref!r}; aliases: {sorted(self.aliases(name))}"
            )
        if target not in versions:
            raise NotFoundError(f"alias {ref!r} points at {name} version {target}, which is gone")
        return target

    def fetch(self, name: str, version_or_alias: int | str = "latest") -> dict[str, bytes]:
        """Every file of a committed version, hash-checked against its manifest.

        Parameters
        ----------
        name : str
            Model whose files to read.
        version_or_alias : int or str
            Which version: a number, ``"latest"`` (default) or an alias, as for :meth:`resolve`.

        Returns
        -------
        dict of str to bytes
            File name → content, ``manifest.json`` included. ``model.sig`` comes along when
            the version is signed (it is checked by whoever holds the trusted keys:
            ``load(..., trusted_keys=...)``, ``replicate``).

        Raises
        ------
        NotFoundError
            When the version or alias does not resolve.
        IntegrityError
            When the manifest differs from the one committed or a file is missing or altered.
        """
        version = self.resolve(name, version_or_alias)
        prefix = self._prefix(name, version)
        marker = json.loads(self.store.read(f"{prefix}/{COMMITTED}") or b"{}")
        manifest_bytes = self.store.read(f"{prefix}/{MANIFEST}")
        where = self.store.uri(prefix)
        if manifest_bytes is None or sha256(manifest_bytes) != marker.get("manifest_sha256"):
            raise IntegrityError(
                f"{where}: manifest.json is missing or differs from the one committed"
            )
        manifest = parse_manifest(manifest_bytes, where)
        files = {fname: self.store.read(f"{prefix}/{fname}") for fname in manifest["files"]}
        check_files(manifest, files, where)
        signature = self.store.read(f"{prefix}/{SIGNATURE}")
        extra = {} if signature is None else {SIGNATURE: signature}
        return {**files, MANIFEST: manifest_bytes, **extra}

    def manifest(self, name: str, version_or_alias: int | str = "latest") -> dict[str, Any]:
        """The manifest of a committed version (no other file is read).

        Parameters
        ----------
        name : str
            Model whose manifest to read.
        version_or_alias : int or str
            Which version: a number, ``"latest"`` (default) or an alias, as for :meth:`resolve`.

        Returns
        -------
        dict
            The parsed ``manifest.json``: name, version, labels, schema, metrics, files, ...
        """
        version = self.resolve(name, version_or_alias)
        data = self.store.read(f"{self._prefix(name, version)}/{MANIFEST}")
        return parse_manifest(data or b"", self.store.uri(self._prefix(name, version)))

    def load(
        self,
        name: str,
        version_or_alias: int | str = "latest",
        verify: bool = True,
        *,
        trusted_keys: Iterable[KeyLike] | None = None,
    ) -> Bundle:
        """A verified ``Bundle`` straight from the store (nothing written locally).

        Parameters
        ----------
        name : str
            Model to load.
        version_or_alias : int or str
            Which version: a number, ``"latest"`` (default) or an alias, as for :meth:`resolve`.
        verify : bool
            Check the golden rows too (default True); file hashes are always checked.
        trusted_keys : iterable of path or TrustedKey, optional
            When given, the version's signature must verify by one of these keys first (see
            ``skyclass.bundle.load``). Default None: no signature check.

        Returns
        -------
        Bundle
            The loaded bundle; its ``version`` is the resolved number and its ``source``
            ``<registry url>/<name>@<version>``.
        """
        version = self.resolve(name, version_or_alias)
        return Bundle(
            self.fetch(name, version),
            source=f"{self.url}/{name}@{version}",
            verify=verify,
            trusted_keys=trusted_keys,
            version=version,
        )

    def verify(
        self,
        name: str,
        version_or_alias: int | str = "latest",
        *,
        trusted_keys: Iterable[KeyLike] | None = None,
    ) -> int:
        """Check a stored version's hashes, golden rows and, with ``trusted_keys``, signature.

        Parameters
        ----------
        name : str
            Model to check.
        version_or_alias : int or str
            Which version: a number, ``"latest"`` (default) or an alias, as for :meth:`resolve`.
        trusted_keys : iterable of path or TrustedKey, optional
            Keys one of which must have signed the version (default None: no signature
            check).

        Returns
        -------
        int
            The version number that was checked.

        Raises
        ------
        IntegrityError
            When anything fails; the message names the file or the signature problem.
        """
        version = self.resolve(name, version_or_alias)
        self.load(name, version, verify=True, trusted_keys=trusted_keys)
        return version

    def pull(self, name: str, version_or_alias: int | str, dest: str | os.PathLike[str]) -> Path:
        """Download a verified version into a new directory.

        The files are written to a temporary sibling and renamed into place, so ``dest``
        never holds half a bundle. Pulling the same version again into ``dest`` is a no-op.

        Parameters
        ----------
        name : str
            Model to download.
        version_or_alias : int or str
            A version number, ``"latest"`` or an alias.
        dest : str or os.PathLike
            Directory to create; it must be absent, empty, or already hold this version.

        Returns
        -------
        pathlib.Path
            ``dest``.

        Raises
        ------
        InputError
            When ``dest`` holds something else.
        """
        files = self.fetch(name, version_or_alias)
        dest = Path(dest)
        if dest.exists() and any(dest.iterdir()):
            if read_files(dest).get(MANIFEST) == files[MANIFEST]:
                return dest
            raise InputError(f"{dest} exists and holds something else; pull into a new directory")
        tmp = dest.with_name(f".{dest.name}.{uuid.uuid4().hex}.partial")
        tmp.mkdir(parents=True)
        try:
            for fname, data in files.items():
                (tmp / fname).write_bytes(data)
            if dest.exists():
                dest.rmdir()
            os.replace(tmp, dest)
        finally:
            if tmp.exists():
                shutil.rmtree(tmp)
        return dest

    @staticmethod
    def _prefix(name: str, version: int) -> str:
        return f"{name}/versions/{int(version)}"


def _check_keeps_signature(manifest: dict[str, Any], name: str, where: str) -> None:
    """A signed bundle pushed as it is must need no change its signature does not cover."""
    if name != manifest["name"]:
        raise InputError(
            f"{where} is signed as model {manifest['name']!r}: pushing it as {name!r} would "
            "break the signature; push it under its own name or re-sign it with --sign KEY"
        )
    if manifest.get("version") is not None:
        raise InputError(
            f"{where} is signed as version {manifest['version']}: a new number here is not "
            "covered by its signature; copy it with `skyclass registry replicate` (numbers "
            "are kept) or re-sign it with --sign KEY"
        )


def _check_name(name: str) -> str:
    if not isinstance(name, str) or not _NAME.match(name):
        raise InputError(
            f"model name {name!r} is invalid: use letters, digits, '.', '_' or '-' (max 128), "
            "starting with a letter or digit"
        )
    return name


def _check_alias(alias: str) -> None:
    if alias in RESERVED_ALIASES:
        raise InputError(f"alias {alias!r} is reserved (it always means the newest version)")
    if re.fullmatch(r"v\d+", alias or ""):
        raise InputError(f"alias {alias!r} is reserved: 'v<number>' refers to a version")
    if not isinstance(alias, str) or not _ALIAS.match(alias):
        raise InputError(
            f"alias {alias!r} is invalid: letters, digits, '_' or '-' (max 64), starting with a letter or '_'"
        )


def parse_uri(uri: str) -> tuple[str, str, str]:
    """Split ``scheme://root/.../name@ref`` into (registry URL, name, ref).

    Parameters
    ----------
    uri : str
        A registry URI such as ``s3://bucket/models/churn@champion``.

    Returns
    -------
    tuple of str
        ``(registry_url, name, ref)``, where ``ref`` is a version number, ``latest`` or an
        alias, as written.

    Raises
    ------
    InputError
        When ``uri`` has no ``/`` before the name or no ``@ref``.

    Example:
        >>> parse_uri("s3://bucket/models/churn@champion")
        ('s3://bucket/models', 'churn', 'champion')
    """
    root, _, last = uri.rstrip("/").rpartition("/")
    name, at, ref = last.partition("@")
    if not root or not at or not name or not ref:
        raise InputError(f"registry URI {uri!r} must look like scheme://path/name@version_or_alias")
    return root, name, ref


def load_uri(
    uri: str,
    verify: bool = True,
    storage_options: dict[str, Any] | None = None,
    *,
    trusted_keys: Iterable[KeyLike] | None = None,
) -> Bundle:
    """Load ``scheme://root/name@version_or_alias`` from its registry.

    Parameters
    ----------
    uri : str
        A registry URI, e.g. ``file:///srv/reg/churn@champion`` or ``s3://b/models/churn@3``.
    verify : bool
        Check the golden rows too (default True; file hashes are always checked).
    storage_options : dict, optional
        fsspec options of the registry's store (default None: the environment's).
    trusted_keys : iterable of path or TrustedKey, optional
        Keys one of which must have signed the version (default None: no signature check).

    Returns
    -------
    Bundle
        The loaded bundle (see ``skyclass.bundle.load``).
    """
    root, name, ref = parse_uri(uri)
    return Registry(root, storage_options).load(name, ref, verify=verify, trusted_keys=trusted_keys)

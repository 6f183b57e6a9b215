"""Trusted keys and signature verification: a bundle loads only if a trusted key signed it.

A trusted key is a PEM file: an elliptic-curve public key (``BEGIN PUBLIC KEY``,
for key signing, e.g. ``skyclass registry keygen``'s ``.pub``) or a CA certificate
(``BEGIN CERTIFICATE``, for certificate signing: the signing certificate must chain
to it). Several keys may be trusted at once, which is how keys rotate: list the new
key next to the old one, re-sign, then drop the old one.

``verify_signature`` runs before anything of the bundle is parsed or loaded, and its
error says which of four things went wrong: no signature; a signer that is not
trusted; a signature that does not verify (the signature was altered); or files that
differ from what a trusted key signed (the bundle was altered after signing).

Example:
    >>> TrustedKey.load("/no/such.pub")
    Traceback (most recent call last):
    ...
    skyclass.errors.ConfigError: trusted key /no/such.pub: cannot read it (No such file or directory); give the path of a PEM public key or CA certificate
"""

from __future__ import annotations

import os
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Literal

from skyclass.bundle._format import sha256
from skyclass.bundle._signature import (
    SIGNATURE,
    SignatureInfo,
    fingerprint,
    read_signature,
    signed_files,
    staged,
)
from skyclass.errors import ConfigError, IntegrityError

__all__ = ["KeyLike", "TrustedKey", "trusted_keys", "verify_signature"]


@dataclass(frozen=True)
class TrustedKey:
    """One trusted public key or CA certificate, read from a PEM file.

    Make one with :meth:`TrustedKey.load` (which checks the file) rather than directly.

    Parameters
    ----------
    path : pathlib.Path
        The PEM file it was read from.
    kind : {"key", "certificate"}
        ``"key"``: an elliptic-curve public key (key signing); ``"certificate"``: a CA
        certificate whose issued signing certificates are trusted (certificate signing).
    fingerprint : str
        Hex SHA-256 of the public key's PEM (for a certificate: of its public key), the id
        that appears in messages and in ``model.sig``.
    """

    path: Path
    kind: Literal["key", "certificate"]
    fingerprint: str

    @classmethod
    def load(cls, path: str | os.PathLike[str]) -> TrustedKey:
        """Read a trusted key or CA certificate from a PEM file.

        Parameters
        ----------
        path : str or os.PathLike
            A PEM public key (e.g. ``skyclass registry keygen``'s ``NAME.pub``) or a PEM CA
            certificate.

        Returns
        -------
        TrustedKey
            The key, with its kind and fingerprint.

        Raises
        ------
        ConfigError
            When the file is missing or unreadable, is a private key, is not PEM, or holds
            a key that is not elliptic-curve.
        """
        from cryptography import x509
        from cryptography.hazmat.primitives import serialization
        from cryptography.hazmat.primitives.asymmetric import ec

        path = Path(path)
        try:
            pem = path.read_bytes()
        except OSError as err:
            raise ConfigError(
                f"trusted key {path}: cannot read it ({err.strerror}); give the path of a PEM "
                "public key or CA certificate"
            ) from err
        if b"PRIVATE KEY-----" in pem:
            raise ConfigError(
                f"trusted key {path} is a private key: replicas need only the public half "
                "(`skyclass registry keygen NAME` writes NAME.pub); keep the private key secret"
            )
        try:
            if b"-----BEGIN CERTIFICATE-----" in pem:
                public = x509.load_pem_x509_certificate(pem).public_key()
                kind: Literal["key", "certificate"] = "certificate"
            else:
                public = serialization.load_pem_public_key(pem)
                kind = "key"
        except ValueError as err:
            raise ConfigError(
                f"trusted key {path}: not a PEM public key or certificate ({err})"
            ) from err
        if not isinstance(public, ec.EllipticCurvePublicKey):
            raise ConfigError(
                f"trusted key {path}: model signing uses elliptic-curve keys, this is "
                f"{type(public).__name__}"
            )
        return cls(path=path, kind=kind, fingerprint=fingerprint(public))

    @property
    def short(self) -> str:
        """``path (fingerprint prefix)`` for messages."""
        return f"{self.path} ({self.fingerprint[:16]})"

    def _config(self):
        from model_signing import verifying

        config = verifying.Config()
        if self.kind == "key":
            return config.use_elliptic_key_verifier(public_key=self.path)
        return config.use_certificate_verifier(certificate_chain=[self.path])


KeyLike = str | os.PathLike[str] | TrustedKey


def trusted_keys(keys: Iterable[KeyLike]) -> tuple[TrustedKey, ...]:
    """Every entry of ``keys`` as a ``TrustedKey`` (paths are read now, so a bad one fails early).

    Parameters
    ----------
    keys : iterable of str, os.PathLike or TrustedKey
        PEM key or CA certificate paths, or keys already loaded; at least one.

    Returns
    -------
    tuple of TrustedKey
        The keys, in the order given.

    Raises
    ------
    ConfigError
        When ``keys`` is empty or an entry cannot be read (see :meth:`TrustedKey.load`).

    Example:
        >>> trusted_keys([])
        Traceback (most recent call last):
        ...
        skyclass.errors.ConfigError: trusted keys: the list is empty; give at least one PEM public key or CA certificate (or none at all to skip signature checks)
    """
    out = tuple(k if isinstance(k, TrustedKey) else TrustedKey.load(k) for k in keys)
    if not out:
        raise ConfigError(
            "trusted keys: the list is empty; give at least one PEM public key or CA "
            "certificate (or none at all to skip signature checks)"
        )
    return out


def verify_signature(files: Mapping[str, bytes], keys: Iterable[KeyLike], where: str) -> TrustedKey:
    """The trusted key whose signature ``model.sig`` covers exactly these bundle files.

    Nothing of the bundle is parsed beyond the manifest's file list before the signature
    holds.

    Parameters
    ----------
    files : mapping of str to bytes
        The bundle's files (name → content), ``model.sig`` included, as ``read_files`` or
        ``Registry.fetch`` return them.
    keys : iterable of str, os.PathLike or TrustedKey
        The trusted keys or CA certificates; at least one.
    where : str
        The bundle's location, named in every error message.

    Returns
    -------
    TrustedKey
        The key (or CA certificate) that the signature verifies against.

    Raises
    ------
    IntegrityError
        When the bundle is unsigned, signed by a key that is not trusted, or altered since
        it was signed; the message says what is wrong, where, and what to do.
    ConfigError
        When a key cannot be read.

    Example:
        >>> verify_signature(read_files("out/churn"), ["keys/team.pub"], "out/churn")  # doctest: +SKIP
        TrustedKey(path=PosixPath('keys/team.pub'), kind='key', fingerprint='2e4f...')
    """
    keys = trusted_keys(keys)
    names = ", ".join(k.short for k in keys)
    data = files.get(SIGNATURE)
    if data is None:
        raise IntegrityError(
            f"{where}: the bundle is not signed (no {SIGNATURE}) and only bundles signed by a "
            f"trusted key may load (trusted: {names}); sign it with `skyclass registry push "
            "--sign KEY` or `skyclass train --sign KEY`"
        )
    info = read_signature(data, where)
    covered = signed_files(files, where)
    if info.certificate:
        candidates = [k for k in keys if k.kind == "certificate"]
        signer = f"certificate {info.certificate}"
    else:
        # signatures from before model-signing 1.0 name no key: every trusted key is tried
        candidates = [k for k in keys if k.kind == "key" and info.key_id in ("", k.fingerprint)]
        signer = f"key {info.key_id[:16] or '(unnamed)'}"
    if not candidates:
        raise IntegrityError(
            f"{where}: {SIGNATURE} was made by {signer}, which is not trusted here "
            f"(trusted: {names}); sign with a trusted key, or add the signer's public key "
            "to the trusted keys"
        )
    failures = []
    with staged(covered) as (folder, signature):
        signature.write_bytes(data)
        for key in candidates:
            try:
                key._config().verify(folder, signature)
            except Exception as err:  # model-signing raises ValueError, OpenSSL and crypto errors
                if str(err).startswith("Signature mismatch"):
                    raise IntegrityError(_altered(where, key, info, covered)) from None
                detail = f": {err}" if str(err) else ""
                failures.append(f"{key.short}: {type(err).__name__}{detail}")
            else:
                return key
    raise IntegrityError(
        f"{where}: {SIGNATURE} from {signer} does not verify against any trusted key "
        f"({'; '.join(failures)}); the signature or its certificate was altered or is not "
        "issued by a trusted CA: do not serve this bundle, restore it from a trusted copy"
    )


def _altered(where: str, key: TrustedKey, info: SignatureInfo, files: Mapping[str, bytes]) -> str:
    """The message for files that differ from what ``key`` signed (the signature is genuine)."""
    changed = sorted(n for n in files if n in info.digests and sha256(files[n]) != info.digests[n])
    missing = sorted(set(info.digests) - set(files))
    extra = sorted(set(files) - set(info.digests))
    parts = [
        f"{label} {', '.join(names)}"
        for label, names in (("changed:", changed), ("missing:", missing), ("not signed:", extra))
        if names
    ]
    return (
        f"{where}: the bundle was altered after trusted key {key.short} signed it "
        f"({'; '.join(parts) or 'contents differ'}); do not serve it: restore it from a "
        "trusted copy (e.g. `skyclass registry replicate` from the source registry)"
    )

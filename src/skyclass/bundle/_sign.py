"""Signing bundles with the OpenSSF model-signing format (a Sigstore bundle over file digests).

A signature is the file ``model.sig`` inside the bundle. It covers ``manifest.json``
and every file the manifest lists (so the model, its schema, labels, decision rule,
golden rows and card), and it is made offline with an elliptic-curve private key,
optionally with that key's X.509 certificate (certificate signing). It is the same
file ``model_signing sign key`` writes, so the upstream ``model_signing verify`` CLI
checks a skyclass bundle directory too.

Example:
    >>> import tempfile
    >>> key, public = generate_key(tempfile.mkdtemp() + "/team")
    >>> public.name
    'team.pub'
    >>> len(SigningKey(key).fingerprint)
    64
"""

from __future__ import annotations

import os
from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import Path

from skyclass.bundle._bundle import read_files
from skyclass.bundle._format import MANIFEST, check_files, parse_manifest
from skyclass.bundle._save import write_zip
from skyclass.bundle._signature import SIGNATURE, fingerprint, signed_files, staged
from skyclass.errors import ConfigError

__all__ = ["SigningKey", "generate_key", "sign"]

_CURVES = ("secp256r1", "secp384r1", "secp521r1")  # the curves model-signing accepts


def _read_pem(path: Path, what: str, option: str) -> bytes:
    try:
        return path.read_bytes()
    except OSError as err:
        raise ConfigError(f"{option} {path}: cannot read the {what} ({err.strerror})") from err


@dataclass(frozen=True)
class SigningKey:
    """A private key that signs bundles; with ``certificate`` it signs as that certificate.

    Parameters
    ----------
    key : pathlib.Path
        PEM elliptic-curve private key (P-256, P-384 or P-521), e.g. from ``generate_key``.
    certificate : pathlib.Path, optional
        PEM signing certificate of ``key`` (certificate signing; verifiers then trust its CA).
        Default None: key signing.
    chain : tuple of pathlib.Path
        With ``certificate``: the PEM certificates from its issuer up to the root CA
        (embedded in the signature; verifiers trust the root). Default: none.
    password : str, optional
        Password of an encrypted ``key`` (default None: the key is not encrypted).

    The files are checked when the object is made (``ConfigError`` naming the file).

    Example:
        >>> SigningKey("/no/such.key")
        Traceback (most recent call last):
        ...
        skyclass.errors.ConfigError: --sign /no/such.key: cannot read the private key (No such file or directory)
    """

    key: Path
    certificate: Path | None = None
    chain: tuple[Path, ...] = ()
    password: str | None = field(default=None, repr=False)

    def __post_init__(self) -> None:
        from cryptography import x509
        from cryptography.hazmat.primitives import serialization
        from cryptography.hazmat.primitives.asymmetric import ec

        object.__setattr__(self, "key", Path(self.key))
        if self.certificate is not None:
            object.__setattr__(self, "certificate", Path(self.certificate))
        object.__setattr__(self, "chain", tuple(Path(c) for c in self.chain))
        pem = _read_pem(self.key, "private key", "--sign")
        try:
            private = serialization.load_pem_private_key(
                pem, None if self.password is None else self.password.encode()
            )
        except (ValueError, TypeError) as err:
            raise ConfigError(
                f"--sign {self.key}: not a readable PEM private key ({err}); create one with "
                "`skyclass registry keygen NAME`"
            ) from err
        if not isinstance(private, ec.EllipticCurvePrivateKey) or private.curve.name not in _CURVES:
            raise ConfigError(
                f"--sign {self.key}: model signing needs an elliptic-curve key on "
                f"{', '.join(_CURVES)}; create one with `skyclass registry keygen NAME`"
            )
        object.__setattr__(self, "_fingerprint", fingerprint(private.public_key()))
        if self.certificate is not None:
            cert_pem = _read_pem(self.certificate, "certificate", "--sign-cert")
            try:
                cert = x509.load_pem_x509_certificate(cert_pem)
            except ValueError as err:
                raise ConfigError(
                    f"--sign-cert {self.certificate}: not a PEM certificate ({err})"
                ) from err
            if cert.public_key() != private.public_key():
                raise ConfigError(
                    f"--sign-cert {self.certificate}: the certificate is not for the key "
                    f"{self.key}; give the certificate issued for that key"
                )
            if not self.chain:
                raise ConfigError(
                    f"--sign-cert {self.certificate}: certificate signing embeds the chain up to "
                    "the root: give the issuing CA's certificate (and intermediates) with "
                    "--sign-chain"
                )
            for link in self.chain:
                _read_pem(link, "certificate", "--sign-chain")

    @property
    def fingerprint(self) -> str:
        """The public key's id (hex SHA-256 of its PEM), as verifiers list trusted keys."""
        return self._fingerprint  # type: ignore[attr-defined]

    def sign_files(self, files: Mapping[str, bytes]) -> bytes:
        """The bytes of ``model.sig`` over ``files`` (manifest.json and the files it lists).

        Parameters
        ----------
        files : mapping of str to bytes
            The bundle's files (name → content); an existing ``model.sig`` is left out of
            what is signed.

        Returns
        -------
        bytes
            The signature file's content (a Sigstore bundle in JSON, OpenSSF model-signing
            format).

        Example:
            >>> SigningKey("team.key").sign_files(read_files("out/churn"))[:1]  # doctest: +SKIP
            b'{'
        """
        from model_signing import signing

        config = signing.Config()
        if self.certificate is None:
            config.use_elliptic_key_signer(private_key=self.key, password=self.password)
        else:
            config.use_certificate_signer(
                private_key=self.key,
                signing_certificate=self.certificate,
                certificate_chain=self.chain,
            )
        with staged(signed_files(files, "the bundle to sign")) as (folder, signature):
            config.sign(folder, signature)
            return signature.read_bytes()


def generate_key(prefix: str | os.PathLike[str]) -> tuple[Path, Path]:
    """Write a new P-256 key pair: ``PREFIX.key`` (private, mode 0600) and ``PREFIX.pub``.

    Keep ``.key`` where only the signer can read it (a CI secret, a KMS-backed file); give
    ``.pub`` to every replica as a trusted key.

    Parameters
    ----------
    prefix : str or os.PathLike
        Path of the pair without suffix, e.g. ``keys/team-2026``; its folder is created.

    Returns
    -------
    tuple of pathlib.Path
        ``(private_key_path, public_key_path)``.

    Raises
    ------
    ConfigError
        When either file already exists (nothing is overwritten).

    Example:
        >>> generate_key("keys/team-2026")  # doctest: +SKIP
        (PosixPath('keys/team-2026.key'), PosixPath('keys/team-2026.pub'))
    """
    from cryptography.hazmat.primitives import serialization
    from cryptography.hazmat.primitives.asymmetric import ec

    base = Path(prefix)
    private_path, public_path = (
        base.with_name(base.name + ".key"),
        base.with_name(base.name + ".pub"),
    )
    existing = [str(p) for p in (private_path, public_path) if p.exists()]
    if existing:
        raise ConfigError(
            f"{', '.join(existing)} already exist; choose another name or remove them"
        )
    private = ec.generate_private_key(ec.SECP256R1())
    base.parent.mkdir(parents=True, exist_ok=True)
    descriptor = os.open(private_path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    with os.fdopen(descriptor, "wb") as out:
        out.write(
            private.private_bytes(
                serialization.Encoding.PEM,
                serialization.PrivateFormat.PKCS8,
                serialization.NoEncryption(),
            )
        )
    public_path.write_bytes(
        private.public_key().public_bytes(
            serialization.Encoding.PEM, serialization.PublicFormat.SubjectPublicKeyInfo
        )
    )
    return private_path, public_path


def sign(bundle: str | os.PathLike[str], key: SigningKey | str | os.PathLike[str]) -> Path:
    """Sign a local bundle directory or ``.skyclass`` zip in place (writes ``model.sig``).

    The bundle's hashes are checked first, so only an intact bundle is signed; an
    older ``model.sig`` is replaced.

    Parameters
    ----------
    bundle : str or os.PathLike
        A local bundle directory or ``.skyclass`` zip (``file://`` accepted).
    key : SigningKey, str or os.PathLike
        The signing key, or the path of a PEM private key (key signing).

    Returns
    -------
    pathlib.Path
        The signature file written (for the zip form: the zip, rewritten with it).

    Raises
    ------
    ConfigError
        When the path holds no bundle or the key cannot be used.
    IntegrityError
        When a file of the bundle is missing or altered.

    Example:
        >>> sign("out/churn/bundle", "keys/team.key")  # doctest: +SKIP
        PosixPath('out/churn/bundle/model.sig')
    """
    key = key if isinstance(key, SigningKey) else SigningKey(Path(key))
    path = Path(os.fspath(bundle).removeprefix("file://"))
    files = read_files(path)
    where = str(path)
    if MANIFEST not in files:
        raise ConfigError(f"{where}: no manifest.json; not a skyclass bundle to sign")
    check_files(parse_manifest(files[MANIFEST], where), files, where)
    signature = key.sign_files(files)
    if path.is_dir():
        target = path / SIGNATURE
        tmp = path / f".{SIGNATURE}.partial"
        tmp.write_bytes(signature)
        os.replace(tmp, target)
        return target
    return write_zip(path, {**files, SIGNATURE: signature})

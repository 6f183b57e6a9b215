"""What a bundle signature is: the file ``model.sig``, what it covers, and key ids.

``model.sig`` is an OpenSSF model-signing signature: a Sigstore bundle whose DSSE
envelope carries an in-toto statement listing the SHA-256 of every signed file.
It covers ``manifest.json`` and every file the manifest lists; it cannot cover
itself, and files the manifest does not list are never used by a ``Bundle``.

Example:
    >>> SIGNATURE
    'model.sig'
"""

from __future__ import annotations

import base64
import contextlib
import hashlib
import json
import tempfile
from collections.abc import Iterator, Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from skyclass.bundle._format import _FILE_NAME, MANIFEST, parse_manifest
from skyclass.errors import IntegrityError

__all__ = ["SIGNATURE", "SignatureInfo", "fingerprint", "read_signature", "signed_files", "staged"]

#: the signature's file name inside a bundle (model-signing's conventional name)
SIGNATURE = "model.sig"


def fingerprint(public_key: Any) -> str:
    """Hex SHA-256 of a public key's PEM (SubjectPublicKeyInfo): the key id model-signing records."""
    from cryptography.hazmat.primitives import serialization

    pem = public_key.public_bytes(
        serialization.Encoding.PEM, serialization.PublicFormat.SubjectPublicKeyInfo
    )
    return hashlib.sha256(pem).hexdigest()


def signed_files(files: Mapping[str, bytes], where: str) -> dict[str, bytes]:
    """The files a signature covers: ``manifest.json`` and every file it lists (those present)."""
    manifest_bytes = files.get(MANIFEST)
    if manifest_bytes is None:
        raise IntegrityError(f"{where}: no manifest.json; not a skyclass bundle")
    listed = parse_manifest(manifest_bytes, where)["files"]
    return {name: files[name] for name in (MANIFEST, *sorted(listed)) if name in files}


@contextlib.contextmanager
def staged(files: Mapping[str, bytes]) -> Iterator[tuple[Path, Path]]:
    """``(folder, signature path)`` in a private temporary directory holding ``files``.

    model-signing hashes files on disk. The bytes written here are the very bytes a
    ``Bundle`` is then built from, so nothing can change between the check and the use.
    """
    with tempfile.TemporaryDirectory(prefix="skyclass-sig-") as tmp:
        folder = Path(tmp) / "bundle"
        folder.mkdir()
        for name, data in files.items():
            if not _FILE_NAME.match(name):
                raise IntegrityError(f"bundle file name {name!r} is not a plain file name")
            (folder / name).write_bytes(data)
        yield folder, Path(tmp) / SIGNATURE


@dataclass(frozen=True)
class SignatureInfo:
    """Who a ``model.sig`` says signed it and which digests it lists (read, not yet verified).

    ``key_id`` is the signer's public-key fingerprint (key signing); ``certificate``
    is the signing certificate's subject (certificate signing); ``digests`` maps each
    signed file to its hex SHA-256. Only trust these after the signature verified.
    """

    key_id: str
    certificate: str
    digests: dict[str, str]


def read_signature(data: bytes, where: str) -> SignatureInfo:
    """Parse ``model.sig`` far enough to name its signer; ``IntegrityError`` if it is not one."""
    try:
        bundle = json.loads(data)
        material = bundle["verificationMaterial"]
        statement = json.loads(base64.b64decode(bundle["dsseEnvelope"]["payload"]))
        resources = statement["predicate"]["resources"]
        digests = {str(r["name"]): str(r["digest"]) for r in resources}
    except (ValueError, KeyError, TypeError) as err:
        raise IntegrityError(
            f"{where}: {SIGNATURE} is not a model-signing signature ({type(err).__name__}: {err}); "
            "re-sign the bundle"
        ) from err
    subject = ""
    chain = material.get("x509CertificateChain", {}).get("certificates", [])
    if chain:
        from cryptography import x509

        try:
            leaf = x509.load_der_x509_certificate(base64.b64decode(chain[0]["rawBytes"]))
            subject = leaf.subject.rfc4514_string() or "(no subject)"
        except (ValueError, KeyError, TypeError) as err:
            raise IntegrityError(
                f"{where}: {SIGNATURE} carries an unreadable certificate ({err}); re-sign the bundle"
            ) from err
    return SignatureInfo(
        key_id=str(material.get("publicKey", {}).get("hint", "")),
        certificate=subject,
        digests=digests,
    )

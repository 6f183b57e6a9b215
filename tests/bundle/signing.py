"""Test keys, certificates and an attacker's tamper for the signed-bundle tests.

from tests.bundle.signing import make_ca, make_leaf, swap_model
"""

from __future__ import annotations

import datetime as dt
import json
from pathlib import Path

from cryptography import x509
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import ec
from cryptography.x509.oid import NameOID

from skyclass.bundle import read_files
from skyclass.bundle._format import dumps, file_entry, sha256


def _write_key(path: Path, key: ec.EllipticCurvePrivateKey) -> Path:
    path.write_bytes(
        key.private_bytes(
            serialization.Encoding.PEM,
            serialization.PrivateFormat.PKCS8,
            serialization.NoEncryption(),
        )
    )
    return path


def _certificate(subject, issuer, public, signer, *, ca: bool) -> x509.Certificate:
    now = dt.datetime.now(dt.UTC)
    builder = (
        x509.CertificateBuilder()
        .subject_name(x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, subject)]))
        .issuer_name(x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, issuer)]))
        .public_key(public)
        .serial_number(x509.random_serial_number())
        .not_valid_before(now - dt.timedelta(minutes=5))
        .not_valid_after(now + dt.timedelta(days=1))
        .add_extension(x509.BasicConstraints(ca=ca, path_length=None), critical=True)
        .add_extension(
            x509.KeyUsage(
                digital_signature=not ca,
                content_commitment=False,
                key_encipherment=False,
                data_encipherment=False,
                key_agreement=False,
                key_cert_sign=ca,
                crl_sign=ca,
                encipher_only=False,
                decipher_only=False,
            ),
            critical=True,
        )
    )
    return builder.sign(signer, hashes.SHA256())


def make_ca(folder: Path, name: str) -> tuple[Path, Path]:
    """A self-signed CA: ``(key path, certificate path)``."""
    key = ec.generate_private_key(ec.SECP256R1())
    cert = _certificate(name, name, key.public_key(), key, ca=True)
    (folder / f"{name}.crt").write_bytes(cert.public_bytes(serialization.Encoding.PEM))
    return _write_key(folder / f"{name}-ca.key", key), folder / f"{name}.crt"


def make_leaf(folder: Path, ca: tuple[Path, Path], name: str) -> tuple[Path, Path]:
    """A signing key with a code-signing certificate issued by ``ca``: ``(key, certificate)``."""
    ca_key = serialization.load_pem_private_key(ca[0].read_bytes(), None)
    ca_cert = x509.load_pem_x509_certificate(ca[1].read_bytes())
    key = ec.generate_private_key(ec.SECP256R1())
    issuer = ca_cert.subject.get_attributes_for_oid(NameOID.COMMON_NAME)[0].value
    cert = _certificate(name, issuer, key.public_key(), ca_key, ca=False)
    (folder / f"{name}.crt").write_bytes(cert.public_bytes(serialization.Encoding.PEM))
    return _write_key(folder / f"{name}.key", key), folder / f"{name}.crt"


def swap_model(read, write, donor: Path) -> None:
    """What an attacker with write access does: put the donor bundle's ``model.onnx`` (and its
    golden rows, so the golden check passes) in place and fix their entries in ``manifest.json``.

    ``read(name)`` / ``write(name, data)`` reach the bundle's files wherever they are stored;
    when a registry ``COMMITTED`` marker is there, its manifest digest is fixed as well.
    """
    theirs = read_files(donor)
    manifest = json.loads(read("manifest.json"))
    for name in ("model.onnx", "golden.json"):
        write(name, theirs[name])
        manifest["files"][name] = file_entry(theirs[name])
    new_manifest = dumps(manifest)
    write("manifest.json", new_manifest)
    marker = read("COMMITTED")
    if marker is not None:
        write("COMMITTED", dumps({**json.loads(marker), "manifest_sha256": sha256(new_manifest)}))

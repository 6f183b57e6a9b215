"""Certificates for TLS between the gateway and the replicas of a deployment.

Each deployment gets its own certificate authority (an ECDSA P-256 key made once,
kept in ``<state>/<name>/certs/``). Every deploy issues a fresh client certificate
for the gateway and one server certificate per replica it starts, so keys rotate on
each redeploy while replicas that keep running stay trusted (same CA). A replica's
certificate names its region as ``<region>.<deployment>.skyclass`` plus ``127.0.0.1``;
the gateway checks that name, so a replica can only answer for its own region.
Private keys are written with mode 0600.

Example:
    >>> import tempfile, pathlib
    >>> certs = Certificates(pathlib.Path(tempfile.mkdtemp()), "tickets")
    >>> tls = certs.rotate_gateway()
    >>> cert, key = certs.issue_replica("eu-west", "serve-1")
    >>> tls.region_name("eu-west"), cert.name
    ('eu-west.tickets.skyclass', 'eu-west-serve-1.pem')
"""

from __future__ import annotations

import datetime as dt
import ipaddress
import os
import ssl
from pathlib import Path

from cryptography import x509
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import ec
from cryptography.x509.oid import ExtendedKeyUsageOID, NameOID

from skyclass.gateway import UpstreamTls

_CA_DAYS = 3650
_LEAF_DAYS = 90


def _name(common: str) -> x509.Name:
    return x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, common)])


def _write_key(path: Path, key: ec.EllipticCurvePrivateKey) -> None:
    data = key.private_bytes(
        serialization.Encoding.PEM,
        serialization.PrivateFormat.PKCS8,
        serialization.NoEncryption(),
    )
    fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
    with os.fdopen(fd, "wb") as out:
        out.write(data)


class Certificates:
    """The CA and leaf certificates of one deployment, under ``folder/certs``."""

    def __init__(self, folder: Path, deployment: str) -> None:
        self.root = folder / "certs"
        self.deployment = deployment
        self.ca_cert = self.root / "ca.pem"
        self.ca_key = self.root / "ca.key"
        self._current = self.root / "gateway.json"

    def region_name(self, region: str) -> str:
        return f"{region}.{self.deployment}.skyclass"

    def _ca(self) -> tuple[x509.Certificate, ec.EllipticCurvePrivateKey]:
        if not self.ca_cert.exists():
            self.root.mkdir(parents=True, exist_ok=True)
            key = ec.generate_private_key(ec.SECP256R1())
            now = dt.datetime.now(dt.UTC)
            cert = (
                x509.CertificateBuilder()
                .subject_name(_name(f"skyclass {self.deployment} CA"))
                .issuer_name(_name(f"skyclass {self.deployment} CA"))
                .public_key(key.public_key())
                .serial_number(x509.random_serial_number())
                .not_valid_before(now - dt.timedelta(minutes=5))
                .not_valid_after(now + dt.timedelta(days=_CA_DAYS))
                .add_extension(x509.BasicConstraints(ca=True, path_length=0), critical=True)
                .add_extension(
                    x509.KeyUsage(
                        digital_signature=True, key_cert_sign=True, crl_sign=True,
                        content_commitment=False, key_encipherment=False,
                        data_encipherment=False, key_agreement=False,
                        encipher_only=False, decipher_only=False,
                    ),
                    critical=True,
                )
                .sign(key, hashes.SHA256())
            )  # fmt: skip
            _write_key(self.ca_key, key)
            self.ca_cert.write_bytes(cert.public_bytes(serialization.Encoding.PEM))
        cert = x509.load_pem_x509_certificate(self.ca_cert.read_bytes())
        key = serialization.load_pem_private_key(self.ca_key.read_bytes(), password=None)
        return cert, key

    def _issue(self, stem: str, common: str, dns: list[str], *, server: bool) -> tuple[Path, Path]:
        ca_cert, ca_key = self._ca()
        key = ec.generate_private_key(ec.SECP256R1())
        now = dt.datetime.now(dt.UTC)
        names: list[x509.GeneralName] = [x509.DNSName(d) for d in dns]
        if server:
            names.append(x509.IPAddress(ipaddress.ip_address("127.0.0.1")))
        usage = ExtendedKeyUsageOID.SERVER_AUTH if server else ExtendedKeyUsageOID.CLIENT_AUTH
        cert = (
            x509.CertificateBuilder()
            .subject_name(_name(common))
            .issuer_name(ca_cert.subject)
            .public_key(key.public_key())
            .serial_number(x509.random_serial_number())
            .not_valid_before(now - dt.timedelta(minutes=5))
            .not_valid_after(now + dt.timedelta(days=_LEAF_DAYS))
            .add_extension(x509.SubjectAlternativeName(names), critical=False)
            .add_extension(x509.BasicConstraints(ca=False, path_length=None), critical=True)
            .add_extension(x509.ExtendedKeyUsage([usage]), critical=False)
            .sign(ca_key, hashes.SHA256())
        )
        folder = self.root / "issued"
        folder.mkdir(parents=True, exist_ok=True)
        cert_path, key_path = folder / f"{stem}.pem", folder / f"{stem}.key"
        _write_key(key_path, key)
        cert_path.write_bytes(cert.public_bytes(serialization.Encoding.PEM))
        return cert_path, key_path

    def issue_replica(self, region: str, tag: str) -> tuple[Path, Path]:
        """A server certificate for one replica of ``region`` (``tag`` tells replicas apart)."""
        return self._issue(
            f"{region}-{tag}", f"{tag}.{self.region_name(region)}", [self.region_name(region)],
            server=True,
        )  # fmt: skip

    def issue_gateway_server(self) -> tuple[Path, Path]:
        """A server certificate for the gateway's client-facing listener (TLS to clients)."""
        return self._issue(
            "gateway-server", f"gateway.{self.deployment}.skyclass",
            ["localhost", f"gateway.{self.deployment}.skyclass"], server=True,
        )  # fmt: skip

    def rotate_gateway(self) -> UpstreamTls:
        """A fresh client certificate for the gateway; every later table uses it."""
        stamp = dt.datetime.now(dt.UTC).strftime("%Y%m%dT%H%M%S%f")
        cert, key = self._issue(
            f"gateway-client-{stamp}", f"gateway.{self.deployment}.skyclass", [], server=False
        )
        tls = UpstreamTls(
            ca=str(self.ca_cert), cert=str(cert), key=str(key), deployment=self.deployment
        )
        self._current.write_text(tls.model_dump_json())
        return tls

    def current(self) -> UpstreamTls | None:
        """The gateway's client certificate of the latest deploy (None before the first)."""
        try:
            return UpstreamTls.model_validate_json(self._current.read_text())
        except FileNotFoundError:
            return None

    def trust(self) -> ssl.SSLContext | bool:
        """What an HTTP client of the gateway verifies against: the deployment CA if any."""
        if not self.ca_cert.exists():
            return True
        return ssl.create_default_context(cafile=str(self.ca_cert))

    def gateway_server(self) -> tuple[Path, Path]:
        """The gateway's server certificate for clients (issued on first use, then kept)."""
        cert, key = (
            self.root / "issued" / "gateway-server.pem",
            self.root / "issued" / "gateway-server.key",
        )
        if cert.exists() and key.exists():
            return cert, key
        return self.issue_gateway_server()

    def client_context(self) -> ssl.SSLContext | None:
        """An SSL context that presents the gateway's certificate (for readiness checks)."""
        tls = self.current()
        if tls is None:
            return None
        context = ssl.create_default_context(cafile=tls.ca)
        context.check_hostname = False  # any region's replica may be asked
        context.load_cert_chain(tls.cert, tls.key)
        return context


def server_context(cert: str, key: str, ca: str) -> ssl.SSLContext:
    """The replica side: present ``cert``, require a client certificate signed by ``ca``."""
    context = ssl.create_default_context(ssl.Purpose.CLIENT_AUTH, cafile=ca)
    context.verify_mode = ssl.CERT_REQUIRED
    context.load_cert_chain(cert, key)
    return context

"""flask dev-cert: an HTTPS certificate so phones on the LAN can try the scanner.

Phones give the camera and WebCrypto only to secure pages; `make run-https` serves with the
certificate this writes into the instance folder. For production use a real certificate
behind a reverse proxy (docs/deploy.md).
"""

from __future__ import annotations

import ipaddress
import socket
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import click
from flask import Flask

CERT_NAME = "dev-cert.pem"
KEY_NAME = "dev-key.pem"
CA_NAME = "dev-ca.pem"  # install this one on a test phone to trust the server
CA_KEY_NAME = "dev-ca-key.pem"


def lan_addresses() -> list[str]:
    """This machine's IPv4 addresses that a phone on the same network could reach."""
    found = {"127.0.0.1"}
    try:
        for info in socket.getaddrinfo(socket.gethostname(), None, socket.AF_INET):
            found.add(info[4][0])
    except OSError:
        pass
    try:  # the address of the default route, without sending anything
        with socket.socket(socket.AF_INET, socket.SOCK_DGRAM) as probe:
            probe.connect(("192.0.2.1", 9))  # TEST-NET-1: never routed on the internet
            found.add(probe.getsockname()[0])
    except OSError:
        pass
    return sorted(found, key=lambda a: (a != "127.0.0.1", a))


def certificate_names(cert_path: Path) -> set[str]:
    """The DNS names and IP addresses a certificate is valid for."""
    from cryptography import x509

    cert = x509.load_pem_x509_certificate(cert_path.read_bytes())
    san = cert.extensions.get_extension_for_class(x509.SubjectAlternativeName).value
    names = set(san.get_values_for_type(x509.DNSName))
    names |= {str(ip) for ip in san.get_values_for_type(x509.IPAddress)}
    return names


def _name(common_name: str) -> Any:
    from cryptography import x509
    from cryptography.x509.oid import NameOID

    return x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, common_name)])


def _write_key(path: Path, key: Any) -> None:
    from cryptography.hazmat.primitives import serialization

    path.write_bytes(
        key.private_bytes(
            serialization.Encoding.PEM,
            serialization.PrivateFormat.PKCS8,
            serialization.NoEncryption(),
        )
    )
    path.chmod(0o600)


def _development_ca(folder: Path, now: datetime) -> tuple[Any, Any]:
    """A small certificate authority for this machine only (kept and reused once made).

    Installing its certificate (dev-ca.pem) on a test phone makes the phone trust the server
    certificate: Chrome gives the camera after a click-through warning, but it registers no
    service worker (so no offline use) on a certificate it does not trust.
    """
    from cryptography import x509
    from cryptography.hazmat.primitives import hashes, serialization
    from cryptography.hazmat.primitives.asymmetric import ec

    cert_path, key_path = folder / CA_NAME, folder / CA_KEY_NAME
    if cert_path.exists() and key_path.exists():
        cert = x509.load_pem_x509_certificate(cert_path.read_bytes())
        if cert.not_valid_after_utc > now + timedelta(days=30):
            key = serialization.load_pem_private_key(key_path.read_bytes(), password=None)
            return cert, key
    key = ec.generate_private_key(ec.SECP256R1())
    name = _name(f"Fangang development CA ({socket.gethostname()})")
    cert = (
        x509.CertificateBuilder()
        .subject_name(name)
        .issuer_name(name)
        .public_key(key.public_key())
        .serial_number(x509.random_serial_number())
        .not_valid_before(now - timedelta(minutes=5))
        .not_valid_after(now + timedelta(days=825))
        .add_extension(x509.BasicConstraints(ca=True, path_length=0), critical=True)
        .add_extension(
            x509.KeyUsage(
                digital_signature=False,
                content_commitment=False,
                key_encipherment=False,
                data_encipherment=False,
                key_agreement=False,
                key_cert_sign=True,
                crl_sign=True,
                encipher_only=False,
                decipher_only=False,
            ),
            critical=True,
        )
        .sign(key, hashes.SHA256())
    )
    _write_key(key_path, key)
    cert_path.write_bytes(cert.public_bytes(serialization.Encoding.PEM))
    return cert, key


def write_dev_certificate(
    folder: Path, hosts: list[str], *, days: int = 365, now: datetime | None = None
) -> tuple[Path, Path]:
    """A P-256 server certificate for `hosts` (names or IPs), signed by the development CA.

    dev-cert.pem holds the server certificate followed by the CA's, as servers send it.
    """
    from cryptography import x509
    from cryptography.hazmat.primitives import hashes, serialization
    from cryptography.hazmat.primitives.asymmetric import ec
    from cryptography.x509.oid import ExtendedKeyUsageOID

    now = now or datetime.now(UTC)
    folder.mkdir(parents=True, exist_ok=True)
    ca_cert, ca_key = _development_ca(folder, now)
    key = ec.generate_private_key(ec.SECP256R1())
    alt_names: list[x509.GeneralName] = []
    for host in hosts:
        try:
            alt_names.append(x509.IPAddress(ipaddress.ip_address(host)))
        except ValueError:
            alt_names.append(x509.DNSName(host))
    cert = (
        x509.CertificateBuilder()
        .subject_name(_name("Fangang development server"))
        .issuer_name(ca_cert.subject)
        .public_key(key.public_key())
        .serial_number(x509.random_serial_number())
        .not_valid_before(now - timedelta(minutes=5))
        .not_valid_after(now + timedelta(days=min(days, 397)))  # browsers refuse longer
        .add_extension(x509.SubjectAlternativeName(alt_names), critical=False)
        .add_extension(x509.BasicConstraints(ca=False, path_length=None), critical=True)
        .add_extension(x509.ExtendedKeyUsage([ExtendedKeyUsageOID.SERVER_AUTH]), critical=False)
        .sign(ca_key, hashes.SHA256())
    )
    cert_path, key_path = folder / CERT_NAME, folder / KEY_NAME
    _write_key(key_path, key)
    cert_path.write_bytes(
        cert.public_bytes(serialization.Encoding.PEM)
        + ca_cert.public_bytes(serialization.Encoding.PEM)
    )
    return cert_path, key_path


def _still_good(cert_path: Path, hosts: list[str], now: datetime) -> bool:
    from cryptography import x509

    try:
        cert = x509.load_pem_x509_certificate(cert_path.read_bytes())
        names = certificate_names(cert_path)
    except (OSError, ValueError, x509.ExtensionNotFound):
        return False
    return set(hosts) <= names and cert.not_valid_after_utc > now + timedelta(days=7)


def register_commands(app: Flask) -> None:
    @app.cli.command("dev-cert")
    @click.option(
        "--host",
        "hosts",
        multiple=True,
        help="Extra host name or IP for the certificate (repeatable).",
    )
    @click.option("--days", default=365, show_default=True, help="Validity in days.")
    @click.option("--force", is_flag=True, help="Write a new certificate even if one fits.")
    def dev_cert(hosts: tuple[str, ...], days: int, force: bool) -> None:
        """HTTPS certificate for localhost and this machine's LAN addresses (development).

        Writes instance/dev-cert.pem and instance/dev-key.pem, signed by a development CA
        made once (instance/dev-ca.pem: install it on a test phone). Kept while still valid
        for the same names. Serve with:
        flask run --host 0.0.0.0 --port 5443 --cert instance/dev-cert.pem --key instance/dev-key.pem
        """
        folder = Path(app.instance_path)
        names = ["localhost", *lan_addresses(), *hosts]
        names = list(dict.fromkeys(names))
        cert_path, key_path = folder / CERT_NAME, folder / KEY_NAME
        now = datetime.now(UTC)
        if not force and key_path.exists() and _still_good(cert_path, names, now):
            click.echo(f"kept {cert_path} ({', '.join(names)})")
            return
        write_dev_certificate(folder, names, days=days, now=now)
        click.echo(f"wrote {cert_path} and {key_path} for {', '.join(names)}")
        click.echo(
            f"to use the scanner offline on a test phone, install {folder / CA_NAME} on it as a "
            "trusted CA (see docs/deploy.md); otherwise accept the browser's warning"
        )

"""P-256 signer keys with X.509 certificates: create, save as PEM, load, rotate.

Files in a key directory, named by the hex kid:
    <kid>.key.pem   PKCS#8 private key, mode 0600
    <kid>.cert.pem  X.509 certificate
    keyring.json    which key is active and when older keys were retired (KeyRing only)
"""

from __future__ import annotations

import json
import os
from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

from cryptography import x509
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import ec
from cryptography.x509.oid import NameOID

from . import cose
from .certs import certificate_der, compute_kid, load_certificate
from .timeutil import to_utc
from .trust import TrustEntry

KEY_SUFFIX = ".key.pem"
CERT_SUFFIX = ".cert.pem"


@dataclass(frozen=True)
class Signer:
    """A private key with its certificate; `kid` is derived from the certificate."""

    private_key: ec.EllipticCurvePrivateKey
    certificate: x509.Certificate
    kid: bytes = field(init=False)

    def __post_init__(self) -> None:
        if not isinstance(self.private_key, ec.EllipticCurvePrivateKey) or not isinstance(
            self.private_key.curve, ec.SECP256R1
        ):
            raise ValueError("signer keys must be EC P-256")
        if self.certificate.public_key() != self.private_key.public_key():
            raise ValueError("certificate does not belong to this private key")
        object.__setattr__(self, "kid", compute_kid(self.certificate))

    @property
    def public_key(self) -> ec.EllipticCurvePublicKey:
        return self.private_key.public_key()

    @property
    def certificate_der(self) -> bytes:
        return certificate_der(self.certificate)

    @property
    def certificate_pem(self) -> bytes:
        return self.certificate.public_bytes(serialization.Encoding.PEM)

    def sign(self, data: bytes) -> bytes:
        """ES256 signature, raw r || s."""
        return cose.sign_es256(self.private_key, data)


def generate_signer(
    common_name: str,
    *,
    issuer: Signer | None = None,
    is_ca: bool = False,
    not_before: datetime | None = None,
    valid_for: timedelta = timedelta(days=3650),
    organization: str = "Fangang",
) -> Signer:
    """New P-256 key and certificate, self-signed or signed by `issuer`.

    not_before defaults to one hour ago so that a card issued right after the key was
    made is inside the key's window even if clocks differ a little (KeyRing trust
    entries bound each key's issuing time, iat, by its certificate's validity).
    """
    key = ec.generate_private_key(ec.SECP256R1())
    start = to_utc(not_before) if not_before else datetime.now(UTC) - timedelta(hours=1)
    subject = x509.Name(
        [
            x509.NameAttribute(NameOID.COUNTRY_NAME, "CN"),
            x509.NameAttribute(NameOID.ORGANIZATION_NAME, organization),
            x509.NameAttribute(NameOID.COMMON_NAME, common_name),
        ]
    )
    signing_key = issuer.private_key if issuer else key
    builder = (
        x509.CertificateBuilder()
        .subject_name(subject)
        .issuer_name(issuer.certificate.subject if issuer else subject)
        .public_key(key.public_key())
        .serial_number(x509.random_serial_number())
        .not_valid_before(start)
        .not_valid_after(start + valid_for)
        .add_extension(x509.BasicConstraints(ca=is_ca, path_length=None), critical=True)
        .add_extension(
            x509.KeyUsage(
                digital_signature=True,
                content_commitment=False,
                key_encipherment=False,
                data_encipherment=False,
                key_agreement=False,
                key_cert_sign=is_ca,
                crl_sign=is_ca,
                encipher_only=False,
                decipher_only=False,
            ),
            critical=True,
        )
        .add_extension(x509.SubjectKeyIdentifier.from_public_key(key.public_key()), critical=False)
    )
    cert = builder.sign(signing_key, hashes.SHA256())
    return Signer(key, cert)


def save_signer(signer: Signer, directory: str | Path, *, password: bytes | None = None) -> Path:
    """Write <kid>.key.pem (mode 0600) and <kid>.cert.pem into `directory`; return the key path."""
    directory = Path(directory)
    directory.mkdir(mode=0o700, parents=True, exist_ok=True)
    name = signer.kid.hex()
    encryption: serialization.KeySerializationEncryption = (
        serialization.BestAvailableEncryption(password)
        if password
        else serialization.NoEncryption()
    )
    pem = signer.private_key.private_bytes(
        serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8, encryption
    )
    key_path = directory / (name + KEY_SUFFIX)
    # Create with 0600 from the start: a chmod afterwards leaves a window with umask rights.
    fd = os.open(key_path, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
    with os.fdopen(fd, "wb") as fh:
        fh.write(pem)
    os.chmod(key_path, 0o600)  # O_CREAT's mode is ignored when the file already existed
    (directory / (name + CERT_SUFFIX)).write_bytes(signer.certificate_pem)
    return key_path


def load_signer(
    directory: str | Path, kid: bytes | str, *, password: bytes | None = None
) -> Signer:
    """Load the signer with this kid (bytes or hex) from `directory`."""
    name = kid.hex() if isinstance(kid, bytes) else kid.lower()
    directory = Path(directory)
    key = serialization.load_pem_private_key(
        (directory / (name + KEY_SUFFIX)).read_bytes(), password=password
    )
    cert = load_certificate((directory / (name + CERT_SUFFIX)).read_bytes())
    if not isinstance(key, ec.EllipticCurvePrivateKey):
        raise ValueError(f"{name}: not an EC private key")
    return Signer(key, cert)


def load_signers(directory: str | Path, *, password: bytes | None = None) -> list[Signer]:
    """Every signer in `directory`, oldest certificate first."""
    directory = Path(directory)
    if not directory.is_dir():
        return []
    kids = sorted(p.name[: -len(KEY_SUFFIX)] for p in directory.glob("*" + KEY_SUFFIX))
    signers = [load_signer(directory, kid, password=password) for kid in kids]
    return sorted(signers, key=lambda s: s.certificate.not_valid_before_utc)


def load_certificates(directory: str | Path) -> list[x509.Certificate]:
    """Public certificates only (what verifiers need), oldest first."""
    certs = [load_certificate(p.read_bytes()) for p in Path(directory).glob("*" + CERT_SUFFIX)]
    return sorted(certs, key=lambda c: c.not_valid_before_utc)


class KeyRing:
    """The signer keys of one issuing service, in one directory, with one active signer.

    Rotation: `rotate()` creates a key, makes it the active signer and records when the
    previous one was retired. A retired key stays in the trust list (with not_after = its
    retirement time, so it cannot sign new cards) until every card it signed has expired.
    """

    STATE_FILE = "keyring.json"

    def __init__(self, directory: str | Path, *, password: bytes | None = None) -> None:
        self.directory = Path(directory)
        self._password = password

    def _state(self) -> dict[str, Any]:
        path = self.directory / self.STATE_FILE
        if not path.exists():
            return {"active": None, "retired": {}}
        return json.loads(path.read_text("utf-8"))

    def _save_state(self, state: dict[str, Any]) -> None:
        path = self.directory / self.STATE_FILE
        tmp = path.with_suffix(".tmp")
        tmp.write_text(json.dumps(state, indent=2, sort_keys=True), "utf-8")
        tmp.replace(path)  # atomic: a crash never leaves a half-written active marker

    def signers(self) -> list[Signer]:
        return load_signers(self.directory, password=self._password)

    def active(self) -> Signer:
        """The signer new cards are issued with."""
        kid = self._state().get("active")
        if not kid:
            raise LookupError(f"no active signer in {self.directory}")
        return load_signer(self.directory, kid, password=self._password)

    def retired_at(self, kid: bytes) -> datetime | None:
        value = self._state()["retired"].get(kid.hex())
        return datetime.fromisoformat(value) if value else None

    def add(self, signer: Signer, *, activate: bool = True, now: datetime | None = None) -> Signer:
        """Save `signer`; when activating, retire the previously active key at `now`."""
        save_signer(signer, self.directory, password=self._password)
        state = self._state()
        if activate:
            previous = state.get("active")
            if previous and previous != signer.kid.hex():
                moment = to_utc(now) if now else datetime.now(UTC)
                state["retired"][previous] = moment.isoformat()
            state["active"] = signer.kid.hex()
        self._save_state(state)
        return signer

    def create(self, common_name: str, *, now: datetime | None = None, **options: Any) -> Signer:
        """Generate and activate a key (the first one, or a rotation)."""
        if now is not None:
            options.setdefault("not_before", to_utc(now) - timedelta(hours=1))
        return self.add(generate_signer(common_name, **options), now=now)

    rotate = create  # rotating is creating a new active key; the old one is retired

    def trust_entries(
        self,
        *,
        now: datetime,
        card_lifetime: timedelta,
        region: str | int | None = None,
        name: str | None = None,
        card_types: Iterable[Any] | None = None,
    ) -> list[TrustEntry]:
        """Trust entries for every key a verifier still needs at `now`.

        A retired key is dropped once `card_lifetime` has passed since its retirement,
        because by then every card it signed has expired.
        """
        entries = []
        now = to_utc(now)
        for signer in self.signers():
            retired = self.retired_at(signer.kid)
            if retired is not None and retired + card_lifetime < now:
                continue
            entries.append(
                TrustEntry.from_certificate(
                    signer.certificate,
                    region=region,
                    name=name,
                    # Our own keys are held to their certificate: a card "issued" outside
                    # it (or after retirement) was not issued by this service.
                    not_before=signer.certificate.not_valid_before_utc,
                    not_after=retired or signer.certificate.not_valid_after_utc,
                    card_types=card_types,
                )
            )
        return entries

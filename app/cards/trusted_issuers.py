"""Mutual recognition: importing and removing other regions' card signers."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import select

from app.accounts.models import User
from app.cards import signing
from app.cards.models import TrustedIssuer
from app.credentials import CredentialError, TrustEntry, load_certificate
from app.credentials.jwk import public_key_to_jwk
from app.errors import Conflict, NotFound, ValidationFailed
from app.extensions import db
from app.i18n import register_messages
from app.timeutil import utcnow

register_messages(
    {
        "certificate_invalid": (
            "证书无法读取（需 PEM 或 DER 格式的 X.509 证书）。",
            "Unreadable certificate (X.509, PEM or DER).",
        ),
        "certificate_key_unsupported": (
            "证书的公钥类型不受支持（需 P-256 椭圆曲线或 RSA 公钥）。",
            "The certificate's key type is not supported (P-256 EC or RSA).",
        ),
        "issuer_exists": ("该签发方已在信任列表中。", "This issuer is already trusted."),
        "issuer_not_found": ("信任列表中没有该签发方。", "No such trusted issuer."),
    }
)


def add_issuer(
    certificate: bytes,
    *,
    region_code: str,
    name: str | None = None,
    card_types: list[str] | None = None,
    not_after: datetime | None = None,
    added_by: User | None = None,
) -> TrustedIssuer:
    """Trust another issuer's certificate (kid = SHA-256(DER)[:8], as in the EU DCC)."""
    try:
        cert = load_certificate(certificate)
        entry = TrustEntry.from_certificate(cert, region=region_code, name=name)
    except (ValueError, TypeError):
        raise ValidationFailed(
            errors=[{"field": "certificate", "code": "certificate_invalid"}]
        ) from None
    try:  # the trust list publishes it as a JWK, which verifiers read: only what they can use
        public_key_to_jwk(entry.public_key)
    except CredentialError:
        raise ValidationFailed(
            errors=[{"field": "certificate", "code": "certificate_key_unsupported"}]
        ) from None
    from cryptography.hazmat.primitives.serialization import Encoding

    der = cert.public_bytes(Encoding.DER)
    kid = entry.kid.hex()
    existing = db.session.scalars(
        select(TrustedIssuer).where(TrustedIssuer.kid == kid, TrustedIssuer.removed_dt.is_(None))
    ).all()
    if any(row.certificate_der == der for row in existing):
        raise Conflict("issuer_exists")
    row = TrustedIssuer(
        kid=kid,
        region_code=region_code,
        name=name or entry.name or region_code,
        certificate_der=der,
        not_before=None,
        not_after=not_after,
        card_types=card_types or [],
        added_by_id=added_by.id if added_by else None,
        added_dt=utcnow(),
    )
    db.session.add(row)
    db.session.flush()
    signing.invalidate_trust_store()
    return row


def remove_issuer(issuer_id: int | None = None, *, kid: str | None = None) -> list[TrustedIssuer]:
    stmt = select(TrustedIssuer).where(TrustedIssuer.removed_dt.is_(None))
    stmt = (
        stmt.where(TrustedIssuer.id == issuer_id)
        if issuer_id
        else stmt.where(TrustedIssuer.kid == (kid or "").lower())
    )
    rows = list(db.session.scalars(stmt))
    if not rows:
        raise NotFound("issuer_not_found")
    for row in rows:
        row.removed_dt = utcnow()
    signing.invalidate_trust_store()
    return rows


def active_issuers() -> list[TrustedIssuer]:
    return list(
        db.session.scalars(
            select(TrustedIssuer)
            .where(TrustedIssuer.removed_dt.is_(None))
            .order_by(TrustedIssuer.id)
        )
    )

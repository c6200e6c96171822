"""Trusted signer keys with their metadata, and the revocation state a verifier holds."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from cryptography import x509

from . import cose, revocation
from .certs import common_name, compute_kid, load_certificate
from .certs import dcc_types as certificate_dcc_types
from .claims import DCC_TYPES, card_type_of
from .errors import CredentialError, SignatureError
from .jwk import PublicKey, b64_decode_any, b64url_encode, jwk_to_public_key, public_key_to_jwk
from .timeutil import format_iso, parse_time, to_utc


def _iso(moment: datetime | None) -> str | None:
    return None if moment is None else format_iso(moment)


def _card_types(values: Iterable[Any] | None) -> frozenset[int] | None:
    if values is None:
        return None
    return frozenset(int(card_type_of(v)) for v in values)


def _dcc_types(values: Iterable[Any] | None) -> frozenset[str] | None:
    if values is None:
        return None
    if not isinstance(values, list | tuple | set | frozenset):
        raise CredentialError("dcc_types must be a list of 'v', 't', 'r'")
    if not all(isinstance(v, str) and v in DCC_TYPES for v in values):
        raise CredentialError(f"unknown DCC type in {sorted(map(repr, values))}")
    return frozenset(values)


@dataclass(frozen=True)
class TrustEntry:
    """One trusted public key and what it may sign.

    not_before/not_after bound the *issuing* time (iat) of what the key signs, not the
    time of verification: a retired key keeps verifying the cards it signed while it was
    active, and cannot be used to sign new ones. card_types=None means any type.

    dcc_types bounds the kinds of EU DCC (HC1) the key may sign: 'v' vaccination, 't' test,
    'r' recovery; None means every kind. For a certificate it comes from the DCC key-usage
    OIDs in its extended key usage (see certs.dcc_types).
    """

    kid: bytes
    public_key: PublicKey
    region: str | None = None
    name: str | None = None
    not_before: datetime | None = None
    not_after: datetime | None = None
    card_types: frozenset[int] | None = None
    dcc_types: frozenset[str] | None = None

    @classmethod
    def create(
        cls,
        kid: bytes,
        public_key: PublicKey,
        *,
        region: str | int | None = None,
        name: str | None = None,
        not_before: datetime | None = None,
        not_after: datetime | None = None,
        card_types: Iterable[Any] | None = None,
        dcc_types: Iterable[str] | None = None,
    ) -> TrustEntry:
        """Normalise metadata (region to str, times to UTC, card types to ints)."""
        return cls(
            kid=bytes(kid),
            public_key=public_key,
            region=None if region is None else str(region),
            name=name,
            not_before=None if not_before is None else to_utc(not_before),
            not_after=None if not_after is None else to_utc(not_after),
            card_types=_card_types(card_types),
            dcc_types=_dcc_types(dcc_types),
        )

    @classmethod
    def from_certificate(cls, data: bytes | str | x509.Certificate, **meta: Any) -> TrustEntry:
        """Entry for an X.509 certificate; name defaults to its subject CN.

        The certificate's own validity period is deliberately not used as the issuing
        window: real DCC issuers sign with iat before their certificate's notBefore
        (test vector BG/4), so only explicit not_before/not_after restrict a key.

        Its DCC key-usage OIDs do restrict the key: dcc_types is what the certificate allows,
        narrowed (never widened) by an explicit dcc_types.
        """
        cert = load_certificate(data)
        if meta.get("name") is None:
            meta["name"] = common_name(cert)
        allowed = certificate_dcc_types(cert)
        explicit = _dcc_types(meta.get("dcc_types"))
        if allowed is None or explicit is None:
            meta["dcc_types"] = allowed if explicit is None else explicit
        else:
            meta["dcc_types"] = allowed & explicit
        return cls.create(compute_kid(cert), cert.public_key(), **meta)  # type: ignore[arg-type]

    @classmethod
    def from_jwk(cls, jwk: dict[str, Any], **meta: Any) -> TrustEntry:
        """Entry for a JWK; its "kid" (base64 or base64url) is required."""
        if not isinstance(jwk, dict) or "kid" not in jwk:
            raise CredentialError("JWK needs a kid")
        return cls.create(b64_decode_any(jwk["kid"]), jwk_to_public_key(jwk), **meta)

    def refusal(self, issued_at: datetime | None, card_type: int | None) -> str | None:
        """Why this key may not vouch for a credential issued at `issued_at`, or None."""
        if issued_at is not None:
            if self.not_before is not None and issued_at < self.not_before:
                return (
                    f"issued {_iso(issued_at)}, before the key's not_before {_iso(self.not_before)}"
                )
            if self.not_after is not None and issued_at > self.not_after:
                return f"issued {_iso(issued_at)}, after the key's not_after {_iso(self.not_after)}"
        if card_type is not None and self.card_types is not None:
            if card_type not in self.card_types:
                return f"key may not sign card type {card_type}"
        return None

    def may_sign_dcc(self, dcc_type: str) -> bool:
        """Whether this key may sign an EU DCC of this kind ('v', 't' or 'r')."""
        return self.dcc_types is None or dcc_type in self.dcc_types

    def to_json(self) -> dict[str, Any]:
        """The trust-list form (members that are None are left out)."""
        doc: dict[str, Any] = {
            "kid": b64url_encode(self.kid),
            "jwk": public_key_to_jwk(self.public_key, self.kid),
            "region": self.region,
            "name": self.name,
            "not_before": _iso(self.not_before),
            "not_after": _iso(self.not_after),
            "card_types": None if self.card_types is None else sorted(self.card_types),
            "dcc_types": None if self.dcc_types is None else sorted(self.dcc_types),
        }
        return {k: v for k, v in doc.items() if v is not None}

    @classmethod
    def from_json(cls, doc: dict[str, Any]) -> TrustEntry:
        """Inverse of to_json; the entry's kid must match its JWK's kid."""
        try:
            jwk = dict(doc["jwk"])
            jwk.setdefault("kid", doc["kid"])
            if b64_decode_any(jwk["kid"]) != b64_decode_any(doc["kid"]):
                raise CredentialError("trust entry kid differs from its JWK kid")
            return cls.from_jwk(
                jwk,
                region=doc.get("region"),
                name=doc.get("name"),
                not_before=parse_time(doc["not_before"]) if doc.get("not_before") else None,
                not_after=parse_time(doc["not_after"]) if doc.get("not_after") else None,
                card_types=doc.get("card_types"),
                dcc_types=doc.get("dcc_types"),
            )
        except (KeyError, TypeError, ValueError) as exc:
            if isinstance(exc, CredentialError):
                raise
            raise CredentialError(f"invalid trust entry: {exc!r}") from None


class TrustStore:
    """The keys a verifier trusts (several may share a kid) and the cards it knows revoked."""

    def __init__(self) -> None:
        self._entries: dict[bytes, list[TrustEntry]] = {}
        self._revoked: dict[bytes, datetime | None] = {}
        self.revocation_lists: list[revocation.RevocationList] = []

    # -- keys -------------------------------------------------------------------------

    def add_entry(self, entry: TrustEntry) -> bytes:
        """Add (or replace: same kid and same key) an entry; return its kid."""
        same_kid = self._entries.setdefault(entry.kid, [])
        same_kid[:] = [e for e in same_kid if e.public_key != entry.public_key]
        same_kid.append(entry)
        return entry.kid

    def add_certificate(self, data: bytes | str | x509.Certificate, **meta: Any) -> bytes:
        """Trust an X.509 certificate (DER or PEM); kid = SHA-256(DER)[:8].

        Keyword metadata: region, name, not_before, not_after, card_types, dcc_types.
        """
        return self.add_entry(TrustEntry.from_certificate(data, **meta))

    def add_jwk(self, jwk: dict[str, Any], **meta: Any) -> bytes:
        """Trust an EC P-256 or RSA JWK; kid from its "kid" member (base64/base64url)."""
        return self.add_entry(TrustEntry.from_jwk(jwk, **meta))

    def add_signer(self, signer: Any, **meta: Any) -> bytes:
        """Trust the certificate of a keys.Signer."""
        return self.add_certificate(signer.certificate, **meta)

    def remove(self, kid: bytes) -> None:
        self._entries.pop(kid, None)

    def entries(self, kid: bytes | None = None) -> list[TrustEntry]:
        """Entries with this kid, or all entries."""
        if kid is not None:
            return list(self._entries.get(kid, ()))
        return [e for group in self._entries.values() for e in group]

    def __len__(self) -> int:
        return sum(len(group) for group in self._entries.values())

    def __contains__(self, kid: object) -> bool:
        return kid in self._entries

    def check_signature(
        self,
        sign1: cose.Sign1,
        alg: int,
        *,
        issued_at: datetime | None,
        card_type: int | None = None,
    ) -> tuple[TrustEntry | None, str, str]:
        """(entry, "ok", "") for the first trusted key that verifies, else (None, reason, why).

        Every key with the kid is tried: kids are only 8 bytes and real trust lists
        contain collisions.
        """
        kid = sign1.kid
        if not isinstance(kid, bytes) or not kid:
            return None, "unknown_kid", "no kid in the COSE headers"
        candidates = self._entries.get(kid)
        if not candidates:
            return None, "unknown_kid", f"no trusted key with kid {b64url_encode(kid)}"
        usable, refusals = [], []
        for entry in candidates:
            why = entry.refusal(issued_at, card_type)
            (refusals if why else usable).append(why or entry)
        if not usable:
            return None, "unknown_kid", "trusted key not valid for this credential: " + refusals[0]
        data = sign1.to_be_signed()
        for entry in usable:
            if cose.verify_signature(entry.public_key, alg, sign1.signature, data):
                return entry, "ok", ""
        return None, "bad_signature", f"signature does not verify with kid {b64url_encode(kid)}"

    # -- trust lists ------------------------------------------------------------------

    def load_trust_list(
        self, doc: dict[str, Any], verify_with: Iterable[Any], *, now: datetime | None = None
    ) -> list[bytes]:
        """Check a signed trust list against root keys and add its entries; return kids.

        Raises SignatureError / CredentialError and adds nothing if the list is bad.
        """
        from .trustlist import verify_trust_list  # trustlist imports this module

        entries = verify_trust_list(doc, verify_with, now=now)
        return [self.add_entry(entry) for entry in entries]

    @classmethod
    def from_trust_list(
        cls, doc: dict[str, Any], root_keys: Iterable[Any], *, now: datetime | None = None
    ) -> TrustStore:
        store = cls()
        store.load_trust_list(doc, root_keys, now=now)
        return store

    # -- revocation -------------------------------------------------------------------

    def revoke(self, card_id_or_hash: bytes, expires_at: datetime | None = None) -> None:
        """Mark a card revoked locally: a 6-byte card id or its 16-byte revocation hash."""
        self._revoked[revocation.to_hash(card_id_or_hash)] = (
            None if expires_at is None else to_utc(expires_at)
        )

    def is_revoked(self, card_id: bytes) -> bool:
        return revocation.card_id_hash(card_id) in self._revoked

    def add_revocation_list(self, data: bytes, *, now: datetime | None = None) -> int:
        """Verify a signed revocation list with this store's keys and merge its entries.

        Raises SignatureError on a bad signature, CredentialError on a malformed list.
        Entries already expired at `now` are skipped. Returns the number merged.
        """
        sign1, parsed = revocation.parse_revocation_list(data)
        if sign1.alg != cose.ALG_ES256:
            raise SignatureError("revocation lists must be signed with ES256")
        entry, reason, detail = self.check_signature(
            sign1, cose.ALG_ES256, issued_at=parsed.issued_at
        )
        if entry is None:
            raise SignatureError(f"revocation list rejected ({reason}): {detail}")
        parsed = revocation.RevocationList(parsed.issued_at, parsed.entries, entry.kid)
        cutoff = None if now is None else to_utc(now)
        merged = 0
        for card_hash, expires in parsed.entries.items():
            if cutoff is not None and expires < cutoff:
                continue
            self._revoked[card_hash] = expires
            merged += 1
        self.revocation_lists.append(parsed)
        return merged

    def revoked_hashes(self) -> dict[bytes, datetime | None]:
        return dict(self._revoked)

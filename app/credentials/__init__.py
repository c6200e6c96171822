"""Signed QR credentials for Fangang: FG1 cards (our format) and EU DCC (HC1) verification.

Framework-free on purpose: the web app, the CLI, the benchmark and the tests all use the
same code, and the PWA implements the same documented format (docs/credential-format.md).
"""

from __future__ import annotations

from .certs import compute_kid, load_certificate
from .claims import (
    CARD_CLAIM,
    CardClaim,
    CardType,
    Status,
    card_info,
    mask_id_number,
    mask_name,
)
from .errors import (
    Base45Error,
    CborError,
    CoseError,
    CredentialError,
    SchemaError,
    SignatureError,
)
from .issue import issue_card, new_card_id
from .jwk import jwk_to_public_key, public_key_to_jwk
from .keys import (
    KeyRing,
    Signer,
    generate_signer,
    load_certificates,
    load_signer,
    load_signers,
    save_signer,
)
from .qr import qr_version, render_qr_png, render_qr_svg
from .revocation import build_revocation_list, card_id_hash
from .trust import TrustEntry, TrustStore
from .trustlist import build_trust_list, verify_trust_list
from .verify import (
    FG1_PREFIX,
    HC1_PREFIX,
    REASONS,
    Decoded,
    DecodeError,
    VerificationResult,
    decode,
    decode_payload,
    verify,
)

__all__ = [
    "CARD_CLAIM",
    "FG1_PREFIX",
    "HC1_PREFIX",
    "REASONS",
    "Base45Error",
    "CardClaim",
    "CardType",
    "CborError",
    "CoseError",
    "CredentialError",
    "DecodeError",
    "Decoded",
    "KeyRing",
    "SchemaError",
    "SignatureError",
    "Signer",
    "Status",
    "TrustEntry",
    "TrustStore",
    "VerificationResult",
    "build_revocation_list",
    "build_trust_list",
    "card_id_hash",
    "card_info",
    "compute_kid",
    "decode",
    "decode_payload",
    "generate_signer",
    "issue_card",
    "jwk_to_public_key",
    "load_certificate",
    "load_certificates",
    "load_signer",
    "load_signers",
    "mask_id_number",
    "mask_name",
    "new_card_id",
    "public_key_to_jwk",
    "qr_version",
    "render_qr_png",
    "render_qr_svg",
    "save_signer",
    "verify",
    "verify_trust_list",
]

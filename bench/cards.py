"""Throughput of card issuing and verification, next to raw ECDSA P-256 in the same run.

Run by hand:  .venv/bin/python bench/cards.py [--seconds 2]

Prints operations per second for:
  * issue          issue_card (CBOR + ES256 sign + base45) plus render_qr_svg
  * issue (no QR)  issue_card alone
  * verify         verify() of a valid card (decode + ES256 verify + checks)
  * raw sign / raw verify   cryptography's ECDSA P-256 SHA-256 alone
  * verify HC1      verify() of a genuine EU vaccination certificate of ours (zlib + COSE +
                    ES256 + key usage + the DCC JSON schema of its version)
  * schema check    dccschema.check_hcert() alone on the same certificate
and the ratios issue/raw sign and verify/raw verify: how much the format costs on top of
the cryptography, and the share of one HC1 verification the schema check takes.
"""

from __future__ import annotations

import argparse
import sys
import time
import zlib
from collections.abc import Callable
from datetime import UTC, date, datetime, timedelta
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

import cbor2  # noqa: E402
from cryptography.hazmat.primitives import hashes  # noqa: E402
from cryptography.hazmat.primitives.asymmetric import ec  # noqa: E402

from app.credentials import (  # noqa: E402
    TrustStore,
    base45,
    generate_signer,
    issue_card,
    new_card_id,
    render_qr_svg,
    verify,
)
from app.credentials.cose import encode_sign1  # noqa: E402
from app.credentials.dccschema import check_hcert  # noqa: E402

# A vaccination certificate as a member state issues it (schema 1.3.0, every member).
HCERT = {
    "ver": "1.3.0",
    "nam": {"fn": "Musterfrau", "fnt": "MUSTERFRAU", "gn": "Erika", "gnt": "ERIKA"},
    "dob": "1964-08-12",
    "v": [
        {
            "tg": "840539006",
            "vp": "1119349007",
            "mp": "EU/1/20/1528",
            "ma": "ORG-100030215",
            "dn": 2,
            "sd": 2,
            "dt": "2021-05-29",
            "co": "DE",
            "is": "Robert Koch-Institut",
            "ci": "URN:UVCI:01DE/IZ12345A/5CWLU12RNOB9RXSEOP6FG8#W",
        }
    ],
}


def rate(label: str, func: Callable[[], object], seconds: float) -> float:
    """Call `func` repeatedly for about `seconds`; return and print calls per second."""
    func()  # warm up
    count, start = 0, time.perf_counter()
    deadline = start + seconds
    while True:
        for _ in range(20):
            func()
        count += 20
        now = time.perf_counter()
        if now >= deadline:
            break
    per_second = count / (now - start)
    print(f"{label:<16} {per_second:>10.0f} /s  ({1e6 / per_second:8.1f} µs each)")
    return per_second


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--seconds", type=float, default=2.0, help="time per measurement")
    args = parser.parse_args()

    signer = generate_signer("bench")
    store = TrustStore()
    store.add_signer(signer, region=430702)
    now = datetime.now(UTC)
    fields = {
        "card_type": "paper",
        "status": "yellow",
        "name_masked": "欧*娜",
        "id_last4": "123X",
        "quarantine_until": date.today() + timedelta(days=14),
        "issued_at": now,
        "expires_at": now + timedelta(days=14),
    }

    def issue() -> str:
        return issue_card(signer, card_id=new_card_id(), **fields)

    def issue_with_qr() -> str:
        return render_qr_svg(issue())

    card = issue()

    def check() -> None:
        assert verify(card, store, now).valid

    data = b"x" * 120  # about the size of our Sig_structure
    key = signer.private_key
    public = key.public_key()
    signature = key.sign(data, ec.ECDSA(hashes.SHA256()))

    def raw_sign() -> bytes:
        return key.sign(data, ec.ECDSA(hashes.SHA256()))

    def raw_verify() -> None:
        public.verify(signature, data, ec.ECDSA(hashes.SHA256()))

    iat = int(now.timestamp())
    claims = {1: "DE", 6: iat, 4: iat + 86400 * 365, -260: {1: HCERT}}
    message = encode_sign1(cbor2.dumps(claims), signer.private_key, signer.kid)
    hc1 = "HC1:" + base45.encode(zlib.compress(message))

    def check_hc1() -> None:
        assert verify(hc1, store, now).valid

    def schema_only() -> None:
        check_hcert(HCERT, now.date())

    print(f"Python {sys.version.split()[0]}, {args.seconds:g} s per measurement")
    issued = rate("issue + QR SVG", issue_with_qr, args.seconds)
    issued_plain = rate("issue (no QR)", issue, args.seconds)
    verified = rate("verify", check, args.seconds)
    signed = rate("raw sign", raw_sign, args.seconds)
    checked = rate("raw verify", raw_verify, args.seconds)
    hc1_rate = rate("verify HC1", check_hc1, args.seconds)
    schema_rate = rate("schema check", schema_only, args.seconds)
    print()
    print(f"schema check / verify HC1 = {hc1_rate / schema_rate:.1%} of one verification")
    print(f"issue + QR / raw sign   = {issued / signed:.3f}")
    print(f"issue      / raw sign   = {issued_plain / signed:.3f}")
    print(f"verify     / raw verify = {verified / checked:.3f}")


if __name__ == "__main__":
    main()

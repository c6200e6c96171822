"""Throughput of card issuing and verification, next to raw ECDSA P-256 in the same run.

Run by hand:  .venv/bin/python bench/cards.py [--seconds 2]

Prints operations per second for:
  * issue          issue_card (CBOR + ES256 sign + base45) plus render_qr_svg
  * issue (no QR)  issue_card alone
  * verify         verify() of a valid card (decode + ES256 verify + checks)
  * raw sign / raw verify   cryptography's ECDSA P-256 SHA-256 alone
and the ratios issue/raw sign and verify/raw verify: how much the format costs on top of
the cryptography.
"""

from __future__ import annotations

import argparse
import sys
import time
from collections.abc import Callable
from datetime import UTC, date, datetime, timedelta
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from cryptography.hazmat.primitives import hashes  # noqa: E402
from cryptography.hazmat.primitives.asymmetric import ec  # noqa: E402

from app.credentials import (  # noqa: E402
    TrustStore,
    generate_signer,
    issue_card,
    new_card_id,
    render_qr_svg,
    verify,
)


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

    print(f"Python {sys.version.split()[0]}, {args.seconds:g} s per measurement")
    issued = rate("issue + QR SVG", issue_with_qr, args.seconds)
    issued_plain = rate("issue (no QR)", issue, args.seconds)
    verified = rate("verify", check, args.seconds)
    signed = rate("raw sign", raw_sign, args.seconds)
    checked = rate("raw verify", raw_verify, args.seconds)
    print()
    print(f"issue + QR / raw sign   = {issued / signed:.3f}")
    print(f"issue      / raw sign   = {issued_plain / signed:.3f}")
    print(f"verify     / raw verify = {verified / checked:.3f}")


if __name__ == "__main__":
    main()

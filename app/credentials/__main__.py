"""Command line: verify or decode a QR text.

    python -m app.credentials verify [--trust FILE]... [--root FILE]... [--revocations FILE]...
                                     [--at TIME] QR_TEXT
    python -m app.credentials decode QR_TEXT

QR_TEXT "-" reads the text from standard input. --trust takes an X.509 certificate (PEM or
DER) or a trust-list JSON document; a trust list is checked against the --root
certificates when any are given, and loaded unchecked (with a warning) otherwise.
Output is JSON. Exit status: 0 valid / decoded, 1 invalid, 2 usage or file errors.
"""

from __future__ import annotations

import argparse
import json
import sys
from collections.abc import Sequence
from datetime import datetime
from pathlib import Path
from typing import Any

from .errors import CredentialError
from .timeutil import parse_time
from .trust import TrustStore
from .trustlist import read_trust_list_unverified
from .verify import DecodeError, decode, jsonable, verify


def _read_text(arg: str) -> str:
    return sys.stdin.read().strip("\r\n") if arg == "-" else arg


def _load_trust(store: TrustStore, path: Path, roots: list[bytes], at: datetime | None) -> None:
    data = path.read_bytes()
    if data.lstrip().startswith(b"{"):
        doc = json.loads(data)
        if roots:
            store.load_trust_list(doc, roots, now=at)
        else:
            print(f"warning: {path}: trust list signature NOT checked (no --root)", file=sys.stderr)
            for entry in read_trust_list_unverified(doc):
                store.add_entry(entry)
    else:
        store.add_certificate(data)


def _decode_json(text: str) -> dict[str, Any]:
    decoded = decode(text)
    sign1 = decoded.sign1
    out: dict[str, Any] = {
        "kind": decoded.kind,
        "protected": jsonable(sign1.protected_header),
        "unprotected": jsonable(sign1.unprotected),
        "tags": list(sign1.tags),
        "kid_hex": sign1.kid.hex() if isinstance(sign1.kid, bytes) else None,
        "issued_at": decoded.issued_at.isoformat(),
        "expires_at": decoded.expires_at.isoformat(),
        "claims": jsonable(decoded.claims),
        "cose_bytes": len(decoded.cose),
        "payload_bytes": len(sign1.payload),
    }
    if decoded.kind == "FG1":
        from .claims import card_info

        out["card"] = jsonable(card_info(decoded.claims))
    return out


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(
        prog="python -m app.credentials",
        description=__doc__,
        formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    sub = parser.add_subparsers(dest="command", required=True)
    p_verify = sub.add_parser("verify", help="verify a QR text, print the result as JSON")
    p_verify.add_argument("--trust", action="append", default=[], type=Path, metavar="FILE")
    p_verify.add_argument(
        "--root",
        action="append",
        default=[],
        type=Path,
        metavar="FILE",
        help="certificate that signs trust lists",
    )
    p_verify.add_argument(
        "--revocations",
        action="append",
        default=[],
        type=Path,
        metavar="FILE",
        help="signed revocation list (binary COSE)",
    )
    p_verify.add_argument("--at", help="verification time, ISO 8601 (default: now)")
    p_verify.add_argument("qr_text")
    p_decode = sub.add_parser("decode", help="decode without checking anything")
    p_decode.add_argument("qr_text")
    args = parser.parse_args(argv)

    text = _read_text(args.qr_text)
    if args.command == "decode":
        try:
            print(json.dumps(_decode_json(text), ensure_ascii=False, indent=2))
        except DecodeError as exc:
            print(json.dumps({"error": exc.reason, "detail": exc.detail}, indent=2))
            return 1
        return 0

    store = TrustStore()
    try:
        at = parse_time(args.at) if args.at else None
        roots = [path.read_bytes() for path in args.root]
        for path in args.trust:
            _load_trust(store, path, roots, at)
        for path in args.revocations:
            store.add_revocation_list(path.read_bytes(), now=at)
    except (OSError, ValueError, CredentialError) as exc:
        print(f"error: {exc}", file=sys.stderr)
        return 2
    result = verify(text, store, at)
    print(json.dumps(result.to_dict(), ensure_ascii=False, indent=2))
    return 0 if result.valid else 1


if __name__ == "__main__":
    sys.exit(main())

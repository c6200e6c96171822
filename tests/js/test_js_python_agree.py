"""The JavaScript verifier (pwa/js/verify/) and the Python one (app/credentials) agree.

FG1 cards are issued here with the Python library (every card kind, every failure reason,
flipped bits, truncations, seeded random mutations, garbage), and every EU DCC test vector in
../shared/vectors/dcc is added. Python verifies each one; tests/js/run_vectors.mjs verifies
each one with the JavaScript verifier, against the same trust material (a signed trust list,
X.509 certificates, JWKs, a signed revocation list). Both must give the same reason, the same
issuer, times and kid, the same card fields and the same decoded claims (compared through
claims_view), for every vector.

Skipped only when `node` is missing outside CI; in CI a missing node fails.
"""

from __future__ import annotations

import base64
import json
import os
import random
import shutil
import subprocess
import zlib
from collections.abc import Mapping
from datetime import UTC, date, datetime, timedelta
from pathlib import Path
from typing import Any

import cbor2
import pytest
from cryptography import x509
from cryptography.hazmat.primitives import hashes
from cryptography.hazmat.primitives.asymmetric import ec

from app.credentials import (
    REASONS,
    Signer,
    TrustEntry,
    TrustStore,
    base45,
    build_revocation_list,
    build_trust_list,
    generate_signer,
    issue_card,
    public_key_to_jwk,
    verify,
)
from app.credentials.cose import cbor_dumps, encode_sign1, sig_structure, sign_es256
from app.credentials.jwk import b64url_encode
from app.credentials.timeutil import parse_time

HERE = Path(__file__).resolve().parent
RUNNER = HERE / "run_vectors.mjs"
VECTORS = HERE.parents[1].parent / "shared" / "vectors" / "dcc"
NODE = shutil.which("node")

NOW = datetime(2020, 2, 20, 8, 0, tzinfo=UTC)
KEY_START = datetime(2020, 1, 1, tzinfo=UTC)
EPOCH = datetime(1970, 1, 1, tzinfo=UTC)
WULING, DINGCHENG = 430702, 430703
CARD_ID = bytes.fromhex("a1b2c3d4e5f6")
REVOKED_ID = bytes.fromhex("0000000000aa")

# Inputs on which the Python library is wrong, and the reason the documented pipeline gives
# (which the JavaScript verifier gives).


def ms(moment: datetime) -> float:
    """Epoch milliseconds, keeping microseconds as the fraction."""
    return (moment - EPOCH) / timedelta(milliseconds=1)


def ms_floor(moment: datetime | None) -> int | None:
    return None if moment is None else (moment - EPOCH) // timedelta(milliseconds=1)


def claims_view(value: Any) -> Any:
    """Decoded CBOR as neutral JSON, written the same way by run_vectors.mjs.

    Map keys as text the way both sides compare them (True and 1.0 are the key 1, as Python
    finds them equal; bytes as "h:<hex>"), bytes as hex, floats as numbers ("nan", "inf"),
    integers beyond 2^53 as {"$bigint"}, cbor2's dates in isoformat(), sets sorted, other
    objects cbor2 makes of a tag (Decimal, UUID...) as {"interpreted": true}.
    """
    if isinstance(value, Mapping):
        return {_key_text(k): claims_view(v) for k, v in value.items()}
    if isinstance(value, list | tuple):
        return [claims_view(v) for v in value]
    if isinstance(value, set | frozenset):
        return {"set": sorted(_stable(claims_view(v)) for v in value)}
    if isinstance(value, bytes):
        return value.hex()
    if isinstance(value, bool) or value is None or isinstance(value, str):
        return value
    if isinstance(value, int):
        return {"$bigint": str(value)} if abs(value) > 2**53 - 1 else value
    if isinstance(value, float):
        if value != value:
            return "nan"
        if value in (float("inf"), float("-inf")):
            return "inf" if value > 0 else "-inf"
        return int(value) if value.is_integer() and abs(value) < 2**53 else value
    if isinstance(value, datetime | date):
        return value.isoformat()
    if isinstance(value, cbor2.CBORTag):
        return {"tag": value.tag, "value": claims_view(value.value)}
    if isinstance(value, cbor2.CBORSimpleValue):
        return {"simple": value.value}
    if value is cbor2.undefined:
        return "undefined"
    return {"interpreted": True}


def _key_text(key: Any) -> str:
    if isinstance(key, bool):
        return str(int(key))
    if isinstance(key, float) and key.is_integer():
        return str(int(key))
    if isinstance(key, float):
        return "nan" if key != key else repr(key)
    if isinstance(key, int | str):
        return str(key)
    if isinstance(key, cbor2.CBORSimpleValue):
        return str(key.value)
    if isinstance(key, bytes):
        return "h:" + key.hex()
    if key is None:
        return "null"
    return "j:" + _stable(claims_view(key))


def _stable(value: Any) -> str:
    return json.dumps(value, sort_keys=True, separators=(",", ":"), ensure_ascii=False)


def python_view(result) -> dict[str, Any]:
    card = result.card
    if card is not None:
        card = {
            **{k: v for k, v in card.items() if k not in ("issued_at", "expires_at")},
            "quarantine_until": _iso_date(card["quarantine_until"]),
            "departure": _iso_date(card["departure"]),
            "issued_at_ms": ms_floor(card["issued_at"]),
            "expires_at_ms": ms_floor(card["expires_at"]),
        }
    return {
        "valid": result.valid,
        "reason": result.reason,
        "kind": result.kind,
        "kid": None if result.kid is None else b64url_encode(result.kid),
        "issuer": result.issuer,
        "region": result.region,
        "issuer_name": result.issuer_name,
        "issued_at_ms": ms_floor(result.issued_at),
        "expires_at_ms": ms_floor(result.expires_at),
        "card": card,
        "claims": None if result.claims is None else claims_view(result.claims),
        "schema": result.schema,
    }


def _iso_date(day: date | None) -> str | None:
    return None if day is None else day.isoformat()


def js_view(result: dict[str, Any]) -> dict[str, Any]:
    return {k: v for k, v in result.items() if k != "detail"}


# -- trust material -------------------------------------------------------------------------


class Material:
    """Signers, stores (Python objects and their JSON description for the runner), vectors."""

    def __init__(self) -> None:
        self.root = generate_signer("Changde Municipal Health Commission", is_ca=True)
        self.signer = generate_signer("Wuling District Health Office", not_before=KEY_START)
        self.paper = generate_signer("Dingcheng District Health Office", not_before=KEY_START)
        self.retired = generate_signer("Wuling (retired key)", not_before=KEY_START)
        self.stranger = generate_signer("Not trusted", not_before=KEY_START)
        self.twin = generate_signer("Kid collision", not_before=KEY_START)
        # EU DSCs whose extended key usage restricts the DCC types they may sign.
        self.dsc_test = make_dsc("DSC test only", [f"{DCC_ARC}.1"])
        self.dsc_vaccination = make_dsc("DSC vaccination only", [f"{DCC_ALT_ARC}.2"])
        self.dsc_odd = make_dsc("DSC EncodedDefault", [f"{DCC_ARC}.3"], encoded_default=True)
        self.dsc_open = make_dsc("DSC ICAO only", ["2.23.136.1.1.14.2"])
        self.stores: dict[str, tuple[TrustStore, dict[str, Any]]] = {}
        self.vectors: list[dict[str, Any]] = []
        self.python: dict[str, dict[str, Any]] = {}
        self.clocks: dict[str, datetime] = {}

    def jwk(self, signer, kid: bytes | None = None) -> dict[str, Any]:
        return public_key_to_jwk(signer.public_key, kid or signer.kid)

    def build_stores(self) -> None:
        # 1. What a checkpoint phone has: the signed trust list and the revocation list.
        entries = [
            TrustEntry.from_certificate(
                self.signer.certificate, region=WULING, name="武陵区卫健局", not_before=KEY_START
            ),
            TrustEntry.from_certificate(
                self.paper.certificate, region=DINGCHENG, name="鼎城区卫健局", card_types=["paper"]
            ),
            TrustEntry.from_certificate(
                self.retired.certificate,
                region=WULING,
                name="武陵区卫健局",
                not_before=KEY_START,
                not_after=NOW - timedelta(days=3),
            ),
            # Another key published under the signer's kid: kids collide, both must be tried.
            TrustEntry.from_jwk(self.jwk(self.twin, self.signer.kid), name="同 kid 的另一把钥匙"),
            # DCC types from the certificate's EKU, carried by the signed list as dcc_types.
            TrustEntry.from_certificate(self.dsc_test.certificate),
            TrustEntry.from_jwk(self.jwk(self.dsc_open), dcc_types=["r", "v"]),
        ]
        doc = json.loads(json.dumps(build_trust_list(self.root, entries, NOW)))
        root_jwk = self.jwk(self.root)
        revocations = build_revocation_list(
            self.signer,
            [
                (REVOKED_ID, NOW + timedelta(days=14)),
                (bytes.fromhex("000000000001"), NOW + timedelta(days=3)),
                (bytes.fromhex("000000000002"), NOW - timedelta(seconds=1)),
            ],
            NOW,
        )
        store = TrustStore.from_trust_list(doc, [root_jwk], now=NOW)
        store.add_revocation_list(revocations, now=NOW)
        spec = {
            "trust_list": {"doc": doc, "roots": [root_jwk], "now_ms": ms(NOW)},
            "revocations": [{"b64": base64.b64encode(revocations).decode(), "now_ms": ms(NOW)}],
        }
        self.stores["checkpoint"] = (store, spec)

        # 2. Certificates and JWKs added directly, with metadata.
        store = TrustStore()
        store.add_certificate(self.signer.certificate_der, region=WULING)
        store.add_jwk(self.jwk(self.paper), name="JWK only", card_types=[1, 2, 3])
        # DSCs read straight from DER: the JavaScript verifier parses their EKU itself.
        dscs = [
            (self.dsc_vaccination, {}),
            (self.dsc_odd, {}),
            (self.dsc_open, {}),
            (self.dsc_test, {"dcc_types": ["v", "r"]}),  # narrowed to nothing it may sign
        ]
        for dsc, meta in dscs:
            store.add_certificate(dsc.certificate_der, **meta)
        spec = {
            "certificates": [
                {
                    "der_b64": base64.b64encode(self.signer.certificate_der).decode(),
                    "meta": {"region": WULING},
                },
                *(
                    {"der_b64": base64.b64encode(dsc.certificate_der).decode(), "meta": meta}
                    for dsc, meta in dscs
                ),
            ],
            "jwks": [
                {"jwk": self.jwk(self.paper), "meta": {"name": "JWK only", "card_types": [1, 2, 3]}}
            ],
        }
        self.stores["direct"] = (store, spec)
        self.stores["empty"] = (TrustStore(), {})

    # -- vectors ----------------------------------------------------------------------

    def add(self, name: str, text: Any, store: str = "checkpoint", now: datetime = NOW) -> None:
        assert name not in self.python, name
        trust = self.stores[store][0]
        self.python[name] = python_view(verify(text, trust, now))
        self.clocks[name] = now
        self.vectors.append({"name": name, "text": text, "store": store, "now_ms": ms(now)})

    def card(self, signer=None, **fields: Any) -> str:
        values = {
            "card_id": CARD_ID,
            "card_type": "card",
            "status": "green",
            "name_masked": "张*三",
            "id_last4": "123X",
            "issued_at": NOW,
            "expires_at": NOW + timedelta(days=14),
            **fields,
        }
        return issue_card(signer or self.signer, **values)

    def resign(
        self,
        text: str,
        *,
        protected: Any = None,
        unprotected: Any = None,
        payload: bytes | None = None,
        key=None,
        tags: tuple[int, ...] = (18,),
    ) -> str:
        parts = list(cbor2.loads(base45.decode(text[4:])).value)
        if protected is not None:
            parts[0] = protected if isinstance(protected, bytes) else cbor_dumps(protected)
        if unprotected is not None:
            parts[1] = unprotected
        if payload is not None:
            parts[2] = payload
        parts[3] = sign_es256((key or self.signer).private_key, sig_structure(parts[0], parts[2]))
        message: Any = parts
        for tag in reversed(tags):
            message = cbor2.CBORTag(tag, message)
        return "FG1:" + base45.encode(cbor_dumps(message))

    def claims(self, changes: dict[int, Any] | None = None) -> bytes:
        card = [CARD_ID, 1, 1, None, "张*三", "123X"]
        claims = {6: int(NOW.timestamp()), 4: int(NOW.timestamp()) + 14 * 86400, -65537: card}
        claims.update(changes or {})
        return cbor_dumps(claims)

    def build_fg1(self) -> None:
        add, card = self.add, self.card
        add("green", card())
        add("green-direct-store", card(), store="direct")
        add("green-untrusted", card(), store="empty")
        add(
            "yellow-paper-long-name",
            card(
                card_type="paper",
                status="yellow",
                name_masked="𠮷*𠮷",
                quarantine_until=date(2020, 3, 5),
            ),
        )
        add("red", card(status="red"))
        add(
            "certificate",
            card(card_type="certificate", destination=110105, departure=date(2020, 3, 1)),
        )
        add("certificate-destination-only", card(card_type="certificate", destination=110105))
        add("paper-key-paper-card", card(self.paper, card_type="paper"))
        add("paper-key-green-card", card(self.paper))
        add("paper-key-direct-store", card(self.paper), store="direct")

        # Time: expiry (exp itself is valid), clock skew of 5 minutes.
        short = card(expires_at=NOW + timedelta(hours=1))
        add("exp-exact", short, now=NOW + timedelta(hours=1))
        add("exp-plus-1ms", short, now=NOW + timedelta(hours=1, milliseconds=1))
        add("exp-plus-1us", short, now=NOW + timedelta(hours=1, microseconds=1))
        add("expired", card(issued_at=NOW - timedelta(days=20), expires_at=NOW - timedelta(days=6)))
        add("iat-in-skew", card(issued_at=NOW + timedelta(minutes=5)))
        add("not-yet-valid", card(issued_at=NOW + timedelta(minutes=5, seconds=1)))
        add(
            "not-yet-valid-far",
            card(issued_at=NOW + timedelta(days=1), expires_at=NOW + timedelta(days=2)),
        )

        # Revocation, key windows, kid collisions.
        add("revoked", card(card_id=REVOKED_ID))
        add("revoked-expired-entry-dropped", card(card_id=bytes.fromhex("000000000002")))
        add(
            "revoked-but-expired-card",
            card(
                card_id=REVOKED_ID,
                issued_at=NOW - timedelta(days=20),
                expires_at=NOW - timedelta(days=1),
            ),
        )
        add("retired-key-in-window", card(self.retired, issued_at=NOW - timedelta(days=5)))
        add("retired-key-after-window", card(self.retired))
        add("before-key-window", card(issued_at=KEY_START - timedelta(seconds=1)))
        add("kid-collision-twin-key", self.resign(card(), key=self.twin))
        add("wrong-key-unknown-kid", card(self.stranger))
        add("wrong-key-same-kid", self.resign(card(), key=self.stranger))

        # The algorithm, changed and re-signed, or changed without re-signing.
        for alg in (-37, -35, -8, 0, 7, "ES256", True, None, -7.0, 2**64 - 1, [-7], {1: -7}):
            add(f"alg-{alg!r}", self.resign(card(), protected={1: alg, 4: self.signer.kid}))
        text = card()
        parts = list(cbor2.loads(base45.decode(text[4:])).value)
        parts[0] = cbor_dumps({1: -37, 4: self.signer.kid})
        add(
            "alg-changed-not-resigned", "FG1:" + base45.encode(cbor_dumps(cbor2.CBORTag(18, parts)))
        )

        # Framing real issuers use, and framing nobody should.
        for tags in (
            (),
            (61, 18),
            (18, 18),
            (61, 61, 18),
            (61, 61, 61, 18),
            (55799, 18),
            (24,),
            (1,),
        ):
            add(f"tags-{'-'.join(map(str, tags)) or 'none'}", self.resign(card(), tags=tags))
        add(
            "kid-unprotected",
            self.resign(card(), protected={1: -7}, unprotected={4: self.signer.kid}),
        )
        add(
            "kid-unprotected-empty-protected",
            self.resign(card(), protected=b"", unprotected={1: -7, 4: self.signer.kid}),
        )
        add("kid-unprotected-no-override", self.resign(card(), unprotected={4: self.stranger.kid}))
        add("kid-not-bytes", self.resign(card(), protected={1: -7, 4: "kid"}))
        add("kid-empty", self.resign(card(), protected={1: -7, 4: b""}))
        add("kid-null", self.resign(card(), protected={1: -7, 4: None}))
        add("kid-undefined", self.resign(card(), protected={1: -7, 4: cbor2.undefined}))
        add("protected-not-map", self.resign(card(), protected=cbor_dumps([1, -7])))
        add("protected-not-cbor", self.resign(card(), protected=b"\xff"))
        add("alg-as-true-key", self.resign(card(), protected={True: -7, 4: self.signer.kid}))
        add("alg-as-float-key", self.resign(card(), protected={1.0: -7, 4: self.signer.kid}))
        add(
            "alg-as-bignum",
            self.resign(card(), protected={1: cbor2.CBORTag(3, b"\x06"), 4: self.signer.kid}),
        )

        # Claims that decode badly although validly signed.
        now_s = int(NOW.timestamp())
        bad_claims = {
            "iat-float": {6: float(now_s)},
            "iat-bool": {6: True},
            "iat-negative": {6: -1},
            "iat-text": {6: "2020"},
            "iat-missing": {6: None},
            "iat-tag1": {6: cbor2.CBORTag(1, now_s)},
            "iat-bignum": {6: cbor2.CBORTag(2, now_s.to_bytes(8, "big"))},
            "exp-too-late": {4: 253402300800},
            "exp-max": {4: 253402300799},
            "card-missing": {-65537: None},
            "card-short": {-65537: [CARD_ID, 1, 1, None, "张*三"]},
            "card-long": {-65537: [CARD_ID, 1, 1, None, "张*三", "123X", None, 1, 2]},
            "card-id-5": {-65537: [CARD_ID[:5], 1, 1, None, "张*三", "123X"]},
            "card-type-4": {-65537: [CARD_ID, 4, 1, None, "张*三", "123X"]},
            "card-type-float": {-65537: [CARD_ID, 1.0, 1, None, "张*三", "123X"]},
            "card-type-bool": {-65537: [CARD_ID, True, 1, None, "张*三", "123X"]},
            "status-0": {-65537: [CARD_ID, 1, 0, None, "张*三", "123X"]},
            "name-17": {-65537: [CARD_ID, 1, 1, None, "张" * 17, "123X"]},
            "name-16-astral": {-65537: [CARD_ID, 1, 1, None, "𠮷" * 16, "123X"]},
            "tail-astral": {-65537: [CARD_ID, 1, 1, None, "张*三", "12𠮷X"]},
            "quarantine-negative": {-65537: [CARD_ID, 2, 2, -1, "张*三", "123X"]},
            "quarantine-max": {-65537: [CARD_ID, 2, 2, 2932896, "张*三", "123X"]},
            "quarantine-too-big": {-65537: [CARD_ID, 2, 2, 2932897, "张*三", "123X"]},
            "destination-big": {-65537: [CARD_ID, 3, 1, None, "张*三", "123X", 10**9 + 1]},
            "destination-undefined": {
                -65537: [CARD_ID, 3, 1, None, "张*三", "123X", cbor2.undefined]
            },
            "departure-only-null-destination": {
                -65537: [CARD_ID, 3, 1, None, "张*三", "123X", None, 18322]
            },
        }
        for name, changes in bad_claims.items():
            add(f"claims-{name}", self.resign(card(), payload=self.claims(changes)))
        add("claims-not-map", self.resign(card(), payload=cbor_dumps([1, 2])))
        add("claims-trailing-byte", self.resign(card(), payload=self.claims() + b"\x00"))
        add("claims-duplicate-key", self.resign(card(), payload=b"\xa2\x06\x01\x06\x02"))

        # Flipped bits in every byte, truncations, text edits.
        message = base45.decode(card()[4:])
        for i in range(len(message)):
            for bit in (0x01, 0x20, 0x80):
                flipped = bytearray(message)
                flipped[i] ^= bit
                add(f"flip-{i}-{bit:02x}", "FG1:" + base45.encode(bytes(flipped)))
        for n in range(len(message)):
            add(f"truncated-{n}", "FG1:" + base45.encode(message[:n]))
        add("trailing-zero", "FG1:" + base45.encode(message + b"\x00"))
        text = card()
        for i in range(4, len(text), 5):
            swapped = text[:i] + ("1" if text[i] == "0" else "0") + text[i + 1 :]
            add(f"text-swap-{i}", swapped)
        add("text-lowercase", text.lower())
        add("text-as-hc1", "HC1:" + text[4:])

        # Seeded random mutations of valid messages: the decoders must agree byte for byte.
        rng = random.Random(SEED)
        samples = [
            message,
            base45.decode(
                card(card_type="certificate", destination=110105, departure=date(2020, 3, 1))[4:]
            ),
        ]
        for n in range(MUTATIONS):
            add(f"mutation-{n}", "FG1:" + base45.encode(mutate(rng, rng.choice(samples))))

        # Random CBOR values as header parts and claims, validly signed: the shape checks agree.
        rng = random.Random(SEED + 2)
        valid_claims = cbor2.loads(self.claims())
        for n in range(STRUCTURED):
            part = rng.randrange(4)
            try:
                if part == 0:  # a claim replaced
                    claims = {**valid_claims, rng.choice([6, 4, -65537, 1]): random_cbor(rng)}
                    text = self.resign(card(), payload=cbor_dumps(claims))
                elif part == 1:  # the whole payload
                    text = self.resign(card(), payload=cbor_dumps(random_cbor(rng)))
                elif part == 2:  # the protected header
                    header = {1: -7, 4: self.signer.kid, rng.choice([1, 3, 4, 5]): random_cbor(rng)}
                    text = self.resign(card(), protected=header)
                else:  # a card claim element
                    card_claim = list(valid_claims[-65537]) + [None, None]
                    card_claim[rng.randrange(8)] = random_cbor(rng)
                    claims = {**valid_claims, -65537: card_claim[: rng.choice([6, 7, 8])]}
                    text = self.resign(card(), payload=cbor_dumps(claims))
            except (TypeError, ValueError, cbor2.CBOREncodeError):
                continue  # not encodable (e.g. an unhashable key)
            add(f"structured-{n}", text)

        # Garbage.
        garbage = [
            "",
            "FG1:",
            "HC1:",
            "FG1",
            "hello",
            "FG1:!!!",
            "FG1:AAAA",
            "FG1:AA",
            "FG1:GGW",
            "https://example.com/",
            "FG1:" + "0" * 4300,
            "FG1:" + "%" * 3,
            "\x00FG1:",
            "FG1:é",
            "FG1:𠮷𠮷𠮷",
            "HC1:6BFOXN",
            "HC1:" + base45.encode(zlib.compress(b"\xa0")),
            "fg1:00",
            " FG1:00",
            "FG1:0 ",
            "FG1:" + base45.encode(b"\xd2\x84"),
        ]
        for i, text in enumerate(garbage):
            add(f"garbage-{i}", text)

        # Our own HC1 codes (zlib), the edge cases of compression.
        dcc = {
            1: "CN",
            6: now_s + 0.5,
            4: now_s + 86400 * 365.25,
            -260: {1: hcert("v", nam={"fn": "测试", "fnt": "CE<SHI"})},
        }
        hc1 = self.resign(card(), payload=cbor_dumps(dcc))
        zipped = zlib.compress(base45.decode(hc1[4:]))
        add("hc1-own", "HC1:" + base45.encode(zipped))
        add("hc1-trailing-byte", "HC1:" + base45.encode(zipped + b"\x00"))
        add("hc1-trailing-checksum", "HC1:" + base45.encode(zipped + zipped[-4:]))
        add("hc1-truncated", "HC1:" + base45.encode(zipped[:-1]))
        add("hc1-bad-checksum", "HC1:" + base45.encode(zipped[:-1] + bytes([zipped[-1] ^ 1])))
        add("hc1-raw-deflate", "HC1:" + base45.encode(zipped[2:-4]))
        add("hc1-bomb", "HC1:" + base45.encode(zlib.compress(b"\x00" * (64 * 1024 + 1))))
        add("hc1-exactly-64k", "HC1:" + base45.encode(zlib.compress(b"\x00" * (64 * 1024))))
        add("hc1-no-hcert", "HC1:" + base45.encode(zlib.compress(base45.decode(card()[4:]))))
        add(
            "hc1-int-times-ok",
            "HC1:"
            + base45.encode(
                zlib.compress(
                    base45.decode(self.resign(card(), payload=cbor_dumps({**dcc, 6: now_s}))[4:])
                )
            ),
        )

    def hc1(self, signer: Signer, cert: Any, *, days: float = 30) -> str:
        now_s = int(NOW.timestamp())
        claims = {1: "CN", 6: now_s, 4: now_s + days * 86400, -260: {1: cert}}
        message = encode_sign1(cbor_dumps(claims), signer.private_key, signer.kid)
        return "HC1:" + base45.encode(zlib.compress(message))

    def build_dcc_rules(self) -> None:
        """Key usage (dcc_types from EKU, by trust list and by DER) and the hcert schema."""
        for kind in "vtr":
            for name, dsc, store in (
                ("test-only-list", self.dsc_test, "checkpoint"),
                ("open-list-narrowed", self.dsc_open, "checkpoint"),
                ("vaccination-only-der", self.dsc_vaccination, "direct"),
                ("encoded-default-der", self.dsc_odd, "direct"),
                ("icao-only-der", self.dsc_open, "direct"),
                ("narrowed-to-none-der", self.dsc_test, "direct"),
            ):
                self.add(f"hc1-rule-{name}-{kind}", self.hc1(dsc, hcert(kind)), store=store)
        late = NOW + timedelta(days=40)
        self.add("hc1-rule-wrong-type-and-expired", self.hc1(self.dsc_test, hcert("v")), now=late)
        self.add("hc1-rule-right-type-expired", self.hc1(self.dsc_test, hcert("t")), now=late)
        self.add("hc1-rule-untrusted", self.hc1(self.stranger, hcert("v")))
        one = ENTRIES["v"]
        two_doses = [entry("v", dn=1), entry("v", dn=2)]
        malformed = {
            "two-kinds": {**hcert("v"), "t": [ENTRIES["t"]]},
            "three-kinds": {**hcert("v"), "t": [ENTRIES["t"]], "r": [ENTRIES["r"]]},
            "three-kinds-1.2.1": {**hcert("v", ver="1.2.1"), "t": [ENTRIES["t"]]},
            "no-kind": hcert(None),
            "nulls-for-others": {**hcert("r"), "v": None, "t": None},
            "undefined-kind": {**hcert("r"), "v": cbor2.undefined},
            "dgc1": {"ver": "1.0.0", "nam": {}},
            "ver-missing": hcert("v", ver=None),
            "ver-number": hcert("v", ver=1),
            "ver-date-tag": hcert("v", ver=cbor2.CBORTag(1004, "2020-02-20")),
            "ver-self-described": hcert("v", ver=cbor2.CBORTag(55799, "1.3.0")),
            "nam-list": hcert("v", nam=["ZHANG"]),
            "nam-no-standard": hcert("v", nam={"fn": "张"}),
            "nam-empty-fnt-gnt": hcert("v", nam={"fnt": "", "gnt": ""}),
            "nam-gnt-only": hcert("v", nam={"gnt": "SAN"}),
            "nam-fnt-bytes": hcert("v", nam={"fnt": b"ZHANG", "gnt": "SAN"}),
            "nam-fnt-null": hcert("v", nam={"fnt": None, "gnt": "SAN"}),
            "dob-missing": hcert("v", dob=None),
            "dob-empty": hcert("v", dob=""),
            "dob-date-tag": hcert("v", dob=cbor2.CBORTag(100, 3702)),
            "entries-empty": hcert("v", v=[]),
            "entries-two": hcert("v", v=[one, one]),
            "entries-map": hcert("v", v=one),
            "entries-set": hcert("v", v=cbor2.CBORTag(258, [1])),
            "entry-list": hcert("v", v=[[1]]),
            "entry-empty-map": hcert("v", v=[{}]),
            "hcert-keys-not-text": {1: "1.3.0", **hcert("v", ver=None)},
            "entry-key-not-text": hcert("v", v=[{**one, 7: "x"}]),
            "dn-bytes": hcert("v", v=[entry("v", dn=b"\x01")]),
            "dn-float-integral": hcert("v", v=[entry("v", dn=1.0)]),
            "dn-nan": hcert("v", v=[entry("v", dn=float("nan"))]),
            "dn-true": hcert("v", v=[entry("v", dn=True)]),
            "dn-huge": hcert("v", v=[entry("v", dn=2**70)]),
            "sc-epoch-tag": hcert("t", t=[entry("t", sc=cbor2.CBORTag(1, 1582099200))]),
            "sc-text-tag": hcert("t", t=[entry("t", sc=cbor2.CBORTag(0, "2020-02-19T08:00:00Z"))]),
            "ver-newline": hcert("v", ver="1.3.0\n"),
            "dob-arabic-digits": hcert("v", ver="1.0.0", dob="\u0661\u0669\u0668\u0660-01-01"),
        }
        # Each release's edges: one entry, two entries, the bounds of the date of birth, the
        # rules the schema adds or drops, unknown releases.
        for ver in ("1.0.0", "1.0.1", "1.1.0", "1.2.0", "1.2.1", "1.3.0", "1.3.2", "1.3.3"):

            def edge(kind: str, ver: str = ver, **changes: Any) -> dict[str, Any]:
                return hcert(kind, ver=ver, **{"dob": "1980-02-20", **changes})

            edges = {
                "one-dose": edge("v", ver=ver),
                "two-doses": edge("v", v=two_doses),
                "two-tests": edge("t", t=[ENTRIES["t"], ENTRIES["t"]]),
                "dob-1900": edge("v", dob="1900-01-01"),
                "dob-1899": edge("v", dob="1899-12-31"),
                "dob-1815": edge("v", dob="1815-06-18"),
                "dob-issue-day": edge("v", dob="2020-02-20"),
                "dob-after-issue": edge("v", dob="2020-02-22"),
                "dob-2100": edge("v", dob="2100-01-01"),
                "dob-year": edge("v", dob="1980"),
                "dob-datetime": edge("v", dob="1978-01-26T00:00:00"),
                "dose-0": edge("v", v=[entry("v", dn=0)]),
                "dose-10": edge("v", v=[entry("v", dn=10, sd=10)]),
                "ci-empty": edge("r", r=[entry("r", ci="")]),
                "co-empty": edge("t", t=[entry("t", co="")]),
                "tc-missing": edge("t", t=[{k: v for k, v in ENTRIES["t"].items() if k != "tc"}]),
                "tc-long": edge("t", t=[entry("t", tc="T" * 120)]),
                "gnt-only": edge("v", nam={"gnt": "SAN"}),
            }
            for name, cert in edges.items():
                self.add(f"hc1-schema-{ver}-{name}", self.hc1(self.signer, cert))
        for ver in ("1.0.4", "1.3.9", "2.0.0", "v1"):
            self.add(
                f"hc1-schema-ver-{ver}",
                self.hc1(self.signer, hcert("v", ver=ver, dob="1980-02-20", v=two_doses)),
            )
        for name, cert in malformed.items():
            self.add(f"hc1-schema-{name}", self.hc1(self.signer, cert))

    def build_python_bugs(self) -> None:
        card = self.card()
        huge = cbor2.CBORTag(2, b"\x01" + b"\x00" * 200)
        self.add("python-bug-huge-bignum-iat", self.resign(card, payload=self.claims({6: huge})))

    def build_dcc(self) -> None:
        for path in sorted(VECTORS.rglob("*.json")):
            vector = json.loads(path.read_text("utf-8"))
            context = vector["TESTCTX"]
            der = base64.b64decode(context["CERTIFICATE"])
            name = f"dcc-{path.relative_to(VECTORS).parts[0]}-{path.stem}"
            store = TrustStore()
            store.add_certificate(der)
            self.stores[name] = (store, {"certificates": [{"der_b64": context["CERTIFICATE"]}]})
            self.add(name, vector["PREFIX"], store=name, now=parse_time(context["VALIDATIONCLOCK"]))

    def build_dcc_mutations(self) -> None:
        """Mutated DCC messages (recompressed), and mutated zlib streams of real vectors."""
        rng = random.Random(SEED + 1)
        valid = [
            (name, base45.decode(vector["text"][4:]))
            for vector in self.vectors
            if (name := vector["name"]).startswith("dcc-") and self.python[name]["valid"]
        ]
        for n in range(DCC_MUTATIONS):
            name, zipped = rng.choice(valid)
            clock = self.clocks[name]
            if n % 2:
                text = "HC1:" + base45.encode(zlib.compress(mutate(rng, zlib.decompress(zipped))))
            else:
                text = "HC1:" + base45.encode(mutate(rng, zipped))
            self.add(f"{name}-mutation-{n}", text, store=name, now=clock)


DCC_ARC = "1.3.6.1.4.1.1847.2021.1"
DCC_ALT_ARC = "1.3.6.1.4.1.0.1847.2021.1"


def make_dsc(name: str, eku: list[str], *, encoded_default: bool = False) -> Signer:
    """A self-signed P-256 DSC with these EKU OIDs; encoded_default adds a BasicConstraints
    that spells out its default cA FALSE, which `cryptography` refuses to read."""
    key = ec.generate_private_key(ec.SECP256R1())
    subject = x509.Name([x509.NameAttribute(x509.NameOID.COMMON_NAME, name)])
    builder = (
        x509.CertificateBuilder()
        .subject_name(subject)
        .issuer_name(subject)
        .public_key(key.public_key())
        .serial_number(x509.random_serial_number())
        .not_valid_before(KEY_START)
        .not_valid_after(KEY_START + timedelta(days=730))
        .add_extension(
            x509.ExtendedKeyUsage([x509.ObjectIdentifier(oid) for oid in eku]), critical=False
        )
    )
    if encoded_default:
        value = bytes.fromhex("3003010100")
        basic = x509.UnrecognizedExtension(x509.ObjectIdentifier("2.5.29.19"), value)
        builder = builder.add_extension(basic, critical=True)
    return Signer(key, builder.sign(key, hashes.SHA256()))


_COMMON = {"tg": "840539006", "co": "CN", "is": "Ministry of Health", "ci": "URN:UVCI:01:CN:42"}
# One schema-valid entry of each kind (every member any release 1.0.0-1.3.3 requires).
ENTRIES = {
    "v": {
        **_COMMON,
        **{"vp": "1119349007", "mp": "EU/1/20/1528", "ma": "ORG-100030215"},
        **{"dn": 1, "sd": 2, "dt": "2020-02-01"},
    },
    "t": {
        **_COMMON,
        **{"tt": "LP6464-4", "sc": "2020-02-19T08:00:00Z", "tr": "260415000", "tc": "Centre"},
    },
    "r": {**_COMMON, "fr": "2020-01-20", "df": "2020-01-30", "du": "2020-07-18"},
}


def entry(kind: str, **changes: Any) -> dict[str, Any]:
    return {**ENTRIES[kind], **changes}


def hcert(kind: str | None, **changes: Any) -> dict[str, Any]:
    """A well-formed health certificate of one kind; keyword arguments replace members (None
    deletes one)."""
    cert: dict[str, Any] = {"ver": "1.3.0", "nam": {"fnt": "ZHANG", "gnt": "SAN"}, "dob": "1980"}
    if kind is not None:
        cert[kind] = [dict(ENTRIES[kind])]
    for member, value in changes.items():
        if value is None:
            cert.pop(member, None)
        else:
            cert[member] = value
    return cert


# Seeded random mutations: how many of our cards, of DCC messages and of zlib streams.
SEED = 20200220
MUTATIONS = 400
DCC_MUTATIONS = 200
STRUCTURED = 300
# Bytes that open CBOR items the decoders treat specially (tags, floats, indefinite, break).
_SPECIAL = [
    0xC0,
    0xC1,
    0xC2,
    0xD2,
    0xD8,
    0xD9,
    0xF7,
    0xF8,
    0xF9,
    0xFB,
    0x9F,
    0xBF,
    0x5F,
    0x7F,
    0xFF,
]


def mutate(rng: random.Random, data: bytes) -> bytes:
    """1-3 random edits: replace a byte, insert a (often CBOR-significant) byte, delete."""
    out = bytearray(data)
    for _ in range(rng.randint(1, 3)):
        op = rng.random()
        pos = rng.randrange(len(out) + 1)
        if op < 0.5 and pos < len(out):
            out[pos] = rng.randrange(256)
        elif op < 0.75:
            out[pos:pos] = bytes([rng.choice([*_SPECIAL, rng.randrange(256)])])
        else:
            del out[pos : pos + rng.randint(1, 4)]
    return bytes(out)


def random_cbor(rng: random.Random, depth: int = 0) -> Any:
    """A random CBOR value, with the tags cbor2 interprets (valid and malformed content)."""
    kind = rng.randrange(14 if depth < 3 else 8)
    if kind == 0:
        return rng.choice(
            [
                None,
                True,
                False,
                cbor2.undefined,
                cbor2.CBORSimpleValue(rng.choice([0, 16, 19, 32, 255])),
            ]
        )
    if kind == 1:
        return rng.choice(
            [0, 1, -1, 23, 24, -7, -37, 255, 65536, 2**32, 2**53, 2**64 - 1, -(2**64), 1582185600]
        )
    if kind == 2:
        return rng.choice(
            [0.0, -0.0, 1.5, -7.0, 1582185600.0, 1582185600.5, float("inf"), float("nan"), 1e300]
        )
    if kind == 3:
        return rng.choice(["", "a", "张*三", "123X", "𠮷", "2020-02-20", "2020-02-20T08:00:00Z"])
    if kind in (4, 5):
        return rng.randbytes(rng.choice([0, 1, 4, 6, 8, 16, 32]))
    if kind in (6, 7):
        return rng.choice([-7, -37, 1, 4, 6])
    if kind in (8, 9):
        return [random_cbor(rng, depth + 1) for _ in range(rng.randrange(4))]
    if kind in (10, 11):
        keys = [
            rng.choice([1, 3, 4, 6, -260, -65537, "a", b"k", 1.0, True])
            for _ in range(rng.randrange(4))
        ]
        try:
            return {k: random_cbor(rng, depth + 1) for k in keys}
        except TypeError:
            return {}
    tag = rng.choice(
        [0, 1, 2, 3, 4, 5, 18, 24, 30, 32, 37, 52, 61, 100, 258, 260, 1004, 55799, 43000]
    )
    return cbor2.CBORTag(tag, random_cbor(rng, depth + 1))


def _node_results(material: Material, directory: Path) -> dict[str, Any]:
    path = directory / "vectors.json"
    document = {
        "stores": {name: spec for name, (_, spec) in material.stores.items()},
        "vectors": material.vectors,
    }
    path.write_text(json.dumps(document, ensure_ascii=False), "utf-8")
    done = subprocess.run(
        [NODE, str(RUNNER), str(path)], capture_output=True, text=True, timeout=300, check=False
    )
    assert done.returncode == 0, done.stderr
    return json.loads(done.stdout)


@pytest.fixture(scope="module")
def results(tmp_path_factory: pytest.TempPathFactory) -> tuple[Material, dict[str, Any]]:
    if NODE is None:
        if os.environ.get("CI"):
            pytest.fail("node is required in CI to check the JavaScript verifier")
        pytest.skip("node is not installed")
    assert VECTORS.is_dir(), f"missing {VECTORS}"
    material = Material()
    material.build_stores()
    material.build_fg1()
    material.build_dcc_rules()
    material.build_python_bugs()
    material.build_dcc()
    material.build_dcc_mutations()
    return material, _node_results(material, tmp_path_factory.mktemp("js"))


def test_python_and_javascript_agree_on_every_vector(results) -> None:
    material, js = results
    mismatches = []
    for vector in material.vectors:
        name = vector["name"]
        python, javascript = material.python[name], js_view(js[name])
        if python != javascript:
            diff = {
                k: (python[k], javascript.get(k)) for k in python if python[k] != javascript.get(k)
            }
            mismatches.append(f"{name}: {diff} (JS detail: {js[name]['detail']})")
    assert mismatches == [], "\n".join(mismatches[:20])


def test_the_vectors_cover_every_reason_and_both_kinds(results) -> None:
    material, js = results
    reasons = {view["reason"] for view in material.python.values()}
    assert reasons == set(REASONS)
    dcc = [n for n in js if n.startswith("dcc-")]
    assert len(dcc) >= 100
    assert {js[n]["kind"] for n in js} >= {"FG1", "HC1", None}
    assert sum(js[n]["valid"] for n in dcc) >= 50
    rules = {n: material.python[n]["reason"] for n in material.python if n.startswith("hc1-rule-")}
    assert rules["hc1-rule-test-only-list-t"] == "ok"
    assert rules["hc1-rule-test-only-list-v"] == "wrong_key_usage"
    assert rules["hc1-rule-encoded-default-der-v"] == "wrong_key_usage"
    assert rules["hc1-rule-icao-only-der-t"] == "ok"
    assert {rules[f"hc1-rule-narrowed-to-none-der-{k}"] for k in "vtr"} == {"wrong_key_usage"}
    assert rules["hc1-rule-wrong-type-and-expired"] == "wrong_key_usage"
    schema = {n: material.python[n]["reason"] for n in material.python if "hc1-schema-" in n}
    assert sum(reason == "bad_schema" for reason in schema.values()) >= 15
    assert schema["hc1-schema-nulls-for-others"] == schema["hc1-schema-dob-empty"] == "ok"
    # The edges of each release, as its schema says (and the rules we add on top of it).
    for ver in ("1.0.0", "1.0.1", "1.1.0", "1.2.0", "1.2.1", "1.3.0", "1.3.2", "1.3.3"):
        got = {n.split(f"{ver}-")[1]: material.python[n] for n in schema if f"-{ver}-" in n}
        reason = {name: view["reason"] for name, view in got.items()}
        rule = {name: (view["schema"] or {}).get("rule") for name, view in got.items()}
        assert {view["schema"]["version"] for view in got.values()} == {ver}
        many_allowed = ver < "1.3.0"
        assert reason["one-dose"] == reason["dob-1900"] == reason["dob-issue-day"] == "ok"
        assert (reason["two-doses"] == "ok") is many_allowed, ver
        assert (reason["two-tests"] == "ok") is many_allowed, ver
        assert rule["dob-1899"] == rule["dob-1815"] == rule["dob-2100"] == "pattern"
        assert rule["dob-after-issue"] == "not_after_issue"
        assert rule["dose-0"] == "minimum" and rule["ci-empty"] == "non_empty"
        assert rule["co-empty"] == "pattern"
        assert reason["tc-long"] == "ok"  # maxLength is not a reason to refuse (HU/3)
        assert (reason["dob-year"] == "ok") is (ver >= "1.1.0"), ver
        assert (reason["gnt-only"] == "ok") is (ver >= "1.3.2"), ver
    assert schema["hc1-schema-ver-1.0.4"] == "ok"  # the newest 1.0 release: 1.0.1
    assert material.python["hc1-schema-ver-1.0.4"]["schema"]["version"] == "1.0.1"
    assert schema["hc1-schema-ver-2.0.0"] == "bad_schema"  # checked against 1.3.3: one dose

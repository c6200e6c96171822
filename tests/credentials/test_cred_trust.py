"""TrustStore inputs (X.509, JWK) and signed trust-list documents."""

from __future__ import annotations

import base64
import copy
import hashlib
import json
from datetime import datetime, timedelta
from pathlib import Path

import pytest
from cryptography import x509

from app.credentials import (
    CredentialError,
    SignatureError,
    TrustEntry,
    TrustStore,
    build_trust_list,
    generate_signer,
    public_key_to_jwk,
    verify,
    verify_trust_list,
)
from app.credentials.jwk import b64url_encode
from app.credentials.trustlist import canonical_json

VECTORS = Path(__file__).resolve().parents[2].parent / "shared" / "vectors" / "dcc"


def test_certificate_der_and_pem_give_the_dcc_kid(signer) -> None:
    der = signer.certificate_der
    store = TrustStore()
    assert store.add_certificate(der) == hashlib.sha256(der).digest()[:8]
    assert store.add_certificate(signer.certificate_pem) == signer.kid
    assert store.add_certificate(signer.certificate_pem.decode()) == signer.kid
    assert len(store) == 1  # same key again replaces, never duplicates
    assert store.entries(signer.kid)[0].name == "Wuling District Health Office"


def test_certificate_garbage_is_refused() -> None:
    with pytest.raises(CredentialError):
        TrustStore().add_certificate(b"not a certificate")


@pytest.mark.parametrize(
    "encode",
    [
        b64url_encode,
        lambda kid: base64.b64encode(kid).decode(),
        lambda kid: base64.urlsafe_b64encode(kid).decode(),
    ],
    ids=["base64url", "base64", "base64url-padded"],
)
def test_ec_jwk(make_card, signer, now, encode) -> None:
    jwk = public_key_to_jwk(signer.public_key)
    jwk["kid"] = encode(signer.kid)
    store = TrustStore()
    assert store.add_jwk(jwk, region=430702, name="武陵区") == signer.kid
    result = verify(make_card(), store, now)
    assert (result.reason, result.issuer) == ("ok", "430702")


def test_rsa_jwk_verifies_a_ps256_dcc_vector() -> None:
    vector = json.loads((VECTORS / "common/2DCode/raw/CO1.json").read_text("utf-8"))
    der = base64.b64decode(vector["TESTCTX"]["CERTIFICATE"])
    key = x509.load_der_x509_certificate(der).public_key()
    jwk = public_key_to_jwk(key)
    jwk["kid"] = base64.b64encode(hashlib.sha256(der).digest()[:8]).decode()
    store = TrustStore()
    store.add_jwk(jwk, name="test issuer")
    clock = datetime.fromisoformat(vector["TESTCTX"]["VALIDATIONCLOCK"].replace("Z", "+00:00"))
    result = verify(vector["PREFIX"], store, clock)
    assert (result.reason, result.issuer) == ("ok", "test issuer")


@pytest.mark.parametrize(
    "jwk",
    [
        {"kty": "EC", "crv": "P-384", "x": "AA", "y": "AA", "kid": "AAAAAAAAAAA"},
        {
            "kty": "EC",
            "crv": "P-256",
            "x": b64url_encode(bytes(32)),
            "y": b64url_encode(bytes(32)),
            "kid": "AAAAAAAAAAA",
        },  # not a point on the curve
        {"kty": "oct", "k": "AA", "kid": "AAAAAAAAAAA"},
        {"kty": "EC", "crv": "P-256", "x": "!!", "y": "AA", "kid": "AAAAAAAAAAA"},
        {"kty": "RSA", "kid": "AAAAAAAAAAA"},
    ],
)
def test_bad_jwks_are_refused(jwk) -> None:
    with pytest.raises(CredentialError):
        TrustStore().add_jwk(jwk)


def test_jwk_without_kid_is_refused(signer) -> None:
    with pytest.raises(CredentialError):
        TrustStore().add_jwk(public_key_to_jwk(signer.public_key))


# -- trust lists ------------------------------------------------------------------------


@pytest.fixture(scope="module")
def root():
    return generate_signer("Changde Municipal Health Commission", is_ca=True)


@pytest.fixture
def trust_list(root, signer, other_signer, now) -> dict:
    entries = [
        TrustEntry.from_certificate(
            signer.certificate,
            region="430702",
            name="武陵区卫健局",
            not_before=now - timedelta(days=30),
            card_types=["card", "paper"],
        ),
        TrustEntry.from_certificate(other_signer.certificate, region=430703, name="鼎城区卫健局"),
    ]
    return build_trust_list(root, entries, now)


def test_trust_list_round_trip(trust_list, root, signer, make_card, now) -> None:
    doc = json.loads(json.dumps(trust_list))  # what travels over HTTP
    store = TrustStore.from_trust_list(doc, root_keys=[root.certificate_pem], now=now)
    assert len(store) == 2
    entry = store.entries(signer.kid)[0]
    assert entry.region == "430702" and entry.name == "武陵区卫健局"
    assert entry.card_types == frozenset({1, 2})
    assert entry.not_before == now - timedelta(days=30) and entry.not_after is None
    result = verify(make_card(), store, now)
    assert (result.reason, result.issuer) == ("ok", "430702")
    assert verify(make_card(card_type="certificate"), store, now).reason == "unknown_kid"


def test_trust_list_document_shape(trust_list, root, signer) -> None:
    assert trust_list["format"] == "fangang-trust-list" and trust_list["version"] == 1
    key = trust_list["keys"][0]
    assert key["kid"] == b64url_encode(signer.kid) == key["jwk"]["kid"]
    assert key["jwk"]["kty"] == "EC" and key["jwk"]["crv"] == "P-256"
    header, empty, signature = trust_list["signature"].split(".")
    assert empty == ""
    assert json.loads(base64.urlsafe_b64decode(header + "==")) == {
        "alg": "ES256",
        "kid": b64url_encode(root.kid),
    }
    assert len(base64.urlsafe_b64decode(signature + "==")) == 64


@pytest.mark.parametrize(
    "tamper",
    [
        lambda d: d["keys"][0].__setitem__("region", "430703"),
        lambda d: d["keys"][0].__setitem__("card_types", [1, 2, 3]),
        lambda d: d["keys"].reverse(),
        lambda d: d["keys"].pop(),
        lambda d: d.__setitem__("expires_at", "2099-01-01T00:00:00Z"),
        lambda d: d.__setitem__("extra", True),
        lambda d: d.__setitem__("signature", d["signature"][:-4] + "AAAA"),
    ],
    ids=["region", "card-types", "order", "removed-key", "expiry", "extra-member", "signature"],
)
def test_tampered_trust_list_is_refused(trust_list, root, now, tamper) -> None:
    doc = copy.deepcopy(trust_list)
    tamper(doc)
    store = TrustStore()
    with pytest.raises(SignatureError):
        store.load_trust_list(doc, verify_with=[root], now=now)
    assert len(store) == 0


def test_member_order_does_not_matter(trust_list, root, now) -> None:
    """Only the canonical form is signed, so any JSON serialiser may reorder members."""
    doc = {k: trust_list[k] for k in reversed(list(trust_list))}
    doc["keys"] = [{k: e[k] for k in reversed(list(e))} for e in doc["keys"]]
    assert len(verify_trust_list(doc, [root], now=now)) == 2


def test_wrong_root_and_expired_list(trust_list, root, signer, now) -> None:
    with pytest.raises(SignatureError):
        verify_trust_list(trust_list, [signer], now=now)
    with pytest.raises(SignatureError):
        verify_trust_list(trust_list, [], now=now)
    with pytest.raises(CredentialError, match="expired"):
        verify_trust_list(trust_list, [root], now=now + timedelta(days=8))


@pytest.mark.parametrize("form", ["signer", "certificate-der", "jwk", "store"])
def test_root_key_forms(trust_list, root, now, form) -> None:
    roots = {
        "signer": root,
        "certificate-der": root.certificate_der,
        "jwk": public_key_to_jwk(root.public_key, root.kid),
        "store": TrustStore(),
    }
    if form == "store":
        roots["store"].add_signer(root)
    assert len(verify_trust_list(trust_list, [roots[form]], now=now)) == 2


def test_canonical_json_is_jcs() -> None:
    value = {"b": [1, True, None], "a": 'é\n"\\\u2028', "c": {"z": 0, "y": "x"}}
    assert canonical_json(value) == (
        '{"a":"é\\n\\"\\\\\u2028","b":[1,true,null],"c":{"y":"x","z":0}}'.encode()
    )
    for bad in ({"x": 1.5}, {"x": 2**53}, {1: "x"}, {"x": b"bytes"}):
        with pytest.raises(CredentialError):
            canonical_json(bad)


def test_private_key_never_in_trust_list(trust_list) -> None:
    text = json.dumps(trust_list)
    assert '"d"' not in text
    assert "PRIVATE" not in text

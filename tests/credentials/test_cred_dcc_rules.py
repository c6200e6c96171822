"""The two EU DCC rules a verifier enforces beyond the signature: DSC key usage (EKU OIDs
restrict which health-certificate types a key may sign: wrong_key_usage) and the hcert's
JSON schema (bad_schema, in detail in test_cred_dcc_schema.py). Our own certificates and
keys; the public vectors are in test_cred_dcc_vectors.py."""

from __future__ import annotations

import copy
import json
import zlib
from datetime import UTC, datetime, timedelta
from typing import Any

import cbor2
import pytest
from cryptography import x509
from cryptography.hazmat.primitives import hashes
from cryptography.hazmat.primitives.asymmetric import ec
from cryptography.x509.oid import ExtendedKeyUsageOID, NameOID

from app.credentials import (
    REASONS,
    CredentialError,
    SignatureError,
    Signer,
    TrustEntry,
    TrustStore,
    base45,
    build_trust_list,
    generate_signer,
    public_key_to_jwk,
    verify,
)
from app.credentials.cose import encode_sign1

NOW = datetime(2020, 2, 20, 8, 0, tzinfo=UTC)  # the fixture clock of conftest.py
KEY_START = datetime(2020, 1, 1, tzinfo=UTC)
TEST, VACCINATION, RECOVERY = (f"1.3.6.1.4.1.1847.2021.1.{n}" for n in (1, 2, 3))
ALT_TEST, ALT_VACCINATION, ALT_RECOVERY = (f"1.3.6.1.4.1.0.1847.2021.1.{n}" for n in (1, 2, 3))
ICAO_HEALTH = "2.23.136.1.1.14.2"  # the only EKU OID of vector IS/3's DSC
EKU = x509.ObjectIdentifier("2.5.29.37")
BASIC_CONSTRAINTS = x509.ObjectIdentifier("2.5.29.19")
_COMMON = {"tg": "840539006", "co": "CN", "is": "Ministry of Health", "ci": "URN:UVCI:01:CN:42"}
# One schema-valid entry of each kind (every member that any release 1.0.0-1.3.3 requires).
ENTRIES = {
    "v": {
        **_COMMON,
        "vp": "1119349007",
        "mp": "EU/1/20/1528",
        "ma": "ORG-100030215",
        "dn": 1,
        "sd": 2,
        "dt": "2020-02-01",
    },
    "t": {
        **_COMMON,
        "tt": "LP6464-4",
        "sc": "2020-02-19T08:00:00Z",
        "tr": "260415000",
        "tc": "Changde Testing Centre",
    },
    "r": {**_COMMON, "fr": "2020-01-20", "df": "2020-01-30", "du": "2020-07-18"},
}


def make_dsc(
    oids: list[str] | None = None, *, raw: list[tuple[x509.ObjectIdentifier, bytes]] = ()
) -> Signer:
    """A self-signed P-256 DSC; `oids` become its EKU (None: no EKU); `raw` adds extensions
    with verbatim DER values, for shapes `cryptography` would refuse to write or read."""
    key = ec.generate_private_key(ec.SECP256R1())
    name = x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, "DSC Test")])
    builder = (
        x509.CertificateBuilder()
        .subject_name(name)
        .issuer_name(name)
        .public_key(key.public_key())
        .serial_number(x509.random_serial_number())
        .not_valid_before(KEY_START)
        .not_valid_after(KEY_START + timedelta(days=730))
    )
    if oids is not None:
        usage = x509.ExtendedKeyUsage([x509.ObjectIdentifier(oid) for oid in oids])
        builder = builder.add_extension(usage, critical=False)
    for oid, value in raw:
        builder = builder.add_extension(x509.UnrecognizedExtension(oid, value), critical=False)
    return Signer(key, builder.sign(key, hashes.SHA256()))


def hcert(kind: str | None = "v", **changes: Any) -> dict[str, Any]:
    """A health certificate of one kind; keyword arguments replace members (None deletes)."""
    cert: dict[str, Any] = {
        "ver": "1.3.0",
        "nam": {"fn": "Zhang", "fnt": "ZHANG", "gn": "San", "gnt": "SAN"},
        "dob": "1980-02-20",
    }
    if kind is not None:
        cert[kind] = [dict(ENTRIES[kind])]
    for member, value in changes.items():
        if value is None:
            cert.pop(member, None)
        else:
            cert[member] = value
    return cert


def hc1(signer: Signer, cert: Any, *, days: int = 30) -> str:
    iat = int(NOW.timestamp())
    claims = {1: "CN", 6: iat, 4: iat + days * 86400, -260: {1: cert}}
    message = encode_sign1(cbor2.dumps(claims), signer.private_key, signer.kid)
    return "HC1:" + base45.encode(zlib.compress(message))


def trusting(signer: Signer, **meta: Any) -> TrustStore:
    store = TrustStore()
    store.add_signer(signer, **meta)
    return store


def test_new_reasons_sit_where_the_pipeline_checks_them() -> None:
    assert REASONS.index("wrong_key_usage") == REASONS.index("bad_signature") + 1
    assert REASONS.index("bad_schema") == REASONS.index("wrong_key_usage") + 1


# -- key usage ------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("oids", "types"),
    [
        (None, None),
        ([TEST], {"t"}),
        ([VACCINATION], {"v"}),
        ([RECOVERY], {"r"}),
        ([ALT_TEST], {"t"}),
        ([ALT_VACCINATION, RECOVERY], {"v", "r"}),
        ([TEST, VACCINATION, RECOVERY], {"v", "t", "r"}),
        ([ICAO_HEALTH], None),  # other OIDs only: unrestricted
        ([ExtendedKeyUsageOID.SERVER_AUTH.dotted_string, ALT_RECOVERY], {"r"}),
        (["1.3.6.1.4.1.1847.2021.1.4"], None),  # not a DCC type OID
    ],
)
def test_dsc_eku_gives_the_dcc_types(oids, types) -> None:
    entry = TrustEntry.from_certificate(make_dsc(oids).certificate_der)
    assert entry.dcc_types == (None if types is None else frozenset(types))


def test_restricted_dsc_signs_only_its_types() -> None:
    dsc = make_dsc([TEST])
    store = trusting(dsc, region=430702)
    assert verify(hc1(dsc, hcert("t")), store, NOW).reason == "ok"
    for kind in ("v", "r"):
        result = verify(hc1(dsc, hcert(kind)), store, NOW)
        assert result.reason == "wrong_key_usage" and not result.valid
        assert "may sign DCC types t, not " + kind in result.detail
        # The signature is genuine: the result names the issuer and carries the claims.
        assert result.region == "430702" and result.claims is not None


def test_unrestricted_dsc_signs_every_type() -> None:
    for oids in (None, [ICAO_HEALTH]):  # no EKU; an EKU without DCC OIDs (vector IS/3)
        dsc = make_dsc(oids)
        store = trusting(dsc)
        for kind in "vtr":
            assert verify(hc1(dsc, hcert(kind)), store, NOW).reason == "ok", (oids, kind)


def test_key_usage_is_checked_after_the_signature_and_before_the_clock() -> None:
    dsc, other = make_dsc([VACCINATION]), make_dsc([VACCINATION])
    store = trusting(dsc)
    text = hc1(dsc, hcert("t"), days=1)
    # Signed by a key we do not trust: unknown_kid; the right kid, the wrong key: bad_signature.
    assert verify(hc1(other, hcert("t")), store, NOW).reason == "unknown_kid"
    forged = encode_sign1(
        cbor2.dumps({6: int(NOW.timestamp()), 4: int(NOW.timestamp()) + 9, -260: {1: hcert("t")}}),
        other.private_key,
        dsc.kid,
    )
    assert verify("HC1:" + base45.encode(zlib.compress(forged)), store, NOW).reason == (
        "bad_signature"
    )
    # Genuine but not entitled outranks expired and not yet valid.
    assert verify(text, store, NOW + timedelta(days=3)).reason == "wrong_key_usage"
    assert verify(text, store, NOW - timedelta(days=3)).reason == "wrong_key_usage"
    assert verify(hc1(dsc, hcert("v"), days=1), store, NOW + timedelta(days=3)).reason == (
        "expired"
    )


def test_fg1_cards_ignore_dcc_types(make_card, signer) -> None:
    store = trusting(signer, dcc_types=["t"])
    assert verify(make_card(), store, NOW).reason == "ok"


def test_explicit_dcc_types_narrow_but_never_widen_a_certificate() -> None:
    restricted = make_dsc([TEST, VACCINATION]).certificate_der
    assert TrustEntry.from_certificate(restricted, dcc_types=["v", "r"]).dcc_types == {"v"}
    assert TrustEntry.from_certificate(restricted, dcc_types=None).dcc_types == {"t", "v"}
    unrestricted = make_dsc().certificate_der
    assert TrustEntry.from_certificate(unrestricted, dcc_types=("r",)).dcc_types == {"r"}
    jwk = public_key_to_jwk(make_dsc().public_key, b"\x01" * 8)
    assert TrustEntry.from_jwk(jwk, dcc_types={"t"}).dcc_types == {"t"}
    for bad in (["x"], ["V"], "vt", [1], {"v": 1}):
        with pytest.raises(CredentialError):
            TrustEntry.from_jwk(jwk, dcc_types=bad)


def test_dcc_types_travel_in_the_signed_trust_list() -> None:
    root = generate_signer("Root", is_ca=True, not_before=KEY_START)
    dsc = make_dsc([ALT_TEST])
    entry = TrustEntry.from_certificate(dsc.certificate, region=430702)
    assert entry.to_json()["dcc_types"] == ["t"]
    assert "dcc_types" not in TrustEntry.from_certificate(make_dsc().certificate).to_json()
    assert TrustEntry.from_json(entry.to_json()) == entry
    doc = json.loads(json.dumps(build_trust_list(root, [entry], NOW)))
    store = TrustStore.from_trust_list(doc, [root.certificate], now=NOW)
    assert verify(hc1(dsc, hcert("t")), store, NOW).reason == "ok"
    assert verify(hc1(dsc, hcert("v")), store, NOW).reason == "wrong_key_usage"
    # Dropping the restriction breaks the list's signature.
    widened = copy.deepcopy(doc)
    del widened["keys"][0]["dcc_types"]
    with pytest.raises(SignatureError):
        TrustStore.from_trust_list(widened, [root.certificate], now=NOW)
    broken = copy.deepcopy(entry.to_json())
    broken["dcc_types"] = ["vaccination"]
    with pytest.raises(CredentialError):
        TrustEntry.from_json(broken)


def test_eku_is_read_from_der_when_cryptography_refuses_the_extensions() -> None:
    # BasicConstraints spelling out its default cA FALSE ("EncodedDefault"), which DER forbids.
    encoded_default = (BASIC_CONSTRAINTS, bytes.fromhex("3003010100"))
    dsc = make_dsc([RECOVERY], raw=[encoded_default])
    with pytest.raises(ValueError):
        _ = dsc.certificate.extensions
    assert TrustEntry.from_certificate(dsc.certificate_der).dcc_types == {"r"}
    store = trusting(dsc)
    assert verify(hc1(dsc, hcert("r")), store, NOW).reason == "ok"
    assert verify(hc1(dsc, hcert("v")), store, NOW).reason == "wrong_key_usage"
    # An empty EKU (vector common/CO15's shape): no DCC OID, so every type.
    empty = make_dsc(raw=[(EKU, bytes.fromhex("3000"))])
    with pytest.raises(ValueError):
        _ = empty.certificate.extensions
    assert TrustEntry.from_certificate(empty.certificate_der).dcc_types is None
    # An EKU that is not a SEQUENCE OF OID at all: the certificate is refused, not trusted
    # for every type.
    garbage = make_dsc(raw=[(EKU, bytes.fromhex("0400"))])
    with pytest.raises(CredentialError):
        TrustStore().add_certificate(garbage.certificate_der)


# -- schema, where the pipeline checks it -----------------------------------------------------


@pytest.fixture(scope="module")
def dsc() -> Signer:
    return make_dsc()


def test_schema_is_checked_after_the_signature_and_key_usage(dsc) -> None:
    """As in the EU verifiers: a forged code reads as forged, not as malformed."""
    broken = hcert("v", dob=None)
    text = hc1(dsc, broken)
    assert verify(text, TrustStore(), NOW).reason == "unknown_kid"
    other = make_dsc()
    store = TrustStore()
    store.add_certificate(dsc.certificate_der)
    message = encode_sign1(
        cbor2.dumps({6: int(NOW.timestamp()), 4: int(NOW.timestamp()) + 9, -260: {1: broken}}),
        other.private_key,
        dsc.kid,
    )
    assert verify("HC1:" + base45.encode(zlib.compress(message)), store, NOW).reason == (
        "bad_signature"
    )
    assert verify(hc1(other, broken), store, NOW).reason == "unknown_kid"
    # A genuine signature by a key restricted to tests, on a broken vaccination: key usage.
    restricted = make_dsc([TEST])
    assert verify(hc1(restricted, broken), trusting(restricted), NOW).reason == ("wrong_key_usage")
    # Genuine and entitled: the schema speaks, before the clock does.
    result = verify(text, trusting(dsc, region=430702), NOW + timedelta(days=90))
    assert result.reason == "bad_schema" and not result.valid
    assert result.region == "430702"  # the issuer is known, the content is not acceptable
    assert result.schema == {"version": "1.3.0", "path": "(root)", "rule": "oneOf"}
    assert verify(hc1(dsc, hcert("v", ver="1.2.1", dob=None)), trusting(dsc), NOW).schema == {
        "version": "1.2.1",
        "path": "dob",
        "rule": "required",
    }
    # ...and the container itself stays a decoding failure.
    assert verify(hc1(dsc, ["not", "a", "map"]), trusting(dsc), NOW).reason == "bad_cbor"

"""Every EU DCC test vector in ../shared/vectors/dcc, verified with our one verifier.

How EXPECTED* results map to our reason codes
---------------------------------------------
Our verify() runs the steps below in this order and stops at the first failure:

    EXPECTEDUNPREFIX         -> bad_prefix
    EXPECTEDB45DECODE        -> bad_base45
    EXPECTEDCOMPRESSION      -> bad_compression
    EXPECTEDDECODE           -> bad_cbor, bad_cose  (COSE structure, CWT claims, hcert container)
    EXPECTEDVERIFY           -> unsupported_alg, unknown_kid, bad_signature
    EXPECTEDKEYUSAGE         -> wrong_key_usage  (the DSC's EKU OIDs exclude the hcert's type)
    EXPECTEDSCHEMAVALIDATION -> bad_schema  (the DCC JSON schema of the hcert's `ver`)
    EXPECTEDEXPIRATIONCHECK  -> not_yet_valid, expired

The schema is checked after the signature and key usage, as the EU verifiers do.

The vectors' README says a step absent from EXPECTEDRESULTS is not tested by that vector.
A step listed true implies every earlier step succeeds too (a signature cannot verify
unless the message decoded), except the schema, which needs only the decoding. So, for each vector:
  * no step that is listed or implied true may be where we fail;
  * if some step is listed false, verify must fail, at the first false step or at an
    earlier step the vector does not list (it made no claim about that one);
  * if no listed step is false, verify must fail only at steps the vector does not list
    (e.g. an expiry the vector does not check), which in practice means "ok".

The one vector that relies on the "earlier unlisted step" rule is common/CBO2 ("wrong
CWT structure", only EXPECTEDVERIFY=false): its COSE bytes are a valid message written
backwards, so they are not CBOR at all and we stop at bad_cbor before any signature
check. Failing earlier is the honest answer; no result is hard-coded per file.

The two new reasons are pinned harder than the rule above: bad_schema may only end a vector
that lists EXPECTEDSCHEMAVALIDATION false, and wrong_key_usage only one whose key-usage
expectation (below) is false; test_new_checks_end_exactly_where_expected checks both ways.

Key usage is decided from the certificate's content
---------------------------------------------------
The EU DCC specification lets a Document Signer Certificate restrict what it signs with
extended-key-usage OIDs (1.3.6.1.4.1.1847.2021.1.1 test, .2 vaccination, .3 recovery, or the
same under 1.3.6.1.4.1.0.1847.2021.1); a DSC carrying none of them may sign every type. The
test reads the EKU with `cryptography` (not with app.credentials) and the hcert's type from
the payload, and applies that rule to EXPECTEDKEYUSAGE:

  * DSC without any DCC OID: key usage cannot fail, a listed EXPECTEDKEYUSAGE counts as
    true. IS/3 says false ("valid, no key usage, RSA certificate"), but its EKU holds only
    ICAO's 2.23.136.1.1.14.2, so it verifies (its twins IS/4 and IS/5 say true);
  * DSC with DCC OIDs: key usage holds iff they include the hcert's type. A vector that
    lists EXPECTEDKEYUSAGE must agree (CO6..CO14, FI, IS/1, IS/2 ... do); one that does not
    list it gets it from the rule. LI/4 lists no key usage, but its test certificate is
    signed by a Swedish DSC allowed vaccinations only, so it must end at wrong_key_usage;
  * certificate extensions `cryptography` cannot read (CO15's empty EKU), or no single
    type in the hcert: the vector's own claim stands.

EXPECTEDPICTUREDECODE is checked too: the vector's PNG, decoded with zxing-cpp, must (or
must not) yield its PREFIX text. The encoder-side steps (EXPECTEDENCODE, EXPECTEDVALIDJSON,
EXPECTEDVALIDOBJECT) are not ours to check; vectors listing only those still have to verify
without raising.
"""

from __future__ import annotations

import base64
import binascii
import io
import json
from pathlib import Path
from typing import Any

import pytest
import zxingcpp
from cryptography import x509
from PIL import Image, UnidentifiedImageError

from app.credentials import (
    REASONS,
    DecodeError,
    TrustStore,
    compute_kid,
    decode_payload,
    verify,
)
from app.credentials.timeutil import parse_time

VECTORS = Path(__file__).resolve().parents[2].parent / "shared" / "vectors" / "dcc"

STEPS = [
    ("EXPECTEDUNPREFIX", {"bad_prefix"}),
    ("EXPECTEDB45DECODE", {"bad_base45"}),
    ("EXPECTEDCOMPRESSION", {"bad_compression"}),
    ("EXPECTEDDECODE", {"bad_cbor", "bad_cose"}),
    ("EXPECTEDVERIFY", {"unsupported_alg", "unknown_kid", "bad_signature"}),
    ("EXPECTEDKEYUSAGE", {"wrong_key_usage"}),
    ("EXPECTEDSCHEMAVALIDATION", {"bad_schema"}),
    ("EXPECTEDEXPIRATIONCHECK", {"not_yet_valid", "expired"}),
]
# A step that succeeds implies the steps it needs: every earlier one, except that a valid
# schema needs only a decoded message (its place after the signature is our order, not a
# dependency: DGC3..DGC6 claim a valid schema and nothing about their signatures).
SCHEMA_STEP = [name for name, _ in STEPS].index("EXPECTEDSCHEMAVALIDATION")
DECODE_STEP = [name for name, _ in STEPS].index("EXPECTEDDECODE")
IMPLIED = {i: range(i) for i in range(len(STEPS))} | {SCHEMA_STEP: range(DECODE_STEP + 1)}
STEP_OF = {reason: index for index, (_, reasons) in enumerate(STEPS) for reason in reasons}
# The specification's key-usage OIDs, written out here rather than imported from the code
# under test.
DCC_OIDS = {
    f"1.3.6.1.4.1.{arc}1847.2021.1.{n}": kind
    for arc in ("", "0.")
    for n, kind in ((1, "t"), (2, "v"), (3, "r"))
}


def _vector_files() -> list[Path]:
    return sorted(VECTORS.rglob("*.json")) if VECTORS.is_dir() else []


def _vector_id(path: Path) -> str:
    relative = path.relative_to(VECTORS)
    return f"{relative.parts[0]}-{path.stem}"  # e.g. "DE-1", "common-CO16"


FILES = _vector_files()


def test_vector_folder_is_present() -> None:
    """Fail, never skip, when the shared vectors are missing (they are a CI sibling)."""
    assert VECTORS.is_dir(), f"missing {VECTORS}"
    assert len(FILES) >= 100, f"only {len(FILES)} vectors under {VECTORS}"


def _dsc_types(der: bytes) -> frozenset[str] | None:
    """The DCC types the DSC's EKU allows (None: no DCC OID, every type). Raises ValueError
    when `cryptography` cannot read the certificate's extensions."""
    cert = x509.load_der_x509_certificate(der)
    try:
        eku = cert.extensions.get_extension_for_class(x509.ExtendedKeyUsage).value
    except x509.ExtensionNotFound:
        return None
    kinds = frozenset(DCC_OIDS[o.dotted_string] for o in eku if o.dotted_string in DCC_OIDS)
    return kinds or None


def _hcert_type(text: str) -> str | None:
    """The hcert's one type among v/t/r (null members are absent), else None."""
    try:
        hcert = decode_payload(text)[-260][1]
    except DecodeError:
        return None
    kinds = [kind for kind in "vtr" if hcert.get(kind) is not None]
    return kinds[0] if len(kinds) == 1 else None


def _expectations(vector: dict[str, Any]) -> dict[str, Any]:
    """EXPECTEDRESULTS with EXPECTEDKEYUSAGE decided from the certificate (docstring)."""
    expected = dict(vector["EXPECTEDRESULTS"])
    claim = expected.get("EXPECTEDKEYUSAGE")
    try:
        allowed = _dsc_types(base64.b64decode(vector["TESTCTX"]["CERTIFICATE"]))
    except ValueError:
        return expected  # extensions cryptography cannot read: the claim stands
    if allowed is None:
        if claim is not None:
            expected["EXPECTEDKEYUSAGE"] = True  # no DCC OID: the DSC may sign every type
        return expected
    kind = _hcert_type(vector["PREFIX"])
    if kind is None:
        return expected
    if claim is not None:
        assert claim is (kind in allowed), (claim, kind, allowed)  # the rule explains it
    elif kind not in allowed:
        expected["EXPECTEDKEYUSAGE"] = False
    return expected


def _allowed(expected: dict[str, Any]) -> tuple[set[str], bool]:
    """Reasons allowed by the mapping above, and whether the vector demands a failure."""
    listed = {i: expected[name] for i, (name, _) in enumerate(STEPS) if name in expected}
    for i, ok in list(listed.items()):
        if ok is True:
            listed.update({j: True for j in IMPLIED[i] if j not in listed})
    first_false = min((i for i, ok in listed.items() if ok is False), default=None)
    limit = len(STEPS) - 1 if first_false is None else first_false
    allowed = {
        reason
        for i, (_, reasons) in enumerate(STEPS)
        if i <= limit and (i == first_false or i not in listed)
        for reason in reasons
    }
    if first_false is None:
        allowed.add("ok")
    return allowed, first_false is not None


@pytest.mark.parametrize("path", FILES, ids=[_vector_id(p) for p in FILES])
def test_vector(path: Path) -> None:
    vector = json.loads(path.read_text("utf-8"))
    expected = _expectations(vector)
    context = vector["TESTCTX"]
    der = base64.b64decode(context["CERTIFICATE"])

    store = TrustStore()
    kid = store.add_certificate(der)
    assert kid == compute_kid(der)
    clock = parse_time(context["VALIDATIONCLOCK"])

    result = verify(vector["PREFIX"], store, clock)
    assert result.reason in REASONS
    allowed, must_fail = _allowed(expected)
    assert result.reason in allowed, (result.reason, result.detail, expected)
    assert result.valid is (result.reason == "ok")
    if must_fail:
        assert not result.valid
    if result.reason == "bad_schema":
        assert expected.get("EXPECTEDSCHEMAVALIDATION") is False, expected
    if result.reason == "wrong_key_usage":
        assert expected.get("EXPECTEDKEYUSAGE") is False, expected

    if expected.get("EXPECTEDDECODE") and STEP_OF.get(result.reason, 99) > STEP_OF["bad_cbor"]:
        claims = decode_payload(vector["PREFIX"])
        assert isinstance(claims[-260][1], dict)
    if expected.get("EXPECTEDVERIFY"):
        assert result.kid == kid and result.claims is not None

    if "EXPECTEDPICTUREDECODE" in expected and "2DCODE" in vector:
        texts = _read_qr(vector["2DCODE"])
        assert (vector["PREFIX"] in texts) is expected["EXPECTEDPICTUREDECODE"]


def _read_qr(png_base64: str) -> list[str]:
    try:
        image = Image.open(io.BytesIO(base64.b64decode(png_base64)))
        image.load()
    except (UnidentifiedImageError, OSError, binascii.Error):
        return []  # common/Q1 ships bytes that are not an image at all
    return [barcode.text for barcode in zxingcpp.read_barcodes(image)]


def test_new_checks_end_exactly_where_expected() -> None:
    """bad_schema ends exactly the vectors listing EXPECTEDSCHEMAVALIDATION false, and
    wrong_key_usage exactly those whose key-usage expectation is false (CO6..CO11, LI/4)."""
    reasons, expectations = {}, {}
    for path in FILES:
        vector = json.loads(path.read_text("utf-8"))
        context = vector["TESTCTX"]
        store = TrustStore()
        store.add_certificate(base64.b64decode(context["CERTIFICATE"]))
        clock = parse_time(context["VALIDATIONCLOCK"])
        reasons[_vector_id(path)] = verify(vector["PREFIX"], store, clock).reason
        expectations[_vector_id(path)] = _expectations(vector)

    def ending(reason: str) -> set[str]:
        return {name for name, got in reasons.items() if got == reason}

    def expecting_false(step: str) -> set[str]:
        return {name for name, exp in expectations.items() if exp.get(step) is False}

    assert ending("bad_schema") == expecting_false("EXPECTEDSCHEMAVALIDATION")
    assert ending("wrong_key_usage") == expecting_false("EXPECTEDKEYUSAGE")
    assert ending("bad_schema") == {"common-DGC1", "common-DGC2"}
    assert ending("wrong_key_usage") == {f"common-CO{n}" for n in range(6, 12)} | {"LI-4"}
    assert reasons["IS-3"] == "ok"  # EXPECTEDKEYUSAGE false, but no DCC OID in its DSC


def test_key_usage_rule_examples() -> None:
    """The certificate rule on the vectors that motivate it."""

    def load(name: str) -> dict[str, Any]:
        return json.loads((VECTORS / name).read_text("utf-8"))

    is3 = load("IS/2DCode/raw/3.json")
    assert is3["EXPECTEDRESULTS"]["EXPECTEDKEYUSAGE"] is False
    assert _dsc_types(base64.b64decode(is3["TESTCTX"]["CERTIFICATE"])) is None
    assert _expectations(is3)["EXPECTEDKEYUSAGE"] is True
    li4 = load("LI/2DCode/raw/4.json")
    assert "EXPECTEDKEYUSAGE" not in li4["EXPECTEDRESULTS"]
    assert _dsc_types(base64.b64decode(li4["TESTCTX"]["CERTIFICATE"])) == {"v"}
    assert _hcert_type(li4["PREFIX"]) == "t"
    assert _expectations(li4)["EXPECTEDKEYUSAGE"] is False
    co6 = load("common/2DCode/raw/CO6.json")
    assert _expectations(co6) == co6["EXPECTEDRESULTS"] == {"EXPECTEDKEYUSAGE": False}
    co15 = load("common/2DCode/raw/CO15.json")  # cryptography cannot read its empty EKU
    with pytest.raises(ValueError):
        _dsc_types(base64.b64decode(co15["TESTCTX"]["CERTIFICATE"]))
    assert _expectations(co15) == {"EXPECTEDKEYUSAGE": True}


def test_mapping_rule_examples() -> None:
    """The rule itself, on the shapes of expectation the vectors use."""
    after_verify = {"wrong_key_usage", "bad_schema", "not_yet_valid", "expired"}
    assert _allowed({"EXPECTEDVERIFY": True}) == ({"ok"} | after_verify, False)
    assert _allowed({"EXPECTEDVERIFY": True, "EXPECTEDEXPIRATIONCHECK": True}) == ({"ok"}, False)
    assert _allowed({"EXPECTEDVERIFY": False}) == (
        {"bad_prefix", "bad_base45", "bad_compression", "bad_cbor", "bad_cose"}
        | {"unsupported_alg", "unknown_kid", "bad_signature"},
        True,
    )
    assert _allowed({"EXPECTEDKEYUSAGE": False})[0] == {"wrong_key_usage"} | {
        reason for _, reasons in STEPS[:5] for reason in reasons
    }
    # A genuine certificate that breaks its schema: nothing but bad_schema.
    assert _allowed({"EXPECTEDVERIFY": True, "EXPECTEDSCHEMAVALIDATION": False}) == (
        {"bad_schema"} | {"wrong_key_usage"},
        True,
    )
    assert _allowed({"EXPECTEDVERIFY": True, "EXPECTEDKEYUSAGE": False}) == (
        {"wrong_key_usage"},
        True,
    )
    assert _allowed({"EXPECTEDSCHEMAVALIDATION": True})[0] >= {"bad_signature", "ok"}
    assert "bad_cbor" not in _allowed({"EXPECTEDSCHEMAVALIDATION": True})[0]
    assert "bad_schema" not in _allowed({"EXPECTEDSCHEMAVALIDATION": True})[0]
    assert _allowed({"EXPECTEDEXPIRATIONCHECK": False})[0] >= {"expired", "not_yet_valid"}
    assert "ok" not in _allowed({"EXPECTEDCOMPRESSION": False})[0]
    assert _allowed({"EXPECTEDUNPREFIX": False}) == ({"bad_prefix"}, True)

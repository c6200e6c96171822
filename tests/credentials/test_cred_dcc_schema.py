"""The DCC JSON schema check (app/credentials/dccschema.py): which release, what it refuses,
and that its two validators (fastjsonschema for the verdict, jsonschema for the first
violation) never disagree. The verifiers' verdicts on signed certificates are compared with
the browser's in tests/js/test_js_python_agree.py."""

from __future__ import annotations

import copy
import json
import re
from datetime import date
from pathlib import Path
from typing import Any

import fastjsonschema
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from app.credentials import DecodeError, decode_payload
from app.credentials.dccschema import (
    SCHEMA_DIR,
    as_json,
    check_hcert,
    choose_schema,
    ecma_pattern,
    load_schemas,
)
from app.credentials.errors import SchemaError

ROOT = Path(__file__).resolve().parents[2]
VECTORS = ROOT.parent / "shared" / "vectors" / "dcc"
JS = ROOT / "pwa" / "js" / "verify" / "dccschema.js"
# What pwa/js/verify/dccschema.js implements: every other keyword is an annotation there.
JS_KEYWORDS = {
    "$ref", "type", "properties", "required", "items", "minItems", "maxItems",
    "minimum", "maximum", "pattern", "oneOf", "anyOf",
}  # fmt: skip
ANNOTATIONS = {
    "$schema", "$id", "$defs", "$comment", "title", "description", "examples",
    "valueset-uri", "format", "maxLength",
}  # fmt: skip

DOSE = {
    "tg": "840539006", "vp": "1119349007", "mp": "EU/1/20/1528", "ma": "ORG-100030215",
    "dn": 1, "sd": 2, "dt": "2021-05-29", "co": "DE", "is": "RKI", "ci": "URN:UVCI:01:DE:1",
}  # fmt: skip


def cert(ver: str = "1.3.0", **changes: Any) -> dict[str, Any]:
    base = {"ver": ver, "nam": {"fnt": "MUSTER", "gnt": "ERIKA"}, "dob": "1964-08-12"}
    return {**base, "v": [dict(DOSE)], **changes}


def _keywords(node: Any, parent: str | None = None) -> set[str]:
    found: set[str] = set()
    if isinstance(node, dict):
        for key, value in node.items():
            if parent not in ("properties", "$defs"):
                found.add(key)
            found |= _keywords(value, key)
    elif isinstance(node, list):
        for item in node:
            found |= _keywords(item)
    return found


def test_every_release_1_0_0_to_1_3_3_is_vendored_with_its_licence() -> None:
    assert list(load_schemas()) == [
        "1.0.0", "1.0.1", "1.1.0", "1.2.0", "1.2.1", "1.3.0", "1.3.1", "1.3.2", "1.3.3",
    ]  # fmt: skip
    assert "Apache License" in (SCHEMA_DIR / "LICENSE").read_text("utf-8")
    shared = ROOT.parent / "shared" / "dcc-schema"
    for version in load_schemas():
        for ours in (SCHEMA_DIR / version).iterdir():  # unchanged copies of the releases
            assert ours.read_bytes() == (shared / version / ours.name).read_bytes()


def test_the_browser_verifier_reads_the_same_files_and_knows_every_keyword() -> None:
    source = JS.read_text("utf-8")
    listed = dict(re.findall(r"'(\d+\.\d+\.\d+)': '([\w.-]+)'", source))
    on_disk = {
        version: next((SCHEMA_DIR / version).glob("*.combined-schema.json")).name
        for version in load_schemas()
    }
    assert listed == on_disk
    used = set().union(*(_keywords(s.document) for s in load_schemas().values()))
    assert used - ANNOTATIONS <= JS_KEYWORDS, used - ANNOTATIONS - JS_KEYWORDS


@pytest.mark.parametrize(
    ("ver", "used", "note"),
    [
        ("1.3.0", "1.3.0", ""),
        ("1.0.0", "1.0.0", ""),
        ("1.0.4", "1.0.1", "ver 1.0.4 unknown: checked against 1.0.1"),
        ("1.3.7", "1.3.3", "ver 1.3.7 unknown: checked against 1.3.3"),
        ("1.4.0", "1.3.3", "ver 1.4.0 unknown: checked against 1.3.3"),
        (None, "1.3.3", "ver missing: checked against 1.3.3"),
        (130, "1.3.3", "ver unreadable: checked against 1.3.3"),
        ("1.3.0\n", "1.3.3", "ver unreadable: checked against 1.3.3"),
    ],
)
def test_the_release_is_the_one_declared_else_the_nearest_newest(ver, used, note) -> None:
    schema, said = choose_schema(ver, load_schemas())
    assert (schema.version, said) == (used, note)


def test_patterns_read_as_the_browser_reads_them() -> None:
    version = ecma_pattern(r"^\d+.\d+.\d+$")
    assert re.search(version, "1.3.0") and not re.search(version, "1.3.0\n")
    assert not re.search(version, "1\n3.0")
    assert not re.search(ecma_pattern(r"^\d{4}$"), "\u0661\u0669\u0668\u0660")


@pytest.mark.parametrize(
    ("hcert", "path", "rule"),
    [
        (cert(v=[dict(DOSE), dict(DOSE)]), "v", "maxItems"),
        (cert(dob="1815-06-18"), "dob", "pattern"),
        (cert("1.0.0", dob="1815-06-18"), "dob", "pattern"),
        (cert(dob="2021-06-02"), "dob", "not_after_issue"),
        (cert(v=[{**DOSE, "dn": 0}]), "v[0].dn", "minimum"),
        (cert("1.0.0", v=[{**DOSE, "sd": 10}]), "v[0].sd", "maximum"),
        (cert(v=[{**DOSE, "ci": ""}]), "v[0].ci", "non_empty"),
        (cert(v=[{**DOSE, "is": ""}]), "v[0].is", "non_empty"),
        (cert(v=[{k: v for k, v in DOSE.items() if k != "mp"}]), "v[0].mp", "required"),
        (
            cert("1.2.1", r=[{**DOSE, "fr": "2021-01-01", "df": "2021-02-01", "du": "2021-07-01"}]),
            "(root)",
            "one_kind",
        ),
        (cert(nam={"fnt": "", "gnt": ""}), "nam", "non_empty"),
        (cert(nam={"fnt": "muster"}), "nam.fnt", "pattern"),
    ],
)
def test_what_breaks_the_schema_is_named_by_path_and_rule(hcert, path, rule) -> None:
    with pytest.raises(SchemaError) as caught:
        check_hcert(hcert, date(2021, 6, 1))
    assert (caught.value.path, caught.value.rule) == (path, rule)
    assert str(caught.value).startswith(f"{path}: ")
    assert "MUSTER" not in str(caught.value) and "1815" not in str(caught.value)  # no values


@pytest.mark.parametrize(
    "hcert",
    [
        cert("1.0.0", v=[dict(DOSE), {**DOSE, "dn": 2}]),  # two doses: fine up to 1.2.x
        cert("1.2.1", v=[dict(DOSE), {**DOSE, "dn": 2}]),
        cert("1.0.4", v=[dict(DOSE), {**DOSE, "dn": 2}]),
        cert(dob=""),
        cert(dob="1964"),
        cert(dob="2021-06-01"),  # born on the day of issue
        cert(v=[{**DOSE, "is": "x" * 200}]),  # longer than maxLength: not refused (HU/3)
        {**cert(), "t": None, "r": None},  # schema 1.0.0 issuers' nulls (BG/1)
    ],
)
def test_genuine_shapes_pass(hcert) -> None:
    check_hcert(hcert, date(2021, 6, 1))


def _vector_hcerts() -> list[dict[str, Any]]:
    found = []
    for path in sorted(VECTORS.rglob("*.json")):
        try:
            hcert = decode_payload(json.loads(path.read_text("utf-8"))["PREFIX"])[-260][1]
        except (DecodeError, KeyError, TypeError):
            continue
        found.append(as_json(hcert))
    return found


def _verdicts(document: Any) -> list[tuple[bool, bool]]:
    """(fastjsonschema valid, jsonschema valid) for every release."""
    pairs = []
    for schema in load_schemas().values():
        try:
            schema.fast(copy.deepcopy(document))
            fast = True
        except fastjsonschema.JsonSchemaValueException:
            fast = False
        pairs.append((fast, next(iter(schema.validator.iter_errors(document)), None) is None))
    return pairs


def test_both_validators_agree_on_every_vector_and_release() -> None:
    hcerts = _vector_hcerts()
    assert len(hcerts) >= 90
    for document in hcerts:
        for fast, slow in _verdicts(document):
            assert fast == slow, document


_values = st.one_of(
    st.none(),
    st.booleans(),
    st.integers(-3, 12),
    st.floats(allow_nan=False, allow_infinity=False, width=32),
    st.sampled_from(["", "1964-08-12", "1815-01-01", "DE", "de", "MUSTER<X", "1.3.0", "1964"]),
    st.text(max_size=5),
)


@settings(max_examples=300, deadline=None)
@given(
    member=st.sampled_from(["ver", "dob", "nam", "v", "t", "r", "extra"]),
    field=st.sampled_from(sorted(DOSE) + ["fnt", "gnt", "fn"]),
    value=_values,
    ver=st.sampled_from(["1.0.0", "1.1.0", "1.2.1", "1.3.0", "1.3.3"]),
    where=st.sampled_from(["top", "dose", "name", "doses"]),
)
def test_both_validators_agree_on_mutated_certificates(member, field, value, ver, where) -> None:
    document = cert(ver)
    if where == "top":
        document[member] = value
    elif where == "dose":
        document["v"][0][field] = value
    elif where == "name":
        document["nam"][field] = value
    else:
        document["v"] = [dict(DOSE)] * (value if isinstance(value, int) and 0 <= value < 4 else 2)
    for fast, slow in _verdicts(as_json(document)):
        assert fast == slow, document

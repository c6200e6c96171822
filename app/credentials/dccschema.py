"""The EU DCC JSON schema check of an HC1 payload, by the schema version it declares.

The schema files are the eHN DCC schema project's own (Apache-2.0), one combined file per
release under pwa/vendor/dcc-schema/<version>/, shared with the browser verifier
(pwa/js/verify/dccschema.js), which must reach the same verdict with the same path and rule.

Which schema: the release named by `ver`; an unknown patch of a known line (1.0.4) takes
the newest release of that line (1.0.1); an unknown line, or no `ver` at all, the newest
release overall. The detail says which was used when it was not `ver` itself.

How: as the EU's own test harness (dgc-testdata) applies it, formats as annotations; see
DccValidator for the one leniency. On top of the schema, three rules that the schema cannot
express and that no genuine certificate breaks (all vectors expected to pass keep passing):
  * exactly one of v, t, r (the schema says so from 1.3.0 on; a certificate is one kind);
  * a member the schema requires is never the empty string (a `ci` of "" names nothing);
  * the date of birth is not after the day the certificate was issued.

Differences between JSON and CBOR: a null v/t/r counts as absent (schema 1.0.0 issuers wrote
unused kinds as null); CBOR tags for dates become their text; byte strings and non-text map
keys are not JSON and fail the type rules.
"""

from __future__ import annotations

import json
import math
import re
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from datetime import date, datetime
from functools import cache
from pathlib import Path
from typing import Any

import fastjsonschema
from jsonschema import Draft202012Validator, ValidationError, validators

from .errors import SchemaError

SCHEMA_DIR = Path(__file__).resolve().parents[2] / "pwa" / "vendor" / "dcc-schema"
KINDS = ("v", "t", "r")
ENTRY_DEFS = {"v": "vaccination_entry", "t": "test_entry", "r": "recovery_entry"}

_VERSION = re.compile(r"([0-9]+)\.([0-9]+)\.([0-9]+)")  # fullmatch only
_DOB_PREFIX = re.compile(r"([0-9]{4})(?:-([0-9]{2}))?(?:-([0-9]{2}))?")


@cache
def ecma_pattern(pattern: str) -> str:
    """A schema `pattern` (ECMA-262, as the browser reads it) in Python's regex syntax: `$` is
    the end of the text (Python's also matches before a final newline), `.` stops at every
    line terminator, `\\d` is ASCII ("١٩٧٨" is no year of birth on either side)."""
    out, in_class, i = [], False, 0
    while i < len(pattern):
        char = pattern[i]
        if char == "\\":
            escape = pattern[i : i + 2]
            out.append(("0-9" if in_class else "[0-9]") if escape == r"\d" else escape)
            i += 2
            continue
        if in_class:
            in_class = char != "]"
            out.append(char)
        elif char == "[":
            in_class = True
            out.append(char)
        elif char == "$":
            out.append(r"\Z")
        elif char == ".":
            out.append(r"[^\n\r\u2028\u2029]")
        else:
            out.append(char)
        i += 1
    return "".join(out)


def _pattern(validator: Any, pattern: str, instance: Any, schema: Any) -> Any:
    if validator.is_type(instance, "string") and not re.search(ecma_pattern(pattern), instance):
        yield ValidationError(f"does not match {pattern!r}")


def _not_asserted(validator: Any, value: Any, instance: Any, schema: Any) -> Any:
    return iter(())


# What the schema says, as the EU's own test harness applies it (jsonschema, formats as
# annotations, as JSON Schema 2020-12 has them by default), with one leniency: maxLength is
# not a reason to turn a genuine certificate away (HU/3 names its test centre in 101
# characters where 1.0.0 allows 50; the signature vouches for it, the QR code bounds it).
DccValidator = validators.extend(
    Draft202012Validator,
    {"pattern": _pattern, "maxLength": _not_asserted, "format": _not_asserted},
)


@dataclass(frozen=True)
class SchemaCheck:
    """A passed check: the schema release used, and a note when `ver` did not name it."""

    version: str
    note: str = ""


@dataclass(frozen=True)
class Schema:
    version: str
    document: dict[str, Any]
    validator: Any  # jsonschema: names the first violation, in the browser's order
    fast: Callable[[Any], Any]  # fastjsonschema: the same verdict, compiled, ~25x faster


def _fast_document(node: Any) -> Any:
    """The schema as fastjsonschema should read it: our patterns' semantics, and none of the
    keywords we do not assert (see DccValidator). Its Draft 7 reading of these keywords is
    Draft 2020-12's; tests/credentials/test_cred_dcc_schema.py holds the two to one verdict."""
    if isinstance(node, dict):
        out = {}
        for key, value in node.items():
            if key in ("format", "maxLength") and not isinstance(value, dict):
                continue
            if key == "pattern" and isinstance(value, str):
                out[key] = ecma_pattern(value)
            elif key == "$schema":
                out[key] = "http://json-schema.org/draft-07/schema#"
            else:
                out[key] = _fast_document(value)
        return out
    if isinstance(node, list):
        return [_fast_document(item) for item in node]
    return node


def _version_key(version: str) -> tuple[int, int, int]:
    major, minor, patch = _VERSION.fullmatch(version).groups()  # type: ignore[union-attr]
    return int(major), int(minor), int(patch)


@cache
def load_schemas(directory: Path = SCHEMA_DIR) -> dict[str, Schema]:
    """Every release in `directory` (one folder per version with its combined schema)."""
    schemas = {}
    for folder in sorted(directory.iterdir()):
        files = sorted(folder.glob("*.combined-schema.json")) if folder.is_dir() else []
        if not files or not _VERSION.fullmatch(folder.name):
            continue
        document = json.loads(files[0].read_text("utf-8"))
        fast = fastjsonschema.compile(
            _fast_document(document), use_default=False, use_formats=False
        )
        schemas[folder.name] = Schema(folder.name, document, DccValidator(document), fast)
    if not schemas:
        raise FileNotFoundError(f"no DCC schema under {directory}")
    return dict(sorted(schemas.items(), key=lambda item: _version_key(item[0])))


def choose_schema(ver: object, schemas: Mapping[str, Schema]) -> tuple[Schema, str]:
    """The schema for a declared `ver`, and a note when it is not that exact release."""
    if isinstance(ver, str) and ver in schemas:
        return schemas[ver], ""
    newest = schemas[next(reversed(schemas))]
    match = _VERSION.fullmatch(ver) if isinstance(ver, str) else None
    if match:
        line = [s for v, s in schemas.items() if _version_key(v)[:2] == _version_key(ver)[:2]]
        if line:
            return line[-1], f"ver {ver} unknown: checked against {line[-1].version}"
        return newest, f"ver {ver} unknown: checked against {newest.version}"
    shown = "missing" if ver is None else "unreadable"
    return newest, f"ver {shown}: checked against {newest.version}"


_JSON_SCALARS = (str, int, bool, type(None))


def as_json(value: Any) -> Any:
    """The hcert as JSON would hold it (see the module docstring for CBOR's extras)."""
    kind = type(value)
    if kind in _JSON_SCALARS:  # the common case first: this runs on every scan
        return value
    if kind is dict or isinstance(value, Mapping):
        out = {}
        for key, item in value.items():
            if type(key) is not str:
                return _NotJson("map with a key that is not text")
            out[key] = as_json(item)
        return out
    if kind is list or kind is tuple:
        return [as_json(item) for item in value]
    if kind is float:
        return value if math.isfinite(value) else _NotJson("a number that is not finite")
    if isinstance(value, datetime | date):
        return value.isoformat().replace("+00:00", "Z")
    if isinstance(value, str | int):  # subclasses (cbor2 never makes them; be exact anyway)
        return value
    return _NotJson(type(value).__name__)


class _NotJson:
    """A CBOR value with no JSON counterpart: it fails every `type` rule."""

    def __init__(self, what: str) -> None:
        self.what = what

    def __repr__(self) -> str:
        return f"<{self.what}>"


def path_text(path: Any) -> str:
    """('v', 0, 'dn') -> 'v[0].dn'; the root is '(root)'."""
    text = ""
    for part in path:
        text += f"[{part}]" if isinstance(part, int) else (f".{part}" if text else str(part))
    return text or "(root)"


def rule_message(rule: str, value: Any) -> str:
    """The broken rule in words, never with the value itself (it may be a name or a date
    of birth, and details reach logs)."""
    if rule == "type":
        return f"must be of type {value}"
    if rule == "required":
        return "is required"
    if rule in ("minimum", "maximum"):
        return f"must be {'at least' if rule == 'minimum' else 'at most'} {value}"
    if rule in ("minItems", "maxItems"):
        return f"must hold {'at least' if rule == 'minItems' else 'at most'} {value} entries"
    if rule == "pattern":
        return f"must match {value}"
    if rule == "oneOf":
        return "must match exactly one of the schema's forms"
    if rule == "anyOf":
        return "matches none of the schema's forms"
    return f"breaks {rule}"


def _fail(path: Any, rule: str, message: str, version: str) -> SchemaError:
    where = path_text(path)
    return SchemaError(
        f"{where}: {message} ({rule}, schema {version})",
        path=where,
        rule=rule,
        version=version,
    )


def check_hcert(hcert: Mapping[Any, Any], issued_on: date | None = None) -> SchemaCheck:
    """Validate an hcert (claim -260 key 1) against its schema release; raise SchemaError
    naming the path and rule of the first violation."""
    schemas = load_schemas()
    document = as_json(hcert)
    if not isinstance(document, dict):
        raise _fail((), "type", "not a map with text keys", next(reversed(schemas)))
    document = {k: v for k, v in document.items() if not (k in KINDS and v is None)}
    schema, note = choose_schema(document.get("ver"), schemas)
    try:
        schema.fast(document)
        error = None
    except fastjsonschema.JsonSchemaValueException as fast_error:
        # Rare, so the slow validator may take its time to name the first violation.
        error = next(iter(schema.validator.iter_errors(document)), None)
        if error is None:  # never seen; if the two ever differ, refuse all the same
            raise _fail(
                fast_error.path[1:], str(fast_error.rule), "breaks it", schema.version
            ) from None
    if error is not None:
        path, rule = list(error.absolute_path), str(error.validator)
        if rule == "required":  # name the missing member, as the path of the problem
            path.append(next(k for k in error.validator_value if k not in error.instance))
        raise _fail(path, rule, rule_message(rule, error.validator_value), schema.version)
    kinds = [kind for kind in KINDS if kind in document]
    if len(kinds) != 1:
        raise _fail(
            (), "one_kind", f"needs exactly one of v, t, r, has {len(kinds)}", schema.version
        )
    _check_required_text(document, kinds[0], schema)
    _check_name(document.get("nam"), schema.version)
    if issued_on is not None and isinstance(document.get("dob"), str):
        _check_birth(document["dob"], issued_on, schema.version)
    return SchemaCheck(schema.version, note)


def _check_required_text(document: dict[str, Any], kind: str, schema: Schema) -> None:
    required = schema.document["$defs"][ENTRY_DEFS[kind]].get("required", [])
    for index, entry in enumerate(document[kind]):
        if not isinstance(entry, dict):
            continue
        for key in required:
            if entry.get(key) == "":
                raise _fail(
                    (kind, index, key), "non_empty", "is required, so not empty", schema.version
                )


def _check_name(name: Any, version: str) -> None:
    if isinstance(name, dict) and not name.get("fnt") and not name.get("gnt"):
        raise _fail(("nam",), "non_empty", "needs a standardised name (fnt or gnt)", version)


def _check_birth(dob: str, issued_on: date, version: str) -> None:
    match = _DOB_PREFIX.match(dob)
    if not match:
        return  # "" (unknown) is allowed from 1.3.0; the schema already judged the form
    year, month, day = match.groups()
    earliest = (int(year), int(month or 1), int(day or 1))
    if earliest > (issued_on.year, issued_on.month, issued_on.day):
        raise _fail(("dob",), "not_after_issue", f"is after the issue date {issued_on}", version)

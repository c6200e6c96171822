"""Exception types of the credentials package (verify() itself never raises)."""

from __future__ import annotations


class CredentialError(ValueError):
    """Base class for every error this package raises on bad input."""


class Base45Error(CredentialError):
    """Text is not valid base45 (RFC 9285)."""


class CborError(CredentialError):
    """Bytes are not one well-formed CBOR item (or have trailing data)."""


class CoseError(CredentialError):
    """Well-formed CBOR, but not a COSE_Sign1 structure we accept."""


class SignatureError(CredentialError):
    """A signed document (trust list, revocation list) failed verification."""


class SchemaError(CredentialError):
    """An EU DCC whose health certificate breaks its JSON schema: `path` of the member
    ("v[0].dn"), the `rule` broken ("minimum") and the schema `version` used."""

    def __init__(self, message: str, *, path: str = "", rule: str = "", version: str = "") -> None:
        super().__init__(message)
        self.path = path
        self.rule = rule
        self.version = version

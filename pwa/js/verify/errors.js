/**
 * Error types of the verifier (verify() itself never throws; these come from the lower layers
 * and from loading trust material). Mirrors app/credentials/errors.py.
 */

/** Base class for every error raised on bad input. */
export class CredentialError extends Error {
  constructor(message) {
    super(message);
    this.name = new.target.name;
  }
}

/** Text is not valid base45 (RFC 9285). */
export class Base45Error extends CredentialError {}

/** Bytes are not one well-formed CBOR item (or have trailing data). */
export class CborError extends CredentialError {}

/** Well-formed CBOR, but not a COSE_Sign1 structure we accept. */
export class CoseError extends CredentialError {}

/** A signed document (trust list, revocation list) failed verification. */
export class SignatureError extends CredentialError {}

/** The zlib stream of an HC1 code does not inflate (or inflates too far). */
export class InflateError extends CredentialError {}

/** An EU DCC whose health certificate breaks its JSON schema (path, rule, version: dccschema.js). */
export class SchemaError extends CredentialError {}

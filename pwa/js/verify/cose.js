/**
 * COSE_Sign1 (RFC 9052) with ES256 and PS256: parsing, the Sig_structure, and signature
 * checks with WebCrypto. Only what the HC1/FG1 envelope needs: one signer, attached payload,
 * empty external_aad. Mirrors app/credentials/cose.py.
 */
import { CborError, CoseError } from './errors.js';
import { CborFloat, Tagged, decode as cborDecode } from './cbor.js';

export const ALG_ES256 = -7;
export const ALG_PS256 = -37;
export const ALG_NAMES = Object.freeze({ [ALG_ES256]: 'ES256', [ALG_PS256]: 'PS256' });

export const HEADER_ALG = 1;
export const HEADER_CONTENT_TYPE = 3;
export const HEADER_KID = 4;

export const TAG_COSE_SIGN1 = 18;
export const TAG_CWT = 61;

// CBOR of the array head (4 items) and the text "Signature1" are fixed; only the two
// byte-string heads vary.
const SIGNATURE1 = Uint8Array.from([0x84, 0x6a, ...new TextEncoder().encode('Signature1')]);

/** A decoded COSE_Sign1 message; `protected` keeps the exact bytes that were signed. */
export class Sign1 {
  /**
   * @param {Uint8Array} protectedBytes
   * @param {Map} protectedHeader
   * @param {Map} unprotected
   * @param {Uint8Array} payload
   * @param {Uint8Array} signature
   * @param {number[]} tags
   */
  constructor(protectedBytes, protectedHeader, unprotected, payload, signature, tags = []) {
    this.protected = protectedBytes;
    this.protectedHeader = protectedHeader;
    this.unprotected = unprotected;
    this.payload = payload;
    this.signature = signature;
    this.tags = tags;
  }

  /**
   * A header value, null when absent. The protected bucket wins: a kid in the unprotected
   * one cannot override a signed kid (DCC test vectors CO21/CO22).
   * @param {number} label
   */
  header(label) {
    if (this.protectedHeader.has(label)) return this.protectedHeader.get(label);
    if (this.unprotected.has(label)) return this.unprotected.get(label);
    return null;
  }

  get alg() {
    return this.header(HEADER_ALG);
  }

  get kid() {
    return this.header(HEADER_KID);
  }

  /** The Sig_structure of RFC 9052 section 4.4 for COSE_Sign1. */
  toBeSigned() {
    return sigStructure(this.protected, this.payload);
  }
}

/**
 * CBOR of ["Signature1", protected, h'', payload], written directly (no encoder pass).
 * @param {Uint8Array} protectedBytes
 * @param {Uint8Array} payload
 * @returns {Uint8Array}
 */
export function sigStructure(protectedBytes, payload) {
  const n1 = protectedBytes.length;
  const n2 = payload.length;
  const out = new Uint8Array(SIGNATURE1.length + headSize(n1) + n1 + 1 + headSize(n2) + n2);
  out.set(SIGNATURE1, 0);
  let p = writeBstrHead(out, SIGNATURE1.length, n1);
  out.set(protectedBytes, p);
  p += n1;
  out[p++] = 0x40; // external_aad: empty byte string
  p = writeBstrHead(out, p, n2);
  out.set(payload, p);
  return out;
}

function headSize(n) {
  return n < 24 ? 1 : n < 0x100 ? 2 : n < 0x10000 ? 3 : 5;
}

function writeBstrHead(out, p, n) {
  if (n < 24) {
    out[p++] = 0x40 | n;
  } else if (n < 0x100) {
    out[p++] = 0x58;
    out[p++] = n;
  } else if (n < 0x10000) {
    out[p++] = 0x59;
    out[p++] = n >> 8;
    out[p++] = n & 0xff;
  } else {
    out[p++] = 0x5a;
    out[p++] = n >>> 24;
    out[p++] = (n >> 16) & 0xff;
    out[p++] = (n >> 8) & 0xff;
    out[p++] = n & 0xff;
  }
  return p;
}

/**
 * Parse COSE_Sign1 bytes; throws CborError (not CBOR) or CoseError (wrong shape).
 * Accepts what real issuers produce: untagged, tag 18, tag 61 (CWT) around tag 18, and the
 * same tag twice (at most three tags).
 * @param {Uint8Array} data
 * @returns {Sign1}
 */
export function decodeSign1(data) {
  let item = cborDecode(data);
  const tags = [];
  while (item instanceof Tagged) {
    if ((item.tag !== TAG_COSE_SIGN1 && item.tag !== TAG_CWT) || tags.length >= 3) {
      throw new CoseError(`unexpected CBOR tag ${item.tag}`);
    }
    tags.push(item.tag);
    item = item.value;
  }
  if (!Array.isArray(item) || item.length !== 4) {
    throw new CoseError('COSE_Sign1 must be an array of 4 elements');
  }
  const [protectedBytes, unprotected, payload, signature] = item;
  if (!(protectedBytes instanceof Uint8Array)) {
    throw new CoseError('protected header must be a byte string');
  }
  if (!(unprotected instanceof Map)) throw new CoseError('unprotected header must be a map');
  if (!(payload instanceof Uint8Array)) {
    throw new CoseError('payload must be an attached byte string');
  }
  if (!(signature instanceof Uint8Array)) throw new CoseError('signature must be a byte string');
  let protectedHeader = new Map(); // RFC 9052: an empty bstr stands for an empty map
  if (protectedBytes.length) {
    try {
      protectedHeader = cborDecode(protectedBytes);
    } catch (error) {
      if (error instanceof CborError) throw new CoseError(`protected header: ${error.message}`);
      throw error;
    }
    if (!(protectedHeader instanceof Map)) {
      throw new CoseError('protected header must encode a map');
    }
  }
  return new Sign1(protectedBytes, protectedHeader, unprotected, payload, signature, tags);
}

/**
 * A header value as a number: integers as they are, floats by value (Python's `alg != -7`,
 * used for revocation lists, finds -7.0 equal), anything else NaN.
 * @param {*} alg
 * @returns {number}
 */
export function algNumber(alg) {
  if (typeof alg === 'number') return alg;
  if (alg instanceof CborFloat) return alg.valueOf();
  return NaN;
}

const ECDSA_SHA256 = Object.freeze({ name: 'ECDSA', hash: 'SHA-256' });
// RFC 8230: PSS with SHA-256, MGF1-SHA-256, salt length = hash length.
const PSS_SHA256 = Object.freeze({ name: 'RSA-PSS', saltLength: 32 });

/**
 * True if `signature` over `data` verifies with `key` under COSE `alg`. A key of the wrong
 * type for the algorithm (or a missing key) simply does not verify; never rejects.
 * @param {CryptoKey|null} key imported for 'ECDSA' P-256 or 'RSA-PSS' SHA-256
 * @param {number} alg
 * @param {Uint8Array} signature raw r||s for ES256
 * @param {Uint8Array} data
 * @returns {Promise<boolean>}
 */
export function verifySignature(key, alg, signature, data) {
  // Not an async function: the WebCrypto promise is handed on as it is (one hop less).
  try {
    if (key && alg === ALG_ES256 && key.algorithm.name === 'ECDSA' && signature.length === 64) {
      return crypto.subtle.verify(ECDSA_SHA256, key, signature, data).catch(never);
    }
    if (key && alg === ALG_PS256 && key.algorithm.name === 'RSA-PSS') {
      return crypto.subtle.verify(PSS_SHA256, key, signature, data).catch(never);
    }
  } catch {
    // fall through: whatever went wrong, the signature does not verify
  }
  return Promise.resolve(false);
}

const never = () => false;

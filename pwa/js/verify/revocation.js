/**
 * Signed, compact revocation lists (the server's /.well-known/fangang/revocations.cose).
 * Mirrors app/credentials/revocation.py.
 *
 * A list is a COSE_Sign1 (ES256, protected header {1: -7, 3: CONTENT_TYPE, 4: kid}) over the
 * CBOR map {1: 1 (version), 2: issued_at (uint seconds), 3: records (bstr)}; records are
 * 20 bytes each: SHA-256(card_id)[:16] || card expiry as uint32 big-endian seconds.
 */
import { CborError, CoseError, CredentialError } from './errors.js';
import { CborFloat, decode as cborDecode } from './cbor.js';
import { HEADER_CONTENT_TYPE, decodeSign1 } from './cose.js';
import { sha256 } from './sha256.js';
import { MAX_EPOCH_SECONDS } from './time.js';

export const CONTENT_TYPE = 'application/fangang-revocation+cbor';
export const VERSION = 1;
export const HASH_LENGTH = 16;
const RECORD = 20;

/**
 * The revocation hash of a card id: first 16 bytes of SHA-256(card_id).
 * @param {Uint8Array} cardId
 * @returns {Uint8Array}
 */
export function cardIdHash(cardId) {
  return sha256(cardId).subarray(0, HASH_LENGTH);
}

/**
 * Accept a 6-byte card id or an already computed 16-byte hash.
 * @param {Uint8Array} cardIdOrHash
 * @returns {Uint8Array}
 */
export function toHash(cardIdOrHash) {
  if (cardIdOrHash instanceof Uint8Array) {
    if (cardIdOrHash.length === 6) return cardIdHash(cardIdOrHash);
    if (cardIdOrHash.length === HASH_LENGTH) return cardIdOrHash;
  }
  throw new CredentialError('expected a 6-byte card id or a 16-byte revocation hash');
}

/** Python's `value == 1` for a decoded CBOR value (true and 1.0 are equal to 1 there). */
function equalsOne(value) {
  return value === 1 || value === true || (value instanceof CborFloat && value.valueOf() === 1);
}

/**
 * Parse without checking the signature (TrustStore.addRevocationList does that).
 * @param {Uint8Array} data
 * @returns {{sign1: import('./cose.js').Sign1, issuedAt: number,
 *   entries: Map<Uint8Array, number>}} issuedAt in epoch seconds; entries: hash -> expiry
 *   in epoch seconds
 */
export function parseRevocationList(data) {
  if (!(data instanceof Uint8Array)) throw new CredentialError('revocation list must be bytes');
  let sign1;
  let body;
  try {
    sign1 = decodeSign1(data);
    body = cborDecode(sign1.payload);
  } catch (error) {
    if (error instanceof CborError || error instanceof CoseError) {
      throw new CredentialError(`malformed revocation list: ${error.message}`);
    }
    throw error;
  }
  if (sign1.protectedHeader.get(HEADER_CONTENT_TYPE) !== CONTENT_TYPE) {
    throw new CredentialError('not a revocation list (content type)');
  }
  if (!(body instanceof Map) || !equalsOne(body.get(1))) {
    throw new CredentialError('unsupported revocation list version');
  }
  const issued = body.get(2);
  const records = body.get(3);
  if (typeof issued !== 'number' || !(issued >= 0 && issued <= MAX_EPOCH_SECONDS)) {
    throw new CredentialError('revocation list issued_at must be seconds since 1970');
  }
  if (!(records instanceof Uint8Array) || records.length % RECORD) {
    throw new CredentialError('revocation records must be a multiple of 20 bytes');
  }
  const entries = [];
  for (let p = 0; p < records.length; p += RECORD) {
    const r = records;
    const expires = ((r[p + 16] << 24) | (r[p + 17] << 16) | (r[p + 18] << 8) | r[p + 19]) >>> 0;
    entries.push([records.slice(p, p + HASH_LENGTH), expires]);
  }
  return { sign1, issuedAt: issued, entries };
}

/**
 * Our compact FG1 card claim inside the CWT claims, decoded to a friendly object.
 * Mirrors app/credentials/claims.py (see docs/credential-format.md).
 *
 * CWT claims map: 6 (iat) uint seconds, 4 (exp) uint seconds, -65537 card claim:
 *   [card_id bstr(6), card_type uint, status uint, quarantine_until days|null,
 *    name_masked tstr, id_last4 tstr, (destination uint|null), (departure days)]
 *
 * HC1 codes carry an EU DCC under claim -260 (key 1); dccType() names its kind, and
 * dccschema.js holds it to the EU DCC JSON schema.
 */
import { CborError } from './errors.js';
import { CborFloat } from './cbor.js';
import { toHex } from './keys.js';
import { MAX_EPOCH_SECONDS, secondsToUs, usToDate } from './time.js';

export const CLAIM_ISS = 1;
export const CLAIM_EXP = 4;
export const CLAIM_IAT = 6;
export const CLAIM_HCERT = -260; // EU DCC health certificate container
export const CARD_CLAIM = -65537; // private-use CWT claim key (RFC 8392: below -65536)

export const CARD_ID_LENGTH = 6;
const MAX_DAYS = 2932896; // 9999-12-31 as days since 1970

/** Card types and statuses by number, with the names the UI and the Python library use. */
export const CARD_TYPES = Object.freeze({ 1: 'card', 2: 'paper', 3: 'certificate' });
export const STATUSES = Object.freeze({ 1: 'green', 2: 'yellow', 3: 'red' });

/**
 * The decoded card claim.
 * @typedef {object} CardClaim
 * @property {Uint8Array} cardId
 * @property {number} cardType 1 card, 2 paper, 3 certificate
 * @property {number} status 1 green, 2 yellow, 3 red
 * @property {string} nameMasked
 * @property {string} idLast4
 * @property {number|null} quarantineUntil days since 1970
 * @property {number|null} destination GB/T 2260 region code
 * @property {number|null} departure days since 1970
 */

function isUint(value, limit) {
  return typeof value === 'number' && Number.isInteger(value) && value >= 0 && value <= limit;
}

function codePoints(text) {
  let n = 0;
  for (const _ of text) n++;
  return n;
}

/**
 * Check types and build a CardClaim; throws CborError on any mismatch (decoding checks types
 * only; issuing rules such as "name already masked" are the issuer's business).
 * @param {*} value the -65537 claim
 * @returns {CardClaim}
 */
export function cardFromCbor(value) {
  if (!Array.isArray(value) || value.length < 6 || value.length > 8) {
    throw new CborError('card claim must be an array of 6 to 8 elements');
  }
  const [cardId, cardType, status, quarantine, name, tail] = value;
  const destination = value.length > 6 ? value[6] : null;
  const departure = value.length > 7 ? value[7] : null;
  if (!(cardId instanceof Uint8Array) || cardId.length !== CARD_ID_LENGTH) {
    throw new CborError('card id must be a 6-byte string');
  }
  if (!isUint(cardType, 3) || cardType < 1) {
    throw new CborError(`unknown CardType: ${String(cardType)}`);
  }
  if (!isUint(status, 3) || status < 1) {
    throw new CborError(`unknown Status: ${String(status)}`);
  }
  // Lengths in code points, as Python counts them (a 4-byte UTF-8 character is one).
  if (typeof name !== 'string' || codePoints(name) > 16) {
    throw new CborError('masked name must be a short text string');
  }
  if (typeof tail !== 'string' || codePoints(tail) !== 4) {
    throw new CborError('id_last4 must be a 4-character text string');
  }
  if (destination !== null && !isUint(destination, 1e9)) {
    throw new CborError('destination must be an unsigned integer');
  }
  return {
    cardId,
    cardType,
    status,
    nameMasked: name,
    idLast4: tail,
    quarantineUntil: daysOrNull(quarantine, 'quarantine_until'),
    destination,
    departure: daysOrNull(departure, 'departure'),
  };
}

function daysOrNull(value, name) {
  if (value === null) return null;
  if (!isUint(value, MAX_DAYS)) throw new CborError(`${name} must be days since 1970 or null`);
  return value;
}

/** 'YYYY-MM-DD' of days since 1970 (a calendar date: no time zone to get wrong). */
export function daysToIsoDate(days) {
  // Civil-from-days (H. Hinnant), for days >= 0: arithmetic beats Date#toISOString here.
  const z = days + 719468;
  const era = Math.floor(z / 146097);
  const doe = z - era * 146097;
  const f = Math.floor;
  const yoe = f((doe - f(doe / 1460) + f(doe / 36524) - f(doe / 146096)) / 365);
  const doy = doe - (365 * yoe + f(yoe / 4) - f(yoe / 100));
  const mp = f((5 * doy + 2) / 153);
  const day = doy - f((153 * mp + 2) / 5) + 1;
  const month = mp < 10 ? mp + 3 : mp - 9;
  const year = yoe + era * 400 + (month <= 2 ? 1 : 0);
  const two = (n) => (n < 10 ? '0' : '') + n;
  return `${String(year).padStart(4, '0')}-${two(month)}-${two(day)}`;
}

/**
 * Read iat/exp: a finite number within datetime range. Some DCC issuers write floats; FG1
 * requires integers. Returns the seconds as a number.
 * @param {Map} claims
 * @param {number} key
 * @param {{integerOnly: boolean}} options
 * @returns {number}
 */
export function numericDate(claims, key, { integerOnly }) {
  const value = claims.get(key);
  let seconds;
  if (typeof value === 'number') seconds = value;
  else if (typeof value === 'bigint') seconds = Infinity; // beyond any datetime
  else if (value instanceof CborFloat && !integerOnly) seconds = value.valueOf();
  else throw new CborError(`claim ${key} must be a NumericDate`);
  if (!(Number.isFinite(seconds) && seconds >= 0 && seconds <= MAX_EPOCH_SECONDS)) {
    throw new CborError(`claim ${key} is out of range`);
  }
  return seconds;
}

/**
 * The friendly view of a card: names instead of numbers, hex card id, ISO dates.
 * @typedef {object} CardInfo
 * @property {string} cardId 12 hex digits
 * @property {'card'|'paper'|'certificate'} cardType
 * @property {'green'|'yellow'|'red'} status
 * @property {string|null} quarantineUntil 'YYYY-MM-DD'
 * @property {string} nameMasked e.g. '张*三'
 * @property {string} idLast4
 * @property {number|null} destination GB/T 2260 region code (certificates)
 * @property {string|null} departure 'YYYY-MM-DD' (certificates)
 * @property {Date|null} issuedAt
 * @property {Date|null} expiresAt
 */

/**
 * Friendly view of FG1 claims (Python's card_info). Throws CborError if the card claim is
 * malformed.
 * @param {Map} claims
 * @param {CardClaim} [card] the already decoded card claim of these claims
 * @returns {CardInfo}
 */
export function cardInfo(claims, card = cardFromCbor(claims.get(CARD_CLAIM))) {
  const time = (key) => {
    const v = claims.get(key);
    return typeof v === 'number' || v instanceof CborFloat ? usToDate(secondsToUs(+v)) : null;
  };
  return {
    cardId: toHex(card.cardId),
    cardType: CARD_TYPES[card.cardType],
    status: STATUSES[card.status],
    quarantineUntil: card.quarantineUntil === null ? null : daysToIsoDate(card.quarantineUntil),
    nameMasked: card.nameMasked,
    idLast4: card.idLast4,
    destination: card.destination,
    departure: card.departure === null ? null : daysToIsoDate(card.departure),
    issuedAt: time(CLAIM_IAT),
    expiresAt: time(CLAIM_EXP),
  };
}

/** The kinds of EU health certificate, as keys of the hcert: vaccination, test, recovery. */
export const DCC_TYPES = Object.freeze(['v', 't', 'r']);

// A member whose value is null counts as absent (CBOR undefined does not: it is no text,
// map or array, as in Python where it is not None).
function member(map, key) {
  return map.has(key) ? map.get(key) : null;
}

/**
 * The kind ('v', 't' or 'r') of an HC1's health certificate: the one of `v`, `t`, `r` that is
 * present (null members count as absent: schema 1.0.0 issuers wrote unused kinds as null,
 * BG/1); null when there is not exactly one. The key usage check needs it; whether the
 * certificate is well formed is dccschema.js's to say. Mirrors claims.dcc_type in Python.
 * @param {Map} claims with claims.get(-260).get(1) a Map
 * @returns {string|null}
 */
export function dccType(claims) {
  const hcert = claims.get(CLAIM_HCERT).get(1);
  const kinds = DCC_TYPES.filter((kind) => member(hcert, kind) !== null);
  return kinds.length === 1 ? kinds[0] : null;
}

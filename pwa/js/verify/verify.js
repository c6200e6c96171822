/**
 * Decoding and verification of FG1 (our cards) and HC1 (EU DCC) QR texts, offline.
 * Mirrors app/credentials/verify.py step by step, with the same reason codes:
 *
 *   prefix (bad_prefix) -> base45 (bad_base45) -> zlib, HC1 only (bad_compression)
 *   -> COSE_Sign1 (bad_cbor / bad_cose) -> CWT claims (bad_cbor)
 *   -> alg (unsupported_alg) -> kid (unknown_kid) -> signature (bad_signature)
 *   -> DCC type allowed for the key, HC1 only (wrong_key_usage)
 *   -> EU DCC JSON schema of its `ver`, HC1 only (bad_schema, dccschema.js)
 *   -> iat (not_yet_valid) -> exp (expired) -> revocation, FG1 only (revoked) -> ok
 * The schema comes after the signature, as in the EU verifiers: a forged code reads as forged.
 */
import {
  Base45Error,
  CborError,
  CoseError,
  CredentialError,
  InflateError,
  SchemaError,
} from './errors.js';
import { decode as base45Decode } from './base45.js';
import { decode as cborDecode } from './cbor.js';
import { ALG_ES256, ALG_PS256, decodeSign1 } from './cose.js';
import { inflate } from './inflate.js';
import {
  CARD_CLAIM,
  CLAIM_EXP,
  CLAIM_HCERT,
  CLAIM_IAT,
  cardFromCbor,
  cardInfo,
  dccType,
  numericDate,
} from './claims.js';
import { checkHcert as checkHcertSchema, loadSchemas } from './dccschema.js';
import { b64urlEncode } from './keys.js';
import { secondsToUs, toUs, usToDate } from './time.js';

const LATEST_OFFSET_MS = 14 * 3600 * 1000;

export const FG1_PREFIX = 'FG1:';
export const HC1_PREFIX = 'HC1:';

export const REASONS = Object.freeze([
  'ok',
  'bad_prefix',
  'bad_base45',
  'bad_compression',
  'bad_cbor',
  'bad_cose',
  'unsupported_alg',
  'unknown_kid',
  'bad_signature',
  'wrong_key_usage',
  'bad_schema',
  'not_yet_valid',
  'expired',
  'revoked',
]);

/** A version 40 QR code holds at most 4296 alphanumeric characters. */
export const MAX_TEXT_LENGTH = 4296;
/** Phones at checkpoints drift: a card issued this far "in the future" is still accepted. */
export const DEFAULT_CLOCK_SKEW_MS = 5 * 60 * 1000;

const ALLOWED_ALGS = Object.freeze({
  FG1: new Set([ALG_ES256]),
  HC1: new Set([ALG_ES256, ALG_PS256]),
});

/** A QR text that does not decode; `reason` is one of REASONS. */
export class DecodeError extends CredentialError {
  /** @param {string} reason @param {string} detail */
  constructor(reason, detail) {
    super(`${reason}: ${detail}`);
    this.reason = reason;
    this.detail = detail;
  }
}

/**
 * A decoded (not verified) credential.
 * @typedef {object} Decoded
 * @property {'FG1'|'HC1'} kind
 * @property {Uint8Array} cose
 * @property {import('./cose.js').Sign1} sign1
 * @property {Map} claims
 * @property {number} issuedAtUs
 * @property {number} expiresAtUs
 * @property {import('./claims.js').CardClaim|null} card
 */

/**
 * The outcome of verify(). claims/card/issuer are set only when the signature verified.
 * @typedef {object} VerificationResult
 * @property {boolean} valid
 * @property {string} reason one of REASONS
 * @property {string} detail why, in English, for logs and support (not for the UI)
 * @property {'FG1'|'HC1'|null} kind
 * @property {string|null} kid base64url
 * @property {string|null} issuer the signer's region code, else its name
 * @property {string|null} region
 * @property {string|null} issuerName
 * @property {Map|null} claims the CWT claims (CBOR values, see cbor.js)
 * @property {import('./claims.js').CardInfo|null} card FG1 only
 * @property {Date|null} issuedAt
 * @property {Date|null} expiresAt
 * @property {{version: string, note?: string, path?: string, rule?: string}|null} schema HC1:
 *   the schema release used, and on bad_schema the path and rule of the violation
 */

// Everything up to the COSE bytes, without awaiting anything: FG1 is never compressed.
function prefixAndBase45(qrText) {
  if (typeof qrText !== 'string') throw new DecodeError('bad_prefix', 'QR content must be text');
  let kind;
  if (qrText.startsWith(FG1_PREFIX)) kind = 'FG1';
  else if (qrText.startsWith(HC1_PREFIX)) kind = 'HC1';
  else throw new DecodeError('bad_prefix', `unknown prefix ${JSON.stringify(qrText.slice(0, 4))}`);
  if (qrText.length > MAX_TEXT_LENGTH) {
    throw new DecodeError('bad_base45', 'longer than any QR code can hold');
  }
  try {
    return { kind, raw: base45Decode(qrText.slice(FG1_PREFIX.length)) };
  } catch (error) {
    if (error instanceof Base45Error) throw new DecodeError('bad_base45', error.message);
    throw error;
  }
}

async function inflateOrFail(raw) {
  try {
    return await inflate(raw);
  } catch (error) {
    if (error instanceof InflateError) throw new DecodeError('bad_compression', error.message);
    throw error;
  }
}

function decodeCose(kind, coseBytes) {
  let sign1;
  try {
    sign1 = decodeSign1(coseBytes);
  } catch (error) {
    if (error instanceof CborError) throw new DecodeError('bad_cbor', error.message);
    if (error instanceof CoseError) throw new DecodeError('bad_cose', error.message);
    throw error;
  }
  const kid = sign1.kid;
  if (kid !== null && !(kid instanceof Uint8Array)) {
    throw new DecodeError('bad_cose', 'kid must be a byte string');
  }
  try {
    const claims = cborDecode(sign1.payload);
    if (!(claims instanceof Map)) throw new CborError('CWT claims must be a map');
    const integerOnly = kind === 'FG1';
    const iat = numericDate(claims, CLAIM_IAT, { integerOnly });
    const exp = numericDate(claims, CLAIM_EXP, { integerOnly });
    let card = null;
    if (kind === 'FG1') card = cardFromCbor(claims.get(CARD_CLAIM));
    else checkHcert(claims);
    return {
      kind,
      cose: coseBytes,
      sign1,
      claims,
      issuedAtUs: secondsToUs(iat),
      expiresAtUs: secondsToUs(exp),
      card,
    };
  } catch (error) {
    if (error instanceof CborError) throw new DecodeError('bad_cbor', error.message);
    throw error;
  }
}

/** HC1 must carry the DCC container: claim -260 = {1: <certificate map>}. */
function checkHcert(claims) {
  const hcert = claims.get(CLAIM_HCERT);
  if (!(hcert instanceof Map) || !(hcert.get(1) instanceof Map)) {
    throw new CborError('HC1 claims need -260 (hcert) holding a map under key 1');
  }
}

/**
 * Decode a FG1/HC1 text down to its claims, without any signature or time check.
 * Rejects with DecodeError whose `reason` names the failing step.
 * @param {string} qrText
 * @returns {Promise<Decoded>}
 */
export async function decode(qrText) {
  const { kind, raw } = prefixAndBase45(qrText);
  return decodeCose(kind, kind === 'HC1' ? await inflateOrFail(raw) : raw);
}

/**
 * The CWT claims of a FG1/HC1 text, unverified (debugging).
 * @param {string} qrText
 * @returns {Promise<Map>}
 */
export async function decodePayload(qrText) {
  return (await decode(qrText)).claims;
}

function result(valid, reason, detail = '', fields = NO_FIELDS) {
  return {
    valid,
    reason,
    detail,
    kind: fields.kind ?? null,
    kid: fields.kid ?? null,
    issuer: fields.issuer ?? null,
    region: fields.region ?? null,
    issuerName: fields.issuerName ?? null,
    claims: fields.claims ?? null,
    card: fields.card ?? null,
    issuedAt: fields.issuedAt ?? null,
    expiresAt: fields.expiresAt ?? null,
    schema: fields.schema ?? null,
  };
}

const NO_FIELDS = Object.freeze({});

/**
 * Verify a scanned QR text against a trust store at `now`. Never throws: every failure is a
 * result with valid false and one of REASONS. `expired` means now > exp (exp itself is still
 * valid); `not_yet_valid` means iat > now + 5 minutes.
 * @param {string} qrText
 * @param {import('./trust.js').TrustStore} store
 * @param {Date|number} [now] a Date or epoch milliseconds; default: the current time
 * @param {{clockSkewMs?: number}} [options]
 * @returns {Promise<VerificationResult>}
 */
export async function verify(qrText, store, now = new Date(), options = {}) {
  try {
    return await verifyOrThrow(qrText, store, now, options.clockSkewMs ?? DEFAULT_CLOCK_SKEW_MS);
  } catch (error) {
    // The contract is: never throw, whatever the input.
    return result(false, 'bad_cose', `internal error: ${error?.message ?? error}`);
  }
}

async function verifyOrThrow(qrText, store, now, clockSkewMs) {
  const momentUs = toUs(now);
  let decoded;
  try {
    const { kind, raw } = prefixAndBase45(qrText);
    decoded = decodeCose(kind, kind === 'HC1' ? await inflateOrFail(raw) : raw);
  } catch (error) {
    if (error instanceof DecodeError) return result(false, error.reason, error.detail);
    throw error;
  }
  const { sign1, kind, card } = decoded;
  const kid = sign1.kid instanceof Uint8Array ? sign1.kid : null;
  const base = {
    kind,
    kid: kid === null ? null : b64urlEncode(kid),
    issuedAt: usToDate(decoded.issuedAtUs),
    expiresAt: usToDate(decoded.expiresAtUs),
  };
  const dcc = kind === 'HC1' ? dccType(decoded.claims) : null;
  // An integer, as in Python (`type(alg) is int`): no float -7.0, no bool, no array. CBOR
  // integers decode to plain numbers; floats are CborFloat objects.
  const alg = sign1.alg;
  if (typeof alg !== 'number' || !ALLOWED_ALGS[kind].has(alg)) {
    return result(false, 'unsupported_alg', `alg ${String(alg)} not allowed in ${kind}`, base);
  }
  const { entry, reason, detail } = await store.checkSignature(sign1, alg, {
    issuedAtUs: decoded.issuedAtUs,
    cardType: card ? card.cardType : null,
  });
  if (entry === null) return result(false, reason, detail, base);
  // Genuine: from here on the result names the issuer and shows the card, even when the
  // card is refused (the UI may say whose card it is).
  base.issuer = entry.region || entry.name || null;
  base.region = entry.region;
  base.issuerName = entry.name;
  base.claims = decoded.claims;
  base.card = card === null ? null : cardInfo(decoded.claims, card);
  // A genuine signature by a key that may not sign this kind of certificate (its DSC's
  // extended key usage names other kinds): checked once the signature is known good.
  if (dcc !== null && !entry.maySignDcc(dcc)) {
    const allowed = [...entry.dccTypes].sort().join(', ');
    return result(false, 'wrong_key_usage', `key may sign DCC types ${allowed}, not ${dcc}`, base);
  }
  if (kind === 'HC1') {
    // A child born "today" in UTC+14 is born tomorrow in UTC: the issue day where it is latest.
    const day = new Date(Math.floor(decoded.issuedAtUs / 1000) + LATEST_OFFSET_MS);
    const issuedOn = { year: day.getUTCFullYear(), month: day.getUTCMonth() + 1, day: day.getUTCDate() };
    try {
      const passed = checkHcertSchema(decoded.claims.get(CLAIM_HCERT).get(1), await loadSchemas(), issuedOn);
      base.schema = passed;
    } catch (error) {
      if (!(error instanceof SchemaError)) throw error;
      base.schema = { version: error.version, path: error.path, rule: error.rule };
      return result(false, 'bad_schema', error.message, base);
    }
  }
  if (decoded.issuedAtUs > momentUs + clockSkewMs * 1000) {
    return result(false, 'not_yet_valid', 'issued in the future', base);
  }
  if (momentUs > decoded.expiresAtUs) return result(false, 'expired', 'past its exp', base);
  if (card !== null && store.isRevoked(card.cardId)) {
    return result(false, 'revoked', 'card id is on a revocation list', base);
  }
  return result(true, 'ok', base.schema ? base.schema.note : '', base);
}

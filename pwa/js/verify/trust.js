/**
 * The keys a verifier trusts and the cards it knows revoked, loaded from the server's signed
 * trust list and revocation list. Mirrors app/credentials/trust.py and trustlist.py.
 *
 * Keys are imported as CryptoKeys once, when an entry is added; a scan only looks up the kid
 * and calls crypto.subtle.verify.
 */
import { CredentialError, SignatureError } from './errors.js';
import { ALG_ES256, algNumber, verifySignature } from './cose.js';
import {
  b64DecodeAny,
  b64urlEncode,
  binaryKey,
  importJwk,
  parseCertificate,
  toHex,
} from './keys.js';
import { CARD_TYPES, DCC_TYPES } from './claims.js';
import { cardIdHash, parseRevocationList, toHash } from './revocation.js';
import { formatIso, parseTimeUs, secondsToUs, toUs, usToDate } from './time.js';

const CARD_TYPE_NUMBERS = Object.freeze({ card: 1, paper: 2, certificate: 3 });

function cardTypeNumber(value) {
  if (typeof value === 'string' && value.toLowerCase() in CARD_TYPE_NUMBERS) {
    return CARD_TYPE_NUMBERS[value.toLowerCase()];
  }
  if (Number.isInteger(value) && value in CARD_TYPES) return value;
  throw new CredentialError(`unknown CardType: ${JSON.stringify(value)}`);
}

function dccTypeSet(values) {
  if (values === undefined || values === null) return null;
  if (!Array.isArray(values) && !(values instanceof Set)) {
    throw new CredentialError("dcc_types must be a list of 'v', 't', 'r'");
  }
  const set = new Set(values);
  for (const value of set) {
    if (!DCC_TYPES.includes(value)) {
      throw new CredentialError(`unknown DCC type ${JSON.stringify(value)}`);
    }
  }
  return set;
}

function timeUs(value) {
  if (value === undefined || value === null) return null;
  if (typeof value === 'string') return parseTimeUs(value);
  return toUs(value);
}

function asKidBytes(kid) {
  return typeof kid === 'string' ? b64DecodeAny(kid) : kid;
}

/**
 * Metadata of a trusted key.
 * @typedef {object} TrustMeta
 * @property {string|number} [region] GB/T 2260 code of the issuing region
 * @property {string} [name] the issuer's name
 * @property {Date|string|number} [notBefore] earliest iat the key may sign
 * @property {Date|string|number} [notAfter] latest iat the key may sign
 * @property {Array<number|string>} [cardTypes] card types the key may sign (default: any)
 * @property {Array<string>} [dccTypes] EU DCC kinds the key may sign: 'v' vaccination,
 *   't' test, 'r' recovery (default: any; for a certificate, what its EKU allows)
 */

/**
 * One trusted public key and what it may sign. notBefore/notAfter bound the *issuing* time
 * (iat) of what the key signs, not the time of verification: a retired key keeps verifying
 * the cards it signed while it was active.
 */
export class TrustEntry {
  /**
   * @param {Uint8Array} kid
   * @param {import('./keys.js').PublicKey} publicKey
   * @param {TrustMeta} [meta]
   */
  constructor(kid, publicKey, meta = {}) {
    this.kid = Uint8Array.from(kid);
    this.kidB64 = b64urlEncode(this.kid);
    this.key = publicKey.key; // CryptoKey, or null: trusted but unusable here
    this.kty = publicKey.kty;
    this.keyId = publicKey.id;
    this.jwk = publicKey.jwk;
    this.region = meta.region === undefined || meta.region === null ? null : String(meta.region);
    this.name = meta.name ?? null;
    this.notBeforeUs = timeUs(meta.notBefore);
    this.notAfterUs = timeUs(meta.notAfter);
    this.cardTypes = meta.cardTypes ? new Set([...meta.cardTypes].map(cardTypeNumber)) : null;
    this.dccTypes = dccTypeSet(meta.dccTypes);
  }

  get notBefore() {
    return this.notBeforeUs === null ? null : usToDate(this.notBeforeUs);
  }

  get notAfter() {
    return this.notAfterUs === null ? null : usToDate(this.notAfterUs);
  }

  /**
   * An entry for a JWK; its "kid" (base64 or base64url) is required.
   * @param {object} jwk
   * @param {TrustMeta} [meta]
   * @returns {Promise<TrustEntry>}
   */
  static async fromJwk(jwk, meta = {}) {
    if (!jwk || typeof jwk !== 'object' || !('kid' in jwk)) {
      throw new CredentialError('JWK needs a kid');
    }
    const kid = b64DecodeAny(jwk.kid);
    return new TrustEntry(kid, await importJwk(jwk), meta);
  }

  /**
   * An entry for an X.509 certificate (DER bytes or PEM text); kid = SHA-256(DER)[:8], name
   * defaults to the subject CN. The certificate's own validity is deliberately not used as
   * the issuing window (real DCC issuers sign before their certificate's notBefore). Its DCC
   * key-usage OIDs do restrict the key: dccTypes is what the certificate allows, narrowed
   * (never widened) by an explicit meta.dccTypes.
   * @param {Uint8Array|string} data
   * @param {TrustMeta} [meta]
   * @returns {Promise<TrustEntry>}
   */
  static async fromCertificate(data, meta = {}) {
    const cert = parseCertificate(data);
    let publicKey = { key: null, kty: 'unsupported', id: `cert:${toHex(cert.kid)}`, jwk: null };
    if (cert.jwk) {
      try {
        publicKey = await importJwk(cert.jwk);
      } catch {
        // A key WebCrypto refuses stays trusted (kid known) but never verifies.
      }
    }
    const explicit = dccTypeSet(meta.dccTypes);
    let dccTypes = cert.dccTypes;
    if (explicit !== null) {
      dccTypes = dccTypes === null ? [...explicit] : dccTypes.filter((kind) => explicit.has(kind));
    }
    return new TrustEntry(cert.kid, publicKey, { ...meta, name: meta.name ?? cert.name, dccTypes });
  }

  /**
   * Inverse of the trust-list form; the entry's kid must match its JWK's kid.
   * @param {object} doc
   * @returns {Promise<TrustEntry>}
   */
  static async fromJson(doc) {
    try {
      if (!doc || typeof doc !== 'object' || !doc.jwk || typeof doc.jwk !== 'object') {
        throw new CredentialError('invalid trust entry: no jwk');
      }
      const jwk = { ...doc.jwk };
      if (!('kid' in jwk)) jwk.kid = doc.kid;
      if (toHex(b64DecodeAny(jwk.kid)) !== toHex(b64DecodeAny(doc.kid))) {
        throw new CredentialError('trust entry kid differs from its JWK kid');
      }
      return await TrustEntry.fromJwk(jwk, {
        region: doc.region,
        name: doc.name,
        notBefore: doc.not_before || null,
        notAfter: doc.not_after || null,
        cardTypes: doc.card_types ?? null,
        dccTypes: doc.dcc_types ?? null,
      });
    } catch (error) {
      if (error instanceof CredentialError) throw error;
      throw new CredentialError(`invalid trust entry: ${error.message}`);
    }
  }

  /**
   * Why this key may not vouch for a credential issued at `issuedAtUs`, or null.
   * @param {number|null} issuedAtUs
   * @param {number|null} cardType
   * @returns {string|null}
   */
  refusal(issuedAtUs, cardType) {
    if (issuedAtUs !== null) {
      const issued = `issued ${formatIso(issuedAtUs)}`;
      if (this.notBeforeUs !== null && issuedAtUs < this.notBeforeUs) {
        return `${issued}, before the key's not_before ${formatIso(this.notBeforeUs)}`;
      }
      if (this.notAfterUs !== null && issuedAtUs > this.notAfterUs) {
        return `${issued}, after the key's not_after ${formatIso(this.notAfterUs)}`;
      }
    }
    if (cardType !== null && this.cardTypes !== null && !this.cardTypes.has(cardType)) {
      return `key may not sign card type ${cardType}`;
    }
    return null;
  }

  /**
   * Whether this key may sign an EU DCC of this kind ('v', 't' or 'r').
   * @param {string} dccType
   * @returns {boolean}
   */
  maySignDcc(dccType) {
    return this.dccTypes === null || this.dccTypes.has(dccType);
  }

  /** The trust-list form (members that are null are left out). */
  toJson() {
    const doc = {
      kid: this.kidB64,
      jwk: this.jwk ? { ...this.jwk, kid: this.kidB64 } : null,
      region: this.region,
      name: this.name,
      not_before: this.notBeforeUs === null ? null : formatIso(this.notBeforeUs),
      not_after: this.notAfterUs === null ? null : formatIso(this.notAfterUs),
      card_types: this.cardTypes === null ? null : [...this.cardTypes].sort(),
      dcc_types: this.dccTypes === null ? null : [...this.dccTypes].sort(),
    };
    return Object.fromEntries(Object.entries(doc).filter(([, v]) => v !== null));
  }
}

/** The keys a verifier trusts (several may share a kid) and the cards it knows revoked. */
export class TrustStore {
  constructor() {
    /** @type {Map<string, TrustEntry[]>} binary kid -> entries */
    this._entries = new Map();
    /** @type {Map<string, number|null>} binary hash -> card expiry (µs) */
    this._revoked = new Map();
    /** @type {Array<{issuedAt: Date, kid: string, count: number}>} lists merged so far */
    this.revocationLists = [];
  }

  // -- keys -------------------------------------------------------------------------------

  /**
   * Add (or replace: same kid and same key) an entry; returns its kid.
   * @param {TrustEntry} entry
   * @returns {Uint8Array}
   */
  addEntry(entry) {
    const key = binaryKey(entry.kid);
    const sameKid = (this._entries.get(key) ?? []).filter((e) => e.keyId !== entry.keyId);
    sameKid.push(entry);
    this._entries.set(key, sameKid);
    return entry.kid;
  }

  /**
   * Trust an EC P-256 or RSA JWK; kid from its "kid" member (base64/base64url).
   * @param {object} jwk
   * @param {TrustMeta} [meta]
   * @returns {Promise<Uint8Array>}
   */
  async addJwk(jwk, meta = {}) {
    return this.addEntry(await TrustEntry.fromJwk(jwk, meta));
  }

  /**
   * Trust an X.509 certificate (DER bytes or PEM text); kid = SHA-256(DER)[:8].
   * @param {Uint8Array|string} data
   * @param {TrustMeta} [meta]
   * @returns {Promise<Uint8Array>}
   */
  async addCertificate(data, meta = {}) {
    return this.addEntry(await TrustEntry.fromCertificate(data, meta));
  }

  /** @param {Uint8Array|string} kid bytes or base64(url) */
  remove(kid) {
    this._entries.delete(binaryKey(asKidBytes(kid)));
  }

  /**
   * Entries with this kid, or all entries.
   * @param {Uint8Array|string} [kid]
   * @returns {TrustEntry[]}
   */
  entries(kid) {
    if (kid !== undefined) return [...(this._entries.get(binaryKey(asKidBytes(kid))) ?? [])];
    return [...this._entries.values()].flat();
  }

  /** @param {Uint8Array|string} kid */
  has(kid) {
    return this._entries.has(binaryKey(asKidBytes(kid)));
  }

  get size() {
    let n = 0;
    for (const group of this._entries.values()) n += group.length;
    return n;
  }

  /**
   * The first trusted key that verifies the message: {entry, reason: 'ok'}, else
   * {entry: null, reason: 'unknown_kid'|'bad_signature', detail}. Every key with the kid is
   * tried: kids are only 8 bytes and real trust lists contain collisions.
   * @param {import('./cose.js').Sign1} sign1
   * @param {number} alg
   * @param {{issuedAtUs?: number|null, cardType?: number|null}} [context]
   * @returns {Promise<{entry: TrustEntry|null, reason: string, detail: string}>}
   */
  async checkSignature(sign1, alg, { issuedAtUs = null, cardType = null } = {}) {
    const kid = sign1.kid;
    if (!(kid instanceof Uint8Array) || kid.length === 0) {
      return { entry: null, reason: 'unknown_kid', detail: 'no kid in the COSE headers' };
    }
    const candidates = this._entries.get(binaryKey(kid));
    if (!candidates || candidates.length === 0) {
      return {
        entry: null,
        reason: 'unknown_kid',
        detail: `no trusted key with kid ${b64urlEncode(kid)}`,
      };
    }
    const usable = [];
    let firstRefusal = null;
    for (const entry of candidates) {
      const why = entry.refusal(issuedAtUs, cardType);
      if (why === null) usable.push(entry);
      else if (firstRefusal === null) firstRefusal = why;
    }
    if (usable.length === 0) {
      return {
        entry: null,
        reason: 'unknown_kid',
        detail: `trusted key not valid for this credential: ${firstRefusal}`,
      };
    }
    const data = sign1.toBeSigned();
    for (const entry of usable) {
      if (await verifySignature(entry.key, alg, sign1.signature, data)) {
        return { entry, reason: 'ok', detail: '' };
      }
    }
    return {
      entry: null,
      reason: 'bad_signature',
      detail: `signature does not verify with kid ${b64urlEncode(kid)}`,
    };
  }

  // -- trust lists ------------------------------------------------------------------------

  /**
   * Check a signed trust list against root keys and add its entries; returns their kids.
   * Throws SignatureError / CredentialError and adds nothing if the list is bad.
   * @param {object} doc the parsed JSON of /.well-known/fangang/trust-list.json
   * @param {Array<object|CryptoKey|TrustEntry|TrustStore>} rootKeys JWKs (kid optional),
   *   ECDSA P-256 CryptoKeys, trust entries or stores
   * @param {{now?: Date|number}} [options] moment for the list's expiry (default: now)
   * @returns {Promise<Uint8Array[]>}
   */
  async loadTrustList(doc, rootKeys, options = {}) {
    const entries = await verifyTrustList(doc, rootKeys, options);
    return entries.map((entry) => this.addEntry(entry));
  }

  /**
   * A new store holding a verified trust list's entries.
   * @returns {Promise<TrustStore>}
   */
  static async fromTrustList(doc, rootKeys, options = {}) {
    const store = new TrustStore();
    await store.loadTrustList(doc, rootKeys, options);
    return store;
  }

  // -- revocation -------------------------------------------------------------------------

  /**
   * Mark a card revoked locally: a 6-byte card id or its 16-byte revocation hash.
   * @param {Uint8Array} cardIdOrHash
   * @param {Date|number|null} [expiresAt]
   */
  revoke(cardIdOrHash, expiresAt = null) {
    this._revoked.set(binaryKey(toHash(cardIdOrHash)), expiresAt === null ? null : toUs(expiresAt));
  }

  /**
   * @param {Uint8Array} cardId
   * @returns {boolean}
   */
  isRevoked(cardId) {
    return this._revoked.size > 0 && this._revoked.has(binaryKey(cardIdHash(cardId)));
  }

  /**
   * Verify a signed revocation list with this store's keys and merge its entries (entries
   * already expired at options.now are skipped). Returns the number merged.
   * Throws SignatureError on a bad signature, CredentialError on a malformed list.
   * @param {Uint8Array|ArrayBuffer} data the bytes of /.well-known/fangang/revocations.cose
   * @param {{now?: Date|number}} [options]
   * @returns {Promise<number>}
   */
  async addRevocationList(data, options = {}) {
    const bytes = data instanceof ArrayBuffer ? new Uint8Array(data) : data;
    const parsed = parseRevocationList(bytes);
    const { sign1 } = parsed;
    if (algNumber(sign1.alg) !== ALG_ES256 || typeof sign1.alg === 'boolean') {
      throw new SignatureError('revocation lists must be signed with ES256');
    }
    const issuedAtUs = secondsToUs(parsed.issuedAt);
    const { entry, reason, detail } = await this.checkSignature(sign1, ALG_ES256, { issuedAtUs });
    if (entry === null) throw new SignatureError(`revocation list rejected (${reason}): ${detail}`);
    const cutoff = options.now === undefined || options.now === null ? null : toUs(options.now);
    let merged = 0;
    for (const [hash, expiresSeconds] of parsed.entries) {
      const expiresUs = expiresSeconds * 1e6;
      if (cutoff !== null && expiresUs < cutoff) continue;
      this._revoked.set(binaryKey(hash), expiresUs);
      merged++;
    }
    this.revocationLists.push({ issuedAt: usToDate(issuedAtUs), kid: entry.kidB64, count: merged });
    return merged;
  }

  /** Revoked hashes (hex) with the card expiry each was listed with (null: unknown). */
  revokedHashes() {
    const out = new Map();
    for (const [key, us] of this._revoked) {
      const bytes = Uint8Array.from(key, (c) => c.charCodeAt(0));
      out.set(toHex(bytes), us === null ? null : usToDate(us));
    }
    return out;
  }
}

// -- the signed trust-list document ---------------------------------------------------------

export const TRUST_LIST_FORMAT = 'fangang-trust-list';
export const TRUST_LIST_VERSION = 1;

const LONE_SURROGATE = /[\uD800-\uDBFF](?![\uDC00-\uDFFF])|(?<![\uD800-\uDBFF])[\uDC00-\uDFFF]/;

/**
 * RFC 8785 (JCS) canonical JSON for the subset the trust list uses: objects with ASCII keys,
 * arrays, strings, safe integers, booleans, null. For that subset JCS is: keys sorted, no
 * whitespace, JSON.stringify's escaping, UTF-8 (exactly what Python's canonical_json writes).
 * @param {*} value
 * @returns {string}
 */
export function canonicalJson(value) {
  if (value === null || typeof value === 'boolean') return JSON.stringify(value);
  if (typeof value === 'number') {
    if (!Number.isSafeInteger(value)) {
      throw new CredentialError('only safe integers are allowed in signed JSON');
    }
    return JSON.stringify(value);
  }
  if (typeof value === 'string') {
    if (LONE_SURROGATE.test(value)) throw new CredentialError('lone surrogate in string');
    return JSON.stringify(value);
  }
  if (Array.isArray(value)) return `[${value.map(canonicalJson).join(',')}]`;
  if (typeof value === 'object') {
    const keys = Object.keys(value).sort();
    for (const key of keys) {
      if (!/^[\x00-\x7f]*$/.test(key)) throw new CredentialError('keys must be ASCII strings');
    }
    return `{${keys.map((k) => `${JSON.stringify(k)}:${canonicalJson(value[k])}`).join(',')}}`;
  }
  throw new CredentialError(`${typeof value} is not JSON`);
}

const utf8 = new TextEncoder();
const strictUtf8 = new TextDecoder('utf-8', { fatal: true });

async function rootKeys(roots) {
  const out = [];
  for (const root of roots) {
    if (root instanceof TrustStore) {
      for (const entry of root.entries()) out.push({ kid: entry.kid, key: entry.key });
    } else if (root instanceof TrustEntry) {
      out.push({ kid: root.kid, key: root.key });
    } else if (typeof CryptoKey !== 'undefined' && root instanceof CryptoKey) {
      out.push({ kid: null, key: root });
    } else if (root && typeof root === 'object' && typeof root.kty === 'string') {
      const kid = 'kid' in root ? b64DecodeAny(root.kid) : null;
      out.push({ kid, key: (await importJwk(root)).key });
    } else {
      throw new CredentialError('cannot use this as a root key');
    }
  }
  return out;
}

function sameBytes(a, b) {
  return a.length === b.length && a.every((v, i) => v === b[i]);
}

/**
 * Check a trust list's detached JWS (ES256 over the canonical JSON of the document without
 * "signature") and its expiry; return its entries, keys imported. Throws SignatureError or
 * CredentialError.
 * @param {object} doc
 * @param {Array<object|CryptoKey|TrustEntry|TrustStore>} roots
 * @param {{now?: Date|number}} [options]
 * @returns {Promise<TrustEntry[]>}
 */
export async function verifyTrustList(doc, roots, options = {}) {
  if (!doc || typeof doc !== 'object' || typeof doc.signature !== 'string') {
    throw new CredentialError('trust list has no signature');
  }
  const parts = doc.signature.split('.');
  if (parts.length !== 3 || parts[1] !== '') {
    throw new SignatureError('signature must be a detached compact JWS (header..signature)');
  }
  let header;
  let signature;
  try {
    header = JSON.parse(strictUtf8.decode(b64DecodeAny(parts[0])));
    signature = b64DecodeAny(parts[2]);
  } catch (error) {
    throw new SignatureError(`unreadable JWS: ${error.message}`);
  }
  if (!header || typeof header !== 'object' || Array.isArray(header) || header.alg !== 'ES256') {
    throw new SignatureError('trust lists must be signed with ES256');
  }
  const headerKid = 'kid' in header ? b64DecodeAny(header.kid) : null;
  const { signature: _, ...unsigned } = doc;
  const payload = utf8.encode(canonicalJson(unsigned));
  const signingInput = utf8.encode(`${parts[0]}.${b64urlEncode(payload)}`);
  let verified = false;
  for (const { kid, key } of await rootKeys(roots)) {
    if (headerKid !== null && kid !== null && !sameBytes(kid, headerKid)) continue;
    if (await verifySignature(key, ALG_ES256, signature, signingInput)) {
      verified = true;
      break;
    }
  }
  if (!verified) throw new SignatureError('trust list signature does not verify with any root key');
  if (doc.format !== TRUST_LIST_FORMAT || doc.version !== TRUST_LIST_VERSION) {
    throw new CredentialError('unsupported trust-list format');
  }
  if ('expires_at' in doc && toUs(options.now) > parseTimeUs(doc.expires_at)) {
    throw new CredentialError(`trust list expired at ${doc.expires_at}`);
  }
  if (!Array.isArray(doc.keys)) throw new CredentialError('trust list has no keys');
  const entries = [];
  for (const item of doc.keys) entries.push(await TrustEntry.fromJson(item));
  return entries;
}

// Test helpers: issue FG1 cards, COSE messages, trust lists and revocation lists in
// JavaScript (WebCrypto), so the node tests do not need Python. The cross-check against the
// Python issuer is tests/js/test_js_python_agree.py.
import { deflateSync } from 'node:zlib';

import { encode as base45Encode } from '../../pwa/js/verify/base45.js';
import { Tagged, encode as cborEncode } from '../../pwa/js/verify/cbor.js';
import { sigStructure } from '../../pwa/js/verify/cose.js';
import { b64urlEncode, binaryKey, computeKid } from '../../pwa/js/verify/keys.js';
import { canonicalJson } from '../../pwa/js/verify/trust.js';

export const NOW = new Date('2020-02-20T08:00:00Z');
export const NOW_S = NOW.getTime() / 1000;
export const DAY = 86400;
export const CARD_ID = Uint8Array.from([0xa1, 0xb2, 0xc3, 0xd4, 0xe5, 0xf6]);
export const WULING = 430702;

const subtle = globalThis.crypto.subtle;
const utf8 = new TextEncoder();
let counter = 0;

/** A P-256 key pair with an 8-byte kid and its public JWK (kid included). */
export async function makeSigner(kid) {
  const pair = await subtle.generateKey({ name: 'ECDSA', namedCurve: 'P-256' }, true, [
    'sign',
    'verify',
  ]);
  kid ??= Uint8Array.from([0xf6, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, ++counter]);
  const { kty, crv, x, y } = await subtle.exportKey('jwk', pair.publicKey);
  return { ...pair, kid, jwk: { kty, crv, x, y, kid: b64urlEncode(kid) } };
}

export async function signEs256(signer, data) {
  const sig = await subtle.sign({ name: 'ECDSA', hash: 'SHA-256' }, signer.privateKey, data);
  return new Uint8Array(sig);
}

/** CWT claims of a card: {6: iat, 4: exp, -65537: [...]} (Python's key order). */
export function cardClaims({
  cardId = CARD_ID,
  cardType = 1,
  status = 1,
  quarantineDays = null,
  name = '张*三',
  tail = '123X',
  iat = NOW_S,
  exp = NOW_S + 14 * DAY,
  extra = [],
} = {}) {
  return new Map([
    [6, iat],
    [4, exp],
    [-65537, [cardId, cardType, status, quarantineDays, name, tail, ...extra]],
  ]);
}

/**
 * A signed COSE_Sign1. `protectedHeader` defaults to {1: -7, 4: kid}; `tags` wraps the
 * array (default [18]); `payload` may be a Map (encoded) or bytes.
 */
export async function coseSign1(
  signer,
  payload,
  { protectedHeader, unprotected = new Map(), tags = [18], signWith = signer } = {},
) {
  const header = protectedHeader ?? new Map([[1, -7], [4, signer.kid]]);
  const protectedBytes = header instanceof Uint8Array ? header : cborEncode(header);
  const payloadBytes = payload instanceof Uint8Array ? payload : cborEncode(payload);
  const signature = await signEs256(signWith, sigStructure(protectedBytes, payloadBytes));
  let message = [protectedBytes, unprotected, payloadBytes, signature];
  for (const tag of [...tags].reverse()) message = new Tagged(tag, message);
  return cborEncode(message);
}

export const fg1 = (coseBytes) => 'FG1:' + base45Encode(coseBytes);
export const hc1 = (coseBytes) => 'HC1:' + base45Encode(new Uint8Array(deflateSync(coseBytes)));

/** Issue a FG1 card text (claims overridable as in cardClaims). */
export async function issueCard(signer, fields = {}, options = {}) {
  return fg1(await coseSign1(signer, cardClaims(fields), options));
}

/** One entry of each kind of health certificate: vaccination, test, recovery. */
const DCC_COMMON = [
  ['tg', '840539006'],
  ['co', 'DE'],
  ['is', 'Robert Koch-Institut'],
  ['ci', 'URN:UVCI:01:DE:42'],
];
/** One schema-valid entry of each kind (every member any release 1.0.0-1.3.3 requires). */
export const DCC_ENTRIES = Object.freeze({
  v: () =>
    new Map([
      ...DCC_COMMON,
      ['vp', '1119349007'],
      ['mp', 'EU/1/20/1528'],
      ['ma', 'ORG-100030215'],
      ['dn', 1],
      ['sd', 2],
      ['dt', '2020-02-01'],
    ]),
  t: () =>
    new Map([
      ...DCC_COMMON,
      ['tt', 'LP6464-4'],
      ['sc', '2020-02-19T08:00:00Z'],
      ['tr', '260415000'],
      ['tc', 'Testzentrum'],
    ]),
  r: () => new Map([...DCC_COMMON, ['fr', '2020-01-20'], ['df', '2020-01-30'], ['du', '2020-07-18']]),
});

/**
 * A health certificate (hcert) of one kind (null: none); `changes` replace members, and a
 * member set to undefined is deleted (use a Map to set one to CBOR undefined).
 */
export function dccCert(kind = 'v', changes = {}) {
  const cert = new Map([
    ['ver', '1.3.0'],
    ['nam', new Map([['fn', 'Musterfrau'], ['fnt', 'MUSTERFRAU'], ['gn', 'Erika'], ['gnt', 'ERIKA']])],
    ['dob', '1964-08-12'],
  ]);
  if (kind !== null) cert.set(kind, [DCC_ENTRIES[kind]()]);
  for (const [member, value] of Object.entries(changes)) {
    if (value === undefined) cert.delete(member);
    else cert.set(member, value);
  }
  return cert;
}

/** A minimal DCC payload for our own HC1 test codes (a vaccination unless `cert` says). */
export function dccClaims({ iat = NOW_S, exp = NOW_S + 365 * DAY, cert = dccCert() } = {}) {
  return new Map([
    [1, 'DE'],
    [6, iat],
    [4, exp],
    [-260, new Map([[1, cert]])],
  ]);
}

/** A signed trust list document, as the server's build_trust_list writes it. */
export async function buildTrustList(root, entries, { issuedAt = NOW, validDays = 7 } = {}) {
  const doc = {
    format: 'fangang-trust-list',
    version: 1,
    issued_at: iso(issuedAt),
    expires_at: iso(new Date(issuedAt.getTime() + validDays * DAY * 1000)),
    keys: entries,
  };
  const header = b64urlEncode(utf8.encode(JSON.stringify({ alg: 'ES256', kid: root.jwk.kid })));
  const input = utf8.encode(`${header}.${b64urlEncode(utf8.encode(canonicalJson(doc)))}`);
  doc.signature = `${header}..${b64urlEncode(await signEs256(root, input))}`;
  return doc;
}

export function iso(date) {
  return date.toISOString().replace(/\.\d{3}Z$/, 'Z');
}

/** A trust-list entry for a signer. */
export function entryJson(signer, meta = {}) {
  const { kid, ...jwk } = signer.jwk;
  return { kid, jwk: { ...jwk, kid }, ...meta };
}

/** A signed revocation list: records of SHA-256(card id)[:16] || expiry (uint32). */
export async function buildRevocationList(signer, records, { issuedAt = NOW_S } = {}) {
  const sorted = [...records].sort((a, b) => (binaryKey(a[0]) < binaryKey(b[0]) ? -1 : 1));
  const bytes = new Uint8Array(sorted.length * 20);
  sorted.forEach(([hash, expires], i) => {
    bytes.set(hash, i * 20);
    new DataView(bytes.buffer).setUint32(i * 20 + 16, expires);
  });
  const payload = new Map([[1, 1], [2, issuedAt], [3, bytes]]);
  const header = new Map([
    [1, -7],
    [3, 'application/fangang-revocation+cbor'],
    [4, signer.kid],
  ]);
  return coseSign1(signer, payload, { protectedHeader: header });
}

export async function sha256Prefix(bytes) {
  return new Uint8Array(await subtle.digest('SHA-256', bytes)).slice(0, 16);
}

export function hex(text) {
  return Uint8Array.from(Buffer.from(text.replace(/\s+/g, ''), 'hex'));
}

// -- X.509 (DER), to make Document Signer Certificates with DCC key-usage OIDs --------------

function concat(parts) {
  const out = new Uint8Array(parts.reduce((n, p) => n + p.length, 0));
  let at = 0;
  for (const part of parts) {
    out.set(part, at);
    at += part.length;
  }
  return out;
}

/** One DER element: tag, definite length, contents (byte arrays or arrays of bytes). */
export function der(tag, ...contents) {
  const body = concat(contents.map((c) => Uint8Array.from(c)));
  let n = body.length;
  const length = [];
  if (n < 128) length.push(n);
  else {
    while (n) {
      length.unshift(n & 255);
      n >>= 8;
    }
    length.unshift(0x80 | length.length);
  }
  return concat([Uint8Array.from([tag, ...length]), body]);
}

/** An OBJECT IDENTIFIER element for dotted text. */
export function derOid(dotted) {
  const arcs = dotted.split('.').map(Number);
  const bytes = [];
  for (let value of [40 * arcs[0] + arcs[1], ...arcs.slice(2)]) {
    const chunk = [value & 0x7f];
    while ((value = Math.floor(value / 128))) chunk.unshift(0x80 | (value & 0x7f));
    bytes.push(...chunk);
  }
  return der(0x06, bytes);
}

const seq = (...contents) => der(0x30, ...contents);
const ascii = (text) => utf8.encode(text);

function derInteger(bytes) {
  let i = 0;
  while (i < bytes.length - 1 && bytes[i] === 0) i++;
  const trimmed = [...bytes.subarray(i)];
  return der(0x02, trimmed[0] & 0x80 ? [0, ...trimmed] : trimmed);
}

/** An X.509 extension with a verbatim DER value (any shape, also ones DER forbids). */
export function extension(oid, value, critical = false) {
  return seq(derOid(oid), critical ? der(0x01, [0xff]) : [], der(0x04, value));
}

/** The extended-key-usage extension naming these OIDs. */
export function ekuExtension(oids) {
  return extension('2.5.29.37', seq(...oids.map(derOid)));
}

/**
 * A self-signed P-256 Document Signer Certificate: a signer (as makeSigner, kid = the DCC
 * kid of the certificate) with its DER. `eku`: the EKU OIDs (null: no EKU); `extensions`:
 * more extensions, e.g. from extension().
 */
export async function makeDsc({ eku = null, extensions = [], name = 'DSC Test' } = {}) {
  const pair = await subtle.generateKey({ name: 'ECDSA', namedCurve: 'P-256' }, true, [
    'sign',
    'verify',
  ]);
  const spki = new Uint8Array(await subtle.exportKey('spki', pair.publicKey));
  const ecdsaSha256 = seq(derOid('1.2.840.10045.4.3.2'));
  const dn = seq(der(0x31, seq(derOid('2.5.4.3'), der(0x0c, ascii(name)))));
  const all = [...(eku === null ? [] : [ekuExtension(eku)]), ...extensions];
  const tbs = seq(
    der(0xa0, der(0x02, [2])),
    der(0x02, [1, ++counter]),
    ecdsaSha256,
    dn,
    seq(der(0x17, ascii('200101000000Z')), der(0x17, ascii('300101000000Z'))),
    dn,
    spki,
    all.length ? der(0xa3, seq(...all)) : [],
  );
  const raw = new Uint8Array(
    await subtle.sign({ name: 'ECDSA', hash: 'SHA-256' }, pair.privateKey, tbs),
  );
  const signature = seq(derInteger(raw.subarray(0, 32)), derInteger(raw.subarray(32)));
  const certificate = seq(tbs, ecdsaSha256, der(0x03, [0], signature));
  const kid = computeKid(certificate);
  const { kty, crv, x, y } = await subtle.exportKey('jwk', pair.publicKey);
  return { ...pair, kid, jwk: { kty, crv, x, y, kid: b64urlEncode(kid) }, der: certificate };
}

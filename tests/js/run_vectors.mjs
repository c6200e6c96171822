// Verify a file of QR texts with the JavaScript verifier and print the results as JSON, for
// tests/js/test_js_python_agree.py (which compares them with the Python verifier's).
//
//   node tests/js/run_vectors.mjs vectors.json > results.json
//
// Input:  {"stores": {name: {certificates: [{der_b64, meta}], jwks: [{jwk, meta}],
//           trust_list: {doc, roots, now_ms}, revocations: [{b64, now_ms}]}},
//          "vectors": [{name, text, store, now_ms}]}
// Output: {name: {valid, reason, detail, kind, kid, issuer, region, issuer_name,
//           issued_at_ms, expires_at_ms, card, claims, schema}} with claims as neutral JSON (see
//           claims_view() in the Python test: both sides write the same conventions).
import { readFileSync } from 'node:fs';

import { CborFloat, SimpleValue, Tagged, TrustStore, verify } from '../../pwa/js/verify/index.js';
import { b64DecodeAny, toHex } from '../../pwa/js/verify/keys.js';

const META = {
  region: 'region',
  name: 'name',
  not_before: 'notBefore',
  not_after: 'notAfter',
  card_types: 'cardTypes',
  dcc_types: 'dccTypes',
};

function meta(doc = {}) {
  return Object.fromEntries(Object.entries(doc).map(([k, v]) => [META[k] ?? k, v]));
}

async function buildStore(spec) {
  const store = new TrustStore();
  for (const { der_b64: der, meta: m } of spec.certificates ?? []) {
    await store.addCertificate(b64DecodeAny(der), meta(m));
  }
  for (const { jwk, meta: m } of spec.jwks ?? []) await store.addJwk(jwk, meta(m));
  if (spec.trust_list) {
    const { doc, roots, now_ms: now } = spec.trust_list;
    await store.loadTrustList(doc, roots, { now });
  }
  for (const { b64, now_ms: now } of spec.revocations ?? []) {
    await store.addRevocationList(b64DecodeAny(b64), { now });
  }
  return store;
}

/** Decoded CBOR as neutral JSON: the same conventions as claims_view() in the Python test. */
function claimsView(value) {
  if (value instanceof Map) {
    return Object.fromEntries([...value].map(([k, v]) => [keyText(k), claimsView(v)]));
  }
  if (Array.isArray(value)) return value.map(claimsView);
  if (value instanceof Uint8Array) return toHex(value);
  if (value instanceof Tagged) return tagged(value);
  if (value instanceof CborFloat) return number(value.valueOf());
  if (value instanceof SimpleValue) return { simple: value.value };
  if (typeof value === 'bigint') return bigint(value);
  if (typeof value === 'number') return number(value);
  if (value === undefined) return 'undefined';
  return value;
}

function number(v) {
  if (Number.isNaN(v)) return 'nan';
  if (!Number.isFinite(v)) return v > 0 ? 'inf' : '-inf';
  return Object.is(v, -0) ? 0 : v;
}

function bigint(v) {
  return v >= -(2n ** 53n - 1n) && v <= 2n ** 53n - 1n ? Number(v) : { $bigint: v.toString() };
}

function keyText(key) {
  if (typeof key === 'number') {
    if (Number.isNaN(key)) return 'nan';
    if (!Number.isFinite(key)) return key > 0 ? 'inf' : '-inf';
    if (Number.isInteger(key)) return Object.is(key, -0) ? '0' : BigInt(key).toString();
    return String(key);
  }
  if (typeof key === 'bigint' || typeof key === 'string') return String(key);
  if (key instanceof Uint8Array) return `h:${toHex(key)}`;
  if (key === null) return 'null';
  return `j:${stable(claimsView(key))}`;
}

/** JSON with sorted keys, like Python's json.dumps(sort_keys=True, separators=(',', ':')). */
function stable(value) {
  if (Array.isArray(value)) return `[${value.map(stable).join(',')}]`;
  if (value !== null && typeof value === 'object') {
    const keys = Object.keys(value).sort();
    return `{${keys.map((k) => `${JSON.stringify(k)}:${stable(value[k])}`).join(',')}}`;
  }
  return JSON.stringify(value);
}

// Tags cbor2 turns into Python objects we do not rebuild (Decimal, Fraction, UUID, IP...).
const INTERPRETED = new Set([4, 5, 30, 35, 36, 37, 52, 54, 260, 261, 43000]);

/** What cbor2 makes of a tag: dates in Python's isoformat(), sets, other objects. */
function tagged({ tag, value }) {
  const pad = (n, width = 2) => String(n).padStart(width, '0');
  if (tag === 0) {
    const m = /^(\d{4}-\d{2}-\d{2})[T ](\d{2}:\d{2})(?::(\d{2})(?:\.(\d+))?)?(Z|[+-]\d{2}:?\d{2})$/.exec(value);
    const fraction = m[4] ? `.${m[4].padEnd(6, '0').slice(0, 6)}` : '';
    const zone = m[5] === 'Z' ? '+00:00' : `${m[5].slice(0, 3)}:${m[5].slice(-2)}`;
    return `${m[1]}T${m[2]}:${m[3] ?? '00'}${fraction === '.000000' ? '' : fraction}${zone}`;
  }
  if (tag === 1) {
    const us = Math.round(Number(value) * 1e6);
    const micros = ((us % 1e6) + 1e6) % 1e6;
    const base = new Date(Math.floor(us / 1000)).toISOString().slice(0, 19);
    return `${base}${micros ? `.${pad(micros, 6)}` : ''}+00:00`;
  }
  if (tag === 100) return new Date(Number(value) * 86400000).toISOString().slice(0, 10);
  if (tag === 1004) return value;
  if (tag === 258) return { set: value.map((v) => stable(claimsView(v))).sort() };
  const macAddress = tag === 260 && value.length === 6; // cbor2 leaves these as a tag
  if (INTERPRETED.has(tag) && !macAddress) return { interpreted: true };
  return { tag: typeof tag === 'bigint' ? bigint(tag) : tag, value: claimsView(value) };
}

function card(info) {
  if (info === null) return null;
  return {
    card_id: info.cardId,
    card_type: info.cardType,
    status: info.status,
    quarantine_until: info.quarantineUntil,
    name_masked: info.nameMasked,
    id_last4: info.idLast4,
    destination: info.destination,
    departure: info.departure,
    issued_at_ms: info.issuedAt?.getTime() ?? null,
    expires_at_ms: info.expiresAt?.getTime() ?? null,
  };
}

const input = JSON.parse(readFileSync(process.argv[2], 'utf8'));
const stores = {};
for (const [name, spec] of Object.entries(input.stores)) stores[name] = await buildStore(spec);

const out = {};
for (const { name, text, store, now_ms: now } of input.vectors) {
  const r = await verify(text, stores[store], now);
  out[name] = {
    valid: r.valid,
    reason: r.reason,
    detail: r.detail,
    kind: r.kind,
    kid: r.kid,
    issuer: r.issuer,
    region: r.region,
    issuer_name: r.issuerName,
    issued_at_ms: r.issuedAt?.getTime() ?? null,
    expires_at_ms: r.expiresAt?.getTime() ?? null,
    card: card(r.card),
    claims: r.claims === null ? null : claimsView(r.claims),
    schema: r.schema,
  };
}
process.stdout.write(JSON.stringify(out));

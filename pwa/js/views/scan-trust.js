/**
 * The scanner's trust material, kept on the phone so verification works with no network:
 * the signed trust list (/.well-known/fangang/trust-list.json) and the signed revocation list
 * (/.well-known/fangang/revocations.cose), cached in IndexedDB with the time they were fetched.
 *
 *   const trust = await loadTrust();          // from the device (instant, offline)
 *   await refreshTrust();                      // from the server when online
 *   trust.store, trust.fetchedAt, freshness(trust, settings, now)
 *
 * The trust list is checked against its own signature before use; it comes over HTTPS from our
 * own origin, which is what vouches for the signing key (see docs/deploy.md). A list that fails
 * its check or has expired is never used; the previous good copy stays.
 *
 * The verifier (js/verify/) is imported lazily: a browser too old to parse it falls back to the
 * server's POST /api/v1/verify while online (see verifyCode below).
 */
import { createStore, get, setMany } from '../../vendor/idb-keyval/idb-keyval.js';
import { api } from '../api.js';

const TRUST_URL = '/.well-known/fangang/trust-list.json';
const REVOCATIONS_URL = '/.well-known/fangang/revocations.cose';
const cache = createStore('fangang-scanner', 'trust');

let verifier = null; // the module js/verify/index.js
let current = { store: null, fetchedAt: null, issuedAt: null, revocations: 0, error: null };
const listeners = new Set();

function notify() {
  for (const fn of listeners) fn(current);
}

/** Call fn(trust) whenever the trust material changes; returns unsubscribe. */
export function onTrustChange(fn) {
  listeners.add(fn);
  return () => listeners.delete(fn);
}

/** The verifier module, or null if this browser cannot load it. */
export async function loadVerifier() {
  if (verifier) return verifier;
  try {
    verifier = await import('../verify/index.js');
  } catch (err) {
    console.warn('offline verifier unavailable; using the server', err);
    verifier = null;
  }
  return verifier;
}

async function buildStore(doc, revocations, now) {
  const v = await loadVerifier();
  if (!v) return { store: null, revocations: 0 };
  // Our list is signed by one of our own keys listed in it (served over HTTPS, our origin).
  const roots = await Promise.all(doc.keys.map((entry) => v.TrustEntry.fromJson(entry)));
  const store = await v.TrustStore.fromTrustList(doc, roots, { now });
  let revoked = 0;
  if (revocations) revoked = await store.addRevocationList(new Uint8Array(revocations), { now });
  return { store, revocations: revoked };
}

/** The trust material saved on this device (a store ready to verify, or store null). */
export async function loadTrust(now = new Date()) {
  if (current.store) return current;
  try {
    const [doc, revocations, fetchedAt] = await Promise.all([
      get('trustList', cache),
      get('revocations', cache),
      get('fetchedAt', cache),
    ]);
    if (doc) {
      const built = await buildStore(doc, revocations, now);
      current = { ...built, fetchedAt: fetchedAt || null, issuedAt: doc.issued_at, error: null };
    }
  } catch (err) {
    console.warn('cached trust list unusable', err);
    current = { ...current, error: String(err && err.message ? err.message : err) };
  }
  notify();
  return current;
}

/** Fetch both lists; on success replace the store and the device's copy. */
export async function refreshTrust(now = new Date()) {
  try {
    const [listResponse, revResponse] = await Promise.all([
      fetch(TRUST_URL, { cache: 'no-store', credentials: 'omit' }),
      fetch(REVOCATIONS_URL, { cache: 'no-store', credentials: 'omit' }),
    ]);
    if (!listResponse.ok || !revResponse.ok) throw new Error(`HTTP ${listResponse.status}/${revResponse.status}`);
    const doc = await listResponse.json();
    const revocations = await revResponse.arrayBuffer();
    const built = await buildStore(doc, revocations, now);
    const fetchedAt = Date.now();
    await setMany(
      [
        ['trustList', doc],
        ['revocations', revocations],
        ['fetchedAt', fetchedAt],
      ],
      cache,
    );
    current = { ...built, fetchedAt, issuedAt: doc.issued_at, error: null };
    notify();
    return true;
  } catch (err) {
    console.warn('trust list refresh failed', err);
    return false;
  }
}

/** The current trust material. */
export function trust() {
  return current;
}

/**
 * How fresh the device's lists are: {level: 'none'|'fresh'|'warn'|'stale', ageMs}.
 * Past `trust_warn_hours` the scanner warns; past `trust_refuse_hours` it gives no green
 * verdict offline ("需联网更新").
 */
export function freshness(material, settings, now = Date.now()) {
  if (!material || !material.fetchedAt) return { level: 'none', ageMs: null };
  const ageMs = Math.max(0, now - material.fetchedAt);
  const hour = 3600 * 1000;
  if (ageMs >= settings.trust_refuse_hours * hour) return { level: 'stale', ageMs };
  if (ageMs >= settings.trust_warn_hours * hour) return { level: 'warn', ageMs };
  return { level: 'fresh', ageMs };
}

/**
 * One verdict shape for the screen and the outbox, whichever verifier produced it:
 * {valid, reason, kind, status, cardType, cardId, nameMasked, idLast4, quarantineUntil,
 *  issuerRegion, issuerName, expiresAt (Date|null), schema, source: 'device'|'server'}.
 */
export function normalise(result, source) {
  const card = result.card || {};
  const pick = (a, b) => (a !== undefined && a !== null ? a : b !== undefined ? b : null);
  const expires = pick(result.expiresAt, pick(result.expires_at, pick(card.expiresAt, card.expires_at)));
  return {
    valid: Boolean(result.valid),
    reason: result.reason || 'bad_prefix',
    kind: pick(result.kind, null),
    status: pick(card.status, result.status),
    cardType: pick(card.cardType, pick(card.card_type, result.card_type)),
    cardId: pick(card.cardId, card.card_id),
    nameMasked: pick(card.nameMasked, pick(card.name_masked, result.name_masked)),
    idLast4: pick(card.idLast4, pick(card.id_last4, result.id_last4)),
    quarantineUntil: pick(card.quarantineUntil, pick(card.quarantine_until, result.quarantine_until)),
    issuerRegion: pick(result.region, result.issuer_region),
    issuerName: pick(result.issuerName, result.issuer_name),
    expiresAt: expires ? new Date(expires) : null,
    // bad_schema: {path, rule, version} of the DCC schema rule broken (device or server)
    schema: result.reason === 'bad_schema' ? pick(result.schema, result.schema_problem) : null,
    source,
  };
}

/**
 * Verify a scanned text: on the device when the verifier and a trust list are there, else
 * with the server (online only). Resolves to a normalised verdict, or null when neither can
 * answer (no trust list yet and no network).
 */
export async function verifyCode(text, now = new Date()) {
  const v = await loadVerifier();
  if (v && current.store) return normalise(await v.verify(text, current.store, now), 'device');
  if (!navigator.onLine) return null;
  try {
    return normalise(await api.post('/verify', { qr: text.slice(0, 5000) }), 'server');
  } catch (err) {
    console.warn('server verification failed', err);
    return null;
  }
}

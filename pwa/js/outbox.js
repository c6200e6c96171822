/**
 * The offline outbox of scans, decisions, check-ins and boarding scans at a bus door (storage
 * and upload loop: outbox-core.js; boarding items go to /transport/boarding/sync).
 *
 *   import * as outbox from './outbox.js';
 *   const uuid = await outbox.enqueue({ type: 'scan', checkpoint_id, scanned_at, verdict });
 *   outbox.subscribe(({ pending, rejected, syncing }) => ...);   // the count on screen
 *
 * enqueue() resolves only once the item (with its new UUID) is stored in IndexedDB; then it
 * asks for an upload. Uploads run on start, on reconnect ('online'), every 30 s while anything
 * is pending, when the service worker's Background Sync fires, and on request. A flush asked
 * for while one runs is not dropped: it runs again right after (recipe gotcha 6).
 */
import './outbox-core.js';
import { api } from './api.js';

const core = self.FangangOutbox;
const INTERVAL_MS = 30 * 1000;
const listeners = new Set();
const state = { pending: 0, rejected: 0, syncing: false, lastSyncAt: null, ready: false };

let running = null; // the flush in progress
let again = false; // a flush was requested while one ran
let timer = 0;
let started = false;
let seqCounter = 0;

function notify() {
  for (const fn of listeners) fn({ ...state });
}

/** Call fn({pending, rejected, syncing, lastSyncAt}) now and on every change; returns unsubscribe. */
export function subscribe(fn) {
  listeners.add(fn);
  fn({ ...state });
  start();
  return () => listeners.delete(fn);
}

/** The current counts. */
export function snapshot() {
  return { ...state };
}

async function recount() {
  try {
    const counts = await core.counts();
    state.pending = counts.pending;
    state.rejected = counts.rejected;
    state.ready = true;
  } catch (err) {
    console.warn('outbox unavailable', err);
  }
  notify();
}

/**
 * A new UUID, version 7 (RFC 9562): 48 bits of Unix milliseconds, then 74 random bits.
 * Time-ordered on purpose: the server's unique index then grows at its end instead of at
 * random places, which makes every upload cheaper (SQLite and PostgreSQL alike).
 */
export function newUuid() {
  const b = crypto.getRandomValues(new Uint8Array(16));
  let ms = Date.now();
  for (let i = 5; i >= 0; i -= 1) {
    b[i] = ms % 256;
    ms = Math.floor(ms / 256);
  }
  b[6] = (b[6] & 0x0f) | 0x70; // version 7
  b[8] = (b[8] & 0x3f) | 0x80; // RFC variant
  const h = Array.from(b, (x) => x.toString(16).padStart(2, '0')).join('');
  return `${h.slice(0, 8)}-${h.slice(8, 12)}-${h.slice(12, 16)}-${h.slice(16, 20)}-${h.slice(20)}`;
}

/**
 * Store an item (scan, decision or check-in) with a new UUID, then ask for an upload.
 * Resolves to the UUID once the item is on the device; only then is the network touched.
 */
export async function enqueue(item) {
  const uuid = item.uuid || newUuid();
  // seq orders the uploads: creation time plus a counter for items made in the same ms.
  seqCounter = (seqCounter + 1) % 1000;
  const record = { uuid, seq: Date.now() * 1000 + seqCounter, item: { ...item, uuid } };
  await core.put(record);
  state.pending += 1;
  notify();
  requestBackgroundSync();
  flush();
  return uuid;
}

/** Whether an item is still waiting on this device (false once the server has it). */
export async function isPending(uuid) {
  const record = await core.has(uuid);
  return Boolean(record && !record.rejected);
}

async function send(items, url = core.SYNC_URL) {
  try {
    const body = await api.post(url.replace(/^\/api\/v1/, ''), { items });
    return { status: 200, body };
  } catch (err) {
    return { status: err.status || 0, body: err.problem || {} };
  }
}

async function flushOnce() {
  if (!navigator.onLine) return { stopped: 'network' };
  const report = await core.flushWith(send);
  return report;
}

/**
 * Upload what is pending. Returns the running flush; a call made while one runs makes it
 * run once more afterwards, so an 'online' event during a failing flush is never lost.
 */
export function flush() {
  if (running) {
    again = true;
    return running;
  }
  state.syncing = true;
  notify();
  running = (async () => {
    let report = null;
    do {
      again = false;
      try {
        report = await flushOnce();
      } catch (err) {
        console.warn('outbox flush failed', err);
        report = { stopped: 'error' };
      }
      await recount();
    } while (again);
    return report;
  })().finally(() => {
    running = null;
    state.syncing = false;
    if (state.pending === 0) state.lastSyncAt = Date.now();
    notify();
  });
  return running;
}

/** Ask the service worker to upload when connectivity returns, even if the app is closed. */
async function requestBackgroundSync() {
  try {
    if (!('serviceWorker' in navigator)) return;
    const registration = await navigator.serviceWorker.ready;
    if (registration.sync) await registration.sync.register(core.SYNC_TAG);
  } catch {
    /* no Background Sync here: the interval and 'online' events cover it */
  }
}

/** Leave the CSRF token where the service worker can read it (it has no cookies API). */
async function shareCsrf() {
  try {
    const token = document.cookie
      .split(';')
      .map((part) => part.trim())
      .find((part) => part.startsWith('fg_csrf='));
    if (token) await core.setMeta('csrf', decodeURIComponent(token.slice('fg_csrf='.length)));
  } catch {
    /* the worker then gets 403 and the page uploads instead */
  }
}

/** Start the triggers (idempotent): first count, 'online', interval, worker messages. */
export function start() {
  if (started) return;
  started = true;
  recount().then(() => {
    if (state.pending > 0) flush();
  });
  window.addEventListener('online', () => flush());
  timer = setInterval(() => {
    shareCsrf();
    if (state.pending > 0 && navigator.onLine) flush();
  }, INTERVAL_MS);
  if ('serviceWorker' in navigator) {
    navigator.serviceWorker.addEventListener('message', (event) => {
      if (event.data && event.data.action === 'outbox-synced') recount();
    });
  }
  shareCsrf();
}

/** Stop the interval (tests). */
export function stop() {
  clearInterval(timer);
  started = false;
}

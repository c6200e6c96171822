/*
 * Service worker of the Fangang PWA shell.
 *
 * - Precaches the shell (SHELL_FILES) under a versioned cache name. BUMP VERSION ON EVERY CHANGE
 *   to a shell file, or phones keep the old copy. tests/pwa/test_shell_files.py checks that every
 *   file listed here exists and that every module under js/ is listed.
 * - Cache-first for the shell; the app page ('/', any query) comes from the cache too, so the app
 *   opens instantly on a weak signal and with none. Other navigations try the network and fall
 *   back to the cached app page when offline.
 * - /api/ and /.well-known/ are network only: never cached, never answered from a cache.
 * - Updates: the first install activates at once; later versions wait until the page asks
 *   ({action: 'skipWaiting'}, sent when the user taps "New version available").
 */
// The outbox's Background Sync uploads (js/outbox-core.js registers the 'sync' handler).
importScripts('/js/outbox-core.js');

const VERSION = 'v19';
const CACHE = `shell-${VERSION}`;
const CACHE_PREFIX = 'shell-';

const SHELL_FILES = [
  '/',
  '/manifest.webmanifest',
  '/css/app.css',
  '/css/cards.css',
  '/js/app.js',
  '/js/api.js',
  '/js/beijing.js',
  '/js/cardcache.js',
  '/js/html.js',
  '/js/i18n.js',
  '/js/icons.js',
  '/js/qr.js',
  '/js/router.js',
  '/js/routes.js',
  '/js/session.js',
  '/js/store.js',
  '/js/sw-register.js',
  '/js/ui.js',
  '/js/views/appeal.js',
  '/js/views/appeals.js',
  '/js/views/card.js',
  '/js/views/coming-soon.js',
  '/js/views/declare.js',
  '/js/views/declare-history.js',
  '/js/views/home.js',
  '/js/views/login.js',
  '/js/views/me.js',
  '/js/views/paper-card.js',
  '/js/views/trust.js',
  '/locales/zh-CN.json',
  '/locales/en.json',
  '/icons/icon-192.png',
  '/icons/icon-512.png',
  '/icons/icon-maskable-512.png',
  '/vendor/weui/weui.min.css',
  '/vendor/lit-html/lit-html.js',
  '/vendor/idb-keyval/idb-keyval.js',
  '/vendor/qrcode-generator/qrcode.mjs',
  '/css/checkpoints.css',
  '/js/outbox.js',
  '/js/outbox-core.js',
  '/js/scanner.js',
  '/js/views/scan.js',
  '/js/views/scan-today.js',
  '/js/views/scan-trust.js',
  '/js/views/checkin.js',
  '/js/views/checkin-scan.js',
  '/js/views/checkpoints-list.js',
  '/js/views/checkpoints-edit.js',
  '/js/views/checkpoints-supervision.js',
  '/js/views/checkpoints-shared.js',
  '/js/views/quarantine-case.js',
  '/js/views/quarantine-mine.js',
  '/js/views/quarantine-open.js',
  '/js/views/quarantine-shared.js',
  '/js/views/quarantine-staff.js',
  '/js/views/quarantine-summary.js',
  '/js/views/quarantine-workplace.js',
  '/vendor/jsqr/jsQR.js',
  // EU DCC JSON schemas for the offline verifier (js/verify/dccschema.js)
  '/vendor/dcc-schema/1.0.0/DGC.combined-schema.json',
  '/vendor/dcc-schema/1.0.1/DGC.combined-schema.json',
  '/vendor/dcc-schema/1.1.0/DGC.combined-schema.json',
  '/vendor/dcc-schema/1.2.0/DGC.combined-schema.json',
  '/vendor/dcc-schema/1.2.1/DCC.combined-schema.json',
  '/vendor/dcc-schema/1.3.0/DCC.combined-schema.json',
  '/vendor/dcc-schema/1.3.1/DCC.combined-schema.json',
  '/vendor/dcc-schema/1.3.2/DCC.combined-schema.json',
  '/vendor/dcc-schema/1.3.3/DCC.combined-schema.json',
  '/js/verify/base45.js',
  '/js/verify/cbor.js',
  '/js/verify/claims.js',
  '/js/verify/cose.js',
  '/js/verify/dccschema.js',
  '/js/verify/errors.js',
  '/js/verify/index.js',
  '/js/verify/inflate.js',
  '/js/verify/keys.js',
  '/js/verify/revocation.js',
  '/js/verify/sha256.js',
  '/js/verify/time.js',
  '/js/verify/trust.js',
  '/js/verify/verify.js',
  '/css/ledger.css',
  '/js/views/intent-form.js',
  '/js/views/intent-proxy.js',
  '/js/views/intent-shared.js',
  '/js/views/ledger-board.js',
  '/js/views/ledger-people.js',
  '/js/views/rules-list.js',
  '/js/views/rules-publish.js',
  '/css/jobs.css',
  '/js/views/jobs-detail.js',
  '/js/views/jobs-list.js',
  '/js/views/jobs-mine.js',
  '/js/views/jobs-shared.js',
  '/js/views/recruit-demand.js',
  '/js/views/recruit-home.js',
  '/js/views/recruit-join.js',
  '/js/views/recruit-labour.js',
  '/js/views/recruit-posting-edit.js',
  '/js/views/recruit-posting.js',
  '/js/views/recruit-register.js',
  '/js/views/recruit-review.js',
  '/js/views/recruit-staff.js',
  '/css/subsidies.css',
  '/js/money.js',
  '/js/views/subsidies-shared.js',
  '/js/views/subsidies-employer.js',
  '/js/views/subsidies-review.js',
  '/js/views/subsidies-budgets.js',
  '/js/views/publicity-shared.js',
  '/js/views/publicity-home.js',
  '/js/views/publicity-article.js',
  '/js/views/publicity-manage.js',
  '/css/transport.css',
  '/js/views/transport-board.js',
  '/js/views/transport-charters.js',
  '/js/views/transport-list.js',
  '/js/views/transport-mine.js',
  '/js/views/transport-new.js',
  '/js/views/transport-request.js',
  '/js/views/transport-shared.js',
  '/js/views/transport-timeline.js',
  '/js/views/transport-trip.js',
  '/css/supervision.css',
  '/js/views/supervision-case.js',
  '/js/views/supervision-cases.js',
  '/js/views/supervision-complain.js',
  '/js/views/supervision-dashboard.js',
  '/js/views/supervision-list.js',
  '/js/views/supervision-lookup.js',
  '/js/views/supervision-mine.js',
  '/js/views/supervision-ranking.js',
  '/js/views/supervision-shared.js',
  '/css/privacy.css',
  '/js/views/privacy.js',
];

const NETWORK_ONLY = ['/api/', '/.well-known/'];

self.addEventListener('install', (event) => {
  event.waitUntil(
    (async () => {
      const cache = await caches.open(CACHE);
      // cache: 'reload' skips the HTTP cache, so a new version never precaches stale files.
      await cache.addAll(SHELL_FILES.map((url) => new Request(url, { cache: 'reload' })));
      if (!self.registration.active) await self.skipWaiting(); // first install: take over now
    })(),
  );
});

self.addEventListener('activate', (event) => {
  event.waitUntil(
    (async () => {
      const names = await caches.keys();
      await Promise.all(
        names.filter((name) => name.startsWith(CACHE_PREFIX) && name !== CACHE).map((name) => caches.delete(name)),
      );
      await self.clients.claim();
    })(),
  );
});

self.addEventListener('message', (event) => {
  if (event.data && event.data.action === 'skipWaiting') self.skipWaiting();
});

function offlineResponse() {
  return new Response('offline', { status: 503, statusText: 'Offline', headers: { 'Content-Type': 'text/plain' } });
}

async function fromCache(request) {
  const cache = await caches.open(CACHE);
  return cache.match(request, { ignoreVary: true });
}

async function appPage() {
  const cache = await caches.open(CACHE);
  return cache.match('/', { ignoreVary: true });
}

async function handle(request, url) {
  if (request.mode === 'navigate') {
    if (url.pathname === '/' || url.pathname === '/index.html') {
      return (await appPage()) || fetch(request);
    }
    try {
      return await fetch(request);
    } catch {
      return (await appPage()) || offlineResponse();
    }
  }
  const cached = await fromCache(request);
  if (cached) return cached;
  try {
    return await fetch(request);
  } catch {
    return offlineResponse();
  }
}

self.addEventListener('fetch', (event) => {
  const { request } = event;
  if (request.method !== 'GET') return;
  const url = new URL(request.url);
  if (url.origin !== self.location.origin) return;
  if (NETWORK_ONLY.some((prefix) => url.pathname.startsWith(prefix))) return; // browser handles it
  event.respondWith(handle(request, url));
});

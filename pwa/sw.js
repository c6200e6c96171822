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
const VERSION = 'v1';
const CACHE = `shell-${VERSION}`;
const CACHE_PREFIX = 'shell-';

const SHELL_FILES = [
  '/',
  '/manifest.webmanifest',
  '/css/app.css',
  '/js/app.js',
  '/js/api.js',
  '/js/html.js',
  '/js/i18n.js',
  '/js/icons.js',
  '/js/router.js',
  '/js/routes.js',
  '/js/session.js',
  '/js/store.js',
  '/js/sw-register.js',
  '/js/ui.js',
  '/js/views/coming-soon.js',
  '/js/views/home.js',
  '/js/views/login.js',
  '/js/views/me.js',
  '/locales/zh-CN.json',
  '/locales/en.json',
  '/icons/icon-192.png',
  '/icons/icon-512.png',
  '/icons/icon-maskable-512.png',
  '/vendor/weui/weui.min.css',
  '/vendor/lit-html/lit-html.js',
  '/vendor/idb-keyval/idb-keyval.js',
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

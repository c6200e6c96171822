/*
 * The outbox's storage and upload loop, shared by the page (js/outbox.js imports this file for
 * its side effect) and the service worker (sw.js: importScripts('/js/outbox-core.js'), for
 * Background Sync). A classic script on purpose: no import/export, it sets self.FangangOutbox.
 *
 * IndexedDB 'fangang-outbox':
 *   items  keyPath 'uuid', index 'seq'   {uuid, seq, item, rejected?: code}
 *   meta   key/value                       csrf token (for the worker), last sync time
 *
 * Rules (see docs/deploy.md "Nothing lost"):
 *   - an item is written here, with its UUID, before any upload is attempted;
 *   - uploads go in batches of at most 500, oldest first;
 *   - an item is deleted only once the server answered "created" or "duplicate" for it;
 *     "rejected" items stay, marked, and are not sent again;
 *   - no network request is awaited inside an IndexedDB transaction;
 *   - boarding scans at a bus door (type 'boarding') go to the transport endpoint, everything
 *     else to the checkpoints': a batch holds items of one endpoint only (urlFor).
 */
(function (scope) {
  'use strict';

  var DB_NAME = 'fangang-outbox';
  var DB_VERSION = 1;
  var BATCH = 500;
  var SYNC_TAG = 'fangang-outbox';
  var SYNC_URL = '/api/v1/checkpoints/sync';
  var BOARDING_URL = '/api/v1/transport/boarding/sync';
  var dbPromise = null;

  function promisify(request) {
    return new Promise(function (resolve, reject) {
      request.onsuccess = function () { resolve(request.result); };
      request.onerror = function () { reject(request.error); };
    });
  }

  function done(tx) {
    return new Promise(function (resolve, reject) {
      tx.oncomplete = function () { resolve(); };
      tx.onabort = tx.onerror = function () { reject(tx.error || new Error('transaction aborted')); };
    });
  }

  function open() {
    if (dbPromise) return dbPromise;
    dbPromise = new Promise(function (resolve, reject) {
      var request = scope.indexedDB.open(DB_NAME, DB_VERSION);
      request.onupgradeneeded = function () {
        var db = request.result;
        if (!db.objectStoreNames.contains('items')) {
          db.createObjectStore('items', { keyPath: 'uuid' }).createIndex('seq', 'seq');
        }
        if (!db.objectStoreNames.contains('meta')) db.createObjectStore('meta');
      };
      request.onsuccess = function () {
        var db = request.result;
        db.onclose = function () { dbPromise = null; };
        db.onversionchange = function () { db.close(); dbPromise = null; };
        resolve(db);
      };
      request.onerror = function () { dbPromise = null; reject(request.error); };
    });
    return dbPromise;
  }

  /** Store one record {uuid, seq, item}; resolves once it is durably written. */
  function put(record) {
    return open().then(function (db) {
      var tx = db.transaction('items', 'readwrite');
      tx.objectStore('items').put(record);
      return done(tx);
    });
  }

  /** Up to `limit` records not rejected, oldest first. */
  function pending(limit) {
    return open().then(function (db) {
      var tx = db.transaction('items', 'readonly');
      var out = [];
      var request = tx.objectStore('items').index('seq').openCursor();
      return new Promise(function (resolve, reject) {
        request.onsuccess = function () {
          var cursor = request.result;
          if (!cursor || out.length >= limit) return resolve(out);
          if (!cursor.value.rejected) out.push(cursor.value);
          cursor.continue();
        };
        request.onerror = function () { reject(request.error); };
      });
    });
  }

  /** {pending, rejected} counts. */
  function counts() {
    return open().then(function (db) {
      var tx = db.transaction('items', 'readonly');
      var request = tx.objectStore('items').openCursor();
      var result = { pending: 0, rejected: 0 };
      return new Promise(function (resolve, reject) {
        request.onsuccess = function () {
          var cursor = request.result;
          if (!cursor) return resolve(result);
          if (cursor.value.rejected) result.rejected += 1;
          else result.pending += 1;
          cursor.continue();
        };
        request.onerror = function () { reject(request.error); };
      });
    });
  }

  function has(uuid) {
    return open().then(function (db) {
      return promisify(db.transaction('items', 'readonly').objectStore('items').get(uuid));
    }).then(function (record) { return record || null; });
  }

  /** Delete acknowledged items and mark rejected ones, in one transaction. */
  function settle(acknowledged, rejected) {
    return open().then(function (db) {
      var tx = db.transaction('items', 'readwrite');
      var store = tx.objectStore('items');
      acknowledged.forEach(function (uuid) { store.delete(uuid); });
      rejected.forEach(function (entry) {
        var request = store.get(entry.uuid);
        request.onsuccess = function () {
          var record = request.result;
          if (!record) return;
          record.rejected = entry.code || 'rejected';
          record.message = entry.message || '';
          store.put(record);
        };
      });
      return done(tx);
    });
  }

  function setMeta(key, value) {
    return open().then(function (db) {
      var tx = db.transaction('meta', 'readwrite');
      tx.objectStore('meta').put(value, key);
      return done(tx);
    });
  }

  function getMeta(key) {
    return open().then(function (db) {
      return promisify(db.transaction('meta', 'readonly').objectStore('meta').get(key));
    });
  }

  /** The endpoint that takes an item. */
  function urlFor(item) {
    return item && item.type === 'boarding' ? BOARDING_URL : SYNC_URL;
  }

  /**
   * Upload everything pending, batch after batch, with `send(items, url)` which resolves to
   * {status, body} (status 0: no network). Resolves to {sent, acknowledged, rejected, stopped}
   * where `stopped` says why it ended early ('network', 'auth', 'server') or is null.
   */
  function flushWith(send) {
    var report = { sent: 0, acknowledged: 0, rejected: 0, stopped: null };
    function round() {
      return pending(BATCH).then(function (records) {
        if (records.length === 0) return report;
        // One endpoint per batch: the oldest item's; the others follow in the next rounds.
        var url = urlFor(records[0].item);
        records = records.filter(function (r) { return urlFor(r.item) === url; });
        var items = records.map(function (r) { return r.item; });
        report.sent += items.length;
        return send(items, url).then(function (answer) {
          return apply(records, answer, report).then(function (more) {
            return more ? round() : report;
          });
        });
      });
    }
    return round();
  }

  // Returns true when the next batch should follow at once.
  function apply(records, answer, report) {
    var status = answer.status;
    var body = answer.body || {};
    if (status >= 200 && status < 300 && Array.isArray(body.items)) {
      var acknowledged = [];
      var rejected = [];
      body.items.forEach(function (entry) {
        if (entry.result === 'created' || entry.result === 'duplicate') acknowledged.push(entry.uuid);
        else if (entry.result === 'rejected') rejected.push(entry);
      });
      report.acknowledged += acknowledged.length;
      report.rejected += rejected.length;
      var progress = acknowledged.length + rejected.length > 0;
      return settle(acknowledged, rejected).then(function () {
        return setMeta('lastSyncAt', Date.now());
      }).then(function () {
        if (!progress) report.stopped = 'server';
        return progress;
      });
    }
    if (status === 422 && Array.isArray(body.errors)) {
      // A malformed item: the errors name it ("items.<n>.…"); set it aside, send the rest.
      var bad = {};
      body.errors.forEach(function (error) {
        var match = /^items\.(\d+)(\.|$)/.exec(error.field || '');
        if (match && records[+match[1]]) bad[records[+match[1]].uuid] = error.code || 'invalid';
      });
      var marks = Object.keys(bad).map(function (uuid) { return { uuid: uuid, code: bad[uuid] }; });
      if (marks.length === 0) {
        report.stopped = 'server';
        return Promise.resolve(false);
      }
      report.rejected += marks.length;
      return settle([], marks).then(function () { return true; });
    }
    report.stopped = status === 0 ? 'network' : status === 401 || status === 403 ? 'auth' : 'server';
    return Promise.resolve(false);
  }

  /** The service worker's uploader: the page leaves it the current CSRF token. */
  function sendFromWorker(items, url) {
    return getMeta('csrf').then(function (token) {
      return fetch(url || SYNC_URL, {
        method: 'POST',
        credentials: 'same-origin',
        headers: {
          'Content-Type': 'application/json',
          Accept: 'application/json, application/problem+json',
          'X-CSRF-Token': token || '',
        },
        body: JSON.stringify({ items: items }),
      }).then(function (response) {
        return response.json().catch(function () { return {}; }).then(function (body) {
          return { status: response.status, body: body };
        });
      }, function () {
        return { status: 0, body: {} };
      });
    });
  }

  scope.FangangOutbox = {
    BATCH: BATCH,
    SYNC_TAG: SYNC_TAG,
    SYNC_URL: SYNC_URL,
    BOARDING_URL: BOARDING_URL,
    urlFor: urlFor,
    open: open,
    put: put,
    pending: pending,
    counts: counts,
    has: has,
    settle: settle,
    setMeta: setMeta,
    getMeta: getMeta,
    flushWith: flushWith,
    sendFromWorker: sendFromWorker,
  };

  // In the service worker: Background Sync uploads while the app is closed.
  if (typeof scope.ServiceWorkerGlobalScope !== 'undefined' && scope instanceof scope.ServiceWorkerGlobalScope) {
    scope.addEventListener('sync', function (event) {
      if (event.tag !== SYNC_TAG) return;
      event.waitUntil(flushWith(sendFromWorker).then(function (report) {
        // Tell open pages to redraw their counts; a network failure makes the browser retry.
        return scope.clients.matchAll().then(function (clients) {
          clients.forEach(function (client) { client.postMessage({ action: 'outbox-synced' }); });
          if (report.stopped === 'network') throw new Error('offline; the browser retries');
        });
      }));
    });
  }
})(self);

/**
 * App state in one small observable object.
 *
 * state.me      the signed-in user (the API's Me object) or null
 * state.locale  'zh-CN' | 'en' (i18n.js keeps it in step)
 * state.online  navigator.onLine, kept up to date
 * state.stale   true while `me` comes from this device's copy because the server was unreachable
 * state.updateWorker  a waiting service worker (the "new version" prompt shows while it is set)
 *
 * `me` is copied to localStorage so the shell can open offline. It holds only what the server
 * already masks (display_name, phone_masked) plus roles, region and locale: no ID numbers, no
 * health data (PIPL: keep the minimum on the device).
 */

const ME_KEY = 'fg.me';
const listeners = new Set();

function readCachedMe() {
  try {
    return JSON.parse(localStorage.getItem(ME_KEY)) || null;
  } catch {
    return null;
  }
}

const state = {
  me: readCachedMe(),
  locale: 'zh-CN',
  online: navigator.onLine,
  stale: false,
  updateWorker: null,
};

/** The current state (do not mutate it; call set()). */
export function get() {
  return state;
}

/** Merge `patch` into the state and notify subscribers once. */
export function set(patch) {
  Object.assign(state, patch);
  if ('me' in patch) {
    try {
      if (patch.me) localStorage.setItem(ME_KEY, JSON.stringify(patch.me));
      else localStorage.removeItem(ME_KEY);
    } catch {
      /* private mode or full storage: the app still works, only not offline */
    }
  }
  for (const fn of listeners) fn(state);
}

/** Call `fn(state)` after every change; returns a function that unsubscribes. */
export function subscribe(fn) {
  listeners.add(fn);
  return () => listeners.delete(fn);
}

/** True if the signed-in user has any of `roles` ('official' also matches 'official_city' etc.). */
export function hasRole(...roles) {
  const mine = (state.me && state.me.roles) || [];
  return mine.some((r) => roles.some((want) => r === want || r.startsWith(`${want}_`)));
}

window.addEventListener('online', () => set({ online: true }));
window.addEventListener('offline', () => set({ online: false }));

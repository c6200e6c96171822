/**
 * Who is signed in, and the language that goes with them.
 *
 * Language rule: the choice made on this device wins (it is the last thing the user did here)
 * and is saved to the server; a device with no choice yet takes the server's (Me.locale).
 */
import { api } from './api.js';
import { forgetCard } from './cardcache.js';
import { getLocale, savedLocale, setLocale } from './i18n.js';
import * as store from './store.js';
import { topTips } from './ui.js';

async function syncLocale(me) {
  const chosen = savedLocale();
  if (chosen && chosen !== me.locale) {
    try {
      store.set({ me: await api.patch('/me', { locale: chosen }) });
    } catch {
      /* offline or refused: tried again at the next start */
    }
  } else if (!chosen && me.locale && me.locale !== getLocale()) {
    await setLocale(me.locale);
  }
}

/**
 * Ask the server who is signed in. Returns the Me object or null (401). When the server cannot
 * be reached, keeps this device's copy and marks it stale (the shell still opens offline).
 */
export async function refreshMe() {
  try {
    const me = await api.get('/me');
    store.set({ me, stale: false });
    syncLocale(me);
    return me;
  } catch (err) {
    if (err.status === 401) {
      store.set({ me: null, stale: false });
      return null;
    }
    if (err.status === 0) store.set({ stale: true });
    return store.get().me;
  }
}

/** After a successful login: keep the user (the router then leaves the login screen). */
export async function signedIn(user) {
  store.set({ me: user, stale: false });
  await syncLocale(user);
}

/** Forget the user on this device (the router then shows the login screen). */
export function signOut() {
  store.set({ me: null, stale: false });
  forgetCard(); // a shared village phone must not show the last person's card
}

/** Switch the UI language now; save it on the server too when signed in. */
export async function changeLocale(locale) {
  await setLocale(locale);
  if (!store.get().me) return;
  try {
    store.set({ me: await api.patch('/me', { locale }) });
  } catch (err) {
    if (err.status !== 0 && err.status !== 401) topTips(err.detail);
  }
}

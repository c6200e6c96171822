/**
 * Service worker registration and the update prompt (the "wittr" flow):
 * a new /sw.js installs in the background and waits; the page shows "New version available";
 * a tap posts {action: 'skipWaiting'}; the new worker takes over and the page reloads once on
 * `controllerchange`. The very first install activates at once (sw.js skips waiting when there
 * is no active worker), so the first visit is already controlled and works offline next time.
 */
import * as store from './store.js';

function offerUpdate(worker) {
  store.set({ updateWorker: worker });
}

function trackInstalling(worker) {
  worker.addEventListener('statechange', () => {
    if (worker.state === 'installed' && navigator.serviceWorker.controller) offerUpdate(worker);
  });
}

/** Tell the waiting worker to take over (the page reloads when it does). */
export function applyUpdate() {
  const worker = store.get().updateWorker;
  if (worker) worker.postMessage({ action: 'skipWaiting' });
}

export async function registerServiceWorker() {
  if (!('serviceWorker' in navigator)) return null;
  // Reload when a new worker takes control, but not on the first install (page had no controller).
  const hadController = Boolean(navigator.serviceWorker.controller);
  let reloading = false;
  navigator.serviceWorker.addEventListener('controllerchange', () => {
    if (!hadController || reloading) return;
    reloading = true;
    window.location.reload();
  });

  let registration;
  try {
    registration = await navigator.serviceWorker.register('/sw.js', { scope: '/' });
  } catch (err) {
    console.warn('service worker registration failed', err);
    return null;
  }
  if (!navigator.serviceWorker.controller) return registration; // first visit: nothing to update

  if (registration.waiting) offerUpdate(registration.waiting);
  if (registration.installing) trackInstalling(registration.installing);
  registration.addEventListener('updatefound', () => trackInstalling(registration.installing));

  // Long-lived tabs: look for a new version when the app comes back to the foreground.
  let lastCheck = Date.now();
  document.addEventListener('visibilitychange', () => {
    if (document.visibilityState === 'visible' && Date.now() - lastCheck > 30 * 60 * 1000) {
      lastCheck = Date.now();
      registration.update().catch(() => {});
    }
  });
  return registration;
}

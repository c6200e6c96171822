/**
 * A small hash router: '#/jobs/12?tab=open' → route '/jobs/:id', params {id: '12'}, query.
 *
 * Each view module's default export is a factory `(ctx) => ({ render(), destroy?() })`.
 * The router creates the view when its route is entered, calls render() into the outlet (again
 * on every state change and whenever the view calls ctx.update()), and destroy() when leaving.
 */
import { render } from './html.js';
import { t } from './i18n.js';
import * as store from './store.js';
import { routes, DEFAULT_PATH, LOGIN_PATH } from './routes.js';

let outlet = null;
let current = null; // { route, view, ctx }
let navigationId = 0;
const listeners = new Set();

/** Split a location hash into a path and URLSearchParams. */
export function parseHash(hash = location.hash) {
  const raw = hash.replace(/^#/, '') || DEFAULT_PATH;
  const [path, search = ''] = raw.split('?');
  return { path: path.startsWith('/') ? path : `/${path}`, query: new URLSearchParams(search) };
}

function match(path) {
  const parts = path.split('/').filter(Boolean);
  for (const route of routes) {
    const pattern = route.path.split('/').filter(Boolean);
    if (pattern.length !== parts.length) continue;
    const params = {};
    const ok = pattern.every((seg, i) => {
      if (seg.startsWith(':')) {
        params[seg.slice(1)] = decodeURIComponent(parts[i]);
        return true;
      }
      return seg === parts[i];
    });
    if (ok) return { route, params };
  }
  return null;
}

/** True if `path` names a route (used to check a ?next= value before following it). */
export function isKnownPath(path) {
  return typeof path === 'string' && path.startsWith('/') && match(path.split('?')[0]) !== null;
}

/** Go to `path` ('/me', '/login?next=%2Fjobs'). */
export function navigate(path, { replace = false } = {}) {
  const hash = `#${path}`;
  if (location.hash === hash) return resolve();
  if (replace) location.replace(hash);
  else location.hash = hash;
  return undefined;
}

/** The current route's path pattern (e.g. '/home'), or null before the first navigation. */
export function currentPath() {
  return current ? current.route.path : null;
}

/** Call `fn(route)` after each navigation. */
export function onNavigate(fn) {
  listeners.add(fn);
}

function guard(route, path, query) {
  const { me } = store.get();
  if (!route.public && !me) {
    const back = path !== DEFAULT_PATH && path !== '/me'; // not worth coming back to
    const next = back ? `?next=${encodeURIComponent(path)}` : '';
    return `${LOGIN_PATH}${next}`;
  }
  if (route.path === LOGIN_PATH && me) {
    const next = query.get('next');
    return isKnownPath(next) && next !== LOGIN_PATH ? next : DEFAULT_PATH;
  }
  if (route.roles && !store.hasRole(...route.roles)) return DEFAULT_PATH;
  return null;
}

/** Render the current view again (cheap: lit-html only touches what changed). */
export function refresh() {
  if (!current || !outlet) return;
  const title = current.view.title ? current.view.title() : t(current.route.title || 'app.name');
  document.title = title === t('app.name') ? title : `${title} · ${t('app.name')}`;
  render(current.view.render(), outlet);
}

async function resolve() {
  const { path, query } = parseHash();
  const found = match(path);
  if (!found) return navigate(DEFAULT_PATH, { replace: true });
  const redirect = guard(found.route, path, query);
  if (redirect) return navigate(redirect, { replace: true });

  const id = ++navigationId;
  let module;
  try {
    module = await found.route.view();
  } catch (err) {
    console.error('view failed to load', err);
    render(t('error.view_load'), outlet);
    return undefined;
  }
  if (id !== navigationId) return undefined; // a later navigation won
  // Sign-in state may have changed while the view loaded (GET /me answered 401): check again.
  if (guard(found.route, path, query)) return resolve();

  if (current && current.view.destroy) current.view.destroy();
  const ctx = { route: found.route, params: found.params, query, path, update: refresh };
  current = { route: found.route, view: module.default(ctx), ctx };
  refresh();
  window.scrollTo(0, 0);
  for (const fn of listeners) fn(found.route);
  return undefined;
}

/** Start routing into `outletElement`; re-render on every state change. */
export function startRouter(outletElement) {
  outlet = outletElement;
  outlet.textContent = '';
  window.addEventListener('hashchange', resolve);
  store.subscribe(() => {
    // Sign-in state changed under the current route (login, logout, 401): re-check the guard.
    if (current && guard(current.route, current.ctx.path, current.ctx.query)) resolve();
    else refresh();
  });
  return resolve();
}

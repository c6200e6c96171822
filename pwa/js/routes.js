/**
 * The route table: one line per screen. To add a screen:
 *   1. write js/views/<name>.js (copy views/coming-soon.js or views/me.js),
 *   2. add one line below,
 *   3. add the file to SHELL_FILES in /sw.js and bump VERSION there,
 *   4. add its strings to locales/zh-CN.json and locales/en.json.
 *
 * path     the hash path ('#/jobs'); ':name' segments become ctx.params.name
 * view     () => import(...) of a module whose default export is a view factory (see views/README.md)
 * title    i18n key for the page title (views may also set their own)
 * roles    only users with one of these roles may open it (others go home); omit = any signed-in user
 * public   reachable without signing in
 */
const soon = () => import('./views/coming-soon.js');

export const routes = [
  { path: '/login', view: () => import('./views/login.js'), title: 'login.title', public: true },
  { path: '/home', view: () => import('./views/home.js'), title: 'home.title' },
  { path: '/me', view: () => import('./views/me.js'), title: 'me.title' },
  { path: '/card', view: soon, title: 'card.title', roles: ['worker'] },
  { path: '/declare', view: soon, title: 'declare.title', roles: ['worker'] },
  { path: '/jobs', view: soon, title: 'jobs.title', roles: ['worker'] },
  { path: '/intent', view: soon, title: 'intent.title', roles: ['worker'] },
  { path: '/rules', view: soon, title: 'rules.title' },
  { path: '/scan', view: soon, title: 'scan.title', roles: ['volunteer'] },
  { path: '/recruit', view: soon, title: 'recruit.title', roles: ['employer'] },
  { path: '/ledger', view: soon, title: 'ledger.title', roles: ['official', 'admin'] },
];

export const DEFAULT_PATH = '/home';
export const LOGIN_PATH = '/login';

/**
 * The bottom tab bar, in display order. Everyone has Home and Me; the others follow the roles.
 * `keep` ranks tabs when a user with many roles would get more than MAX_TABS (lower = kept first);
 * a dropped tab is still on the home screen's quick entries.
 */
export const MAX_TABS = 5;
export const tabs = [
  { path: '/home', label: 'tab.home', icon: 'home', keep: 0 },
  { path: '/card', label: 'tab.card', icon: 'qrcode', roles: ['worker'], keep: 2 },
  { path: '/scan', label: 'tab.scan', icon: 'scan', roles: ['volunteer'], keep: 1 },
  { path: '/jobs', label: 'tab.jobs', icon: 'briefcase', roles: ['worker'], keep: 5 },
  { path: '/recruit', label: 'tab.recruit', icon: 'megaphone', roles: ['employer'], keep: 4 },
  { path: '/ledger', label: 'tab.ledger', icon: 'ledger', roles: ['official', 'admin'], keep: 3 },
  { path: '/me', label: 'tab.me', icon: 'user', keep: 0 },
];

/**
 * The tabs for a user: Home, the tabs of their roles in table order, Me; at most MAX_TABS.
 * `hasRole(...roles)` answers whether the user has any of the roles (store.hasRole).
 */
export function tabsFor(hasRole) {
  const mine = tabs.filter((tab) => !tab.roles || hasRole(...tab.roles));
  if (mine.length <= MAX_TABS) return mine;
  const kept = new Set([...mine].sort((a, b) => a.keep - b.keep).slice(0, MAX_TABS));
  return mine.filter((tab) => kept.has(tab));
}

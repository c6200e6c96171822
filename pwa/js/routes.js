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
  { path: '/privacy', view: () => import('./views/privacy.js'), title: 'privacy.title', roles: ['worker'] },
  { path: '/card', view: () => import('./views/card.js'), title: 'card.title', roles: ['worker'] },
  { path: '/declare', view: () => import('./views/declare.js'), title: 'declare.title', roles: ['worker'] },
  { path: '/declarations', view: () => import('./views/declare-history.js'), title: 'declare.history_title', roles: ['worker'] },
  { path: '/appeal', view: () => import('./views/appeal.js'), title: 'appeal.title', roles: ['worker'] },
  { path: '/appeals', view: () => import('./views/appeals.js'), title: 'appeal.list_title', roles: ['official', 'admin'] },
  { path: '/paper-card', view: () => import('./views/paper-card.js'), title: 'paper.title', roles: ['official', 'admin'] },
  { path: '/trust', view: () => import('./views/trust.js'), title: 'trust.title', roles: ['official', 'admin'] },
  { path: '/jobs', view: () => import('./views/jobs-list.js'), title: 'jobs.title', roles: ['worker'] },
  { path: '/jobs/mine', view: () => import('./views/jobs-mine.js'), title: 'jobs.mine_title', roles: ['worker'] },
  { path: '/jobs/:id', view: () => import('./views/jobs-detail.js'), title: 'jobs.title' },
  { path: '/intent', view: () => import('./views/intent-form.js'), title: 'intent.title', roles: ['worker'] },
  { path: '/intent/proxy', view: () => import('./views/intent-proxy.js'), title: 'intent.proxy_title', roles: ['official', 'admin'] },
  { path: '/rules', view: () => import('./views/rules-list.js'), title: 'rules.title' },
  { path: '/rules/publish', view: () => import('./views/rules-publish.js'), title: 'rules.publish_title', roles: ['official', 'admin'] },
  { path: '/scan', view: () => import('./views/scan.js'), title: 'scan.title', roles: ['volunteer'] },
  { path: '/scan/today', view: () => import('./views/scan-today.js'), title: 'scan.today_title', roles: ['volunteer'] },
  { path: '/checkin', view: () => import('./views/checkin-scan.js'), title: 'checkin.scan_title', roles: ['worker'] },
  { path: '/checkin/:token', view: () => import('./views/checkin.js'), title: 'checkin.title', roles: ['worker'] },
  { path: '/checkpoints', view: () => import('./views/checkpoints-list.js'), title: 'checkpoints.title', roles: ['official', 'admin'] },
  { path: '/checkpoints/new', view: () => import('./views/checkpoints-edit.js'), title: 'checkpoints.new', roles: ['official', 'admin'] },
  { path: '/checkpoints/supervision', view: () => import('./views/checkpoints-supervision.js'), title: 'checkpoints.supervise.title', roles: ['official', 'admin'] },
  { path: '/checkpoints/:id', view: () => import('./views/checkpoints-edit.js'), title: 'checkpoints.title', roles: ['official', 'admin'] },
  { path: '/quarantine', view: () => import('./views/quarantine-staff.js'), title: 'quarantine.staff_title', roles: ['official', 'admin'] },
  { path: '/quarantine/summary', view: () => import('./views/quarantine-summary.js'), title: 'quarantine.summary_title', roles: ['official', 'admin'] },
  { path: '/quarantine/open', view: () => import('./views/quarantine-open.js'), title: 'quarantine.open_title', roles: ['official', 'admin'] },
  { path: '/quarantine/cases/:id', view: () => import('./views/quarantine-case.js'), title: 'quarantine.case_title', roles: ['official', 'admin'] },
  { path: '/quarantine/mine', view: () => import('./views/quarantine-mine.js'), title: 'quarantine.mine_title', roles: ['worker'] },
  { path: '/workplace-checks', view: () => import('./views/quarantine-workplace.js'), title: 'quarantine.wp.title', roles: ['employer'] },
  { path: '/recruit', view: () => import('./views/recruit-home.js'), title: 'recruit.title', roles: ['employer', 'official', 'admin'] },
  { path: '/recruit/register', view: () => import('./views/recruit-register.js'), title: 'recruit.register_title', roles: ['worker', 'employer'] },
  { path: '/recruit/join', view: () => import('./views/recruit-join.js'), title: 'recruit.join_title', public: true },
  { path: '/recruit/postings/new', view: () => import('./views/recruit-posting-edit.js'), title: 'recruit.new_posting', roles: ['employer'] },
  { path: '/recruit/postings/:id', view: () => import('./views/recruit-posting.js'), title: 'recruit.posting_title', roles: ['employer', 'official', 'admin'] },
  { path: '/recruit/postings/:id/edit', view: () => import('./views/recruit-posting-edit.js'), title: 'recruit.edit_posting', roles: ['employer'] },
  { path: '/recruit/demand', view: () => import('./views/recruit-demand.js'), title: 'recruit.demand_title', roles: ['employer'] },
  { path: '/recruit/staff', view: () => import('./views/recruit-staff.js'), title: 'recruit.staff_title', roles: ['employer'] },
  { path: '/recruit/review', view: () => import('./views/recruit-review.js'), title: 'recruit.review_title', roles: ['official', 'admin'] },
  { path: '/recruit/labour', view: () => import('./views/recruit-labour.js'), title: 'recruit.labour_title', roles: ['official', 'admin'] },
  { path: '/ledger', view: () => import('./views/ledger-board.js'), title: 'ledger.title', roles: ['official', 'admin'] },
  { path: '/ledger/people', view: () => import('./views/ledger-people.js'), title: 'ledger.people_title', roles: ['official', 'admin'] },
  { path: '/subsidies', view: () => import('./views/subsidies-employer.js'), title: 'subsidies.title', roles: ['employer'] },
  { path: '/subsidies/review', view: () => import('./views/subsidies-review.js'), title: 'subsidies.review_title', roles: ['official', 'admin'] },
  { path: '/subsidies/budgets', view: () => import('./views/subsidies-budgets.js'), title: 'subsidies.budgets', roles: ['official', 'admin'] },
  { path: '/articles/manage', view: () => import('./views/publicity-manage.js'), title: 'publicity.manage_title', roles: ['official', 'admin'] },
  { path: '/articles/:id', view: () => import('./views/publicity-article.js'), title: 'publicity.title' },
  { path: '/transport', view: () => import('./views/transport-list.js'), title: 'transport.title', roles: ['employer', 'official', 'admin'] },
  { path: '/transport/new', view: () => import('./views/transport-new.js'), title: 'transport.new', roles: ['employer'] },
  { path: '/transport/charters', view: () => import('./views/transport-charters.js'), title: 'transport.charters_title', roles: ['official', 'admin'] },
  { path: '/transport/mine', view: () => import('./views/transport-mine.js'), title: 'transport.mine_title' },
  { path: '/transport/timeline', view: () => import('./views/transport-timeline.js'), title: 'transport.timeline_title', roles: ['worker'] },
  { path: '/transport/timeline/:id', view: () => import('./views/transport-timeline.js'), title: 'transport.timeline_title', roles: ['employer', 'official', 'admin'] },
  { path: '/transport/requests/:id', view: () => import('./views/transport-request.js'), title: 'transport.request_title' },
  { path: '/transport/trips/:id', view: () => import('./views/transport-trip.js'), title: 'transport.trip_title' },
  { path: '/transport/trips/:id/board', view: () => import('./views/transport-board.js'), title: 'transport.board' },
  { path: '/complain', view: () => import('./views/supervision-complain.js'), title: 'supervision.complain.title', roles: ['worker'] },
  { path: '/complaints', view: () => import('./views/supervision-mine.js'), title: 'supervision.mine.title', roles: ['worker'] },
  { path: '/gate-lookup', view: () => import('./views/supervision-lookup.js'), title: 'supervision.lookup.title', roles: ['volunteer'] },
  { path: '/supervision/dashboard', view: () => import('./views/supervision-dashboard.js'), title: 'supervision.dash.title', roles: ['official', 'admin'] },
  { path: '/supervision/ranking', view: () => import('./views/supervision-ranking.js'), title: 'supervision.rank.title', roles: ['official', 'admin'] },
  { path: '/supervision/list', view: () => import('./views/supervision-list.js'), title: 'supervision.list.scans', roles: ['official', 'admin'] },
  { path: '/supervision/cases', view: () => import('./views/supervision-cases.js'), title: 'supervision.cases.title', roles: ['official', 'admin'] },
  { path: '/supervision/cases/:id', view: () => import('./views/supervision-case.js'), title: 'supervision.case.title', roles: ['official', 'admin'] },
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
  { path: '/recruit', label: 'tab.recruit', icon: 'megaphone', roles: ['employer', 'official', 'admin'], keep: 4 },
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

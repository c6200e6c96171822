/**
 * Home: a greeting with the (server-masked) name and quick entries for each of the user's roles.
 * To add an entry, add it to ENTRIES; it shows for users with one of its roles.
 */
import { beijingParts } from '../beijing.js';
import { html, nothing } from '../html.js';
import { t, regionName } from '../i18n.js';
import { icon } from '../icons.js';
import * as store from '../store.js';
import { articlesSection, refreshArticles } from './publicity-home.js';

const ENTRIES = [
  { role: 'worker', path: '/card', icon: 'qrcode', label: 'home.entry.card', desc: 'home.entry.card_desc' },
  { role: 'worker', path: '/declare', icon: 'form', label: 'home.entry.declare', desc: 'home.entry.declare_desc' },
  { role: 'worker', path: '/jobs', icon: 'briefcase', label: 'home.entry.jobs', desc: 'home.entry.jobs_desc' },
  { role: 'worker', path: '/intent', icon: 'route', label: 'home.entry.intent', desc: 'home.entry.intent_desc' },
  { role: 'worker', path: '/rules', icon: 'shield', label: 'home.entry.rules', desc: 'home.entry.rules_desc' },
  { role: 'worker', path: '/checkin', icon: 'scan', label: 'home.entry.checkin', desc: 'home.entry.checkin_desc' },
  { role: 'worker', path: '/transport/mine', icon: 'route', label: 'transport.mine_title', desc: 'transport.entry_worker' },
  { role: 'worker', path: '/quarantine/mine', icon: 'shield', label: 'quarantine.mine_title', desc: 'quarantine.mine.check_today' },
  { role: 'volunteer', path: '/transport/mine', icon: 'route', label: 'transport.crew_trips', desc: 'transport.entry_crew' },
  { role: 'worker', path: '/complain', icon: 'shield', label: 'supervision.entry.complain', desc: 'supervision.entry.complain_desc' },
  { role: 'volunteer', path: '/scan', icon: 'scan', label: 'home.entry.scan', desc: 'home.entry.scan_desc' },
  { role: 'volunteer', path: '/gate-lookup', icon: 'form', label: 'supervision.entry.lookup', desc: 'supervision.entry.lookup_desc' },
  { role: 'employer', path: '/recruit', icon: 'megaphone', label: 'home.entry.recruit', desc: 'home.entry.recruit_desc' },
  { role: 'employer', path: '/transport', icon: 'route', label: 'transport.title', desc: 'transport.entry_employer' },
  { role: 'employer', path: '/workplace-checks', icon: 'form', label: 'quarantine.wp.title', desc: 'quarantine.wp.upload_title' },
  { role: 'employer', path: '/subsidies', icon: 'form', label: 'subsidies.title', desc: 'subsidies.entry_desc' },
  { role: 'official', path: '/ledger', icon: 'ledger', label: 'home.entry.ledger', desc: 'home.entry.ledger_desc' },
  { role: 'official', path: '/checkpoints', icon: 'shield', label: 'home.entry.checkpoints', desc: 'home.entry.checkpoints_desc' },
  { role: 'official', path: '/quarantine', icon: 'ledger', label: 'quarantine.staff_title', desc: 'quarantine.due_title' },
  { role: 'official', path: '/transport', icon: 'route', label: 'transport.title', desc: 'transport.entry_official' },
  { role: 'official', path: '/supervision/dashboard', icon: 'ledger', label: 'supervision.entry.dashboard', desc: 'supervision.entry.dashboard_desc' },
  { role: 'official', path: '/supervision/cases', icon: 'shield', label: 'supervision.entry.cases', desc: 'supervision.entry.cases_desc' },
  { role: 'official', path: '/appeals', icon: 'shield', label: 'appeal.entry', desc: 'appeal.entry_desc' },
  { role: 'official', path: '/paper-card', icon: 'qrcode', label: 'paper.entry', desc: 'paper.entry_desc' },
  { role: 'official', path: '/subsidies/review', icon: 'ledger', label: 'subsidies.review_title', desc: 'subsidies.review_desc' },
  { role: 'official', path: '/articles/manage', icon: 'megaphone', label: 'publicity.manage_title', desc: 'publicity.manage_desc' },
  { role: 'admin', path: '/ledger', icon: 'ledger', label: 'home.entry.ledger', desc: 'home.entry.ledger_desc' },
  { role: 'admin', path: '/checkpoints', icon: 'shield', label: 'home.entry.checkpoints', desc: 'home.entry.checkpoints_desc' },
  { role: 'admin', path: '/quarantine', icon: 'ledger', label: 'quarantine.staff_title', desc: 'quarantine.due_title' },
  { role: 'admin', path: '/transport', icon: 'route', label: 'transport.title', desc: 'transport.entry_official' },
  { role: 'admin', path: '/supervision/dashboard', icon: 'ledger', label: 'supervision.entry.dashboard', desc: 'supervision.entry.dashboard_desc' },
  { role: 'admin', path: '/supervision/cases', icon: 'shield', label: 'supervision.entry.cases', desc: 'supervision.entry.cases_desc' },
  { role: 'admin', path: '/trust', icon: 'shield', label: 'trust.entry', desc: 'trust.entry_desc' },
  { role: 'admin', path: '/subsidies/review', icon: 'ledger', label: 'subsidies.review_title', desc: 'subsidies.review_desc' },
];
const ROLE_ORDER = ['worker', 'volunteer', 'employer', 'official', 'admin'];

function greetingKey(hour) {
  if (hour < 11) return 'home.greeting_morning';
  if (hour < 18) return 'home.greeting_afternoon';
  return 'home.greeting_evening';
}

function entryCells(entries) {
  return html`<div class="weui-cells">
    ${entries.map(
      (e) => html`<a class="weui-cell weui-cell_access app-entry" href=${`#${e.path}`}>
        <div class="weui-cell__hd app-entry__icon">${icon(e.icon)}</div>
        <div class="weui-cell__bd">
          <p class="app-entry__label">${t(e.label)}</p>
          <p class="app-entry__desc">${t(e.desc)}</p>
        </div>
        <div class="weui-cell__ft"></div>
      </a>`,
    )}
  </div>`;
}

export default function createHomeView(ctx) {
  refreshArticles(() => ctx && ctx.update());
  return {
    render() {
      const { me } = store.get();
      if (!me) return nothing;
      const roles = ROLE_ORDER.filter((role) => store.hasRole(role));
      const groups = roles
        .map((role) => ({ role, entries: ENTRIES.filter((e) => e.role === role) }))
        .filter((g) => g.entries.length);
      return html`<div class="app-page app-home">
        <header class="app-hero">
          <h1 class="app-hero__title" data-testid="greeting">
            ${t(greetingKey(Number(beijingParts().hour)), { name: me.display_name || t('home.friend') })}
          </h1>
          <p class="app-hero__sub">${me.region ? regionName(me.region) : t('home.region_unset')}</p>
        </header>
        ${store.hasRole('worker')
          ? html`<div class="app-notice" role="note">${icon('shield', 'app-icon app-notice__icon')}<p>${t('home.notice_worker')}</p></div>`
          : nothing}
        ${articlesSection()}
        ${groups.map(
          (g) => html`${groups.length > 1 ? html`<div class="weui-cells__title">${t(`role.${g.role}`)}</div>` : nothing}
            ${entryCells(g.entries)}`,
        )}
        ${groups.length === 0 ? html`<div class="weui-cells__tips app-empty">${t('home.no_roles')}</div>` : nothing}
      </div>`;
    },
  };
}

/**
 * Helpers shared by the job screens (jobs-*.js) and the recruiting screens (recruit-*.js):
 * their stylesheet, the trade and region lists, wage and status words, the job card, errors.
 */
import { beijingShort } from '../beijing.js';
import { html, nothing } from '../html.js';
import { api } from '../api.js';
import { t, getLocale, regionName } from '../i18n.js';
import { topTips } from '../ui.js';

const STYLESHEET = '/css/jobs.css';

/** Load css/jobs.css once (a <link>, allowed by the CSP's style-src 'self'). */
export function ensureStylesheet() {
  if (document.querySelector(`link[href="${STYLESHEET}"]`)) return;
  const link = document.createElement('link');
  link.rel = 'stylesheet';
  link.href = STYLESHEET;
  document.head.appendChild(link);
}

let tradesPromise = null;

/** The fixed trade list [{code, zh, en}], fetched once. */
export function loadTrades() {
  if (!tradesPromise) {
    tradesPromise = api.get('/trades').then((body) => body.items).catch((err) => {
      tradesPromise = null;
      throw err;
    });
  }
  return tradesPromise;
}

export function tradeLabel(trade) {
  return getLocale() === 'en' ? trade.en : trade.zh;
}

let regionsPromise = null;

/**
 * Regions to filter and post by: Changde and its counties and zones, then the destinations
 * (provinces and their cities). [{code, name_zh, name_en, depth}] where depth 1 is a child.
 */
export function loadRegionOptions() {
  if (!regionsPromise) {
    regionsPromise = (async () => {
      const [roots, hunan, changde] = await Promise.all([
        api.get('/regions'),
        api.get('/regions?parent=430000'),
        api.get('/regions?parent=430700'),
      ]);
      const out = [];
      const city = hunan.items.find((r) => r.code === '430700');
      if (city) out.push({ ...city, depth: 0 });
      for (const r of changde.items) out.push({ ...r, depth: 1 });
      for (const r of hunan.items) if (r.code !== '430700') out.push({ ...r, depth: 0 });
      const provinces = roots.items.filter((r) => r.code !== '430000' && r.code !== '420000');
      const children = await Promise.all(provinces.map((p) => api.get(`/regions?parent=${p.code}`)));
      provinces.forEach((p, i) => {
        out.push({ ...p, depth: 0 });
        for (const c of children[i].items) out.push({ ...c, depth: 1 });
      });
      return out;
    })().catch((err) => {
      regionsPromise = null;
      throw err;
    });
  }
  return regionsPromise;
}

/** <option>s for regions; children indented. */
export function regionOptions(regions, selected) {
  return regions.map(
    (r) => html`<option value=${r.code} ?selected=${r.code === selected}>${r.depth ? '\u3000' : ''}${regionName(r)}</option>`,
  );
}

/** '4000-6000 元/月' or '面议'-like words when both are 0. */
export function wageText(min, max) {
  if (!min && !max) return t('jobs.wage_negotiable');
  if (min === max) return t('jobs.wage_exact', { wage: max });
  return t('jobs.wage_range', { min, max });
}

/** 'YYYY-MM-DD' → 'M月D日' (zh) or 'D Mon' (en). */
export function dayText(iso) {
  if (!iso) return '';
  const [y, m, d] = iso.split('-').map(Number);
  if (getLocale() === 'en') return new Date(y, m - 1, d).toLocaleDateString('en-GB', { day: 'numeric', month: 'short' });
  return `${m}月${d}日`;
}

/** 'MM-DD HH:MM' of an ISO instant, Beijing time. */
export function whenText(iso) {
  return beijingShort(iso);
}

const STATUS_TAG = {
  submitted: 'app-tag_orange',
  contacted: 'app-tag_green',
  hired: 'app-tag_green',
  declined: 'app-tag_grey',
  withdrawn: 'app-tag_grey',
  draft: 'app-tag_grey',
  pending: 'app-tag_orange',
  published: 'app-tag_green',
  closed: 'app-tag_grey',
  expired: 'app-tag_grey',
  taken_down: 'app-tag_red',
};

/** A status (of an application or a posting) as a coloured tag. */
export function statusTag(status, kind = 'application') {
  return html`<span class="app-tag ${STATUS_TAG[status] || ''}" data-status=${status}>${t(`jobs.${kind}_status.${status}`)}</span>`;
}

const COLOUR_TAG = { green: 'app-tag_green', yellow: 'app-tag_orange', red: 'app-tag_red' };

/** The health-card colour an applicant shared: 绿码 / 黄码 / 红码, or "not shared". */
export function colourTag(applicant) {
  if (!applicant.share_card) return html`<span class="app-tag app-tag_grey">${t('recruit.card_not_shared')}</span>`;
  if (!applicant.card_status) return html`<span class="app-tag app-tag_grey">${t('recruit.card_unknown')}</span>`;
  return html`<span class="app-tag ${COLOUR_TAG[applicant.card_status]}" data-colour=${applicant.card_status}>${t(`recruit.card.${applicant.card_status}`)}</span>`;
}

/** The job card of a list: what a worker decides on. */
export function jobCard(job, { href = `#/jobs/${job.id}`, reasons = null } = {}) {
  const left = job.positions_left;
  return html`<a class="app-job" href=${href} data-testid="job-card" data-job=${job.id}>
    <div class="app-job__head">
      <span class="app-job__title">${job.title}</span>
      <span class="app-job__wage">${wageText(job.wage_min, job.wage_max)}</span>
    </div>
    <div class="app-job__meta">${job.employer_name} · ${regionName(job.region)} · ${job.trade_name}</div>
    <div class="app-tags">
      ${job.housing ? html`<span class="app-tag app-tag_green">${t('jobs.housing')}</span>` : nothing}
      ${job.meals ? html`<span class="app-tag app-tag_green">${t('jobs.meals')}</span>` : nothing}
      <span class="app-tag ${left > 0 ? '' : 'app-tag_grey'}">${left > 0 ? t('jobs.positions_left', { n: left }) : t('jobs.full')}</span>
      ${job.application_status ? statusTag(job.application_status) : nothing}
      ${(reasons || []).map((r) => html`<span class="app-tag app-tag_orange">${r}</span>`)}
    </div>
    ${job.arrival_rules ? html`<div class="app-job__rules">${t('jobs.arrival_rules')}：${job.arrival_rules}</div>` : nothing}
  </a>`;
}

/** Show an API error: its field messages into `errors` (field → text), else a top tip. */
export function showError(err, errors = null, fields = null) {
  let shown = false;
  if (errors) {
    for (const e of err.errors || []) {
      if (!fields || fields.includes(e.field)) {
        errors[e.field] = e.message;
        shown = true;
      }
    }
  }
  if (!shown) topTips(err.detail);
}

/** A page that loads in steps: items, the next cursor, loading and error flags. */
export function pager(load, update) {
  const state = { items: [], cursor: null, done: false, loading: false, failed: false };
  state.more = async (reset = false) => {
    if (state.loading) return;
    if (reset) Object.assign(state, { items: [], cursor: null, done: false });
    if (state.done) return;
    state.loading = true;
    state.failed = false;
    update();
    try {
      const body = await load(state.cursor);
      state.items = state.items.concat(body.items);
      state.cursor = body.next_cursor;
      state.done = !body.next_cursor;
    } catch (err) {
      state.failed = true;
      topTips(err.detail);
    } finally {
      state.loading = false;
      update();
    }
  };
  return state;
}

/** "Load more" / "loading" / "no more" under a list. */
export function moreButton(state, emptyText) {
  if (state.loading) return html`<div class="weui-loadmore"><span class="weui-primary-loading"></span><span class="weui-loadmore__tips">${t('common.loading')}</span></div>`;
  if (!state.items.length && state.done) return html`<div class="weui-cells__tips app-empty" data-testid="empty">${emptyText}</div>`;
  if (state.done) return html`<div class="weui-loadmore weui-loadmore_line"><span class="weui-loadmore__tips">${t('jobs.no_more')}</span></div>`;
  return html`<div class="app-more"><button type="button" class="weui-btn weui-btn_default weui-btn_mini" data-testid="more" @click=${() => state.more()}>${t('jobs.more')}</button></div>`;
}

/**
 * Officials' supervision cases (#/supervision/cases[?state=open&region=…&unassigned=true]):
 * complaints and refused valid cards, one case per gate and day, newest first.
 */
import { html, nothing } from '../html.js';
import { api } from '../api.js';
import { t, regionName } from '../i18n.js';
import { navigate } from '../router.js';
import { topTips } from '../ui.js';
import { caseStateWord, ensureStylesheet } from './supervision-shared.js';

const STATES = ['open', 'closed'];
const PASSED = ['region', 'unassigned', 'mine', 'source', 'checkpoint_id'];

export default function createCasesView(ctx) {
  ensureStylesheet();
  const state = STATES.includes(ctx.query.get('state')) ? ctx.query.get('state') : 'open';
  let items = null;
  let cursor = null;

  function query(more) {
    const params = new URLSearchParams({ state, limit: '20' });
    for (const key of PASSED) if (ctx.query.get(key)) params.set(key, ctx.query.get(key));
    if (more && cursor) params.set('cursor', cursor);
    return params.toString();
  }

  async function load(more = false) {
    try {
      const body = await api.get(`/supervision/cases?${query(more)}`);
      items = more ? items.concat(body.items) : body.items;
      cursor = body.next_cursor;
    } catch (err) {
      topTips(err.detail);
      items = items || [];
    }
    ctx.update();
  }
  load();

  function tab(name) {
    const params = new URLSearchParams(ctx.query);
    params.set('state', name);
    return html`<button type="button" class="weui-navbar__item ${name === state ? 'weui-bar__item_on' : ''}"
      @click=${() => navigate(`/supervision/cases?${params}`)}>${caseStateWord(name)}</button>`;
  }

  function item(c) {
    const where = c.place.checkpoint_name || regionName(c.place.village);
    return html`<a class="weui-cell weui-cell_access" href=${`#/supervision/cases/${c.id}`} data-testid="case-item">
      <div class="weui-cell__bd">
        <p>${where}<span class="sv-state sv-state_${c.state}">${caseStateWord(c.state)}</span></p>
        <p class="sv-desc">${regionName(c.place.village)} · ${c.day} · ${t(`supervision.source.${c.source}`)}</p>
        <p class="sv-desc">${t('supervision.cases.counts', { complaints: c.complaints, refusals: c.refusals })}
          · ${c.assignee ? t('supervision.cases.assignee', { name: c.assignee.name_masked || '' }) : t('supervision.cases.unassigned')}</p>
      </div>
      <div class="weui-cell__ft"></div>
    </a>`;
  }

  return {
    title: () => t('supervision.cases.title'),
    render() {
      return html`<div class="app-page sv-page">
        <div class="weui-navbar">${STATES.map(tab)}</div>
        <div class="weui-cells" data-testid="cases">
          ${items === null
            ? html`<div class="weui-cell">${t('common.loading')}</div>`
            : items.length === 0
              ? html`<div class="weui-cell sv-desc" data-testid="cases-empty">${t('supervision.cases.empty')}</div>`
              : items.map(item)}
        </div>
        ${cursor ? html`<div class="weui-btn-area"><button type="button" class="weui-btn weui-btn_default" @click=${() => load(true)}>${t('supervision.more')}</button></div>` : nothing}
      </div>`;
    },
  };
}

/**
 * Point-to-point batches (#/transport): an employer's own requests, or the batches of an
 * official's region (those waiting for a decision first). Employers start a new request here;
 * officials reach the organised-export groups.
 */
import { html, nothing } from '../html.js';
import { api } from '../api.js';
import { t } from '../i18n.js';
import * as store from '../store.js';
import { moreButton, pager } from './jobs-shared.js';
import { ensureStylesheet, placeName, stateTag } from './transport-shared.js';

const TABS = ['all', 'submitted'];

export default function createTransportListView(ctx) {
  ensureStylesheet();
  const official = store.hasRole('official', 'admin');
  const tab = TABS.includes(ctx.query.get('tab')) ? ctx.query.get('tab') : official ? 'submitted' : 'all';
  const list = pager((cursor) => {
    const params = new URLSearchParams();
    if (cursor) params.set('cursor', cursor);
    if (tab === 'submitted') params.set('state', 'submitted');
    return api.get(`/transport/requests?${params}`);
  }, ctx.update);
  list.more();

  function item(r) {
    return html`<a class="app-tp-card" href=${`#/transport/requests/${r.id}`} data-request=${r.id}>
      <div class="app-tp-card__head"><span>${placeName(r.origin)} → ${placeName(r.destination)}</span>${stateTag(r.state)}</div>
      <div class="app-tp-card__meta">${r.employer_name || t('transport.charter')} · ${t('transport.workers_n', { n: r.workers })}
        · ${r.window_start} ~ ${r.window_end}</div>
    </a>`;
  }

  return {
    title() {
      return t('transport.title');
    },
    render() {
      return html`<div class="app-page">
        <nav class="app-jobs-segments">
          ${TABS.map((name) => html`<a href=${`#/transport?tab=${name}`} class=${name === tab ? 'app-on' : ''}>${t(`transport.tab.${name}`)}</a>`)}
        </nav>
        ${store.hasRole('employer')
          ? html`<div class="app-actions app-tp-form"><a class="weui-btn weui-btn_primary" href="#/transport/new" data-testid="transport-new">${t('transport.new')}</a></div>`
          : nothing}
        ${official
          ? html`<div class="app-actions app-tp-form"><a class="weui-btn weui-btn_default" href="#/transport/charters">${t('transport.charters_title')}</a></div>`
          : nothing}
        <div data-testid="transport-list">${list.items.map(item)}</div>
        ${moreButton(list, t('transport.empty'))}
      </div>`;
    },
  };
}

/**
 * A worker's complaints (#/complaints): where and when, the state of each (received, being
 * handled, closed) and, once closed, the resolution. The worker is also texted when it closes.
 */
import { html, nothing } from '../html.js';
import { api } from '../api.js';
import { t, regionName } from '../i18n.js';
import { topTips } from '../ui.js';
import { ensureStylesheet, shortDateTime, stateWord } from './supervision-shared.js';

export default function createMyComplaintsView(ctx) {
  ensureStylesheet();
  let items = null;
  let cursor = null;

  async function load(more = false) {
    try {
      const body = await api.get(`/supervision/complaints/mine?limit=20${more && cursor ? `&cursor=${encodeURIComponent(cursor)}` : ''}`);
      items = more ? items.concat(body.items) : body.items;
      cursor = body.next_cursor;
    } catch (err) {
      topTips(err.detail);
      items = items || [];
    }
    ctx.update();
  }
  load();

  function item(c) {
    const where = c.place.checkpoint_name || regionName(c.place.village);
    return html`<div class="weui-cell" data-testid="complaint-item" data-state=${c.state}>
      <div class="weui-cell__bd">
        <p>${where}<span class="sv-state sv-state_${c.state}" data-testid="complaint-state">${stateWord(c.state)}</span></p>
        <p class="sv-desc">${shortDateTime(c.occurred_at)} · ${c.kind_text}${c.duplicate ? ` · ${t('supervision.mine.linked')}` : ''}</p>
        ${c.description ? html`<p class="sv-desc">${c.description}</p>` : nothing}
        ${c.photos.length ? html`<div class="sv-photos">${c.photos.map((p) => html`<img src=${p.url} alt=${t('supervision.complain.photo_alt')} loading="lazy">`)}</div>` : nothing}
        ${c.state === 'closed'
          ? html`<div class="sv-resolution" data-testid="complaint-resolution">
              <strong>${t(`supervision.outcome.${c.outcome}`)}</strong> · ${shortDateTime(c.closed_at)}<br>${c.resolution}
            </div>`
          : nothing}
      </div>
    </div>`;
  }

  return {
    title: () => t('supervision.mine.title'),
    render() {
      return html`<div class="app-page sv-page">
        <div class="weui-cells" data-testid="my-complaints">
          ${items === null
            ? html`<div class="weui-cell">${t('common.loading')}</div>`
            : items.length === 0
              ? html`<div class="weui-cell sv-desc">${t('supervision.mine.empty')}</div>`
              : items.map(item)}
        </div>
        ${cursor ? html`<div class="weui-btn-area"><button type="button" class="weui-btn weui-btn_default" @click=${() => load(true)}>${t('supervision.more')}</button></div>` : nothing}
        <div class="weui-btn-area"><a class="weui-btn weui-btn_primary" href="#/complain">${t('supervision.complain.title')}</a></div>
      </div>`;
    },
  };
}

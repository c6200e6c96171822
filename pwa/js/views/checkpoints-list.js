/** Officials: the checkpoints of my region (#/checkpoints), with links to add one and to supervise. */
import { html, nothing } from '../html.js';
import { api } from '../api.js';
import { t, regionName } from '../i18n.js';
import { topTips } from '../ui.js';
import { ensureStylesheet } from './checkpoints-shared.js';

export function hoursText(checkpoint) {
  if (!checkpoint.opens_at || !checkpoint.closes_at) return t('checkpoints.hours_all_day');
  return `${checkpoint.opens_at.slice(0, 5)}–${checkpoint.closes_at.slice(0, 5)}`;
}

export default function createCheckpointListView(ctx) {
  ensureStylesheet();
  let items = null;
  let cursor = null;
  let loading = false;

  async function load(more = false) {
    loading = true;
    ctx.update();
    try {
      const query = more && cursor ? `?limit=50&cursor=${encodeURIComponent(cursor)}` : '?limit=50';
      const body = await api.get(`/checkpoints${query}`);
      items = more ? items.concat(body.items) : body.items;
      cursor = body.next_cursor;
    } catch (err) {
      topTips(err.detail);
      items = items || [];
    }
    loading = false;
    ctx.update();
  }
  load();

  return {
    title: () => t('checkpoints.title'),
    render() {
      return html`<div class="app-page app-checkpoints">
        <div class="weui-btn-area app-checkpoints__actions">
          <a class="weui-btn weui-btn_primary" href="#/checkpoints/new" data-testid="checkpoint-new">${t('checkpoints.new')}</a>
          <a class="weui-btn weui-btn_default" href="#/checkpoints/supervision">${t('checkpoints.supervision')}</a>
        </div>
        ${items === null
          ? html`<p class="weui-cells__tips app-empty">${t('common.loading')}</p>`
          : items.length === 0
            ? html`<p class="weui-cells__tips app-empty" data-testid="checkpoints-empty">${t('checkpoints.none')}</p>`
            : html`<div class="weui-cells">
                ${items.map(
                  (c) => html`<a class="weui-cell weui-cell_access" href=${`#/checkpoints/${c.id}`} data-testid="checkpoint-item">
                    <div class="weui-cell__bd">
                      <p>${c.name}</p>
                      <p class="app-entry__desc">${regionName(c.village)} · ${hoursText(c)}</p>
                    </div>
                    <div class="weui-cell__ft">
                      ${c.active
                        ? c.open_now
                          ? t('checkpoints.open')
                          : t('checkpoints.closed_now')
                        : t('checkpoints.inactive')}
                    </div>
                  </a>`,
                )}
              </div>`}
        ${cursor
          ? html`<div class="weui-btn-area"><button type="button" class="weui-btn weui-btn_default" ?disabled=${loading}
              @click=${() => load(true)}>${t('checkpoints.more')}</button></div>`
          : nothing}
      </div>`;
    },
  };
}

/**
 * The rows behind a dashboard figure (#/supervision/list?src=/supervision/scans?…): scans at
 * the region's checkpoints, or its people by colour (names masked), page by page.
 */
import { html, nothing } from '../html.js';
import { api } from '../api.js';
import { t, regionName } from '../i18n.js';
import { topTips } from '../ui.js';
import { ensureStylesheet, shortDateTime } from './supervision-shared.js';

const ALLOWED = ['/supervision/scans?', '/supervision/people?'];

export default function createFigureListView(ctx) {
  ensureStylesheet();
  const src = ctx.query.get('src') || '';
  const allowed = ALLOWED.some((prefix) => src.startsWith(prefix));
  const people = src.startsWith('/supervision/people');
  let items = null;
  let cursor = null;

  async function load(more = false) {
    try {
      const body = await api.get(`${src}&limit=50${more && cursor ? `&cursor=${encodeURIComponent(cursor)}` : ''}`);
      items = more ? items.concat(body.items) : body.items;
      cursor = body.next_cursor;
    } catch (err) {
      topTips(err.detail);
      items = items || [];
    }
    ctx.update();
  }
  if (allowed) load();
  else items = [];

  function scan(s) {
    const verdict = s.valid ? (s.status ? t(`supervision.status.${s.status}`) : s.kind || '') : t('supervision.list.invalid');
    return html`<div class="weui-cell"><div class="weui-cell__bd">
      <p>${s.checkpoint_name} · ${verdict}${s.flagged ? html` · <strong class="sv-trend_worse">${t('supervision.dash.refused_valid')}</strong>` : nothing}</p>
      <p class="sv-desc">${shortDateTime(s.scanned_at)} · ${s.decision ? t(`supervision.decision.${s.decision}`) : t('supervision.dash.undecided')}</p>
    </div></div>`;
  }

  function person(p) {
    return html`<div class="weui-cell"><div class="weui-cell__bd">
      <p>${p.name_masked || ''} · ${t(`supervision.status.${p.status}`)}</p>
      <p class="sv-desc">${p.region ? regionName(p.region) : ''} · ${shortDateTime(p.updated_at)}</p>
    </div></div>`;
  }

  return {
    title: () => (people ? t('supervision.list.people') : t('supervision.list.scans')),
    render() {
      return html`<div class="app-page sv-page">
        <div class="weui-cells" data-testid="figure-list">
          ${items === null
            ? html`<div class="weui-cell">${t('common.loading')}</div>`
            : items.length === 0
              ? html`<div class="weui-cell sv-desc">${t('supervision.dash.none')}</div>`
              : items.map(people ? person : scan)}
        </div>
        ${cursor ? html`<div class="weui-btn-area"><button type="button" class="weui-btn weui-btn_default" @click=${() => load(true)}>${t('supervision.more')}</button></div>` : nothing}
      </div>`;
    },
  };
}

/** My declarations, newest first (GET /api/v1/declarations, cursor pages): the worker's history. */
import { html, nothing } from '../html.js';
import { api } from '../api.js';
import { t } from '../i18n.js';
import { topTips } from '../ui.js';
import { formatDate, formatDateTime, loadCardStyles, statusWords } from './card.js';

function symptomWords(symptoms) {
  if (!symptoms || !symptoms.length) return t('declare.symptom.none');
  return symptoms.map((s) => t(`declare.symptom.${s}`)).join(t('common.list_separator'));
}

export default function createDeclarationHistoryView(ctx) {
  let items = null;
  let cursor = null;
  let busy = false;
  let failed = false;
  let stylesReady = false;
  loadCardStyles().then(() => {
    stylesReady = true;
    ctx.update();
  });

  async function load() {
    if (busy) return;
    busy = true;
    ctx.update();
    try {
      const query = cursor ? `?limit=20&cursor=${encodeURIComponent(cursor)}` : '?limit=20';
      const page = await api.get(`/declarations${query}`);
      items = (items || []).concat(page.items);
      cursor = page.next_cursor;
      failed = false;
    } catch (err) {
      failed = true;
      if (err.status !== 0 && err.status !== 401) topTips(err.detail);
    } finally {
      busy = false;
      ctx.update();
    }
  }
  load();

  function item(d) {
    return html`<div class="hist-item" data-testid="declaration">
      <div class="hist-item__head">
        <span class="hist-item__time">${formatDateTime(d.declared_at)}</span>
        <span class="hc-badge hc_${d.resulting_status}">${statusWords(d.resulting_status)}</span>
      </div>
      <dl class="hist-item__facts">
        <dt>${t('declare.temperature')}</dt><dd>${d.temperature} ℃</dd>
        <dt>${t('declare.symptoms_short')}</dt><dd>${symptomWords(d.symptoms)}</dd>
        <dt>${t('declare.hubei_short')}</dt>
        <dd>${d.hubei_exposure_date ? formatDate(d.hubei_exposure_date) : t('declare.hubei_no')}</dd>
        <dt>${t('declare.contact_short')}</dt><dd>${d.case_contact ? t('declare.yes') : t('declare.no')}</dd>
      </dl>
      ${d.by_proxy ? html`<p class="hist-item__proxy">${t('declare.by_proxy')}</p>` : nothing}
    </div>`;
  }

  return {
    render() {
      if (!stylesReady) return html`<div class="app-page"></div>`;
      return html`<div class="app-page hist-page">
        <div class="decl-intro">
          <h1 class="decl-intro__title">${t('declare.history_title')}</h1>
          <p class="decl-intro__desc">${t('declare.history_desc')}</p>
        </div>
        ${items === null && !failed ? html`<p class="hc-loading">${t('common.loading')}…</p>` : nothing}
        ${items !== null && items.length === 0
          ? html`<div class="weui-msg hc-empty">
              <div class="weui-msg__text-area"><p class="weui-msg__desc">${t('declare.history_empty')}</p></div>
              <div class="weui-msg__opr-area"><a class="weui-btn weui-btn_primary" href="#/declare">${t('card.declare_now')}</a></div>
            </div>`
          : nothing}
        ${(items || []).map(item)}
        ${failed ? html`<p class="hc-loading">${t('error.network')}</p>` : nothing}
        ${cursor || failed
          ? html`<div class="weui-btn-area"><button type="button" class="weui-btn weui-btn_default" ?disabled=${busy} @click=${load}>
              ${failed ? t('card.retry') : t('card.more')}</button></div>`
          : nothing}
      </div>`;
    },
  };
}

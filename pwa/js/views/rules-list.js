/**
 * 目的地防疫政策: the rules in force for arriving workers at each destination, as our officials
 * collected and published them (GET /api/v1/destination-rules), with the destinations' job news.
 * City and county officials also see every published rule and may publish or withdraw one.
 */
import { html, nothing } from '../html.js';
import { api } from '../api.js';
import { t } from '../i18n.js';
import * as store from '../store.js';
import { confirmDialog, topTips } from '../ui.js';
import { ensureStylesheet, named, ruleCard, when } from './intent-shared.js';

const PUBLISHER_LEVELS = ['province', 'city', 'county', 'zone'];

/** Whether the signed-in user may publish rules (the server decides; this only hides buttons). */
export function mayPublish() {
  const me = store.get().me;
  if (store.hasRole('admin')) return true;
  return store.hasRole('official') && Boolean(me && me.region && PUBLISHER_LEVELS.indexOf(me.region.level) >= 0);
}

export default function createRulesView(ctx) {
  ensureStylesheet();
  let rules = null;
  let published = null;
  let filter = '';

  async function load() {
    try {
      rules = (await api.get('/destination-rules')).items;
      if (mayPublish()) published = (await api.get('/destination-rules/published')).items;
    } catch (err) {
      topTips(err.detail);
      rules = rules || [];
    }
    ctx.update();
  }
  load();

  async function withdraw(rule) {
    const ok = await confirmDialog({ title: t('rules.withdraw_confirm'), body: named(rule.destination), danger: true });
    if (!ok) return;
    try {
      await api.post(`/destination-rules/${rule.id}/withdraw`);
      await load();
    } catch (err) {
      topTips(err.detail);
    }
  }

  function shown() {
    if (!filter) return rules;
    return rules.filter((r) => named(r.destination).indexOf(filter) >= 0 || r.destination.code.indexOf(filter) === 0);
  }

  return {
    render() {
      if (!rules) return html`<div class="app-page"><p class="weui-cells__tips">${t('common.loading')}</p></div>`;
      const list = shown();
      return html`<div class="app-page ledger-page" data-testid="rules-page">
        <p class="weui-cells__tips">${t('rules.intro')}</p>
        <div class="weui-cells weui-cells_form">
          <div class="weui-cell weui-cell_active">
            <div class="weui-cell__bd"><input class="weui-input" id="rules-filter" placeholder=${t('rules.filter')}
              .value=${filter} @input=${(e) => { filter = e.target.value.trim(); ctx.update(); }}></div>
          </div>
        </div>
        ${mayPublish()
          ? html`<div class="weui-btn-area"><a class="weui-btn weui-btn_primary" href="#/rules/publish" data-testid="rules-new">${t('rules.publish')}</a></div>`
          : nothing}
        ${list.length
          ? html`<div class="ledger-rules">${list.map(ruleCard)}</div>`
          : html`<p class="weui-cells__tips app-empty">${t('rules.none')}</p>`}
        ${published
          ? html`<div class="weui-cells__title">${t('rules.published')}</div>
            <div class="weui-cells">${published.map((r) => html`<div class="weui-cell">
              <div class="weui-cell__bd">${named(r.destination)} · ${r.source_date}
                ${r.withdrawn ? html`<span class="ledger-badge">${t('rules.withdrawn')}</span>` : nothing}
                <p class="weui-cells__tips">${when(r.published_at)}</p></div>
              <div class="weui-cell__ft">${r.withdrawn
                ? nothing
                : html`<button type="button" class="ledger-link" @click=${() => withdraw(r)}>${t('rules.withdraw')}</button>`}</div>
            </div>`)}</div>`
          : nothing}
      </div>`;
    },
  };
}

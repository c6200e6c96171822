/**
 * Officials: the subsidy budgets they oversee (balance, allocated, approved, paid), each
 * one's ledger, and money put in: a region's own funds, or a transfer from the city's budget.
 */
import { html, nothing } from '../html.js';
import { api } from '../api.js';
import { beijingDayTime } from '../beijing.js';
import { t, regionName } from '../i18n.js';
import * as store from '../store.js';
import { toast, topTips } from '../ui.js';
import { ensureStylesheet, parseYuan, showError, yuan } from './subsidies-shared.js';

const CITY = '430700';

export default function createSubsidiesBudgetsView(ctx) {
  ensureStylesheet().then(() => ctx.update());
  let budgets = null;
  let regions = [];
  let ledger = null; // { budget, items }
  const form = { region: '', amount: '', fromCity: false, note: '' };

  async function load() {
    try {
      budgets = (await api.get('/subsidies/budgets')).items;
      const me = store.get().me;
      const mine = me && me.region ? me.region.code : CITY;
      if (mine === CITY) {
        const children = await api.get(`/regions?parent=${CITY}`);
        regions = [{ code: CITY, name_zh: '常德市', name_en: 'Changde' }, ...children.items];
      } else {
        regions = [me.region];
      }
      if (!form.region && regions.length) form.region = regions[0].code;
    } catch (err) {
      showError(err);
      budgets = budgets || [];
    }
    ctx.update();
  }
  load();

  async function showLedger(budget) {
    try {
      ledger = { budget, items: (await api.get(`/subsidies/budgets/${budget.id}/entries?limit=100`)).items };
    } catch (err) {
      showError(err);
    }
    ctx.update();
  }

  async function allocate(event) {
    event.preventDefault();
    const fen = parseYuan(form.amount);
    if (!fen) return topTips(t('subsidies.amount_invalid'));
    try {
      await api.post('/subsidies/budgets/allocations', {
        region_code: form.region,
        amount_fen: fen,
        from_city: form.fromCity,
        note: form.note || null,
      });
      toast(t('subsidies.allocated'), { icon: 'success' });
      form.amount = '';
      form.note = '';
      ledger = null;
      await load();
    } catch (err) {
      showError(err);
    }
  }

  function allocationForm() {
    return html`<form @submit=${allocate} data-testid="sub-allocate">
      <div class="weui-cells__title">${t('subsidies.allocate_title')}</div>
      <div class="weui-cells weui-cells_form">
        <label class="weui-cell weui-cell_active weui-cell_select weui-cell_select-after">
          <div class="weui-cell__hd"><span class="weui-label">${t('subsidies.region')}</span></div>
          <div class="weui-cell__bd"><select id="sub-region" class="weui-select" @change=${(e) => { form.region = e.target.value; }}>
            ${regions.map((r) => html`<option value=${r.code} ?selected=${r.code === form.region}>${regionName(r)}</option>`)}
          </select></div></label>
        <label class="weui-cell weui-cell_active"><div class="weui-cell__hd"><span class="weui-label">${t('subsidies.amount')}</span></div>
          <div class="weui-cell__bd"><input id="sub-alloc-amount" class="weui-input" inputmode="decimal" required .value=${form.amount}
            @input=${(e) => { form.amount = e.target.value; }}></div></label>
        <label class="weui-cell weui-cell_active"><div class="weui-cell__hd"><span class="weui-label">${t('subsidies.note')}</span></div>
          <div class="weui-cell__bd"><input class="weui-input" maxlength="200" .value=${form.note} @input=${(e) => { form.note = e.target.value; }}></div></label>
        ${form.region !== CITY && regions.some((r) => r.code === CITY)
          ? html`<label class="weui-cell weui-cell_active weui-check__label"><div class="weui-cell__bd">${t('subsidies.from_city')}</div>
              <div class="weui-cell__ft"><input type="checkbox" class="weui-switch" .checked=${form.fromCity}
                @change=${(e) => { form.fromCity = e.target.checked; }}></div></label>`
          : nothing}
      </div>
      <div class="weui-btn-area"><button type="submit" class="weui-btn weui-btn_primary">${t('subsidies.allocate')}</button></div>
    </form>`;
  }

  return {
    render() {
      return html`<div class="app-page">
        <div class="weui-cells__title">${t('subsidies.budgets')}</div>
        ${budgets === null
          ? html`<div class="weui-cells__tips">${t('common.loading')}</div>`
          : budgets.length
            ? budgets.map(
                (b) => html`<div class="sub-card" data-testid="sub-budget" data-region=${b.region.code}>
                  <div class="sub-card__head"><b>${regionName(b.region)}</b><span class="sub-amount">${yuan(b.balance_fen)}</span></div>
                  <dl class="sub-card__facts">
                    <dt>${t('subsidies.allocated_total')}</dt><dd>${yuan(b.allocated_fen)}</dd>
                    <dt>${t('subsidies.approved')}</dt><dd>${yuan(b.approved_fen)}</dd>
                    <dt>${t('subsidies.paid')}</dt><dd>${yuan(b.paid_fen)}</dd>
                  </dl>
                  <div class="sub-actions"><button type="button" class="weui-btn weui-btn_default weui-btn_mini" @click=${() => showLedger(b)}>${t('subsidies.ledger')}</button></div>
                  ${ledger && ledger.budget.id === b.id
                    ? html`<div class="weui-cells">${ledger.items.map(
                        (e) => html`<div class="weui-cell"><div class="weui-cell__bd">
                          <p>${t(`subsidies.entry.${e.kind}`)}${e.application_id ? ` · ${t('subsidies.application_no', { id: e.application_id })}` : ''}</p>
                          <p class="pub-meta">${beijingDayTime(e.at)}${e.note ? ` · ${e.note}` : ''}</p></div>
                          <div class="weui-cell__ft">${yuan(e.amount_fen)}<br><small>${t('subsidies.balance_after', { amount: yuan(e.balance_after_fen) })}</small></div></div>`,
                      )}</div>`
                    : nothing}
                </div>`,
              )
            : html`<div class="weui-cells__tips">${t('subsidies.no_budgets')}</div>`}
        ${allocationForm()}
      </div>`;
    },
  };
}

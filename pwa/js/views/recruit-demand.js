/**
 * The labour-demand survey (用工需求摸底), employers: how many workers of which trade from
 * which date; add, change the headcount, remove. Officials see it summed by region and trade.
 */
import { beijingDay } from '../beijing.js';
import { html, nothing } from '../html.js';
import { api } from '../api.js';
import { t, regionName } from '../i18n.js';
import { confirmDialog, loading, toast } from '../ui.js';
import { dayText, ensureStylesheet, loadTrades, moreButton, pager, showError, tradeLabel } from './jobs-shared.js';

function isoToday() {
  return beijingDay();
}

export default function createDemandView(ctx) {
  ensureStylesheet();
  const form = { trade: '', headcount: '', start_date: isoToday(), note: '' };
  const errors = {};
  let trades = [];
  const lines = pager((cursor) => api.get(`/labour-demand${cursor ? `?cursor=${cursor}` : ''}`), ctx.update);
  lines.more();
  loadTrades().then((items) => { trades = items; ctx.update(); }).catch(showError);

  async function add(event) {
    event.preventDefault();
    for (const key of Object.keys(errors)) delete errors[key];
    if (!form.trade) errors.trade = t('recruit.error.trade');
    if (!(Number(form.headcount) >= 1)) errors.headcount = t('recruit.error.headcount');
    if (Object.keys(errors).length) {
      ctx.update();
      return;
    }
    const done = loading();
    try {
      await api.post('/labour-demand', {
        trade: form.trade,
        headcount: Number(form.headcount),
        start_date: form.start_date,
        note: form.note.trim() || null,
      });
      done();
      toast(t('recruit.saved'), { icon: 'success' });
      form.headcount = '';
      form.note = '';
      lines.more(true);
    } catch (err) {
      done();
      showError(err, errors, ['trade', 'headcount', 'start_date', 'note']);
      ctx.update();
    }
  }

  async function remove(line) {
    if (!(await confirmDialog({ title: t('recruit.demand_remove_confirm'), danger: true }))) return;
    try {
      await api.delete(`/labour-demand/${line.id}`);
      lines.more(true);
    } catch (err) {
      showError(err);
    }
  }

  async function change(line, value) {
    const headcount = Number(value);
    if (!(headcount >= 1)) return;
    try {
      Object.assign(line, await api.patch(`/labour-demand/${line.id}`, { headcount }));
      toast(t('recruit.saved'), { icon: 'success' });
    } catch (err) {
      showError(err);
    }
    ctx.update();
  }

  const err = (name) => (errors[name] ? html`<p class="app-field-error" role="alert">${errors[name]}</p>` : nothing);

  return {
    render() {
      return html`<div class="app-page">
        <p class="weui-cells__tips">${t('recruit.demand_tips')}</p>
        <form class="weui-cells weui-cells_form" novalidate @submit=${add}>
          <div class="weui-cell"><div class="weui-cell__hd"><label class="weui-label" for="demand-trade">${t('recruit.f.trade')}</label></div>
            <div class="weui-cell__bd app-form-row"><select id="demand-trade" data-testid="demand-trade" @change=${(e) => { form.trade = e.target.value; }}>
              <option value="">${t('recruit.f.choose')}</option>
              ${trades.map((tr) => html`<option value=${tr.code} ?selected=${tr.code === form.trade}>${tradeLabel(tr)}</option>`)}
            </select></div></div>
          ${err('trade')}
          <div class="weui-cell"><div class="weui-cell__hd"><label class="weui-label" for="demand-headcount">${t('recruit.f.headcount')}</label></div>
            <div class="weui-cell__bd"><input id="demand-headcount" data-testid="demand-headcount" class="weui-input" type="number" inputmode="numeric"
              .value=${form.headcount} @input=${(e) => { form.headcount = e.target.value; }}></div></div>
          ${err('headcount')}
          <div class="weui-cell"><div class="weui-cell__hd"><label class="weui-label" for="demand-start">${t('jobs.start_date')}</label></div>
            <div class="weui-cell__bd"><input id="demand-start" class="weui-input" type="date" .value=${form.start_date}
              @input=${(e) => { form.start_date = e.target.value; }}></div></div>
          ${err('start_date')}
          <div class="weui-cell"><div class="weui-cell__hd"><label class="weui-label" for="demand-note">${t('recruit.f.note')}</label></div>
            <div class="weui-cell__bd"><input id="demand-note" class="weui-input" maxlength="200" .value=${form.note}
              @input=${(e) => { form.note = e.target.value; }}></div></div>
          <div class="app-actions"><button type="submit" class="weui-btn weui-btn_primary weui-btn_mini" data-testid="demand-add">${t('recruit.demand_add')}</button></div>
        </form>
        <div class="weui-cells__title">${t('recruit.demand_lines')}</div>
        <div class="weui-cells" data-testid="demand-lines">
          ${lines.items.map(
            (line) => html`<div class="weui-cell" data-line=${line.id}>
              <div class="weui-cell__bd"><p>${line.trade_name}</p>
                <p class="app-muted">${regionName(line.region)} · ${t('recruit.demand_from', { date: dayText(line.start_date) })}${line.note ? ` · ${line.note}` : ''}</p></div>
              <div class="weui-cell__ft">
                <input class="weui-input" type="number" inputmode="numeric" aria-label=${t('recruit.f.headcount')} .value=${String(line.headcount)}
                  @change=${(e) => change(line, e.target.value)}>
                <button type="button" class="weui-btn weui-btn_default weui-btn_mini" @click=${() => remove(line)}>${t('recruit.remove')}</button>
              </div>
            </div>`,
          )}
        </div>
        ${moreButton(lines, t('recruit.demand_empty'))}
      </div>`;
    },
  };
}

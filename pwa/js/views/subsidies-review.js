/**
 * County officials: applications waiting for review. Opening one shows its batches and
 * invoices, any duplicate claims, and the limits (rate x people, cost, the employer's cap
 * left, the county's balance); approve an amount in yuan, or refuse with the reason.
 */
import { html, nothing } from '../html.js';
import { api } from '../api.js';
import { beijingDayTime } from '../beijing.js';
import { t, regionName } from '../i18n.js';
import { confirmDialog, toast, topTips } from '../ui.js';
import { ensureStylesheet, parseYuan, showError, statusTag, yuan, yuanInput } from './subsidies-shared.js';

const STATUSES = ['submitted', 'approved', 'paid', 'refused'];

export default function createSubsidiesReviewView(ctx) {
  ensureStylesheet().then(() => ctx.update());
  const status = STATUSES.includes(ctx.query.get('status')) ? ctx.query.get('status') : 'submitted';
  let items = null;
  let open = null; // the detail of the application opened
  let amount = '';
  let reason = '';

  async function load() {
    try {
      items = (await api.get(`/subsidies/applications?status=${status}&limit=100`)).items;
    } catch (err) {
      showError(err);
      items = [];
    }
    ctx.update();
  }
  load();

  async function show(id) {
    try {
      open = await api.get(`/subsidies/applications/${id}`);
      amount = open.limits ? yuanInput(open.limits.suggested_fen) : '';
      reason = '';
    } catch (err) {
      showError(err);
    }
    ctx.update();
  }

  async function approve() {
    const fen = parseYuan(amount);
    if (!fen) return topTips(t('subsidies.amount_invalid'));
    const ok = await confirmDialog({ title: t('subsidies.approve_confirm', { amount: yuan(fen) }) });
    if (!ok) return;
    try {
      open = await api.post(`/subsidies/applications/${open.id}/approve`, { amount_fen: fen });
      toast(t('subsidies.approved_toast'), { icon: 'success' });
      await load();
    } catch (err) {
      showError(err);
    }
  }

  async function refuse() {
    if (reason.trim().length < 2) return topTips(t('subsidies.reason_needed'));
    try {
      open = await api.post(`/subsidies/applications/${open.id}/refuse`, { reason });
      toast(t('subsidies.refused_toast'));
      await load();
    } catch (err) {
      showError(err);
    }
  }

  async function paid() {
    const ok = await confirmDialog({ title: t('subsidies.paid_confirm', { amount: yuan(open.approved_fen) }) });
    if (!ok) return;
    try {
      open = await api.post(`/subsidies/applications/${open.id}/paid`);
      await load();
    } catch (err) {
      showError(err);
    }
  }

  function duplicates(a) {
    if (!a.duplicates.length) return nothing;
    return html`<div class="sub-warn" role="alert" data-testid="sub-duplicates">
      <p>${t('subsidies.duplicates', { n: a.duplicates.length })}</p>
      <ul>${a.duplicates.map(
        (d) => html`<li>${t(`subsidies.duplicate.${d.kind}`, {
          person: d.person || '',
          day: d.tested_on,
          batch: d.other_batch_id,
          application: d.other_application_id || '—',
        })}</li>`,
      )}</ul>
    </div>`;
  }

  function detail(a) {
    const l = a.limits;
    return html`<div class="sub-card" data-testid="sub-detail">
      <div class="sub-card__head"><b>${a.employer.name}</b>${statusTag(a.status)}</div>
      <p class="pub-meta">${t('subsidies.application_no', { id: a.id })} · ${regionName(a.county)} · ${beijingDayTime(a.submitted_at)}</p>
      ${a.batches.map(
        (b) => html`<dl class="sub-card__facts">
          <dt>${b.tested_on}</dt><dd>${b.institution}</dd>
          <dt>${t('subsidies.people')}</dt><dd>${t('subsidies.people_n', { n: b.people_count, linked: b.people.length })}</dd>
          <dt>${t('subsidies.cost')}</dt><dd>${yuan(b.cost_fen)}
            ${b.invoice ? html` · <a class="weui-link" target="_blank" rel="noopener" href=${`/api/v1/subsidies/batches/${b.id}/invoice`}>${t('subsidies.invoice_view')}</a>` : nothing}</dd>
        </dl>`,
      )}
      ${duplicates(a)}
      ${l
        ? html`<dl class="sub-card__facts" data-testid="sub-limits">
            <dt>${t('subsidies.rate')}</dt><dd>${yuan(l.rate_fen)} × ${l.people} = ${yuan(l.by_rate_fen)}</dd>
            <dt>${t('subsidies.cost')}</dt><dd>${yuan(l.cost_fen)}</dd>
            <dt>${t('subsidies.cap_left')}</dt><dd>${yuan(l.cap_left_fen)} / ${yuan(l.cap_fen)}</dd>
            <dt>${t('subsidies.max')}</dt><dd>${yuan(l.max_fen)}</dd>
            <dt>${t('subsidies.balance')}</dt><dd>${yuan(l.budget_balance_fen)}</dd>
          </dl>
          <div class="weui-cells weui-cells_form">
            <label class="weui-cell weui-cell_active"><div class="weui-cell__hd"><span class="weui-label">${t('subsidies.amount')}</span></div>
              <div class="weui-cell__bd"><input id="sub-amount" class="weui-input" inputmode="decimal" .value=${amount}
                @input=${(e) => { amount = e.target.value; }}></div></label>
            <label class="weui-cell weui-cell_active"><div class="weui-cell__hd"><span class="weui-label">${t('subsidies.reason')}</span></div>
              <div class="weui-cell__bd"><input id="sub-reason" class="weui-input" maxlength="500" placeholder=${t('subsidies.reason_hint')}
                .value=${reason} @input=${(e) => { reason = e.target.value; }}></div></label>
          </div>
          <div class="sub-actions">
            <button id="sub-approve" type="button" class="weui-btn weui-btn_primary" @click=${approve}>${t('subsidies.approve')}</button>
            <button id="sub-refuse" type="button" class="weui-btn weui-btn_warn" @click=${refuse}>${t('subsidies.refuse')}</button>
          </div>`
        : html`<dl class="sub-card__facts">
            ${a.approved_fen !== null ? html`<dt>${t('subsidies.approved')}</dt><dd class="sub-amount">${yuan(a.approved_fen)}</dd>` : nothing}
            ${a.refusal_reason ? html`<dt>${t('subsidies.reason')}</dt><dd>${a.refusal_reason}</dd>` : nothing}
          </dl>
          ${a.status === 'approved'
            ? html`<div class="sub-actions"><button id="sub-paid" type="button" class="weui-btn weui-btn_default" @click=${paid}>${t('subsidies.mark_paid')}</button></div>`
            : nothing}`}
    </div>`;
  }

  return {
    render() {
      return html`<div class="app-page">
        <div class="weui-navbar">
          ${STATUSES.map(
            (s) => html`<a class="weui-navbar__item ${s === status ? 'weui-bar__item_on' : ''}" href=${`#/subsidies/review?status=${s}`}>${t(`subsidies.status.${s}`)}</a>`,
          )}
        </div>
        ${open ? detail(open) : nothing}
        ${items === null
          ? html`<div class="weui-cells__tips">${t('common.loading')}</div>`
          : items.length
            ? html`<div class="weui-cells">${items.map(
                (a) => html`<button type="button" class="weui-cell weui-cell_access sub-cell-button" data-testid="sub-review-item" data-id=${a.id}
                  @click=${() => show(a.id)}>
                  <div class="weui-cell__bd"><p>${a.employer.name}</p><p class="pub-meta">${t('subsidies.application_no', { id: a.id })} · ${yuan(a.requested_fen)}</p></div>
                  <div class="weui-cell__ft">${statusTag(a.status)}</div></button>`,
              )}</div>`
            : html`<div class="weui-cells__tips">${t('subsidies.none_to_review')}</div>`}
        <div class="weui-cells__tips">
          <a class="weui-link" href=${`/api/v1/subsidies/export.csv?status=${status}`} download>${t('subsidies.export_csv')}</a> ·
          <a class="weui-link" href=${`/api/v1/subsidies/export.xlsx?status=${status}`} download>${t('subsidies.export_xlsx')}</a> ·
          <a class="weui-link" href="#/subsidies/budgets">${t('subsidies.budgets')}</a>
        </div>
      </div>`;
    },
  };
}

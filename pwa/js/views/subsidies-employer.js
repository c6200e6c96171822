/**
 * Employer staff: record a test batch (date, institution, roster workers ticked or people
 * counted, cost, invoice file), then apply for the subsidy for the batches picked; the
 * applications below show what the county approved.
 */
import { html, nothing } from '../html.js';
import { api } from '../api.js';
import { beijingDay, beijingDayIn } from '../beijing.js';
import { t } from '../i18n.js';
import { confirmDialog, loading, toast, topTips } from '../ui.js';
import { MAX_INVOICE_BYTES, ensureStylesheet, parseYuan, showError, statusTag, yuan } from './subsidies-shared.js';

export default function createSubsidiesEmployerView(ctx) {
  ensureStylesheet().then(() => ctx.update());
  const form = { tested_on: beijingDayIn(0), institution: '', counted: '', cost: '', file: null, ticked: new Set() };
  let roster = [];
  let batches = null;
  let applications = null;
  const picked = new Set();
  let busy = false;

  async function load() {
    try {
      const [r, b, a] = await Promise.all([
        api.get('/employers/mine/workers?limit=100'),
        api.get('/subsidies/batches?limit=50'),
        api.get('/subsidies/applications/mine?limit=50'),
      ]);
      roster = r.items;
      batches = b.items;
      applications = a.items;
    } catch (err) {
      showError(err);
      batches = batches || [];
      applications = applications || [];
    }
    ctx.update();
  }
  load();

  function pickFile(event) {
    const chosen = event.target.files && event.target.files[0];
    form.file = null;
    if (!chosen) return;
    if (chosen.size > MAX_INVOICE_BYTES) {
      topTips(t('subsidies.invoice_too_big'));
      event.target.value = '';
      return;
    }
    form.file = chosen;
  }

  async function save(event) {
    event.preventDefault();
    const cost = parseYuan(form.cost);
    const counted = form.counted === '' ? 0 : Number(form.counted);
    if (cost === null) return topTips(t('subsidies.cost_invalid'));
    if (!Number.isInteger(counted) || counted < 0) return topTips(t('subsidies.counted_invalid'));
    if (!form.file) return topTips(t('subsidies.invoice_missing'));
    busy = true;
    ctx.update();
    const done = loading(t('subsidies.saving'));
    try {
      const batch = await api.post('/subsidies/batches', {
        tested_on: form.tested_on,
        institution: form.institution,
        roster_user_ids: [...form.ticked],
        counted_only: counted,
        cost_fen: cost,
      });
      try {
        await api.upload(`/subsidies/batches/${batch.id}/invoice`, form.file);
      } catch (err) {
        showError(err); // the batch is kept; its invoice can be uploaded again below
      }
      toast(t('subsidies.batch_saved'), { icon: 'success' });
      Object.assign(form, { institution: '', counted: '', cost: '', file: null, ticked: new Set() });
      const input = document.getElementById('sub-invoice');
      if (input) input.value = '';
      picked.add(batch.id);
      await load();
    } catch (err) {
      showError(err);
    } finally {
      busy = false;
      done();
      ctx.update();
    }
  }

  async function reupload(batch, event) {
    const chosen = event.target.files && event.target.files[0];
    if (!chosen) return;
    if (chosen.size > MAX_INVOICE_BYTES) return topTips(t('subsidies.invoice_too_big'));
    try {
      await api.upload(`/subsidies/batches/${batch.id}/invoice`, chosen);
      toast(t('subsidies.invoice_saved'), { icon: 'success' });
      await load();
    } catch (err) {
      showError(err);
    }
  }

  async function apply() {
    const ids = [...picked].filter((id) => batches.some((b) => b.id === id && !b.application_id && b.invoice));
    if (!ids.length) return topTips(t('subsidies.pick_batches'));
    const ok = await confirmDialog({ title: t('subsidies.apply_confirm', { n: ids.length }) });
    if (!ok) return;
    try {
      await api.post('/subsidies/applications', { batch_ids: ids });
      picked.clear();
      toast(t('subsidies.applied'), { icon: 'success' });
      await load();
    } catch (err) {
      showError(err);
    }
  }

  function toggle(set, id) {
    if (set.has(id)) set.delete(id);
    else set.add(id);
    ctx.update();
  }

  function batchForm() {
    return html`<form class="weui-form__control-area" @submit=${save} data-testid="sub-batch-form">
      <div class="weui-cells__title">${t('subsidies.new_batch')}</div>
      <div class="weui-cells weui-cells_form">
        <label class="weui-cell weui-cell_active"><div class="weui-cell__hd"><span class="weui-label">${t('subsidies.tested_on')}</span></div>
          <div class="weui-cell__bd"><input id="sub-date" class="weui-input" type="date" required max=${beijingDayIn(0)}
            .value=${form.tested_on} @change=${(e) => { form.tested_on = e.target.value; }}></div></label>
        <label class="weui-cell weui-cell_active"><div class="weui-cell__hd"><span class="weui-label">${t('subsidies.institution')}</span></div>
          <div class="weui-cell__bd"><input id="sub-institution" class="weui-input" required minlength="2" maxlength="100"
            placeholder=${t('subsidies.institution_hint')} .value=${form.institution} @input=${(e) => { form.institution = e.target.value; }}></div></label>
        <label class="weui-cell weui-cell_active"><div class="weui-cell__hd"><span class="weui-label">${t('subsidies.counted')}</span></div>
          <div class="weui-cell__bd"><input id="sub-counted" class="weui-input" type="number" inputmode="numeric" min="0" step="1"
            placeholder=${t('subsidies.counted_hint')} .value=${form.counted} @input=${(e) => { form.counted = e.target.value; }}></div></label>
        <label class="weui-cell weui-cell_active"><div class="weui-cell__hd"><span class="weui-label">${t('subsidies.cost')}</span></div>
          <div class="weui-cell__bd"><input id="sub-cost" class="weui-input" inputmode="decimal" required
            placeholder=${t('subsidies.cost_hint')} .value=${form.cost} @input=${(e) => { form.cost = e.target.value; }}></div></label>
        <label class="weui-cell weui-cell_active"><div class="weui-cell__hd"><span class="weui-label">${t('subsidies.invoice')}</span></div>
          <div class="weui-cell__bd"><input id="sub-invoice" class="weui-input" type="file" accept="application/pdf,image/jpeg,image/png"
            @change=${pickFile}></div></label>
      </div>
      <div class="weui-cells__tips">${t('subsidies.invoice_tip')}</div>
      ${roster.length
        ? html`<div class="weui-cells__title">${t('subsidies.roster_pick', { n: form.ticked.size })}</div>
            <div class="weui-cells weui-cells_checkbox sub-people">
              ${roster.map(
                (w) => html`<label class="weui-cell weui-cell_active weui-check__label">
                  <div class="weui-cell__hd"><input type="checkbox" class="weui-check" data-testid="sub-roster-${w.user_id}"
                    .checked=${form.ticked.has(w.user_id)} @change=${() => toggle(form.ticked, w.user_id)}><i class="weui-icon-checked"></i></div>
                  <div class="weui-cell__bd">${w.name_masked || w.phone_masked}</div></label>`,
              )}
            </div>`
        : nothing}
      <div class="weui-btn-area"><button id="sub-save" class="weui-btn weui-btn_primary" type="submit" ?disabled=${busy}>${t('subsidies.save_batch')}</button></div>
    </form>`;
  }

  function batchList() {
    if (batches === null) return html`<div class="weui-cells__tips">${t('common.loading')}</div>`;
    if (!batches.length) return html`<div class="weui-cells__tips">${t('subsidies.no_batches')}</div>`;
    return html`<div class="weui-cells__title">${t('subsidies.batches')}</div>
      ${batches.map(
        (b) => html`<div class="sub-card" data-testid="sub-batch" data-id=${b.id}>
          <div class="sub-card__head">
            ${!b.application_id && b.invoice
              ? html`<label><input type="checkbox" data-testid="sub-pick-${b.id}" .checked=${picked.has(b.id)} @change=${() => toggle(picked, b.id)}>
                  ${beijingDay(b.tested_on)} · ${b.institution}</label>`
              : html`<span>${b.tested_on} · ${b.institution}</span>`}
            <span>${b.application_id ? t('subsidies.claimed', { id: b.application_id }) : nothing}</span>
          </div>
          <dl class="sub-card__facts">
            <dt>${t('subsidies.people')}</dt><dd>${t('subsidies.people_n', { n: b.people_count, linked: b.people.length })}</dd>
            <dt>${t('subsidies.cost')}</dt><dd>${yuan(b.cost_fen)}</dd>
            <dt>${t('subsidies.invoice')}</dt><dd>${b.invoice
              ? html`<a class="weui-link" target="_blank" rel="noopener" href=${`/api/v1/subsidies/batches/${b.id}/invoice`}>${t('subsidies.invoice_view')}</a>`
              : html`<span class="sub-warn">${t('subsidies.invoice_none')}</span>`}
              ${!b.application_id
                ? html`<input type="file" class="sub-reupload" accept="application/pdf,image/jpeg,image/png" aria-label=${t('subsidies.invoice_replace')} @change=${(e) => reupload(b, e)}>`
                : nothing}</dd>
          </dl>
        </div>`,
      )}
      <div class="weui-btn-area"><button id="sub-apply" type="button" class="weui-btn weui-btn_primary" @click=${apply}>${t('subsidies.apply', { n: picked.size })}</button></div>`;
  }

  function applicationList() {
    if (!applications || !applications.length) return nothing;
    return html`<div class="weui-cells__title">${t('subsidies.my_applications')}</div>
      ${applications.map(
        (a) => html`<div class="sub-card" data-testid="sub-application" data-id=${a.id}>
          <div class="sub-card__head"><span>${t('subsidies.application_no', { id: a.id })}</span>${statusTag(a.status)}</div>
          <dl class="sub-card__facts">
            <dt>${t('subsidies.requested')}</dt><dd>${yuan(a.requested_fen)}</dd>
            ${a.approved_fen !== null
              ? html`<dt>${t('subsidies.approved')}</dt><dd class="sub-amount" data-testid="sub-approved">${yuan(a.approved_fen)}</dd>`
              : nothing}
            ${a.refusal_reason ? html`<dt>${t('subsidies.reason')}</dt><dd class="sub-warn">${a.refusal_reason}</dd>` : nothing}
          </dl>
        </div>`,
      )}
      <div class="weui-cells__tips"><a class="weui-link" href="/api/v1/subsidies/statement.csv" download>${t('subsidies.statement')}</a></div>`;
  }

  return {
    render() {
      return html`<div class="app-page">${applicationList()}${batchList()}${batchForm()}</div>`;
    },
  };
}

/**
 * 务工意向 (worker): my current intent with its status and destination rules, my outbound
 * health certificate (QR drawn here, printable), the form to register or change the intent
 * (PUT /api/v1/intents/mine), "I have left", withdrawal, and the history of changes.
 */
import { html, nothing } from '../html.js';
import { api } from '../api.js';
import { t } from '../i18n.js';
import { qrSvg } from '../qr.js';
import { confirmDialog, loading, toast, topTips } from '../ui.js';
import {
  FORM_FIELDS, applyServerErrors, createIntentForm, ensureStylesheet, named, ruleCard, statusBadges, when,
} from './intent-shared.js';

export default function createIntentView(ctx) {
  ensureStylesheet();
  const form = createIntentForm(ctx, { worker: true });
  let mine = null; // MyIntentOut
  let history = null;
  let editing = false;
  let saving = false;
  let failed = false;

  async function load() {
    try {
      mine = await api.get('/intents/mine');
      failed = false;
      editing = !mine.intent;
      form.setInitial(mine.intent);
    } catch (err) {
      failed = true;
      topTips(err.detail);
    }
    ctx.update();
  }
  load();

  async function save(event) {
    event.preventDefault();
    if (saving || !form.validate()) return;
    saving = true;
    const done = loading();
    try {
      const saved = await api.put('/intents/mine', form.body());
      toast(t(saved.created ? 'intent.saved_new' : 'intent.saved'), { icon: 'success' });
      editing = false;
      history = null;
      await load();
    } catch (err) {
      if (!applyServerErrors(err, form.errors, FORM_FIELDS)) topTips(err.detail);
    } finally {
      saving = false;
      done();
      ctx.update();
    }
  }

  async function departed(value) {
    const ok = await confirmDialog({ title: t(value ? 'intent.departed_confirm' : 'intent.departed_undo_confirm') });
    if (!ok) return;
    try {
      await api.post('/intents/mine/departure', { departed: value });
      await load();
    } catch (err) {
      topTips(err.detail);
    }
  }

  async function withdraw() {
    const ok = await confirmDialog({ title: t('intent.withdraw_confirm'), body: t('intent.withdraw_desc'), danger: true });
    if (!ok) return;
    try {
      await api.delete('/intents/mine');
      toast(t('intent.withdrawn'), { icon: 'success' });
      history = null;
      await load();
    } catch (err) {
      topTips(err.detail);
    }
  }

  async function showHistory() {
    try {
      history = (await api.get('/intents/mine/history?limit=20')).items;
    } catch (err) {
      topTips(err.detail);
    }
    ctx.update();
  }

  function summary(intent) {
    return html`<div class="weui-cells" data-testid="intent-summary">
      <div class="weui-cell">
        <div class="weui-cell__bd">${t('intent.kind_label')}</div>
        <div class="weui-cell__ft">${t(`intent.kind.${intent.kind}`)}</div>
      </div>
      <div class="weui-cell">
        <div class="weui-cell__bd">${t('intent.destination')}</div>
        <div class="weui-cell__ft" data-testid="intent-destination">${named(intent.destination)}</div>
      </div>
      <div class="weui-cell">
        <div class="weui-cell__bd">${t('intent.trade')}</div>
        <div class="weui-cell__ft">${intent.trade_name}</div>
      </div>
      <div class="weui-cell">
        <div class="weui-cell__bd">${t('intent.departure')}</div>
        <div class="weui-cell__ft">${intent.departure_date || t('intent.not_set')}</div>
      </div>
      ${intent.job_arranged
        ? html`<div class="weui-cell">
            <div class="weui-cell__bd">${t('intent.employer')}</div>
            <div class="weui-cell__ft">${intent.employer_name || ''}</div>
          </div>`
        : nothing}
      <div class="weui-cell"><div class="weui-cell__bd">${statusBadges(intent)}</div></div>
    </div>`;
  }

  function certificate(cert, intent) {
    if (!cert) return nothing;
    const card = cert.card;
    return html`<div class="weui-cells__title">${t('intent.certificate')}</div>
      <div class="ledger-cert" data-testid="certificate">
        <div class="ledger-cert__qr">${qrSvg(card.qr, { label: t('intent.certificate') })}</div>
        <p class="ledger-cert__line">${card.name_masked}（${card.id_last4}） · ${card.status_text}</p>
        <p class="ledger-cert__line">${t('intent.cert_destination', { name: named(intent.destination) })}
          · ${t('intent.cert_departure', { date: card.departure_date || '' })}</p>
        <p class="ledger-cert__line">${t('intent.cert_valid', { time: when(card.expires_at) })}</p>
        ${card.revoked ? html`<p class="app-field-error">${t('intent.cert_revoked')}</p>` : nothing}
        <p class="ledger-cert__links">
          <a href=${cert.pdf_url} target="_blank" rel="noopener">${t('intent.print_pdf')}</a>
          · <a href=${cert.png_url} target="_blank" rel="noopener">${t('intent.print_png')}</a>
        </p>
      </div>`;
  }

  function current() {
    const intent = mine.intent;
    return html`
      ${summary(intent)}
      ${mine.advice === 'settle_job_first'
        ? html`<div class="ledger-advice" role="note"><p class="ledger-advice__title">${t('intent.settle_first')}</p>
            <p>${t('intent.settle_first_go')}</p>
            <a class="weui-btn weui-btn_default weui-btn_mini" href="#/jobs">${t('intent.browse_jobs')}</a></div>`
        : nothing}
      ${certificate(mine.certificate, intent)}
      ${mine.rules.length
        ? html`<div class="weui-cells__title">${t('intent.rules_title')}</div><div class="ledger-rules">${mine.rules.map(ruleCard)}</div>`
        : nothing}
      <div class="weui-btn-area">
        <button type="button" class="weui-btn weui-btn_primary" data-testid="intent-edit"
          @click=${() => { editing = true; ctx.update(); }}>${t('intent.change')}</button>
        ${intent.kind === 'outbound'
          ? html`<button type="button" class="weui-btn weui-btn_default" data-testid="intent-departed"
              @click=${() => departed(!intent.departed)}>${t(intent.departed ? 'intent.departed_undo' : 'intent.departed_now')}</button>`
          : nothing}
        <button type="button" class="weui-btn weui-btn_default app-btn-danger" @click=${withdraw}>${t('intent.withdraw')}</button>
      </div>
      <div class="weui-cells__title">
        <button type="button" class="ledger-link" @click=${showHistory}>${t('intent.history')}</button>
      </div>
      ${history
        ? html`<div class="weui-cells">${history.map((h) => html`<div class="weui-cell">
            <div class="weui-cell__bd">${t(`intent.action.${h.action}`)}${h.by_proxy ? html` · ${t('intent.by_staff')}` : nothing}</div>
            <div class="weui-cell__ft">${when(h.changed_at)}</div>
          </div>`)}</div>`
        : nothing}`;
  }

  return {
    render() {
      if (failed && !mine) {
        return html`<div class="app-page"><p class="weui-cells__tips app-empty">${t('error.network')}</p></div>`;
      }
      if (!mine) return html`<div class="app-page"><p class="weui-cells__tips">${t('common.loading')}</p></div>`;
      return html`<div class="app-page ledger-page" data-testid="intent-page">
        ${editing
          ? html`<form novalidate @submit=${save} data-testid="intent-form">
              ${mine.intent ? nothing : html`<p class="weui-cells__tips">${t('intent.intro')}</p>`}
              ${form.render()}
              <div class="weui-btn-area">
                <button type="submit" class="weui-btn weui-btn_primary" id="intent-submit" ?disabled=${saving}>${t('intent.submit')}</button>
                ${mine.intent
                  ? html`<button type="button" class="weui-btn weui-btn_default"
                      @click=${() => { editing = false; ctx.update(); }}>${t('common.cancel')}</button>`
                  : nothing}
              </div>
            </form>`
          : current()}
      </div>`;
    },
  };
}

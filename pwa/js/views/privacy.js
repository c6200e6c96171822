/**
 * My data (#/privacy): everything the service holds about the worker, by category, with what
 * erasure would do to each; a download of all of it (JSON); and erasure, confirmed twice: a
 * dialog that says what happens and what is kept and why, then the code texted to their phone.
 * Names and numbers on this screen are masked by the server; the download is the full copy.
 */
import { API_BASE, ApiError, api } from '../api.js';
import { html, nothing } from '../html.js';
import { getLocale, t } from '../i18n.js';
import { signOut } from '../session.js';
import { alertDialog, confirmDialog, loading, toast, topTips } from '../ui.js';

const STYLESHEET = '/css/privacy.css';
const CODE_RE = /^\d{6}$/;

function ensureStylesheet() {
  if (document.querySelector(`link[href="${STYLESHEET}"]`)) return;
  const link = document.createElement('link');
  link.rel = 'stylesheet';
  link.href = STYLESHEET;
  document.head.appendChild(link);
}

/** The export as a file: fetched (so a refusal shows as a message, not a downloaded error),
 * then handed to the browser with the server's file name. */
async function downloadExport() {
  let response;
  try {
    response = await fetch(`${API_BASE}/privacy/export.json`, {
      credentials: 'same-origin',
      headers: { Accept: 'application/json', 'Accept-Language': getLocale() },
    });
  } catch {
    throw new ApiError({ status: 0, code: 'network_error', detail: t('error.network') });
  }
  if (!response.ok) {
    let body = {};
    try {
      body = await response.json();
    } catch {
      /* not JSON */
    }
    throw new ApiError({ status: response.status, code: body.code, detail: body.detail || t('error.unknown'), problem: body });
  }
  const disposition = response.headers.get('Content-Disposition') || '';
  const match = /filename="([^"]+)"/.exec(disposition);
  const blob = await response.blob();
  const url = URL.createObjectURL(blob);
  const link = document.createElement('a');
  link.href = url;
  link.download = match ? match[1] : 'fangang-my-data.json';
  document.body.appendChild(link);
  link.click();
  link.remove();
  setTimeout(() => URL.revokeObjectURL(url), 10000);
}

export default function createPrivacyView(ctx) {
  ensureStylesheet();
  let data = null;
  let failed = false;
  let exporting = false;
  // Erasure: null (not started) → 'code' (code sent, waiting for it) → submitting
  let step = null;
  let sentTo = '';
  let code = '';
  let codeError = '';
  let submitting = false;
  let resendAt = 0;
  let timer = 0;

  async function load() {
    try {
      data = await api.get('/privacy/mine');
      failed = false;
    } catch (err) {
      failed = true;
      if (err.status !== 401) topTips(err.detail);
    }
    ctx.update();
  }
  load();

  const secondsLeft = () => Math.max(0, Math.ceil((resendAt - Date.now()) / 1000));

  function countdown(seconds) {
    resendAt = Date.now() + seconds * 1000;
    clearInterval(timer);
    timer = setInterval(() => {
      if (secondsLeft() === 0) clearInterval(timer);
      ctx.update();
    }, 1000);
  }

  async function exportData() {
    if (exporting) return;
    exporting = true;
    ctx.update();
    try {
      await downloadExport();
      toast(t('privacy.export_done'), { icon: 'success' });
    } catch (err) {
      topTips(err.detail);
    } finally {
      exporting = false;
      ctx.update();
    }
  }

  function consequences(preview) {
    return html`<div class="pv-dialog">
      <p>${t('privacy.confirm_lead')}</p>
      <ul class="pv-dialog__list">
        <li>${t('privacy.confirm_cards', { n: preview.cards_to_revoke })}</li>
        <li>${t('privacy.confirm_deleted', { n: preview.deleted })}</li>
        <li>${t('privacy.confirm_anonymised', { n: preview.anonymised })}</li>
        <li>${t('privacy.confirm_kept', { n: preview.kept })}</li>
        <li>${t('privacy.confirm_logout')}</li>
      </ul>
      <p class="pv-dialog__warn">${t('privacy.confirm_final')}</p>
    </div>`;
  }

  function showHeld(err) {
    // The law keeps the data for now: the server says why and until when; show it in place.
    if (err.code === 'erasure_held' && Array.isArray(err.problem.holds) && data) {
      data.erasure = { ...data.erasure, possible: false, holds: err.problem.holds };
    }
    topTips(err.detail);
    ctx.update();
  }

  async function sendCode() {
    const done = loading();
    try {
      const body = await api.post('/privacy/erasure/code');
      step = 'code';
      sentTo = body.phone_masked;
      code = '';
      codeError = '';
      countdown(body.resend_after || 60);
      ctx.update();
      const input = document.getElementById('erase-code');
      if (input) input.focus();
    } catch (err) {
      if (err.code === 'otp_resend_too_soon' && err.problem.retry_after) {
        step = 'code';
        countdown(Number(err.problem.retry_after));
      }
      showHeld(err);
    } finally {
      done();
    }
  }

  async function startErasure() {
    const ok = await confirmDialog({
      title: t('privacy.confirm_title'),
      body: consequences(data.erasure),
      okText: t('privacy.confirm_ok'),
      danger: true,
    });
    if (ok) await sendCode();
  }

  async function confirmErasure(event) {
    event.preventDefault();
    if (submitting) return;
    if (!CODE_RE.test(code)) {
      codeError = t('login.code_invalid');
      ctx.update();
      return;
    }
    submitting = true;
    ctx.update();
    try {
      await api.post('/privacy/erasure', { code });
      clearInterval(timer);
      signOut(); // the session is over on the server too; the router shows the login screen
      await alertDialog({ title: t('privacy.done_title'), body: t('privacy.done_body') });
    } catch (err) {
      const field = err.errors.find((e) => e.field === 'code');
      if (field || err.code === 'otp_invalid' || err.code === 'otp_expired' || err.code === 'otp_too_many_attempts') {
        codeError = field ? field.message : err.detail;
      } else {
        showHeld(err);
      }
    } finally {
      submitting = false;
      ctx.update();
    }
  }

  function cancel() {
    step = null;
    code = '';
    codeError = '';
    ctx.update();
  }

  function category(c) {
    return html`<details class="pv-cat" data-testid="privacy-category" data-key=${c.key}>
      <summary class="weui-cell weui-cell_access pv-cat__head">
        <div class="weui-cell__bd">
          <p class="pv-cat__title">${c.title}</p>
          <p class="pv-cat__fate pv-fate_${c.fate}">${t('privacy.after')}${c.fate_text}</p>
        </div>
        <div class="weui-cell__ft"><span class="pv-count" data-testid="privacy-count">${c.count}</span></div>
      </summary>
      <div class="pv-cat__body">
        <p class="pv-why">${c.why}</p>
        ${c.records.map((r) => html`<p class="pv-record" data-testid="privacy-record">${r.line}</p>`)}
        ${c.count > c.records.length
          ? html`<p class="pv-record pv-record_more">${t('privacy.more_in_export', { n: c.count - c.records.length })}</p>`
          : nothing}
      </div>
    </details>`;
  }

  /** Categories with nothing in them, folded into one line that still names each of them. */
  function emptyCategories(empty) {
    if (!empty.length) return nothing;
    return html`<details class="pv-cat" data-testid="privacy-empty">
      <summary class="weui-cell weui-cell_access pv-cat__head">
        <div class="weui-cell__bd"><p class="pv-cat__fate">${t('privacy.empty_categories', { n: empty.length })}</p></div>
        <div class="weui-cell__ft"></div>
      </summary>
      <div class="pv-cat__body">
        <p class="pv-empty-list">${empty.map((c) => c.title).join(t('common.list_separator'))}</p>
      </div>
    </details>`;
  }

  function erasureSection() {
    const e = data.erasure;
    if (!e.possible) {
      return html`<div class="pv-held" role="note" data-testid="erasure-held">
        <p class="pv-held__title">${t('privacy.held_title')}</p>
        ${e.holds.map((h) => html`<p class="pv-held__reason" data-code=${h.code}>${h.message}</p>`)}
      </div>`;
    }
    if (step === 'code') {
      const left = secondsLeft();
      return html`<form class="pv-erase" data-testid="erase-panel" @submit=${confirmErasure} novalidate>
        <p class="pv-erase__lead">${t('privacy.code_sent', { phone: sentTo })}</p>
        <div class="weui-cells weui-cells_form">
          <div class="weui-cell weui-cell_active weui-cell_vcode ${codeError ? 'weui-cell_warn' : ''}">
            <div class="weui-cell__hd"><label class="weui-label" for="erase-code">${t('privacy.code')}</label></div>
            <div class="weui-cell__bd">
              <input id="erase-code" class="weui-input" type="text" inputmode="numeric" autocomplete="one-time-code"
                maxlength="6" placeholder=${t('login.code_placeholder')} .value=${code}
                @input=${(ev) => { code = ev.target.value.trim(); codeError = ''; ctx.update(); }}
                aria-invalid=${codeError ? 'true' : 'false'} aria-describedby="erase-code-error">
            </div>
            <div class="weui-cell__ft">
              <button type="button" class="weui-btn_reset weui-btn_vcode" ?disabled=${left > 0} @click=${sendCode}>
                ${left > 0 ? t('login.resend_in', { seconds: left }) : t('login.resend')}
              </button>
            </div>
          </div>
        </div>
        ${codeError ? html`<p class="app-field-error" id="erase-code-error" role="alert">${codeError}</p>` : nothing}
        <div class="weui-btn-area">
          <button type="submit" class="weui-btn weui-btn_warn" data-testid="erase-confirm" ?disabled=${submitting}>
            ${t('privacy.erase_now')}
          </button>
          <button type="button" class="weui-btn weui-btn_default" @click=${cancel}>${t('common.cancel')}</button>
        </div>
      </form>`;
    }
    return html`<div class="weui-btn-area">
      <button type="button" class="weui-btn weui-btn_default app-btn-danger" data-testid="erase-start" @click=${startErasure}>
        ${t('privacy.erase')}
      </button>
    </div>`;
  }

  return {
    title: () => t('privacy.title'),
    destroy() {
      clearInterval(timer);
    },
    render() {
      if (data === null) {
        return html`<div class="app-page pv-page"><div class="weui-cells"><div class="weui-cell">
          ${failed ? t('error.unknown') : t('common.loading')}</div></div></div>`;
      }
      const s = data.subject;
      const filled = data.categories.filter((c) => c.count > 0);
      const empty = data.categories.filter((c) => c.count === 0);
      return html`<div class="app-page pv-page" data-testid="privacy-page">
        <p class="pv-lead">${t('privacy.lead')}</p>
        <div class="weui-cells">
          <div class="weui-cell"><div class="weui-cell__bd">${t('privacy.name')}</div>
            <div class="weui-cell__ft" data-testid="privacy-name">${s.name_masked || t('me.none')}</div></div>
          <div class="weui-cell"><div class="weui-cell__bd">${t('me.id_number')}</div>
            <div class="weui-cell__ft" data-testid="privacy-id">${s.id_masked || t('me.none')}</div></div>
          <div class="weui-cell"><div class="weui-cell__bd">${t('privacy.phone')}</div>
            <div class="weui-cell__ft">${s.phone_masked || t('me.none')}</div></div>
        </div>
        <div class="weui-cells__title">${t('privacy.held', { n: data.total, m: filled.length })}</div>
        <div class="weui-cells pv-cats">${filled.map(category)}${emptyCategories(empty)}</div>
        <div class="weui-cells__tips">${t('privacy.tap_to_open')}</div>

        <div class="weui-cells__title">${t('privacy.export_title')}</div>
        <p class="pv-lead">${t('privacy.export_lead')}</p>
        <div class="weui-btn-area">
          <button type="button" class="weui-btn weui-btn_primary" data-testid="privacy-export" ?disabled=${exporting} @click=${exportData}>
            ${t('privacy.export')}
          </button>
        </div>

        <div class="weui-cells__title">${t('privacy.erase_title')}</div>
        <p class="pv-lead">${t('privacy.erase_lead')}</p>
        ${erasureSection()}
      </div>`;
    },
  };
}

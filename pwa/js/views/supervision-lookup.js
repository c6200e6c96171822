/**
 * Gate lookup (#/gate-lookup) for people with no phone and no paper card: the volunteer types
 * the resident ID number (as printed on the ID card) and sees the colour, whether it is current
 * and the masked name, nothing else. Every lookup is logged for supervisors. It needs the
 * network (the server holds the colours): offline it says so instead of guessing.
 */
import { html, nothing } from '../html.js';
import { api } from '../api.js';
import { t } from '../i18n.js';
import { topTips } from '../ui.js';
import { ensureStylesheet, shortDateTime } from './supervision-shared.js';

const ID_RE = /^\d{17}[\dX]$/;

export default function createLookupView(ctx) {
  ensureStylesheet();
  let checkpoints = null;
  let checkpointId = '';
  let idNumber = '';
  let answer = null;
  let refusal = null;
  let busy = false;
  let online = navigator.onLine !== false;

  function connectivity() {
    online = navigator.onLine !== false;
    ctx.update();
  }
  window.addEventListener('online', connectivity);
  window.addEventListener('offline', connectivity);

  api
    .get('/checkpoints/mine')
    .then((body) => {
      checkpoints = body.items;
      if (checkpoints.length) checkpointId = String(checkpoints[0].id);
      ctx.update();
    })
    .catch((err) => {
      checkpoints = [];
      if (err.status === 0) online = false;
      else topTips(err.detail);
      ctx.update();
    });

  async function lookUp() {
    const number = idNumber.trim().toUpperCase();
    answer = null;
    refusal = null;
    if (!ID_RE.test(number)) {
      refusal = t('supervision.lookup.format');
      ctx.update();
      return;
    }
    if (!online) {
      ctx.update();
      return;
    }
    busy = true;
    ctx.update();
    try {
      answer = await api.post('/supervision/gate-lookups', { checkpoint_id: Number(checkpointId), id_number: number, method: 'typed' });
      idNumber = ''; // the number is not kept on the phone
    } catch (err) {
      if (err.status === 0) online = false;
      else refusal = err.errors.length ? err.errors.map((e) => e.message).join(' ') : err.detail;
    } finally {
      busy = false;
      ctx.update();
    }
  }

  function result() {
    if (refusal) return html`<div class="weui-cells__tips sv-lead" role="alert" data-testid="lookup-refusal">${refusal}</div>`;
    if (!answer) return nothing;
    const tone = answer.status && answer.valid ? answer.status : 'lapsed';
    return html`<div class="sv-answer sv-answer_${tone}" data-testid="lookup-answer" data-status=${answer.status || ''} data-valid=${String(answer.valid)}>
      <div class="sv-answer__status">${answer.status_text || t('supervision.lookup.no_status')}</div>
      <div class="sv-answer__name">${answer.name_masked || ''}</div>
      <div class="sv-answer__valid">${answer.valid
        ? t('supervision.lookup.valid_until', { until: shortDateTime(answer.valid_until) })
        : answer.status
          ? t('supervision.lookup.lapsed')
          : t('supervision.lookup.declare')}</div>
    </div>`;
  }

  return {
    title: () => t('supervision.lookup.title'),
    destroy() {
      window.removeEventListener('online', connectivity);
      window.removeEventListener('offline', connectivity);
    },
    render() {
      return html`<div class="app-page sv-page">
        <p class="sv-lead">${t('supervision.lookup.lead')}</p>
        ${online ? nothing : html`<div class="sv-offline" role="status" data-testid="lookup-offline">${t('supervision.lookup.offline')}</div>`}
        <div class="weui-cells weui-cells_form">
          ${checkpoints && checkpoints.length > 1
            ? html`<div class="weui-cell weui-cell_select"><div class="weui-cell__bd">
                <select class="weui-select" @change=${(e) => { checkpointId = e.target.value; }}>
                  ${checkpoints.map((c) => html`<option value=${String(c.id)} ?selected=${String(c.id) === checkpointId}>${c.name}</option>`)}
                </select></div></div>`
            : nothing}
          <div class="weui-cell">
            <div class="weui-cell__hd"><label class="weui-label" for="sv-id">${t('supervision.lookup.id_number')}</label></div>
            <div class="weui-cell__bd">
              <input id="sv-id" class="weui-input" inputmode="text" autocomplete="off" maxlength="18" data-testid="lookup-id"
                placeholder=${t('supervision.lookup.id_placeholder')} .value=${idNumber} @input=${(e) => { idNumber = e.target.value; }}>
            </div>
          </div>
        </div>
        ${checkpoints && !checkpoints.length && online ? html`<p class="sv-lead">${t('supervision.lookup.no_checkpoint')}</p>` : nothing}
        <div class="weui-btn-area">
          <button type="button" class="weui-btn weui-btn_primary" data-testid="lookup-submit"
            ?disabled=${busy || !online || !checkpointId} @click=${lookUp}>${busy ? t('common.loading') : t('supervision.lookup.submit')}</button>
        </div>
        ${result()}
        <p class="sv-lead">${t('supervision.lookup.logged')}</p>
      </div>`;
    },
  };
}

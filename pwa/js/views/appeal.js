/**
 * Appeal (worker): "I think my colour is wrong". Shows the current colour and its history,
 * files an appeal with a reason (POST /appeals; one open at a time), and lists my appeals with
 * every decision and comment the officials made (GET /appeals/mine).
 */
import { html, nothing } from '../html.js';
import { api } from '../api.js';
import { t } from '../i18n.js';
import { toast, topTips } from '../ui.js';
import { declareFirst, formatDate, formatDateTime, loadCardStyles, reasonWords, statusWords, tKeep } from './card.js';

export const REASON_MIN = 2; // AppealIn.reason: 2 to 1000 characters
export const REASON_MAX = 1000;

/** One decision or comment on an appeal, in words. */
export function decisionItem(d) {
  return html`<li class="appeal-decision" data-testid="appeal-decision">
    <p class="appeal-decision__head">
      <span class="appeal-decision__outcome">${t(`appeal.outcome.${d.outcome}`)}</span>
      ${d.outcome === 'upheld' && d.new_status
        ? html`<span class="hc-badge hc_${d.new_status}">${statusWords(d.new_status)}</span>`
        : nothing}
    </p>
    <p class="appeal-decision__comment">${d.comment}</p>
    <p class="appeal-decision__meta">${t('appeal.decided_by', { id: d.official_id, time: formatDateTime(d.decided_at) })}</p>
  </li>`;
}

/** Why a colour changed (declaration, release, clearance, appeal, …) in words. */
function causeWords(cause) {
  const key = `appeal.cause.${cause}`;
  const text = t(key);
  return text === key ? t('appeal.cause.other') : text;
}

/** The state of an appeal as a badge. */
export function stateBadge(state) {
  return html`<span class="appeal-state appeal-state_${state}" data-testid="appeal-state">${t(`appeal.state.${state}`)}</span>`;
}

export default function createAppealView(ctx) {
  let status = null;
  let appeals = null;
  let noDeclaration = false;
  let failed = false;
  let reason = '';
  let error = '';
  let submitting = false;
  let stylesReady = false;
  loadCardStyles().then(() => {
    stylesReady = true;
    ctx.update();
  });

  async function load() {
    failed = false;
    ctx.update();
    try {
      const [s, mine] = await Promise.all([
        api.get('/status').catch((err) => {
          if (err.status === 404) return null;
          throw err;
        }),
        api.get('/appeals/mine'),
      ]);
      status = s;
      noDeclaration = s === null;
      appeals = mine.items;
    } catch (err) {
      failed = true;
      if (err.status !== 0 && err.status !== 401) topTips(err.detail);
    }
    ctx.update();
  }
  load();

  async function submit(event) {
    event.preventDefault();
    const text = reason.trim();
    if (text.length < REASON_MIN || text.length > REASON_MAX) {
      error = t('appeal.err.reason', { min: REASON_MIN, max: REASON_MAX });
      ctx.update();
      return;
    }
    submitting = true;
    ctx.update();
    try {
      const appeal = await api.post('/appeals', { reason: text });
      appeals = [appeal, ...(appeals || [])];
      reason = '';
      error = '';
      toast(t('appeal.filed'), { icon: 'success' });
    } catch (err) {
      const field = (err.errors || []).find((e) => e.field === 'reason');
      if (field) error = field.message;
      else topTips(err.detail);
    } finally {
      submitting = false;
      ctx.update();
    }
  }

  function current() {
    return html`<div class="appeal-current">
      <p class="appeal-current__label">${t('appeal.current')}</p>
      <p class="appeal-current__status">
        <span class="hc-badge hc-badge_large hc_${status.status}" data-testid="appeal-status">${statusWords(status.status)}</span>
      </p>
      ${status.reasons.length ? html`<p class="appeal-current__reasons">${reasonWords(status.reasons)}</p>` : nothing}
      ${status.status === 'yellow' && status.quarantine_until
        ? html`<p class="appeal-current__reasons">${tKeep('card.quarantine_until', { date: formatDate(status.quarantine_until) })}</p>`
        : nothing}
    </div>`;
  }

  function form() {
    const open = (appeals || []).some((a) => a.state === 'open');
    if (open) return html`<div class="appeal-note" data-testid="appeal-open">${t('appeal.open_note')}</div>`;
    return html`<form novalidate @submit=${submit} data-testid="appeal-form">
      <div class="weui-cells__title">${t('appeal.reason')}</div>
      <div class="weui-cells weui-cells_form">
        <div class="weui-cell ${error ? 'weui-cell_warn' : ''}">
          <div class="weui-cell__bd">
            <textarea id="appeal-reason" class="weui-textarea" rows="4" maxlength=${REASON_MAX}
              placeholder=${t('appeal.reason_placeholder')} .value=${reason}
              @input=${(e) => { reason = e.target.value; error = ''; ctx.update(); }}></textarea>
            <div class="weui-textarea-counter"><span>${reason.length}</span>/${REASON_MAX}</div>
          </div>
        </div>
      </div>
      ${error ? html`<p class="app-field-error" id="appeal-reason-error" role="alert">${error}</p>` : nothing}
      <div class="weui-cells__tips">${t('appeal.reason_tip')}</div>
      <div class="weui-btn-area">
        <button type="submit" id="appeal-submit" class="weui-btn weui-btn_primary" ?disabled=${submitting}>${t('appeal.submit')}</button>
      </div>
    </form>`;
  }

  function appealItem(a) {
    return html`<div class="appeal-item" data-testid="appeal-item">
      <div class="appeal-item__head">
        <span>${formatDateTime(a.filed_at)}</span>
        ${stateBadge(a.state)}
      </div>
      <p class="appeal-item__meta">${t('appeal.status_at_filing', { status: statusWords(a.status_at_filing) })}</p>
      <p class="appeal-item__reason">${a.reason}</p>
      ${a.decisions.length ? html`<ul class="appeal-decisions">${a.decisions.map(decisionItem)}</ul>` : nothing}
    </div>`;
  }

  function history() {
    if (!status || !status.history.length) return nothing;
    return html`<div class="weui-cells__title">${t('appeal.history')}</div>
      <div class="weui-cells">
        ${status.history.map(
          (h) => html`<div class="weui-cell appeal-change">
            <div class="weui-cell__bd">
              <p>${h.from_status ? html`${statusWords(h.from_status)} → ` : nothing}${statusWords(h.to_status)}
                <span class="appeal-change__cause">${causeWords(h.cause)}</span></p>
              ${h.reasons.length ? html`<p class="appeal-change__meta">${reasonWords(h.reasons)}</p>` : nothing}
              ${h.comment ? html`<p class="appeal-change__meta">${h.comment}</p>` : nothing}
            </div>
            <div class="weui-cell__ft appeal-change__time">${formatDateTime(h.changed_at)}</div>
          </div>`,
        )}
      </div>`;
  }

  return {
    render() {
      if (!stylesReady) return html`<div class="app-page"></div>`;
      if (noDeclaration) return html`<div class="app-page hc-page">${declareFirst()}</div>`;
      if (failed && status === null) {
        return html`<div class="app-page hc-page"><p class="hc-loading">${t('error.network')}</p>
          <div class="weui-btn-area"><button type="button" class="weui-btn weui-btn_default" @click=${load}>${t('card.retry')}</button></div></div>`;
      }
      if (status === null || appeals === null) return html`<div class="app-page hc-page"><p class="hc-loading">${t('common.loading')}…</p></div>`;
      return html`<div class="app-page appeal-page">
        <div class="decl-intro">
          <h1 class="decl-intro__title">${t('appeal.heading')}</h1>
          <p class="decl-intro__desc">${t('appeal.intro')}</p>
        </div>
        ${current()} ${form()}
        ${appeals.length ? html`<div class="weui-cells__title">${t('appeal.mine')}</div>${appeals.map(appealItem)}` : nothing}
        ${history()}
      </div>`;
    },
  };
}

/**
 * Appeals (officials and admins): the appeals of people in my region (GET /appeals, filtered by
 * state, cursor pages), each with its decisions; on an open one, decide (uphold with the
 * corrected colour, or reject) or comment, always with a reason (POST /appeals/{id}/decisions).
 */
import { html, nothing } from '../html.js';
import { api } from '../api.js';
import { t } from '../i18n.js';
import { toast, topTips } from '../ui.js';
import { decisionItem, stateBadge } from './appeal.js';
import { formatDateTime, loadCardStyles, statusWords } from './card.js';

const FILTERS = ['open', 'upheld', 'rejected', 'all'];
const OUTCOMES = ['upheld', 'rejected', 'comment'];
const COLOURS = ['green', 'yellow', 'red'];
const COMMENT_MAX = 1000;

export default function createAppealsView(ctx) {
  let filter = FILTERS.includes(ctx.query.get('state')) ? ctx.query.get('state') : 'open';
  let items = null;
  let cursor = null;
  let busy = false;
  let failed = false;
  const drafts = new Map(); // appeal id -> { outcome, newStatus, comment, error, sending }
  let stylesReady = false;
  loadCardStyles().then(() => {
    stylesReady = true;
    ctx.update();
  });

  async function load({ more = false } = {}) {
    if (busy) return;
    busy = true;
    failed = false;
    ctx.update();
    try {
      const params = new URLSearchParams({ limit: '20' });
      if (filter !== 'all') params.set('state', filter);
      if (more && cursor) params.set('cursor', cursor);
      const page = await api.get(`/appeals?${params}`);
      items = more ? (items || []).concat(page.items) : page.items;
      cursor = page.next_cursor;
    } catch (err) {
      failed = true;
      if (err.status !== 0 && err.status !== 401) topTips(err.detail);
    } finally {
      busy = false;
      ctx.update();
    }
  }
  load();

  function choose(next) {
    if (next === filter) return;
    filter = next;
    items = null;
    cursor = null;
    load();
  }

  function draft(id) {
    if (!drafts.has(id)) drafts.set(id, { open: false, outcome: '', newStatus: '', comment: '', error: '', sending: false });
    return drafts.get(id);
  }

  function edit(id, patch) {
    Object.assign(draft(id), patch);
    ctx.update();
  }

  async function decide(event, appeal) {
    event.preventDefault();
    const d = draft(appeal.id);
    const comment = d.comment.trim();
    if (!d.outcome) d.error = t('appeal.err.outcome');
    else if (d.outcome === 'upheld' && !d.newStatus) d.error = t('appeal.err.new_status');
    else if (!comment || comment.length > COMMENT_MAX) d.error = t('appeal.err.comment');
    else d.error = '';
    if (d.error) {
      ctx.update();
      return;
    }
    d.sending = true;
    ctx.update();
    try {
      const body = { outcome: d.outcome, comment };
      if (d.outcome === 'upheld') body.new_status = d.newStatus;
      const updated = await api.post(`/appeals/${appeal.id}/decisions`, body);
      items = items.map((a) => (a.id === updated.id ? updated : a));
      drafts.delete(appeal.id);
      toast(t('appeal.decided'), { icon: 'success' });
    } catch (err) {
      const field = (err.errors || [])[0];
      d.error = field ? field.message : err.detail;
      if (err.status === 409) load(); // decided meanwhile by someone else: show what happened
    } finally {
      d.sending = false;
      ctx.update();
    }
  }

  function decideForm(appeal) {
    const d = draft(appeal.id);
    if (!d.open) {
      return html`<div class="appeal-item__actions">
        <button type="button" class="weui-btn weui-btn_mini weui-btn_primary" data-testid="appeal-handle"
          @click=${() => edit(appeal.id, { open: true })}>${t('appeal.handle')}</button>
      </div>`;
    }
    const prefix = `appeal-${appeal.id}`;
    return html`<form class="appeal-decide" novalidate @submit=${(e) => decide(e, appeal)}>
      <div class="weui-cells weui-cells_radio">
        ${OUTCOMES.map(
          (outcome) => html`<label class="weui-cell weui-cell_active weui-check__label" for=${`${prefix}-${outcome}`}>
            <div class="weui-cell__bd"><p>${t(`appeal.choose.${outcome}`)}</p></div>
            <div class="weui-cell__ft">
              <input type="radio" class="weui-check" name=${`${prefix}-outcome`} id=${`${prefix}-${outcome}`}
                .checked=${d.outcome === outcome} @change=${() => edit(appeal.id, { outcome, error: '' })}>
              <span class="weui-icon-checked"></span>
            </div>
          </label>`,
        )}
      </div>
      ${d.outcome === 'upheld'
        ? html`<div class="weui-cells weui-cells_form">
            <div class="weui-cell weui-cell_active weui-cell_select weui-cell_select-after">
              <div class="weui-cell__hd"><label class="weui-label" for=${`${prefix}-status`}>${t('appeal.new_status')}</label></div>
              <div class="weui-cell__bd">
                <select id=${`${prefix}-status`} class="weui-select"
                  @change=${(e) => edit(appeal.id, { newStatus: e.target.value, error: '' })}>
                  <option value="" ?selected=${!d.newStatus}>${t('declare.choose')}</option>
                  ${COLOURS.map((c) => html`<option value=${c} ?selected=${d.newStatus === c}>${statusWords(c)}</option>`)}
                </select>
              </div>
            </div>
          </div>`
        : nothing}
      <div class="weui-cells weui-cells_form">
        <div class="weui-cell">
          <div class="weui-cell__bd">
            <textarea class="weui-textarea" id=${`${prefix}-comment`} rows="3" maxlength=${COMMENT_MAX}
              placeholder=${t('appeal.comment_placeholder')} .value=${d.comment}
              @input=${(e) => edit(appeal.id, { comment: e.target.value, error: '' })}></textarea>
          </div>
        </div>
      </div>
      ${d.error ? html`<p class="app-field-error" role="alert">${d.error}</p>` : nothing}
      <div class="appeal-item__actions">
        <button type="button" class="weui-btn weui-btn_mini weui-btn_default" @click=${() => edit(appeal.id, { open: false })}>
          ${t('common.cancel')}</button>
        <button type="submit" class="weui-btn weui-btn_mini weui-btn_primary" ?disabled=${d.sending}>${t('appeal.send_decision')}</button>
      </div>
    </form>`;
  }

  function item(a) {
    return html`<div class="appeal-item" data-testid="appeal-item">
      <div class="appeal-item__head">
        <span class="appeal-item__holder">${a.holder}</span>
        ${stateBadge(a.state)}
      </div>
      <p class="appeal-item__meta">
        ${t('appeal.filed_at', { time: formatDateTime(a.filed_at) })} ·
        ${t('appeal.status_at_filing', { status: statusWords(a.status_at_filing) })}
      </p>
      <p class="appeal-item__reason">${a.reason}</p>
      ${a.decisions.length ? html`<ul class="appeal-decisions">${a.decisions.map(decisionItem)}</ul>` : nothing}
      ${a.state === 'open' ? decideForm(a) : nothing}
    </div>`;
  }

  return {
    render() {
      if (!stylesReady) return html`<div class="app-page"></div>`;
      return html`<div class="app-page appeal-page">
        <div class="decl-intro">
          <h1 class="decl-intro__title">${t('appeal.list_title')}</h1>
          <p class="decl-intro__desc">${t('appeal.list_desc')}</p>
        </div>
        <div class="appeal-filters" role="tablist">
          ${FILTERS.map(
            (f) => html`<button type="button" role="tab" class="weui-btn_reset appeal-filter ${f === filter ? 'appeal-filter_on' : ''}"
              aria-selected=${f === filter ? 'true' : 'false'} data-filter=${f} @click=${() => choose(f)}>${t(`appeal.filter.${f}`)}</button>`,
          )}
        </div>
        ${items === null && !failed ? html`<p class="hc-loading">${t('common.loading')}…</p>` : nothing}
        ${items !== null && items.length === 0 ? html`<p class="hc-loading" data-testid="appeals-empty">${t('appeal.none')}</p>` : nothing}
        ${(items || []).map(item)}
        ${failed ? html`<p class="hc-loading">${t('error.network')}</p>` : nothing}
        ${cursor || failed
          ? html`<div class="weui-btn-area"><button type="button" class="weui-btn weui-btn_default" ?disabled=${busy}
              @click=${() => load({ more: !failed || items !== null })}>${failed ? t('card.retry') : t('card.more')}</button></div>`
          : nothing}
      </div>`;
    },
  };
}

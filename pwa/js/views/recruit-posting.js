/**
 * One posting. Its employer: status and review note, edit / submit / close, and the applicants
 * with their status and card colour (only where the worker shared it); tick several and move
 * them at once (contacted / hired / declined), or call one (the number is revealed on demand,
 * which marks them contacted). Officials of the employer's region: approve, send back or take
 * down, with the reason.
 */
import { html, nothing } from '../html.js';
import { api } from '../api.js';
import { t, regionName } from '../i18n.js';
import * as store from '../store.js';
import { confirmDialog, loading, toast } from '../ui.js';
import {
  colourTag,
  dayText,
  ensureStylesheet,
  moreButton,
  pager,
  showError,
  statusTag,
  wageText,
  whenText,
} from './jobs-shared.js';

const FILTERS = ['', 'submitted', 'contacted', 'hired', 'declined', 'withdrawn'];

export default function createPostingView(ctx) {
  ensureStylesheet();
  const id = encodeURIComponent(ctx.params.id);
  const official = store.hasRole('official', 'admin');
  let posting = null;
  let mine = false;
  let filter = '';
  const picked = new Set();
  let reasonFor = null; // 'reject' | 'take-down' while the reason box is open
  let reason = '';

  const applicants = pager((cursor) => {
    const params = new URLSearchParams();
    if (filter) params.set('status', filter);
    if (cursor) params.set('cursor', cursor);
    return api.get(`/postings/${id}/applications?${params}`);
  }, ctx.update);

  function load() {
    api.get(`/postings/${id}`)
      .then(async (body) => {
        posting = body;
        if (store.hasRole('employer')) {
          try {
            const employer = await api.get('/employers/mine');
            mine = employer.id === body.employer.id;
          } catch {
            mine = false;
          }
        }
        if (mine && !applicants.items.length) applicants.more();
        ctx.update();
      })
      .catch(showError);
  }
  load();

  async function act(path, payload, confirmTitle) {
    if (confirmTitle && !(await confirmDialog({ title: confirmTitle }))) return;
    const done = loading();
    try {
      posting = await api.post(`/postings/${id}/${path}`, payload);
      reasonFor = null;
      reason = '';
      done();
      toast(t('recruit.done'), { icon: 'success' });
    } catch (err) {
      done();
      showError(err);
    }
    ctx.update();
  }

  async function move(status) {
    if (!picked.size) return;
    const done = loading();
    try {
      const result = await api.post(`/postings/${id}/applications/status`, { ids: [...picked], status });
      done();
      toast(t('recruit.moved', { n: result.changed.length }), { icon: 'success' });
      if (result.skipped.length) showError({ detail: t('recruit.skipped', { n: result.skipped.length }) });
      picked.clear();
      applicants.more(true);
      load();
    } catch (err) {
      done();
      showError(err);
    }
  }

  async function call(applicant) {
    const done = loading();
    try {
      const result = await api.post(`/applications/${applicant.id}/contact`);
      done();
      Object.assign(applicant, result.applicant);
      ctx.update();
      window.location.href = `tel:${result.phone}`;
    } catch (err) {
      done();
      showError(err);
    }
  }

  function summary() {
    const p = posting;
    return html`<div class="app-job">
        <div class="app-job__title" data-testid="posting-title">${p.title}</div>
        <div class="app-job__wage">${wageText(p.wage_min, p.wage_max)}</div>
      </div>
      <div class="weui-form-preview">
      <div class="weui-form-preview__bd">
        <div class="weui-form-preview__item"><label class="weui-form-preview__label">${t('recruit.status')}</label>
          <span class="weui-form-preview__value" data-testid="posting-status">${statusTag(p.status, 'posting')}</span></div>
        <div class="weui-form-preview__item"><label class="weui-form-preview__label">${t('jobs.employer')}</label>
          <span class="weui-form-preview__value">${p.employer.name}</span></div>
        <div class="weui-form-preview__item"><label class="weui-form-preview__label">${t('jobs.place')}</label>
          <span class="weui-form-preview__value">${regionName(p.region)} ${p.address}</span></div>
        <div class="weui-form-preview__item"><label class="weui-form-preview__label">${t('jobs.positions')}</label>
          <span class="weui-form-preview__value">${t('jobs.positions_of', { left: p.positions_left, total: p.headcount })}</span></div>
        <div class="weui-form-preview__item"><label class="weui-form-preview__label">${t('jobs.valid_until')}</label>
          <span class="weui-form-preview__value">${dayText(p.valid_until)}</span></div>
        ${p.arrival_rules ? html`<div class="weui-form-preview__item"><label class="weui-form-preview__label">${t('jobs.arrival_rules')}</label>
          <span class="weui-form-preview__value">${p.arrival_rules}</span></div>` : nothing}
        ${p.review_note ? html`<div class="weui-form-preview__item"><label class="weui-form-preview__label">${t('recruit.review_note')}</label>
          <span class="weui-form-preview__value" data-testid="review-note">${p.review_note}</span></div>` : nothing}
      </div>
    </div>`;
  }

  function employerActions() {
    const s = posting.status;
    const editable = ['draft', 'pending', 'published'].includes(s);
    return html`<div class="app-actions">
      ${editable ? html`<a class="weui-btn weui-btn_default weui-btn_mini" href=${`#/recruit/postings/${posting.id}/edit`} data-testid="edit">${t('recruit.edit')}</a>` : nothing}
      ${s === 'draft' ? html`<button type="button" class="weui-btn weui-btn_primary weui-btn_mini" data-testid="submit" @click=${() => act('submit', undefined, null)}>${t('recruit.submit')}</button>` : nothing}
      ${editable ? html`<button type="button" class="weui-btn weui-btn_warn weui-btn_mini" data-testid="close" @click=${() => act('close', undefined, t('recruit.close_confirm'))}>${t('recruit.close')}</button>` : nothing}
      ${s === 'published' ? html`<a class="weui-btn weui-btn_default weui-btn_mini" href=${`#/jobs/${posting.id}`}>${t('recruit.preview')}</a>` : nothing}
    </div>`;
  }

  function reasonBox() {
    return html`<div class="weui-cells weui-cells_form">
        <div class="weui-cell"><div class="weui-cell__bd app-form-row">
          <textarea data-testid="reason" maxlength="500" placeholder=${t('recruit.reason_placeholder')}
            .value=${reason} @input=${(e) => { reason = e.target.value; }}></textarea>
        </div></div>
      </div>
      <div class="app-actions">
        <button type="button" class="weui-btn weui-btn_warn weui-btn_mini" data-testid="reason-ok"
          @click=${() => act(reasonFor, { reason: reason.trim() }, null)}>${t(reasonFor === 'reject' ? 'recruit.send_back' : 'recruit.take_down')}</button>
        <button type="button" class="weui-btn weui-btn_default weui-btn_mini" @click=${() => { reasonFor = null; ctx.update(); }}>${t('common.cancel')}</button>
      </div>`;
  }

  function officialActions() {
    const s = posting.status;
    if (reasonFor) return reasonBox();
    return html`<div class="app-actions">
      ${s === 'pending' ? html`<button type="button" class="weui-btn weui-btn_primary weui-btn_mini" data-testid="approve"
        ?disabled=${!posting.employer.verified} @click=${() => act('approve', undefined, t('recruit.approve_confirm'))}>${t('recruit.approve')}</button>` : nothing}
      ${s === 'pending' ? html`<button type="button" class="weui-btn weui-btn_default weui-btn_mini" data-testid="reject"
        @click=${() => { reasonFor = 'reject'; ctx.update(); }}>${t('recruit.send_back')}</button>` : nothing}
      ${s === 'pending' || s === 'published' ? html`<button type="button" class="weui-btn weui-btn_warn weui-btn_mini" data-testid="take-down"
        @click=${() => { reasonFor = 'take-down'; ctx.update(); }}>${t('recruit.take_down')}</button>` : nothing}
    </div>
    ${s === 'pending' && !posting.employer.verified ? html`<p class="weui-cells__tips">${t('recruit.employer_unverified')}</p>` : nothing}`;
  }

  function applicantList() {
    return html`<div class="weui-cells__title">${t('recruit.applicants')}</div>
      <div class="app-jobs-filters">
        <select aria-label=${t('recruit.status_filter')} data-testid="applicant-filter"
          @change=${(e) => { filter = e.target.value; picked.clear(); applicants.more(true); }}>
          ${FILTERS.map((s) => html`<option value=${s} ?selected=${s === filter}>${s ? t(`jobs.application_status.${s}`) : t('recruit.all_statuses')}</option>`)}
        </select>
      </div>
      <div class="weui-cells" data-testid="applicants">
        ${applicants.items.map(
          (a) => html`<label class="weui-cell weui-cell_active" data-applicant=${a.id}>
            <div class="weui-cell__hd"><input type="checkbox" class="app-applicant__check" .checked=${picked.has(a.id)}
              aria-label=${a.name_masked || a.phone_masked}
              @change=${(e) => { if (e.target.checked) picked.add(a.id); else picked.delete(a.id); ctx.update(); }}></div>
            <div class="weui-cell__bd">
              <p>${a.name_masked || t('recruit.no_name')} <span class="app-muted">${a.phone_masked}</span></p>
              <p class="app-tags">${statusTag(a.status)} ${colourTag(a)}
                <span class="app-muted">${whenText(a.applied_at)}</span></p>
            </div>
            <div class="weui-cell__ft">${a.status === 'withdrawn'
              ? nothing
              : html`<button type="button" class="weui-btn weui-btn_default weui-btn_mini" data-testid="call"
                  @click=${(e) => { e.preventDefault(); call(a); }}>${t('recruit.call')}</button>`}</div>
          </label>`,
        )}
      </div>
      ${moreButton(applicants, t('recruit.no_applicants'))}
      <div class="app-actions">
        <span class="app-muted">${t('recruit.picked', { n: picked.size })}</span>
      </div>
      <div class="app-actions">
        ${['contacted', 'hired', 'declined'].map(
          (s) => html`<button type="button" class="weui-btn weui-btn_mini ${s === 'declined' ? 'weui-btn_default' : 'weui-btn_primary'}"
            data-testid=${`bulk-${s}`} ?disabled=${!picked.size} @click=${() => move(s)}>${t(`recruit.mark.${s}`)}</button>`,
        )}
      </div>`;
  }

  return {
    title() {
      return posting ? posting.title : t('recruit.posting_title');
    },
    render() {
      if (!posting) return html`<div class="app-page weui-loadmore"><span class="weui-primary-loading"></span></div>`;
      return html`<div class="app-page">
        ${summary()}
        ${mine ? employerActions() : nothing}
        ${official && !mine ? officialActions() : nothing}
        ${mine ? applicantList() : nothing}
      </div>`;
    },
  };
}

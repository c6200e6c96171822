/**
 * Recruiting. Employers: their organisation (verification state), my postings by status, and
 * entries to the labour-demand survey and to staff and roster. Officials: entries to verify
 * employers, review postings and see labour demand against supply.
 */
import { html, nothing } from '../html.js';
import { api } from '../api.js';
import { t, regionName } from '../i18n.js';
import { icon } from '../icons.js';
import * as store from '../store.js';
import { ensureStylesheet, moreButton, pager, showError, statusTag, wageText } from './jobs-shared.js';

const STATUSES = ['', 'draft', 'pending', 'published', 'closed', 'expired', 'taken_down'];

function entry(path, iconName, label, desc, testid) {
  return html`<a class="weui-cell weui-cell_access app-entry" href=${`#${path}`} data-testid=${testid}>
    <div class="weui-cell__hd app-entry__icon">${icon(iconName)}</div>
    <div class="weui-cell__bd"><p class="app-entry__label">${label}</p><p class="app-entry__desc">${desc}</p></div>
    <div class="weui-cell__ft"></div>
  </a>`;
}

export default function createRecruitHomeView(ctx) {
  ensureStylesheet();
  const employerSide = store.hasRole('employer');
  const status = STATUSES.includes(ctx.query.get('status')) ? ctx.query.get('status') : '';
  let employer = null;
  let noEmployer = false;

  const postings = pager(
    (cursor) => {
      const params = new URLSearchParams();
      if (status) params.set('status', status);
      if (cursor) params.set('cursor', cursor);
      return api.get(`/postings?${params}`);
    },
    ctx.update,
  );

  if (employerSide) {
    api.get('/employers/mine')
      .then((body) => {
        employer = body;
        postings.more();
        ctx.update();
      })
      .catch((err) => {
        if (err.status === 403) noEmployer = true;
        else showError(err);
        ctx.update();
      });
  }

  function organisation() {
    const state = employer.verification_state;
    return html`<div class="weui-panel">
      <div class="weui-panel__hd">${t('recruit.my_employer')}</div>
      <div class="weui-media-box weui-media-box_text">
        <h4 class="weui-media-box__title" data-testid="employer-name">${employer.name}</h4>
        <p class="weui-media-box__desc">${regionName(employer.region)} · ${employer.industry} · ${employer.credit_code}</p>
        <p class="app-tags"><span class="app-tag ${state === 'verified' ? 'app-tag_green' : state === 'rejected' ? 'app-tag_red' : 'app-tag_orange'}"
          data-testid="verification">${t(`recruit.verification.${state}`)}</span></p>
        ${state === 'rejected' ? html`<p class="weui-media-box__desc">${t('recruit.rejected_reason')}：${employer.rejected_reason}</p>` : nothing}
        ${state !== 'verified' ? html`<p class="weui-media-box__desc">${t('recruit.verification_tips')}</p>` : nothing}
      </div>
    </div>`;
  }

  function postingList() {
    return html`<div class="weui-cells__title">${t('recruit.my_postings')}</div>
      <div class="app-jobs-filters">
        <select aria-label=${t('recruit.status_filter')} data-testid="status-filter"
          @change=${(e) => { location.hash = `#/recruit${e.target.value ? `?status=${e.target.value}` : ''}`; }}>
          ${STATUSES.map((s) => html`<option value=${s} ?selected=${s === status}>${s ? t(`jobs.posting_status.${s}`) : t('recruit.all_statuses')}</option>`)}
        </select>
        <a class="weui-btn weui-btn_primary weui-btn_mini" href="#/recruit/postings/new" data-testid="new-posting">${t('recruit.new_posting')}</a>
      </div>
      <div data-testid="postings">
        ${postings.items.map(
          (p) => html`<a class="app-job" href=${`#/recruit/postings/${p.id}`} data-posting=${p.id}>
            <div class="app-job__head"><span class="app-job__title">${p.title}</span>
              <span class="app-job__wage">${wageText(p.wage_min, p.wage_max)}</span></div>
            <div class="app-tags">${statusTag(p.status, 'posting')}
              <span class="app-tag">${t('recruit.applicants_count', { n: p.applications.submitted + p.applications.contacted })}</span>
              <span class="app-tag">${t('recruit.hired_count', { n: p.applications.hired, total: p.headcount })}</span></div>
            ${p.review_note ? html`<div class="app-job__meta">${t('recruit.review_note')}：${p.review_note}</div>` : nothing}
          </a>`,
        )}
      </div>
      ${moreButton(postings, t('recruit.no_postings'))}`;
  }

  function employerPage() {
    if (noEmployer) {
      return html`<div class="weui-msg">
        <div class="weui-msg__text-area"><h2 class="weui-msg__title">${t('recruit.no_employer')}</h2>
          <p class="weui-msg__desc">${t('recruit.no_employer_desc')}</p></div>
        <div class="weui-msg__opr-area"><a class="weui-btn weui-btn_primary" href="#/recruit/register">${t('recruit.register')}</a></div>
      </div>`;
    }
    if (!employer) return html`<div class="weui-loadmore"><span class="weui-primary-loading"></span></div>`;
    return html`${organisation()}
      <div class="weui-cells">
        ${entry('/recruit/demand', 'form', t('recruit.demand_title'), t('recruit.demand_desc'), 'entry-demand')}
        ${entry('/recruit/staff', 'user', t('recruit.staff_title'), t('recruit.staff_desc'), 'entry-staff')}
      </div>
      ${postingList()}`;
  }

  function officialPage() {
    return html`<div class="weui-cells">
      ${entry('/recruit/review', 'shield', t('recruit.review_title'), t('recruit.review_desc'), 'entry-review')}
      ${entry('/recruit/labour', 'ledger', t('recruit.labour_title'), t('recruit.labour_desc'), 'entry-labour')}
    </div>`;
  }

  return {
    render() {
      return html`<div class="app-page app-recruit">
        ${employerSide ? employerPage() : nothing}
        ${store.hasRole('official', 'admin') ? officialPage() : nothing}
      </div>`;
    },
  };
}

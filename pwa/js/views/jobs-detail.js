/**
 * One job: wage, place, housing and meals, positions left, the employer's rules for arriving
 * workers, requirements, contact; apply with one tap, choosing whether the employer may see
 * the colour of my health card. After applying, the application's status shows here.
 */
import { html, nothing } from '../html.js';
import { api } from '../api.js';
import { t, regionName } from '../i18n.js';
import * as store from '../store.js';
import { confirmDialog, loading, toast } from '../ui.js';
import { dayText, ensureStylesheet, showError, statusTag, wageText } from './jobs-shared.js';

export default function createJobDetailView(ctx) {
  ensureStylesheet();
  let job = null;
  let missing = false;
  let shareCard = true;
  let applying = false;

  api.get(`/jobs/${encodeURIComponent(ctx.params.id)}`)
    .then((body) => { job = body; ctx.update(); })
    .catch((err) => {
      missing = err.status === 404;
      if (!missing) showError(err);
      ctx.update();
    });

  async function apply() {
    if (applying) return;
    const ok = await confirmDialog({
      title: t('jobs.apply_confirm', { title: job.title }),
      body: shareCard ? t('jobs.apply_share_yes') : t('jobs.apply_share_no'),
      okText: t('jobs.apply'),
    });
    if (!ok) return;
    applying = true;
    const done = loading();
    try {
      job = await api.post(`/jobs/${job.id}/applications`, { share_card: shareCard });
      done();
      toast(t('jobs.applied'), { icon: 'success' });
    } catch (err) {
      done();
      showError(err);
    } finally {
      applying = false;
      ctx.update();
    }
  }

  function row(label, value, testid = null) {
    if (value === null || value === undefined || value === '') return nothing;
    return html`<div class="weui-form-preview__item">
      <label class="weui-form-preview__label">${label}</label>
      <span class="weui-form-preview__value" data-testid=${testid || nothing}>${value}</span>
    </div>`;
  }

  function applyArea() {
    if (job.application_status && job.application_status !== 'withdrawn') {
      return html`<div class="weui-cells__tips app-more" data-testid="my-application">
        ${t('jobs.my_application')} ${statusTag(job.application_status)}
        <a href="#/jobs/mine">${t('jobs.tab_mine')}</a>
      </div>`;
    }
    if (!store.hasRole('worker') || job.status !== 'published') return nothing;
    if (job.positions_left <= 0) return html`<div class="weui-cells__tips app-more">${t('jobs.full')}</div>`;
    const again = job.application_status === 'withdrawn';
    return html`${again
        ? html`<div class="weui-cells__tips app-more" data-testid="my-application">${t('jobs.my_application')} ${statusTag('withdrawn')}</div>`
        : nothing}
      <label class="app-share-card">
        <input type="checkbox" data-testid="share-card" .checked=${shareCard}
          @change=${(e) => { shareCard = e.target.checked; ctx.update(); }}>
        ${t('jobs.share_card')}
      </label>
      <p class="weui-cells__tips">${t('jobs.share_card_tips')}</p>
      <div class="weui-btn-area">
        <button type="button" class="weui-btn weui-btn_primary" data-testid="apply" ?disabled=${applying} @click=${apply}>
          ${again ? t('jobs.apply_again') : t('jobs.apply')}
        </button>
      </div>`;
  }

  return {
    title() {
      return job ? job.title : t('jobs.title');
    },
    render() {
      if (missing) {
        return html`<div class="app-page weui-msg"><div class="weui-msg__text-area">
          <h2 class="weui-msg__title">${t('jobs.not_found')}</h2></div>
          <div class="weui-msg__opr-area"><a class="weui-btn weui-btn_default" href="#/jobs">${t('jobs.back')}</a></div></div>`;
      }
      if (!job) return html`<div class="app-page weui-loadmore"><span class="weui-primary-loading"></span></div>`;
      const left = job.positions_left;
      return html`<div class="app-page app-job-detail">
        <div class="app-job">
          <div class="app-job__title" data-testid="job-title">${job.title}</div>
          <div class="app-job__wage" data-testid="job-wage">${wageText(job.wage_min, job.wage_max)}</div>
          <div class="app-tags">
            ${job.housing ? html`<span class="app-tag app-tag_green">${t('jobs.housing')}</span>` : nothing}
            ${job.meals ? html`<span class="app-tag app-tag_green">${t('jobs.meals')}</span>` : nothing}
            <span class="app-tag">${left > 0 ? t('jobs.positions_left', { n: left }) : t('jobs.full')}</span>
          </div>
        </div>
        <div class="weui-form-preview">
          <div class="weui-form-preview__bd">
            ${row(t('jobs.employer'), html`${job.employer.name}${job.employer.verified ? html` <span class="app-tag app-tag_green">${t('jobs.verified')}</span>` : nothing}`)}
            ${row(t('jobs.trade'), job.trade_name)}
            ${row(t('jobs.place'), `${regionName(job.region)} ${job.address}`, 'job-place')}
            ${row(t('jobs.housing_meals'), `${job.housing ? t('jobs.housing') : t('jobs.no_housing')} · ${job.meals ? t('jobs.meals') : t('jobs.no_meals')}`, 'job-housing')}
            ${row(t('jobs.positions'), left > 0 ? t('jobs.positions_of', { left, total: job.headcount }) : t('jobs.full'), 'job-positions')}
            ${row(t('jobs.start_date'), dayText(job.start_date))}
            ${row(t('jobs.valid_until'), dayText(job.valid_until))}
            ${row(t('jobs.arrival_rules'), job.arrival_rules, 'job-rules')}
            ${row(t('jobs.description'), job.description)}
            ${row(t('jobs.requirements'), job.requirements)}
            ${row(t('jobs.contact'), job.contact)}
          </div>
        </div>
        ${applyArea()}
      </div>`;
    },
  };
}

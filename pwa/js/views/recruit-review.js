/**
 * Officials: employers of my region waiting for verification (verify, or send back with the
 * reason), postings waiting for review and published ones (open one to approve, send back or
 * take down with the reason).
 */
import { html, nothing } from '../html.js';
import { api } from '../api.js';
import { t, regionName } from '../i18n.js';
import { confirmDialog, loading, toast } from '../ui.js';
import { ensureStylesheet, moreButton, pager, showError, statusTag, wageText } from './jobs-shared.js';

const TABS = ['employers', 'pending', 'published'];

export default function createReviewView(ctx) {
  ensureStylesheet();
  const tab = TABS.includes(ctx.query.get('tab')) ? ctx.query.get('tab') : 'employers';
  let rejecting = null; // employer id whose reason box is open
  let reason = '';

  const list = pager((cursor) => {
    const params = new URLSearchParams();
    if (cursor) params.set('cursor', cursor);
    if (tab === 'employers') {
      params.set('state', 'pending');
      return api.get(`/employers?${params}`);
    }
    params.set('status', tab);
    return api.get(`/postings/review?${params}`);
  }, ctx.update);
  list.more();

  async function verify(employer) {
    if (!(await confirmDialog({ title: t('recruit.verify_confirm', { name: employer.name }) }))) return;
    const done = loading();
    try {
      await api.post(`/employers/${employer.id}/verify`);
      done();
      toast(t('recruit.done'), { icon: 'success' });
      list.more(true);
    } catch (err) {
      done();
      showError(err);
    }
  }

  async function reject(employer) {
    const done = loading();
    try {
      await api.post(`/employers/${employer.id}/reject`, { reason: reason.trim() });
      done();
      rejecting = null;
      reason = '';
      list.more(true);
    } catch (err) {
      done();
      showError(err);
    }
  }

  function employerItem(e) {
    return html`<div class="weui-panel" data-employer=${e.id}>
      <div class="weui-media-box weui-media-box_text">
        <h4 class="weui-media-box__title">${e.name}</h4>
        <p class="weui-media-box__desc">${e.credit_code} · ${regionName(e.region)} · ${e.industry}</p>
        <p class="weui-media-box__desc">${e.address} · ${e.contact_name} ${e.contact_phone}</p>
        ${rejecting === e.id
          ? html`<div class="app-form-row"><textarea data-testid="reason" maxlength="500" placeholder=${t('recruit.reason_placeholder')}
                .value=${reason} @input=${(ev) => { reason = ev.target.value; }}></textarea></div>
              <div class="app-actions">
                <button type="button" class="weui-btn weui-btn_warn weui-btn_mini" data-testid="reason-ok" @click=${() => reject(e)}>${t('recruit.send_back')}</button>
                <button type="button" class="weui-btn weui-btn_default weui-btn_mini" @click=${() => { rejecting = null; ctx.update(); }}>${t('common.cancel')}</button>
              </div>`
          : html`<div class="app-actions">
              <button type="button" class="weui-btn weui-btn_primary weui-btn_mini" data-testid="verify" @click=${() => verify(e)}>${t('recruit.verify')}</button>
              <button type="button" class="weui-btn weui-btn_default weui-btn_mini" data-testid="send-back"
                @click=${() => { rejecting = e.id; reason = ''; ctx.update(); }}>${t('recruit.send_back')}</button>
            </div>`}
      </div>
    </div>`;
  }

  function postingItem(p) {
    return html`<a class="app-job" href=${`#/recruit/postings/${p.id}`} data-posting=${p.id}>
      <div class="app-job__head"><span class="app-job__title">${p.title}</span>
        <span class="app-job__wage">${wageText(p.wage_min, p.wage_max)}</span></div>
      <div class="app-job__meta">${p.employer.name} · ${regionName(p.region)} · ${p.trade_name}</div>
      <div class="app-tags">${statusTag(p.status, 'posting')}
        ${p.employer.verified ? nothing : html`<span class="app-tag app-tag_red">${t('recruit.verification.pending')}</span>`}</div>
    </a>`;
  }

  return {
    render() {
      return html`<div class="app-page">
        <nav class="app-jobs-segments">
          ${TABS.map((name) => html`<a href=${`#/recruit/review?tab=${name}`} class=${name === tab ? 'app-on' : ''}
            data-testid=${`review-${name}`}>${t(`recruit.review_tab.${name}`)}</a>`)}
        </nav>
        <div data-testid="review-list">${list.items.map((item) => (tab === 'employers' ? employerItem(item) : postingItem(item)))}</div>
        ${moreButton(list, t('recruit.review_empty'))}
      </div>`;
    },
  };
}

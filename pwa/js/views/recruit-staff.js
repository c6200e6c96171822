/**
 * Staff and roster (employers): invite a colleague by phone (a signed link, valid 72 hours,
 * sent by SMS; only that phone's account can accept it), the staff list, and the roster of
 * admitted workers (hired through a posting, or added by phone), masked.
 */
import { html, nothing } from '../html.js';
import { api } from '../api.js';
import { t } from '../i18n.js';
import { confirmDialog, loading, toast } from '../ui.js';
import { dayText, ensureStylesheet, moreButton, pager, showError } from './jobs-shared.js';

const PHONE_RE = /^1[3-9]\d{9}$/;

export default function createStaffView(ctx) {
  ensureStylesheet();
  let staff = [];
  let invitePhone = '';
  let invited = null;
  let rosterPhone = '';
  let error = '';
  const roster = pager((cursor) => api.get(`/employers/mine/workers${cursor ? `?cursor=${cursor}` : ''}`), ctx.update);
  roster.more();
  const loadStaff = () =>
    api.get('/employers/mine/staff').then((body) => { staff = body.items; ctx.update(); }).catch(showError);
  loadStaff();

  async function invite(event) {
    event.preventDefault();
    error = PHONE_RE.test(invitePhone.trim()) ? '' : t('login.phone_invalid');
    if (error) return ctx.update();
    const done = loading();
    try {
      invited = await api.post('/employers/mine/invitations', { phone: invitePhone.trim() });
      done();
      toast(t('recruit.invited'), { icon: 'success' });
    } catch (err) {
      done();
      showError(err);
    }
    return ctx.update();
  }

  async function admit(event) {
    event.preventDefault();
    error = PHONE_RE.test(rosterPhone.trim()) ? '' : t('login.phone_invalid');
    if (error) return ctx.update();
    const done = loading();
    try {
      await api.post('/employers/mine/workers', { phone: rosterPhone.trim() });
      done();
      rosterPhone = '';
      roster.more(true);
    } catch (err) {
      done();
      showError(err);
    }
    return ctx.update();
  }

  async function remove(entry) {
    if (!(await confirmDialog({ title: t('recruit.roster_remove_confirm'), danger: true }))) return;
    try {
      await api.delete(`/employers/mine/workers/${entry.user_id}`);
      roster.more(true);
    } catch (err) {
      showError(err);
    }
  }

  return {
    render() {
      return html`<div class="app-page">
        ${error ? html`<p class="app-field-error" role="alert">${error}</p>` : nothing}
        <div class="weui-cells__title">${t('recruit.invite_title')}</div>
        <form class="weui-cells weui-cells_form" novalidate @submit=${invite}>
          <div class="weui-cell"><div class="weui-cell__hd"><label class="weui-label" for="invite-phone">${t('login.phone')}</label></div>
            <div class="weui-cell__bd"><input id="invite-phone" data-testid="invite-phone" class="weui-input" type="tel" maxlength="11"
              .value=${invitePhone} @input=${(e) => { invitePhone = e.target.value; }}></div>
            <div class="weui-cell__ft"><button type="submit" class="weui-btn weui-btn_primary weui-btn_mini" data-testid="invite">${t('recruit.invite')}</button></div>
          </div>
        </form>
        ${invited ? html`<p class="weui-cells__tips" data-testid="invite-link">${t('recruit.invite_sent')}<br>${invited.url}</p>` : nothing}
        <div class="weui-cells__title">${t('recruit.staff_list')}</div>
        <div class="weui-cells" data-testid="staff">
          ${staff.map((s) => html`<div class="weui-cell"><div class="weui-cell__bd">${s.name_masked || '—'} <span class="app-muted">${s.phone_masked}</span></div>
            <div class="weui-cell__ft">${s.is_owner ? t('recruit.owner') : t('recruit.staff_member')}</div></div>`)}
        </div>
        <div class="weui-cells__title">${t('recruit.roster_title')}</div>
        <form class="weui-cells weui-cells_form" novalidate @submit=${admit}>
          <div class="weui-cell"><div class="weui-cell__hd"><label class="weui-label" for="roster-phone">${t('login.phone')}</label></div>
            <div class="weui-cell__bd"><input id="roster-phone" data-testid="roster-phone" class="weui-input" type="tel" maxlength="11"
              .value=${rosterPhone} @input=${(e) => { rosterPhone = e.target.value; }}></div>
            <div class="weui-cell__ft"><button type="submit" class="weui-btn weui-btn_default weui-btn_mini" data-testid="roster-add">${t('recruit.roster_add')}</button></div>
          </div>
        </form>
        <div class="weui-cells" data-testid="roster">
          ${roster.items.map((w) => html`<div class="weui-cell">
            <div class="weui-cell__bd"><p>${w.name_masked || '—'} <span class="app-muted">${w.phone_masked}</span></p>
              <p class="app-muted">${t(`recruit.source.${w.source}`)} · ${dayText(w.admitted_on)}</p></div>
            <div class="weui-cell__ft"><button type="button" class="weui-btn weui-btn_default weui-btn_mini" @click=${() => remove(w)}>${t('recruit.remove')}</button></div>
          </div>`)}
        </div>
        ${moreButton(roster, t('recruit.roster_empty'))}
      </div>`;
    },
  };
}

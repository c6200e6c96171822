/**
 * Accept an invitation to an employer's staff (#/recruit/join?token=...). Public route, so the
 * token survives logging in: a visitor is sent to log in and comes back here with it.
 */
import { html } from '../html.js';
import { api } from '../api.js';
import { t } from '../i18n.js';
import { navigate } from '../router.js';
import { refreshMe } from '../session.js';
import * as store from '../store.js';
import { loading, toast } from '../ui.js';
import { ensureStylesheet, showError } from './jobs-shared.js';

export default function createJoinView(ctx) {
  ensureStylesheet();
  const token = ctx.query.get('token') || '';
  let busy = false;

  async function accept() {
    if (busy) return;
    busy = true;
    const done = loading();
    try {
      const employer = await api.post('/employer-invitations/accept', { token });
      await refreshMe();
      done();
      toast(t('recruit.joined', { name: employer.name }), { icon: 'success' });
      navigate('/recruit');
    } catch (err) {
      done();
      showError(err);
    } finally {
      busy = false;
      ctx.update();
    }
  }

  return {
    render() {
      const back = `/recruit/join?token=${encodeURIComponent(token)}`;
      return html`<div class="app-page weui-msg">
        <div class="weui-msg__icon-area"><i class="weui-icon-info weui-icon_msg"></i></div>
        <div class="weui-msg__text-area">
          <h2 class="weui-msg__title">${t('recruit.join_title')}</h2>
          <p class="weui-msg__desc">${token ? t('recruit.join_desc') : t('recruit.join_no_token')}</p>
        </div>
        <div class="weui-msg__opr-area">
          ${store.get().me
            ? html`<button type="button" class="weui-btn weui-btn_primary" data-testid="join" ?disabled=${!token || busy} @click=${accept}>${t('recruit.join')}</button>`
            : html`<a class="weui-btn weui-btn_primary" href=${`#/login?next=${encodeURIComponent(back)}`}>${t('login.submit')}</a>`}
        </div>
      </div>`;
    },
  };
}

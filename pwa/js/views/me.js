/** Me: masked phone, roles, region, the worker's own data, language switch, logout. */
import { html, nothing } from '../html.js';
import { api } from '../api.js';
import { t, getLocale, regionName, LOCALES } from '../i18n.js';
import { changeLocale, signOut } from '../session.js';
import * as store from '../store.js';
import { confirmDialog, loading, topTips } from '../ui.js';

const LANGUAGE_NAMES = { 'zh-CN': '简体中文', en: 'English' }; // each in its own language

export default function createMeView() {
  async function logout() {
    const ok = await confirmDialog({ title: t('me.logout_confirm'), okText: t('me.logout'), danger: true });
    if (!ok) return;
    const done = loading();
    try {
      await api.post('/auth/logout');
    } catch (err) {
      if (err.status !== 0 && err.status !== 401) topTips(err.detail);
    } finally {
      done();
    }
    signOut();
  }

  return {
    render() {
      const { me } = store.get();
      if (!me) return nothing;
      const roles = (me.roles || []).map((r) => t(`role.${r.split('_')[0]}`)).join(t('common.list_separator'));
      return html`<div class="app-page app-me">
        <header class="app-profile">
          <div class="app-profile__avatar" aria-hidden="true">${(me.display_name || '?').slice(0, 1)}</div>
          <div>
            <p class="app-profile__name">${me.display_name}</p>
            <p class="app-profile__phone" data-testid="phone">${me.phone_masked}</p>
          </div>
        </header>
        <div class="weui-cells">
          <div class="weui-cell">
            <div class="weui-cell__bd">${t('me.roles')}</div>
            <div class="weui-cell__ft" data-testid="roles">${roles || t('me.none')}</div>
          </div>
          ${me.id_masked
            ? html`<div class="weui-cell">
                <div class="weui-cell__bd">${t('me.id_number')}</div>
                <div class="weui-cell__ft" data-testid="id-masked">${me.id_masked}</div>
              </div>`
            : nothing}
          <div class="weui-cell">
            <div class="weui-cell__bd">${t('me.region')}</div>
            <div class="weui-cell__ft">${me.region ? regionName(me.region) : t('me.none')}</div>
          </div>
        </div>
        ${store.hasRole('worker')
          ? html`<div class="weui-cells">
              <a class="weui-cell weui-cell_access app-entry" href="#/privacy" data-testid="my-data-link">
                <div class="weui-cell__bd">
                  <p class="app-entry__label">${t('me.my_data')}</p>
                  <p class="app-entry__desc">${t('me.my_data_desc')}</p>
                </div>
                <div class="weui-cell__ft"></div>
              </a>
            </div>`
          : nothing}
        <div class="weui-cells__title" id="lang-title">${t('me.language')}</div>
        <div class="weui-cells weui-cells_radio" role="radiogroup" aria-labelledby="lang-title">
          ${LOCALES.map(
            (locale) => html`<label class="weui-cell weui-cell_active weui-check__label" lang=${locale}>
              <div class="weui-cell__bd"><p>${LANGUAGE_NAMES[locale]}</p></div>
              <div class="weui-cell__ft">
                <input type="radio" class="weui-check" name="locale" value=${locale} data-testid=${`lang-${locale}`}
                  .checked=${getLocale() === locale} @change=${() => changeLocale(locale)}>
                <span class="weui-icon-checked"></span>
              </div>
            </label>`,
          )}
        </div>
        <div class="weui-btn-area app-logout">
          <button type="button" class="weui-btn weui-btn_default app-btn-danger" data-testid="logout" @click=${logout}>
            ${t('me.logout')}
          </button>
        </div>
      </div>`;
    },
  };
}

/**
 * Boot: language → who is signed in → router; plus the shell around the views
 * (the role-dependent tab bar, the offline and "new version" banners).
 */
import { html, render, nothing } from './html.js';
import { onUnauthorized } from './api.js';
import { t, initLocale } from './i18n.js';
import { icon } from './icons.js';
import { currentPath, onNavigate, startRouter } from './router.js';
import { tabsFor } from './routes.js';
import { refreshMe, signOut } from './session.js';
import * as store from './store.js';
import { applyUpdate, registerServiceWorker } from './sw-register.js';

function renderTabbar() {
  const bar = document.getElementById('tabbar');
  const { me } = store.get();
  const path = currentPath();
  const visible = Boolean(me) && path !== null && path !== '/login';
  bar.hidden = !visible;
  document.body.classList.toggle('app-has-tabbar', visible);
  if (!visible) return;
  render(
    tabsFor(store.hasRole).map(
      (tab) => html`<a href=${`#${tab.path}`} class="weui-tabbar__item ${tab.path === path ? 'weui-bar__item_on' : ''}"
        aria-current=${tab.path === path ? 'page' : 'false'} data-tab=${tab.path}>
        <span class="weui-tabbar__icon app-tab-icon">${icon(tab.icon)}</span>
        <span class="weui-tabbar__label">${t(tab.label)}</span>
      </a>`,
    ),
    bar,
  );
}

function renderBanners() {
  const { online, stale, updateWorker, me } = store.get();
  render(
    html`${updateWorker
      ? html`<button type="button" id="update-prompt" class="weui-btn_reset app-banner app-banner_update" @click=${applyUpdate}>
          ${t('update.available')}
        </button>`
      : nothing}
    ${!online || (stale && me)
      ? html`<div class="app-banner app-banner_offline" role="status" data-testid="offline-banner">${t('offline.banner')}</div>`
      : nothing}`,
    document.getElementById('banners'),
  );
}

function renderShell() {
  renderTabbar();
  renderBanners();
}

async function boot() {
  await initLocale();
  onUnauthorized(() => {
    if (store.get().me) signOut();
  });
  store.subscribe(renderShell);
  onNavigate(renderShell);
  registerServiceWorker();

  const outlet = document.getElementById('view');
  if (store.get().me) {
    // Known user on this device: open at once (weak signal, offline), check with the server after.
    startRouter(outlet);
    refreshMe();
  } else {
    await refreshMe();
    startRouter(outlet);
  }
  renderShell();
  // When the network comes back, confirm the session (a stale copy may have expired).
  window.addEventListener('online', () => {
    if (store.get().stale) refreshMe();
  });
}

boot().catch((err) => {
  console.error('boot failed', err);
  document.getElementById('view').textContent = '加载失败，请检查网络后重试。 Failed to load: please check the network and retry.';
});

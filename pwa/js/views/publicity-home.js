/**
 * The articles block of the home screen: titles of what is published for me, newest first;
 * shown from the device's copy when offline.
 */
import { html, nothing } from '../html.js';
import { t } from '../i18n.js';
import { cachedArticles, loadArticles } from './publicity-shared.js';

let state = { items: null, offline: false, loading: false };

/** Start loading (once per home visit); `update` re-renders the home screen. */
export function refreshArticles(update) {
  if (state.loading) return;
  state = { items: cachedArticles(), offline: false, loading: true }; // this user's copy only
  loadArticles()
    .then((found) => {
      state = { items: found.items, offline: found.offline, loading: false };
    })
    .catch(() => {
      state = { ...state, loading: false };
    })
    .finally(update);
}

export function articlesSection() {
  const items = state.items || [];
  if (!items.length) return nothing;
  return html`<div class="weui-cells__title">${t('publicity.home_title')}${state.offline ? ` · ${t('publicity.offline')}` : ''}</div>
    <div class="weui-cells" data-testid="home-articles">
      ${items.slice(0, 5).map(
        (a) => html`<a class="weui-cell weui-cell_access" href=${`#/articles/${a.id}`} data-testid="home-article">
          <div class="weui-cell__bd"><p>${a.title}</p></div><div class="weui-cell__ft">${t(`publicity.kind.${a.kind}`)}</div></a>`,
      )}
    </div>`;
}

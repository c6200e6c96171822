/** One article, readable offline once the home screen has loaded it. */
import { html, nothing } from '../html.js';
import { beijingDay } from '../beijing.js';
import { t } from '../i18n.js';
import { ensureStylesheet, showError } from './subsidies-shared.js';
import { articleBody, loadArticle } from './publicity-shared.js';

export default function createArticleView(ctx) {
  ensureStylesheet().then(() => ctx.update());
  let article = null;
  let failed = false;
  loadArticle(Number(ctx.params.id))
    .then((found) => {
      article = found;
      ctx.update();
    })
    .catch((err) => {
      failed = true;
      showError(err);
      ctx.update();
    });

  return {
    title() {
      return article ? article.title : t('publicity.title');
    },
    render() {
      if (failed) return html`<div class="app-page"><div class="weui-cells__tips">${t('publicity.not_found')}</div></div>`;
      if (!article) return html`<div class="app-page"><div class="weui-cells__tips">${t('common.loading')}</div></div>`;
      return html`<div class="app-page"><article class="pub-article" data-testid="article">
        <h1>${article.title}</h1>
        <p class="pub-meta"><span class="pub-kind">${t(`publicity.kind.${article.kind}`)}</span>${beijingDay(article.publish_at)}</p>
        ${articleBody(article)}
      </article>${nothing}</div>`;
    },
  };
}

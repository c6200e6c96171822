/** My applications (workers): each job with its status as the employer moves it along. */
import { html } from '../html.js';
import { api } from '../api.js';
import { t } from '../i18n.js';
import { ensureStylesheet, jobCard, moreButton, pager, whenText } from './jobs-shared.js';

export default function createMyApplicationsView(ctx) {
  ensureStylesheet();
  const list = pager((cursor) => api.get(`/applications/mine${cursor ? `?cursor=${cursor}` : ''}`), ctx.update);
  list.more();

  return {
    render() {
      return html`<div class="app-page">
        <nav class="app-jobs-segments">
          <a href="#/jobs">${t('jobs.tab_search')}</a>
          <a href="#/jobs?tab=recommended">${t('jobs.tab_recommended')}</a>
          <a href="#/jobs/mine" class="app-on">${t('jobs.tab_mine')}</a>
        </nav>
        <p class="weui-cells__tips">${t('jobs.mine_tips')}</p>
        <div data-testid="my-applications">
          ${list.items.map(
            (a) => html`<div data-application=${a.id}>
              ${jobCard(a.job)}
              <p class="weui-cells__tips app-muted">${t('jobs.applied_at', { when: whenText(a.applied_at) })}
                · ${a.share_card ? t('jobs.card_shared') : t('jobs.card_not_shared')}</p>
            </div>`,
          )}
        </div>
        ${moreButton(list, t('jobs.no_applications'))}
      </div>`;
    },
  };
}

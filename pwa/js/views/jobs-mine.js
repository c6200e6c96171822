/** My applications (workers): each job with its status as the employer moves it along. */
import { html, nothing } from '../html.js';
import { api } from '../api.js';
import { t } from '../i18n.js';
import { confirmDialog, loading, toast } from '../ui.js';
import { ensureStylesheet, jobCard, moreButton, pager, showError, whenText } from './jobs-shared.js';

// What the worker may still take back: the employer has not decided yet.
const WITHDRAWABLE = ['submitted', 'contacted'];

export default function createMyApplicationsView(ctx) {
  ensureStylesheet();
  const list = pager((cursor) => api.get(`/applications/mine${cursor ? `?cursor=${cursor}` : ''}`), ctx.update);
  list.more();
  let busy = false;

  async function withdraw(application) {
    if (busy) return;
    const ok = await confirmDialog({
      title: t('jobs.withdraw_confirm', { title: application.job.title }),
      body: t('jobs.withdraw_effect'),
      okText: t('jobs.withdraw'),
    });
    if (!ok) return;
    busy = true;
    const done = loading();
    try {
      const updated = await api.post(`/applications/${application.id}/withdraw`);
      Object.assign(application, updated);
      done();
      toast(t('jobs.withdrawn'), { icon: 'success' });
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
              ${WITHDRAWABLE.includes(a.status)
                ? html`<div class="app-actions"><button type="button" class="weui-btn weui-btn_mini weui-btn_default"
                    data-testid="withdraw" ?disabled=${busy} @click=${() => withdraw(a)}>${t('jobs.withdraw')}</button></div>`
                : nothing}
            </div>`,
          )}
        </div>
        ${moreButton(list, t('jobs.no_applications'))}
      </div>`;
    },
  };
}

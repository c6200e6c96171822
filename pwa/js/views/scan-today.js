/**
 * Today at my checkpoint (#/scan/today): scans by verdict and by decision, refusal reasons,
 * check-ins. Counts come from the server, so records still in this phone's outbox are shown
 * apart ("waiting to upload").
 */
import { html, nothing } from '../html.js';
import { api } from '../api.js';
import { t } from '../i18n.js';
import * as outbox from '../outbox.js';
import { ensureStylesheet, readLocal } from './checkpoints-shared.js';

export default function createScanTodayView(ctx) {
  ensureStylesheet();
  const cached = readLocal('fg.scan.checkpoints', { items: [] });
  const checkpoints = cached.items || [];
  const selected = readLocal('fg.scan.checkpoint', null);
  const checkpoint = checkpoints.find((c) => c.id === selected) || checkpoints[0] || null;
  let today = null;
  let error = '';
  let counts = outbox.snapshot();

  async function load() {
    if (!checkpoint) return;
    try {
      today = await api.get(`/checkpoints/${checkpoint.id}/today`);
      error = '';
    } catch (err) {
      error = err.status === 0 ? t('checkpoints.offline') : err.detail;
    }
    ctx.update();
  }
  load();
  const offOutbox = outbox.subscribe((next) => {
    const uploaded = next.pending < counts.pending;
    counts = next;
    if (uploaded) load();
    ctx.update();
  });

  function cell(key, value, cls = '') {
    return html`<div class="app-count ${cls}"><span class="app-count__value" data-testid=${`today-${key}`}>${value}</span>
      <span class="app-count__label">${t(`checkpoints.count.${key}`)}</span></div>`;
  }

  return {
    title: () => t('scan.today_title'),
    render() {
      if (!checkpoint) return html`<div class="app-page"><p class="weui-cells__tips app-empty">${t('scan.unassigned')}</p></div>`;
      const c = today ? today.counts : null;
      return html`<div class="app-page app-today">
        <header class="app-section-head">
          <h1 class="app-section-title">${checkpoint.name}</h1>
          <p class="app-section-sub">${today ? today.day : ''} · <a href="#/scan">${t('scan.back_to_scanner')}</a></p>
        </header>
        ${error ? html`<p class="weui-cells__tips app-empty" role="status">${error}</p>` : nothing}
        ${counts.pending ? html`<p class="app-today__pending">${t('scan.today_pending', { n: counts.pending })}</p>` : nothing}
        ${c
          ? html`<div class="weui-cells__title">${t('scan.today_verdicts')}</div>
              <div class="app-counts">
                ${cell('scans', c.scans)} ${cell('green', c.green, 'app-count_green')}
                ${cell('yellow', c.yellow, 'app-count_yellow')} ${cell('red', c.red, 'app-count_red')}
                ${cell('invalid', c.invalid, 'app-count_invalid')} ${cell('checkins', c.checkins)}
              </div>
              <div class="weui-cells__title">${t('scan.today_decisions')}</div>
              <div class="app-counts">
                ${cell('admitted', c.admitted)} ${cell('refused', c.refused)} ${cell('undecided', c.undecided)}
                ${cell('flagged', c.flagged, c.flagged ? 'app-count_flagged' : '')}
              </div>
              ${Object.keys(today.refusal_reasons).length
                ? html`<div class="weui-cells__title">${t('scan.today_reasons')}</div>
                    <div class="weui-cells">
                      ${Object.entries(today.refusal_reasons).map(
                        ([reason, n]) => html`<div class="weui-cell"><div class="weui-cell__bd">${t(`checkpoints.refusal.${reason}`)}</div>
                          <div class="weui-cell__ft">${n}</div></div>`,
                      )}
                    </div>`
                : nothing}`
          : error
            ? nothing
            : html`<p class="weui-cells__tips app-empty">${t('common.loading')}</p>`}
      </div>`;
    },
    destroy() {
      offOutbox();
    },
  };
}

/**
 * Quarantine at a glance for township, county and city officials (GET /quarantine/summary):
 * for my region, or `?region=` within it, the counts of each child region — open cases, due
 * for release today, missing today's check, referred. Tap a row to drill down; a village opens
 * its list of cases.
 */
import { html, nothing } from '../html.js';
import { api } from '../api.js';
import { t, regionName } from '../i18n.js';
import { topTips } from '../ui.js';
import { formatDate, loadCardStyles } from './quarantine-shared.js';

const KEYS = ['open', 'due_today', 'missing_checks', 'referred'];

export default function createQuarantineSummaryView(ctx) {
  const region = ctx.query.get('region');
  let body = null;
  let failed = false;

  loadCardStyles().then(() => ctx.update());

  async function load() {
    try {
      body = await api.get(`/quarantine/summary${region ? `?region=${encodeURIComponent(region)}` : ''}`);
      failed = false;
    } catch (err) {
      failed = true;
      if (err.status !== 0 && err.status !== 401) topTips(err.detail);
    }
    ctx.update();
  }
  load();

  function link(row) {
    const code = encodeURIComponent(row.region.code);
    return row.level === 'village' ? `#/quarantine?region=${code}` : `#/quarantine/summary?region=${code}`;
  }

  function facts(row) {
    return html`<dl class="hist-item__facts">
      ${KEYS.map((key) => html`<dt>${t(`quarantine.count.${key}`)}</dt><dd>${row[key]}</dd>`)}
    </dl>`;
  }

  return {
    title() {
      return t('quarantine.summary_title');
    },
    render() {
      if (failed && !body) {
        return html`<div class="app-page weui-msg"><p class="weui-msg__desc">${t('error.network')}</p>
          <div class="weui-msg__opr-area"><button type="button" class="weui-btn weui-btn_default" @click=${load}>${t('card.retry')}</button></div></div>`;
      }
      if (!body) return html`<div class="app-page hc-loading">${t('common.loading')}…</div>`;
      const total = body.total;
      return html`<div class="app-page hist-page" data-testid="quarantine-summary">
        <div class="hist-item">
          <div class="hist-item__head">
            <span class="hist-item__time">${regionName(total.region)}</span>
            <span class="decl-muted">${formatDate(body.today)}</span>
          </div>
          ${facts(total)}
          <p><a class="weui-link" href=${`#/quarantine?region=${encodeURIComponent(total.region.code)}`}>${t('quarantine.summary_cases')}</a></p>
        </div>
        ${body.children.length
          ? body.children.map(
              (row) => html`<div class="hist-item" data-testid="quarantine-summary-row">
                <div class="hist-item__head"><a class="hist-item__time" href=${link(row)}>${regionName(row.region)}</a>
                  ${row.referred ? html`<span class="hc-badge hc_red">${t('quarantine.count.referred')} ${row.referred}</span>` : nothing}</div>
                ${facts(row)}
                <p><a class="weui-link" href=${link(row)}>${t(row.level === 'village' ? 'quarantine.summary_cases' : 'quarantine.summary_drill')}</a></p>
              </div>`,
            )
          : html`<div class="weui-cells__tips app-empty">${t('quarantine.summary_no_children')}</div>`}
      </div>`;
    },
  };
}

/**
 * The ranked list (#/supervision/ranking[?level=village|checkpoint|county]): the villages (or
 * gates, or counties) of the official's region, worst first by the share of valid cards
 * refused this week, with the change from the week before.
 */
import { html, nothing } from '../html.js';
import { api } from '../api.js';
import { t, getLocale } from '../i18n.js';
import { navigate } from '../router.js';
import { topTips } from '../ui.js';
import { ensureStylesheet } from './supervision-shared.js';

const LEVELS = ['village', 'checkpoint', 'county'];
const ARROWS = { worse: '↑', better: '↓', same: '→', new: '·' };

export default function createRankingView(ctx) {
  ensureStylesheet();
  const level = LEVELS.includes(ctx.query.get('level')) ? ctx.query.get('level') : '';
  let body = null;

  api
    .get(`/supervision/compliance?limit=200${level ? `&level=${level}` : ''}`)
    .then((answer) => {
      body = answer;
      ctx.update();
    })
    .catch((err) => topTips(err.detail));

  function name(row) {
    return getLocale() === 'en' ? row.name_en : row.name_zh;
  }

  function row(r) {
    const w = r.this_week;
    return html`<div class="weui-cell" data-testid="rank-item">
      <div class="weui-cell__hd sv-rank">${r.rank}</div>
      <div class="weui-cell__bd">
        <p>${name(r)}</p>
        <p class="sv-desc">${t('supervision.rank.line', { scans: w.scans, refused: w.refused_valid, permille: w.refused_valid_permille, open: w.open_cases })}
          ${w.median_close_hours !== null ? ` · ${t('supervision.rank.median', { hours: w.median_close_hours })}` : ''}</p>
      </div>
      <div class="weui-cell__ft sv-trend_${r.trend}" title=${t(`supervision.trend.${r.trend}`)}>
        ${ARROWS[r.trend]} ${r.permille_change !== null ? `${r.permille_change > 0 ? '+' : ''}${r.permille_change}‰` : ''}
      </div>
    </div>`;
  }

  return {
    title: () => t('supervision.rank.title'),
    render() {
      return html`<div class="app-page sv-page">
        <div class="sv-switch">
          ${LEVELS.map(
            (l) => html`<button type="button" class="weui-btn weui-btn_mini ${(body && body.level === l) ? 'weui-btn_primary' : 'weui-btn_default'}"
              @click=${() => navigate(`/supervision/ranking?level=${l}`)}>${t(`supervision.rank.level.${l}`)}</button>`,
          )}
        </div>
        ${body
          ? html`<p class="sv-lead">${t('supervision.rank.lead', { from: body.this_week.start, to: body.this_week.end })}</p>
            <div class="weui-cells">${body.items.length ? body.items.map(row) : html`<div class="weui-cell sv-desc">${t('supervision.dash.none')}</div>`}</div>`
          : html`<p class="sv-lead">${t('common.loading')}</p>`}
        ${body && body.total > body.items.length ? html`<p class="sv-lead">${t('supervision.rank.more', { n: body.total - body.items.length })}</p>` : nothing}
      </div>`;
    },
  };
}

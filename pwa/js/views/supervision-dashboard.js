/**
 * Officials' dashboard (#/supervision/dashboard[?region=…]): the figures of their region, each a
 * link to the list it counts (the server guarantees they are equal), with small SVG bar charts
 * drawn here from the same figures: every bar is a link too.
 */
import { html, svg, nothing } from '../html.js';
import { api } from '../api.js';
import { t, regionName } from '../i18n.js';
import { topTips } from '../ui.js';
import { ensureStylesheet, screenFor } from './supervision-shared.js';

const GREEN = '#07C160';
const COLOURS = { green: '#07C160', yellow: '#F0B400', red: '#E64340' };
const SCAN_BARS = [
  ['admitted', '#07C160'],
  ['refused', '#FA9D3B'],
  ['refused_valid', '#E64340'],
  ['invalid', '#8A8F99'],
  ['undecided', '#B2B6BD'],
];

function href(figure) {
  return `#${screenFor(figure.list)}`;
}

function figureLink(label, figure, { warn = false, testid = '' } = {}) {
  return html`<a class="sv-figure ${warn && figure.value ? 'sv-figure_warn' : ''}" href=${href(figure)} data-testid=${testid || nothing} data-list=${figure.list}>
    <span class="sv-figure__value">${figure.value}</span><span class="sv-figure__label">${label}</span>
  </a>`;
}

/** Horizontal bars, one row each: [{label, figure, color}]; every bar links to its list. */
function bars(rows) {
  const width = 360;
  const rowHeight = 28;
  const labelWidth = 110;
  const max = Math.max(1, ...rows.map((r) => r.figure.value));
  const height = rows.length * rowHeight + 8;
  return html`<svg class="sv-chart" viewBox=${`0 0 ${width} ${height}`} role="img" aria-label=${rows.map((r) => `${r.label} ${r.figure.value}`).join(', ')}>
    ${rows.map((r, i) => {
      const y = 4 + i * rowHeight;
      const w = Math.max(r.figure.value ? 2 : 0, ((width - labelWidth - 48) * r.figure.value) / max);
      return svg`<a href=${href(r.figure)}>
        <text x="4" y=${y + 18} fill="#1F2329">${r.label}</text>
        <rect x=${labelWidth} y=${y + 5} width=${w} height="16" rx="2" fill=${r.color || GREEN}></rect>
        <text x=${labelWidth + w + 6} y=${y + 18} fill="#8A8F99">${r.figure.value}</text>
      </a>`;
    })}
  </svg>`;
}

/** One bar split by colour: the region's people, green / yellow / red. */
function colourBar(colours) {
  const width = 360;
  const total = Object.values(colours).reduce((n, f) => n + f.value, 0);
  if (!total) return html`<p class="sv-lead">${t('supervision.dash.no_people')}</p>`;
  let x = 0;
  return html`<svg class="sv-chart" viewBox=${`0 0 ${width} 28`} role="img" aria-label=${t('supervision.dash.colours')}>
    ${Object.keys(COLOURS).map((status) => {
      const w = (width * colours[status].value) / total;
      const part = svg`<a href=${href(colours[status])}><rect x=${x} y="4" width=${w} height="20" fill=${COLOURS[status]}></rect></a>`;
      x += w;
      return part;
    })}
  </svg>`;
}

export default function createDashboardView(ctx) {
  ensureStylesheet();
  const region = ctx.query.get('region');
  let board = null;
  let span = 'today';

  api
    .get(`/supervision/dashboard${region ? `?region=${encodeURIComponent(region)}` : ''}`)
    .then((body) => {
      board = body;
      ctx.update();
    })
    .catch((err) => topTips(err.detail));

  function scans() {
    const figures = span === 'today' ? board.scans_today : board.scans_week;
    return html`<section class="sv-section" data-testid="dash-scans">
      <div class="weui-cells__title">${t('supervision.dash.scans')}</div>
      <div class="sv-switch">
        <button type="button" class="weui-btn weui-btn_mini ${span === 'today' ? 'weui-btn_primary' : 'weui-btn_default'}" @click=${() => { span = 'today'; ctx.update(); }}>${t('supervision.dash.today')}</button>
        <button type="button" class="weui-btn weui-btn_mini ${span === 'week' ? 'weui-btn_primary' : 'weui-btn_default'}" @click=${() => { span = 'week'; ctx.update(); }}>${t('supervision.dash.week')}</button>
      </div>
      <div class="sv-figures">
        ${figureLink(t('supervision.dash.all'), figures.all, { testid: 'dash-scans-all' })}
        ${figureLink(t('supervision.dash.valid'), figures.valid)}
        ${figureLink(t('supervision.dash.refused_valid'), figures.refused_valid, { warn: true })}
      </div>
      ${bars(SCAN_BARS.map(([name, color]) => ({ label: t(`supervision.dash.${name}`), figure: figures[name], color })))}
    </section>`;
  }

  return {
    title: () => t('supervision.dash.title'),
    render() {
      if (!board) return html`<div class="app-page sv-page"><p class="sv-lead">${t('common.loading')}</p></div>`;
      const destinations = board.destinations.slice(0, 8);
      return html`<div class="app-page sv-page" data-testid="dashboard">
        <p class="sv-lead">${regionName(board.region)} · ${board.today}</p>
        <section class="sv-section">
          <div class="weui-cells__title">${t('supervision.dash.cases')}</div>
          <div class="sv-figures">
            ${figureLink(t('supervision.dash.cases_open'), board.cases_open, { warn: true, testid: 'dash-cases-open' })}
            ${figureLink(t('supervision.dash.cases_unassigned'), board.cases_unassigned, { warn: true })}
            ${figureLink(t('supervision.dash.quarantine_due'), board.quarantine_due)}
          </div>
          <div class="weui-btn-area"><a class="weui-btn weui-btn_default" href="#/supervision/ranking">${t('supervision.rank.title')}</a></div>
        </section>
        ${scans()}
        <section class="sv-section">
          <div class="weui-cells__title">${t('supervision.dash.colours')}</div>
          ${colourBar(board.colours)}
          <div class="sv-figures">
            ${Object.keys(COLOURS).map((status) => figureLink(t(`supervision.status.${status}`), board.colours[status]))}
          </div>
        </section>
        <section class="sv-section">
          <div class="weui-cells__title">${t('supervision.dash.intents')}</div>
          <div class="sv-figures">${figureLink(t('supervision.dash.intents_total'), board.intents_outbound)}</div>
          ${destinations.length
            ? bars(destinations.map((d) => ({ label: regionName(d), figure: d.figure, color: '#10AEFF' })))
            : html`<p class="sv-lead">${t('supervision.dash.none')}</p>`}
        </section>
        <section class="sv-section">
          <div class="weui-cells__title">${t('supervision.dash.labour')}</div>
          ${bars(['demand', 'open_positions', 'supply_local', 'supply_outbound'].map((name, i) => ({
            label: t(`supervision.dash.${name}`),
            figure: board.labour[name],
            color: i < 2 ? '#FA9D3B' : GREEN,
          })))}
        </section>
      </div>`;
    },
  };
}

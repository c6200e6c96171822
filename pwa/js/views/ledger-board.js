/**
 * 台账 (officials): outbound intents of my region by destination × origin (county, township or
 * village), with job arranged / departed / certificate counts, filters by trade and departure
 * date, drill-down (a row opens the region below, a number opens the people), the weekly and
 * by-destination charts (SVG made on the server) and CSV / XLSX exports (audited on the server).
 */
import { html, nothing } from '../html.js';
import { api } from '../api.js';
import { t } from '../i18n.js';
import { navigate } from '../router.js';
import * as store from '../store.js';
import { topTips } from '../ui.js';
import { ensureStylesheet, loadOptions, named } from './intent-shared.js';

const TOP_DESTINATIONS = 6;
const FILTERS = ['region', 'kind', 'trade', 'departure_from', 'departure_to', 'destination_level'];

/** The ledger's query string from the filters that are set (also for charts and exports). */
export function ledgerQuery(filters, extra = {}) {
  const query = new URLSearchParams();
  for (const key of FILTERS) if (filters[key]) query.set(key, filters[key]);
  for (const key of Object.keys(extra)) if (extra[key] !== '' && extra[key] != null) query.set(key, extra[key]);
  return query.toString();
}

function percent(part, whole) {
  return whole ? `${Math.round((100 * part) / whole)}%` : '–';
}

export default function createLedgerView(ctx) {
  ensureStylesheet();
  const me = store.get().me;
  const scope = me && me.region ? me.region.code : null;
  const filters = { region: '', kind: 'outbound', trade: '', departure_from: '', departure_to: '', destination_level: 'city' };
  for (const key of FILTERS) if (ctx.query.get(key)) filters[key] = ctx.query.get(key);
  let data = null;
  let trades = [];
  let loadingNow = false;
  let token = 0;

  loadOptions()
    .then((body) => {
      trades = body.trades;
      ctx.update();
    })
    .catch(() => {});

  async function load() {
    const mine = ++token;
    loadingNow = true;
    ctx.update();
    try {
      const body = await api.get(`/ledger?${ledgerQuery(filters)}`);
      if (mine === token) data = body;
    } catch (err) {
      if (mine === token) topTips(err.detail);
    } finally {
      if (mine === token) loadingNow = false;
      ctx.update();
    }
  }
  load();

  function setFilter(key, value) {
    filters[key] = value;
    const path = `/ledger?${ledgerQuery(filters)}`;
    history.replaceState(null, '', `#${path}`);
    load();
  }

  const onChange = (key) => (event) => setFilter(key, event.target.value);

  function drill(origin) {
    if (data.group === 'village') {
      navigate(`/ledger/people?${ledgerQuery(filters, { region: origin.code })}`);
    } else {
      setFilter('region', origin.code);
    }
  }

  function peopleLink(originCode, destinationCode) {
    return `#/ledger/people?${ledgerQuery(filters, { region: originCode || filters.region, destination: destinationCode || '' })}`;
  }

  function totals(counts) {
    const tiles = [
      ['ledger.total', counts.intents, ''],
      ['ledger.job_arranged', counts.job_arranged, percent(counts.job_arranged, counts.intents)],
      ['ledger.departed', counts.departed, percent(counts.departed, counts.intents)],
      ['ledger.certified', counts.certified, percent(counts.certified, counts.intents)],
      ['ledger.needs_transport', counts.needs_transport, ''],
    ];
    return html`<div class="ledger-tiles" data-testid="ledger-totals">
      ${tiles.map(([key, value, share]) => html`<div class="ledger-tile">
        <p class="ledger-tile__value">${value.toLocaleString()}</p>
        <p class="ledger-tile__label">${t(key)}${share ? html` <span class="ledger-tile__share">${share}</span>` : nothing}</p>
      </div>`)}
    </div>`;
  }

  function table() {
    const top = data.destinations.slice(0, TOP_DESTINATIONS);
    const topCodes = top.map((d) => d.destination.code);
    const cells = {};
    for (const cell of data.cells) cells[`${cell.origin_code}|${cell.destination_code}`] = cell.counts;
    const other = (origin) => data.cells
      .filter((c) => c.origin_code === origin && topCodes.indexOf(c.destination_code) < 0)
      .reduce((sum, c) => sum + c.counts.intents, 0);
    const hasOther = data.destinations.length > TOP_DESTINATIONS;
    return html`<div class="ledger-table-wrap">
      <table class="ledger-table" data-testid="ledger-table">
        <thead><tr>
          <th scope="col">${t(`ledger.group.${data.group}`)}</th>
          ${top.map((d) => html`<th scope="col">${named(d.destination)}</th>`)}
          ${hasOther ? html`<th scope="col">${t('ledger.other')}</th>` : nothing}
          <th scope="col">${t('ledger.sum')}</th>
          <th scope="col">${t('ledger.job_arranged')}</th>
          <th scope="col">${t('ledger.departed')}</th>
          <th scope="col">${t('ledger.certified')}</th>
        </tr></thead>
        <tbody>
          ${data.origins.map((origin) => html`<tr>
            <th scope="row"><button type="button" class="ledger-link" @click=${() => drill(origin)}>${named(origin)}</button></th>
            ${topCodes.map((code) => {
              const counts = cells[`${origin.code}|${code}`];
              return html`<td>${counts ? html`<a href=${peopleLink(origin.code, code)}>${counts.intents}</a>` : '·'}</td>`;
            })}
            ${hasOther ? html`<td>${other(origin.code) || '·'}</td>` : nothing}
            <td><a href=${peopleLink(origin.code, '')}>${origin.counts.intents}</a></td>
            <td>${percent(origin.counts.job_arranged, origin.counts.intents)}</td>
            <td>${origin.counts.departed}</td>
            <td>${origin.counts.certified}</td>
          </tr>`)}
        </tbody>
        <tfoot><tr>
          <th scope="row">${t('ledger.sum')}</th>
          ${top.map((d) => html`<td><a href=${peopleLink('', d.destination.code)}>${d.counts.intents}</a></td>`)}
          ${hasOther ? html`<td>${data.destinations.slice(TOP_DESTINATIONS).reduce((s, d) => s + d.counts.intents, 0)}</td>` : nothing}
          <td>${data.totals.intents}</td>
          <td>${percent(data.totals.job_arranged, data.totals.intents)}</td>
          <td>${data.totals.departed}</td>
          <td>${data.totals.certified}</td>
        </tr></tfoot>
      </table>
    </div>`;
  }

  function filterCells() {
    return html`<div class="weui-cells weui-cells_form ledger-filters">
      <div class="weui-cell weui-cell_select weui-cell_select-after">
        <div class="weui-cell__hd"><label class="weui-label" for="ledger-kind">${t('ledger.kind')}</label></div>
        <div class="weui-cell__bd"><select class="weui-select" id="ledger-kind" @change=${onChange('kind')}>
          ${['outbound', 'local', 'all'].map((k) => html`<option value=${k} ?selected=${filters.kind === k}>${t(`ledger.kind.${k}`)}</option>`)}
        </select></div>
      </div>
      <div class="weui-cell weui-cell_select weui-cell_select-after">
        <div class="weui-cell__hd"><label class="weui-label" for="ledger-trade">${t('intent.trade')}</label></div>
        <div class="weui-cell__bd"><select class="weui-select" id="ledger-trade" @change=${onChange('trade')}>
          <option value="" ?selected=${!filters.trade}>${t('ledger.all_trades')}</option>
          ${trades.map((x) => html`<option value=${x.code} ?selected=${filters.trade === x.code}>${named(x)}</option>`)}
        </select></div>
      </div>
      <div class="weui-cell weui-cell_active">
        <div class="weui-cell__hd"><label class="weui-label" for="ledger-from">${t('ledger.departure_from')}</label></div>
        <div class="weui-cell__bd"><input class="weui-input" type="date" id="ledger-from" .value=${filters.departure_from} @change=${onChange('departure_from')}></div>
      </div>
      <div class="weui-cell weui-cell_active">
        <div class="weui-cell__hd"><label class="weui-label" for="ledger-to">${t('ledger.departure_to')}</label></div>
        <div class="weui-cell__bd"><input class="weui-input" type="date" id="ledger-to" .value=${filters.departure_to} @change=${onChange('departure_to')}></div>
      </div>
      <div class="weui-cell weui-cell_select weui-cell_select-after">
        <div class="weui-cell__hd"><label class="weui-label" for="ledger-level">${t('ledger.destination_level')}</label></div>
        <div class="weui-cell__bd"><select class="weui-select" id="ledger-level" @change=${onChange('destination_level')}>
          ${['city', 'province', 'exact'].map((k) => html`<option value=${k} ?selected=${filters.destination_level === k}>${t(`ledger.level.${k}`)}</option>`)}
        </select></div>
      </div>
    </div>`;
  }

  function exports() {
    const query = ledgerQuery(filters);
    return html`<div class="weui-btn-area ledger-exports">
      <a class="weui-btn weui-btn_default weui-btn_mini" href=${`/api/v1/ledger/export.xlsx?${query}`} download data-testid="export-xlsx">${t('ledger.export_xlsx')}</a>
      <a class="weui-btn weui-btn_default weui-btn_mini" href=${`/api/v1/ledger/export.csv?${query}`} download data-testid="export-csv">${t('ledger.export_csv')}</a>
      <p class="weui-cells__tips">${t('ledger.export_note')}</p>
    </div>`;
  }

  return {
    render() {
      const chartQuery = ledgerQuery({ region: filters.region, kind: filters.kind, trade: filters.trade, departure_from: filters.departure_from, departure_to: filters.departure_to });
      return html`<div class="app-page ledger-page" data-testid="ledger-page">
        <header class="ledger-head">
          <h2 class="ledger-head__title">${data ? named(data.region) : t('ledger.title')}</h2>
          ${filters.region && filters.region !== scope
            ? html`<button type="button" class="ledger-link" @click=${() => setFilter('region', '')}>${t('ledger.back_to_mine')}</button>`
            : nothing}
        </header>
        <nav class="ledger-nav">
          <a href=${`#/ledger/people?${ledgerQuery(filters)}`}>${t('ledger.people')}</a>
          <a href="#/intent/proxy">${t('ledger.proxy')}</a>
          <a href="#/rules">${t('rules.title')}</a>
        </nav>
        ${filterCells()}
        ${data ? totals(data.totals) : nothing}
        ${loadingNow && !data ? html`<p class="weui-cells__tips">${t('common.loading')}</p>` : nothing}
        ${data && data.origins.length ? table() : data ? html`<p class="weui-cells__tips app-empty">${t('ledger.empty')}</p>` : nothing}
        ${data
          ? html`<div class="weui-cells__title">${t('ledger.charts')}</div>
            <figure class="ledger-chart"><img src=${`/api/v1/ledger/charts/weeks.svg?${chartQuery}`} alt=${t('ledger.chart_weeks')} loading="lazy"></figure>
            <figure class="ledger-chart"><img src=${`/api/v1/ledger/charts/destinations.svg?${chartQuery}`} alt=${t('ledger.chart_destinations')} loading="lazy"></figure>
            ${exports()}`
          : nothing}
      </div>`;
    },
  };
}

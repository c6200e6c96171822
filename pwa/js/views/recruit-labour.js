/**
 * Officials: labour demand against supply, by region (the children of the chosen region) and
 * trade. Demand = headcounts employers reported; open = positions left in published postings;
 * supply = workers from there without a job, wanting local work / planning to go out.
 * A region's name drills down one level.
 */
import { html, nothing } from '../html.js';
import { api } from '../api.js';
import { t, regionName } from '../i18n.js';
import { ensureStylesheet, showError } from './jobs-shared.js';

export default function createLabourView(ctx) {
  ensureStylesheet();
  const region = ctx.query.get('region') || '';
  let summary = null;

  api.get(`/labour-demand/summary${region ? `?region=${encodeURIComponent(region)}` : ''}`)
    .then((body) => { summary = body; ctx.update(); })
    .catch(showError);

  function row(cell) {
    const supply = cell.supply_local + cell.supply_outbound;
    const wanted = Math.max(cell.demand, cell.open_positions);
    const drill = cell.region.code !== summary.region.code;
    return html`<tr data-region=${cell.region.code} data-trade=${cell.trade}>
      <td>${drill ? html`<a href=${`#/recruit/labour?region=${cell.region.code}`}>${regionName(cell.region)}</a>` : regionName(cell.region)}</td>
      <td>${cell.trade_name}</td>
      <td>${cell.demand}</td>
      <td>${cell.open_positions}</td>
      <td>${cell.supply_local}</td>
      <td>${cell.supply_outbound}</td>
      <td class=${wanted > supply ? 'app-short' : ''}>${supply - wanted}</td>
    </tr>`;
  }

  return {
    render() {
      if (!summary) return html`<div class="app-page weui-loadmore"><span class="weui-primary-loading"></span></div>`;
      const totals = summary.cells.reduce(
        (sum, c) => ({ demand: sum.demand + c.demand, open: sum.open + c.open_positions, local: sum.local + c.supply_local, out: sum.out + c.supply_outbound }),
        { demand: 0, open: 0, local: 0, out: 0 },
      );
      return html`<div class="app-page">
        <div class="weui-cells__title">${regionName(summary.region)}
          ${summary.region.parent_code && region ? html` · <a href=${`#/recruit/labour?region=${summary.region.parent_code}`}>${t('recruit.labour_up')}</a>` : nothing}</div>
        <p class="weui-cells__tips">${t('recruit.labour_tips')}</p>
        ${summary.supply_known ? nothing : html`<p class="weui-cells__tips">${t('recruit.labour_no_supply')}</p>`}
        <div class="app-table-wrap">
          <table class="app-table" data-testid="labour-table">
            <thead><tr>
              <th>${t('recruit.col.region')}</th><th>${t('recruit.col.trade')}</th><th>${t('recruit.col.demand')}</th>
              <th>${t('recruit.col.open')}</th><th>${t('recruit.col.supply_local')}</th><th>${t('recruit.col.supply_outbound')}</th>
              <th>${t('recruit.col.balance')}</th>
            </tr></thead>
            <tbody>
              ${summary.cells.map(row)}
              <tr><td>${t('recruit.col.total')}</td><td></td><td>${totals.demand}</td><td>${totals.open}</td>
                <td>${totals.local}</td><td>${totals.out}</td><td></td></tr>
            </tbody>
          </table>
        </div>
        ${summary.cells.length ? nothing : html`<div class="weui-cells__tips app-empty">${t('recruit.labour_empty')}</div>`}
      </div>`;
    },
  };
}

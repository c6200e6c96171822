/**
 * Find a job (workers): keyword search (普工, 电工 ...), filters (region with its subtree, trade,
 * minimum wage, housing), newest or best paid first, "load more" by cursor; a second segment
 * lists jobs recommended near home with their reasons (同工种 · 包住宿 · 离家近 ...).
 * The filters live in the URL (#/jobs?q=普工&trade=...), so back and reload keep them.
 */
import { html, nothing } from '../html.js';
import { api } from '../api.js';
import { t } from '../i18n.js';
import { navigate } from '../router.js';
import * as store from '../store.js';
import {
  ensureStylesheet,
  jobCard,
  loadRegionOptions,
  loadTrades,
  moreButton,
  pager,
  regionOptions,
  tradeLabel,
} from './jobs-shared.js';

const FILTERS = ['q', 'region', 'trade', 'min_wage', 'housing', 'sort'];
const WAGES = [3000, 4000, 5000, 6000, 8000];

export default function createJobsListView(ctx) {
  ensureStylesheet();
  const segment = ctx.query.get('tab') === 'recommended' ? 'recommended' : 'search';
  const filters = {};
  for (const key of FILTERS) filters[key] = ctx.query.get(key) || '';
  let keyword = filters.q;
  let trades = [];
  let regions = [];
  let recommendations = null;

  loadTrades().then((items) => { trades = items; ctx.update(); }).catch(() => {});
  loadRegionOptions().then((items) => { regions = items; ctx.update(); }).catch(() => {});

  const list = pager((cursor) => {
    const params = new URLSearchParams();
    for (const key of FILTERS) if (filters[key]) params.set(key, filters[key]);
    if (cursor) params.set('cursor', cursor);
    return api.get(`/jobs?${params}`);
  }, ctx.update);

  if (segment === 'search') list.more();
  else {
    api.get('/jobs/recommended?limit=20')
      .then((body) => { recommendations = body.items; ctx.update(); })
      .catch(() => { recommendations = []; ctx.update(); });
  }

  /** Put the filters in the URL; the router re-creates the view with them. */
  function apply(patch) {
    Object.assign(filters, patch);
    const params = new URLSearchParams();
    for (const key of FILTERS) if (filters[key]) params.set(key, filters[key]);
    const query = params.toString();
    navigate(`/jobs${query ? `?${query}` : ''}`, { replace: true });
  }

  function submit(event) {
    event.preventDefault();
    apply({ q: keyword.trim() });
  }

  function segments() {
    return html`<nav class="app-jobs-segments">
      <a href="#/jobs" class=${segment === 'search' ? 'app-on' : ''} data-testid="tab-search">${t('jobs.tab_search')}</a>
      <a href="#/jobs?tab=recommended" class=${segment === 'recommended' ? 'app-on' : ''} data-testid="tab-recommended">${t('jobs.tab_recommended')}</a>
      <a href="#/jobs/mine" data-testid="tab-mine">${t('jobs.tab_mine')}</a>
    </nav>`;
  }

  function searchForm() {
    return html`<form class="app-jobs-search" role="search" @submit=${submit}>
        <input class="app-jobs-search__input" type="search" enterkeyhint="search" maxlength="40"
          placeholder=${t('jobs.search_placeholder')} aria-label=${t('jobs.search_placeholder')}
          data-testid="job-search" .value=${keyword} @input=${(e) => { keyword = e.target.value; }}>
        <button type="submit" class="weui-btn weui-btn_primary weui-btn_mini app-jobs-search__btn" data-testid="job-search-go">${t('jobs.search')}</button>
      </form>
      <div class="app-jobs-filters">
        <select aria-label=${t('jobs.filter_region')} data-testid="filter-region" @change=${(e) => apply({ region: e.target.value })}>
          <option value="">${t('jobs.filter_region_any')}</option>
          ${regionOptions(regions, filters.region)}
        </select>
        <select aria-label=${t('jobs.filter_trade')} data-testid="filter-trade" @change=${(e) => apply({ trade: e.target.value })}>
          <option value="">${t('jobs.filter_trade_any')}</option>
          ${trades.map((tr) => html`<option value=${tr.code} ?selected=${tr.code === filters.trade}>${tradeLabel(tr)}</option>`)}
        </select>
        <select aria-label=${t('jobs.filter_wage')} data-testid="filter-wage" @change=${(e) => apply({ min_wage: e.target.value })}>
          <option value="">${t('jobs.filter_wage_any')}</option>
          ${WAGES.map((w) => html`<option value=${w} ?selected=${String(w) === filters.min_wage}>${t('jobs.filter_wage_at_least', { wage: w })}</option>`)}
        </select>
        <label><input type="checkbox" data-testid="filter-housing" .checked=${filters.housing === 'true'}
          @change=${(e) => apply({ housing: e.target.checked ? 'true' : '' })}> ${t('jobs.housing')}</label>
        <select aria-label=${t('jobs.sort')} data-testid="sort" @change=${(e) => apply({ sort: e.target.value === 'wage' ? 'wage' : '' })}>
          <option value="" ?selected=${filters.sort !== 'wage'}>${t('jobs.sort_newest')}</option>
          <option value="wage" ?selected=${filters.sort === 'wage'}>${t('jobs.sort_wage')}</option>
        </select>
      </div>`;
  }

  function recommended() {
    if (recommendations === null) return html`<div class="weui-loadmore"><span class="weui-primary-loading"></span></div>`;
    if (!recommendations.length) return html`<div class="weui-cells__tips app-empty">${t('jobs.no_recommendations')}</div>`;
    return html`<p class="weui-cells__tips">${t('jobs.recommended_tips')}</p>
      ${recommendations.map((r) => jobCard(r.job, { reasons: r.reason_words }))}`;
  }

  return {
    render() {
      return html`<div class="app-page app-jobs">
        ${segments()}
        ${segment === 'search'
          ? html`${searchForm()}
            <div data-testid="job-results">${list.items.map((job) => jobCard(job))}</div>
            ${moreButton(list, t('jobs.no_results'))}`
          : recommended()}
        ${store.hasRole('employer')
          ? nothing
          : html`<p class="weui-cells__tips app-more"><a href="#/recruit/register">${t('jobs.employer_link')}</a></p>`}
      </div>`;
    },
  };
}

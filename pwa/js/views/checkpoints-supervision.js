/**
 * Officials' supervision of checkpoints (#/checkpoints/supervision[?checkpoint=<id>]):
 * scans per checkpoint per day, refusals with their reasons, and first of all the flagged
 * refusals: people with a valid green card or health certificate who were turned away,
 * which the notice forbids.
 */
import { html, nothing } from '../html.js';
import { api } from '../api.js';
import { t, regionName } from '../i18n.js';
import { topTips } from '../ui.js';
import { ensureStylesheet, isoDay, shortDateTime, statusWord } from './checkpoints-shared.js';

export default function createSupervisionView(ctx) {
  ensureStylesheet();
  const checkpointId = ctx.query.get('checkpoint');
  const today = new Date();
  const weekAgo = new Date(today.getTime() - 6 * 86400000);
  const filter = { from: isoDay(weekAgo), to: isoDay(today), flagged: true };
  let stats = null;
  let statsCursor = null;
  let refusals = null;
  let refusalCursor = null;

  function query(extra) {
    const params = new URLSearchParams({ from: filter.from, to: filter.to, limit: '20', ...extra });
    if (checkpointId) params.set('checkpoint_id', checkpointId);
    return params.toString();
  }

  async function loadStats(more = false) {
    try {
      const body = await api.get(`/checkpoints/stats?${query(more && statsCursor ? { cursor: statsCursor } : {})}`);
      stats = more ? stats.concat(body.items) : body.items;
      statsCursor = body.next_cursor;
    } catch (err) {
      topTips(err.detail);
      stats = stats || [];
    }
    ctx.update();
  }

  async function loadRefusals(more = false) {
    const extra = more && refusalCursor ? { cursor: refusalCursor } : {};
    if (filter.flagged) extra.flagged = 'true';
    try {
      const body = await api.get(`/checkpoints/refusals?${query(extra)}`);
      refusals = more ? refusals.concat(body.items) : body.items;
      refusalCursor = body.next_cursor;
    } catch (err) {
      topTips(err.detail);
      refusals = refusals || [];
    }
    ctx.update();
  }

  function reload() {
    stats = null;
    refusals = null;
    ctx.update();
    loadStats();
    loadRefusals();
  }
  reload();

  function setFilter(key) {
    return (event) => {
      filter[key] = event.target.type === 'checkbox' ? event.target.checked : event.target.value;
      reload();
    };
  }

  function dayRows(item) {
    if (!item.days.length) return html`<p class="app-entry__desc app-stats__none">${t('checkpoints.supervise.no_scans')}</p>`;
    return html`<table class="app-stats__table">
      <thead><tr>
        <th>${t('checkpoints.supervise.day')}</th><th>${t('checkpoints.count.scans')}</th><th>${t('checkpoints.count.green')}</th>
        <th>${t('checkpoints.count.invalid')}</th><th>${t('checkpoints.count.refused')}</th><th>${t('checkpoints.count.flagged')}</th>
        <th>${t('checkpoints.count.checkins')}</th>
      </tr></thead>
      <tbody>${item.days.map(
        (d) => html`<tr>
          <td>${d.day.slice(5)}</td><td>${d.scans}</td><td>${d.green}</td><td>${d.invalid}</td><td>${d.refused}</td>
          <td class=${d.flagged ? 'app-stats__flagged' : ''}>${d.flagged}</td><td>${d.checkins}</td>
        </tr>`,
      )}</tbody>
    </table>`;
  }

  function refusalCell(r) {
    const v = r.verdict;
    const verdict = v.valid ? (v.kind === 'HC1' ? t('scan.verdict.certificate') : statusWord(v.status)) : t(`scan.reason.${v.reason}`);
    return html`<div class="weui-cell app-refusal-item ${r.flagged ? 'app-refusal-item_flagged' : ''}" data-testid="refusal-item">
      <div class="weui-cell__bd">
        <p>${r.flagged ? html`<span class="app-flag">${t('checkpoints.supervise.flagged')}</span>` : nothing}${r.reason_text || r.reason}${r.note ? ` · ${r.note}` : ''}</p>
        <p class="app-entry__desc">${r.checkpoint.name} · ${shortDateTime(r.scanned_at)} · ${t('checkpoints.supervise.volunteer')} ${r.volunteer.name_masked}</p>
        <p class="app-entry__desc">${t('checkpoints.supervise.verdict')}：${verdict}${v.trust_stale ? ` · ${t('checkpoints.supervise.trust_stale')}` : ''}${v.card_id ? ` · ${t('checkpoints.supervise.card')} ${v.card_id}` : ''}</p>
      </div>
    </div>`;
  }

  return {
    title: () => t('checkpoints.supervise.title'),
    render() {
      return html`<div class="app-page app-supervision">
        <div class="weui-cells weui-cells_form app-supervision__filter">
          <div class="weui-cell"><div class="weui-cell__hd"><label class="weui-label" for="sv-from">${t('checkpoints.supervise.from')}</label></div>
            <div class="weui-cell__bd"><input id="sv-from" class="weui-input" type="date" .value=${filter.from} @change=${setFilter('from')}></div></div>
          <div class="weui-cell"><div class="weui-cell__hd"><label class="weui-label" for="sv-to">${t('checkpoints.supervise.to')}</label></div>
            <div class="weui-cell__bd"><input id="sv-to" class="weui-input" type="date" .value=${filter.to} @change=${setFilter('to')}></div></div>
        </div>

        <div class="weui-cells__title app-supervision__heading">
          ${t('checkpoints.supervise.refusals')}
          <label class="app-supervision__toggle"><input type="checkbox" id="sv-flagged" .checked=${filter.flagged} @change=${setFilter('flagged')}>
            ${t('checkpoints.supervise.flagged_only')}</label>
        </div>
        <p class="weui-cells__tips">${t('checkpoints.supervise.flagged_desc')}</p>
        <div class="weui-cells" data-testid="refusals">
          ${refusals === null
            ? html`<div class="weui-cell">${t('common.loading')}</div>`
            : refusals.length === 0
              ? html`<div class="weui-cell app-entry__desc" data-testid="refusals-empty">${t('checkpoints.supervise.no_refusals')}</div>`
              : refusals.map(refusalCell)}
        </div>
        ${refusalCursor ? html`<div class="weui-btn-area"><button type="button" class="weui-btn weui-btn_default" @click=${() => loadRefusals(true)}>${t('checkpoints.more')}</button></div>` : nothing}

        <div class="weui-cells__title">${t('checkpoints.supervise.daily')}</div>
        ${stats === null
          ? html`<p class="weui-cells__tips">${t('common.loading')}</p>`
          : stats.map(
              (item) => html`<section class="app-stats" data-testid="stats-item">
                <h2 class="app-stats__title">${item.checkpoint.name}<span class="app-entry__desc"> · ${regionName(item.checkpoint.village)}</span></h2>
                ${dayRows(item)}
              </section>`,
            )}
        ${statsCursor ? html`<div class="weui-btn-area"><button type="button" class="weui-btn weui-btn_default" @click=${() => loadStats(true)}>${t('checkpoints.more')}</button></div>` : nothing}
      </div>`;
    },
  };
}

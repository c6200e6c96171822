/**
 * Organised export (#/transport/charters), for the origin's officials: outbound workers by
 * destination and departure week from the intents ledger; a group of 50 or more is proposed
 * for a chartered vehicle; chartering it invites its workers.
 */
import { html, nothing } from '../html.js';
import { api } from '../api.js';
import { t } from '../i18n.js';
import { navigate } from '../router.js';
import { loading } from '../ui.js';
import { showError } from './jobs-shared.js';
import { ensureStylesheet, placeName } from './transport-shared.js';

export default function createTransportChartersView(ctx) {
  ensureStylesheet();
  let groups = null;
  let open = null; // the group being chartered
  let address = '';

  api.get('/transport/charter-groups').then((body) => { groups = body; ctx.update(); }, showError);

  async function charter(group) {
    const done = loading();
    try {
      const made = await api.post('/transport/charters', {
        destination_code: group.destination.code,
        week_start: group.week_start,
        destination_address: address.trim(),
      });
      done();
      navigate(`/transport/requests/${made.id}`);
    } catch (err) {
      done();
      showError(err);
    }
  }

  return {
    title() {
      return t('transport.charters_title');
    },
    render() {
      if (!groups) return html`<div class="app-page"><div class="weui-loadmore"><span class="weui-primary-loading"></span></div></div>`;
      return html`<div class="app-page">
        <p class="weui-cells__tips">${t('transport.charters_tip', { min: groups.minimum, region: placeName(groups.region) })}</p>
        ${groups.items.map((g) => html`<div class="app-tp-card" data-group=${`${g.destination.code}-${g.week_start}`}>
          <div class="app-tp-card__head"><span>${placeName(g.destination)} · ${t('transport.week_of', { day: g.week_start })}</span>
            ${g.proposed ? html`<span class="app-tag app-tag_green">${t('transport.proposed')}</span>` : nothing}</div>
          <div class="app-tp-card__meta">${t('transport.group_counts', { n: g.workers, transport: g.needs_transport, busy: g.in_batches })}</div>
          ${g.proposed && open !== g
            ? html`<div class="app-actions"><button type="button" class="weui-btn weui-btn_mini weui-btn_primary" @click=${() => { open = g; ctx.update(); }}>${t('transport.charter_this')}</button></div>`
            : nothing}
          ${open === g
            ? html`<div class="app-tp-form"><label for="tp-charter-address">${t('transport.destination_address')}</label>
                <input id="tp-charter-address" maxlength="200" .value=${address} @input=${(e) => { address = e.target.value; }}>
                <button type="button" class="weui-btn weui-btn_primary" @click=${() => charter(g)}>${t('transport.charter_submit')}</button></div>`
            : nothing}
        </div>`)}
        ${groups.items.length ? nothing : html`<div class="weui-cells__tips app-empty">${t('transport.groups_empty')}</div>`}
      </div>`;
    },
  };
}

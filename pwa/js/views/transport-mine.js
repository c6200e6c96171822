/**
 * My transport (#/transport/mine): charter invitations to accept or decline, my seat, time and
 * place once I have one, my record from card to factory; and, for escorts and medics, the
 * trips I travel with (to the door scanner).
 */
import { html, nothing } from '../html.js';
import { api } from '../api.js';
import { t } from '../i18n.js';
import * as store from '../store.js';
import { loading } from '../ui.js';
import { showError } from './jobs-shared.js';
import { ensureStylesheet, placeName, stateTag, whenFull } from './transport-shared.js';

export default function createTransportMineView(ctx) {
  ensureStylesheet();
  let batches = [];
  let crewTrips = [];

  async function load() {
    try {
      const calls = [api.get('/transport/trips/mine')];
      if (store.hasRole('worker')) calls.push(api.get('/transport/mine'));
      const [crew, mine] = await Promise.all(calls);
      crewTrips = crew.items;
      batches = mine ? mine.items : [];
    } catch (err) {
      showError(err);
    }
    ctx.update();
  }
  load();

  async function answer(batch, accept) {
    const done = loading();
    try {
      Object.assign(batch, await api.post(`/transport/mine/${batch.request_id}/answer`, { accept }));
    } catch (err) {
      showError(err);
    }
    done();
    ctx.update();
  }

  function batchCard(b) {
    return html`<div class="app-tp-card" data-batch=${b.request_id}>
      <div class="app-tp-card__head"><span>${placeName(b.origin)} → ${placeName(b.destination)}</span>${stateTag(b.state, 'worker')}</div>
      <div class="app-tp-card__meta">${b.destination_address} · ${b.window_start} ~ ${b.window_end}</div>
      ${b.seat
        ? html`<div class="app-tp-card__meta" data-testid="tp-my-seat">${t('transport.my_seat', { plate: b.plate, seat: b.seat, time: whenFull(b.departure_at), place: b.departure_place })}</div>`
        : nothing}
      ${b.direction === 'outbound' && ['invited', 'accepted', 'declined'].includes(b.state) && !b.seat && ['approved', 'scheduled'].includes(b.request_state)
        ? html`<div class="app-actions">
            ${b.state !== 'accepted' ? html`<button type="button" class="weui-btn weui-btn_mini weui-btn_primary" data-testid="tp-accept" @click=${() => answer(b, true)}>${t('transport.accept')}</button>` : nothing}
            ${b.state !== 'declined' ? html`<button type="button" class="weui-btn weui-btn_mini weui-btn_default" data-testid="tp-decline" @click=${() => answer(b, false)}>${t('transport.decline')}</button>` : nothing}
          </div>`
        : nothing}
    </div>`;
  }

  return {
    title() {
      return t('transport.mine_title');
    },
    render() {
      return html`<div class="app-page">
        ${store.hasRole('worker')
          ? html`<div class="app-actions app-tp-form"><a class="weui-btn weui-btn_default" href="#/transport/timeline" data-testid="tp-timeline-link">${t('transport.timeline_title')}</a></div>
              <div data-testid="tp-my-batches">${batches.map(batchCard)}</div>
              ${batches.length ? nothing : html`<div class="weui-cells__tips app-empty">${t('transport.mine_empty')}</div>`}`
          : nothing}
        ${crewTrips.length
          ? html`<div class="weui-cells__title">${t('transport.crew_trips')}</div>
              ${crewTrips.map((tr) => html`<a class="app-tp-card" href=${`#/transport/trips/${tr.id}`} data-crew-trip=${tr.id}>
                <div class="app-tp-card__head"><span>${tr.plate}</span>${stateTag(tr.state, 'trip')}</div>
                <div class="app-tp-card__meta">${whenFull(tr.departure_at)} ${tr.departure_place} → ${tr.arrival_place}</div>
              </a>`)}`
          : nothing}
      </div>`;
    },
  };
}

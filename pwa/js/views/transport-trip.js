/**
 * A trip (#/transport/trips/:id): the seat plan (crew up front, the last two rows kept free),
 * the manifest with each passenger's card validity and what happened at the door, printable
 * and exportable; the crew's door scanner and departure; the receiving side's handover.
 */
import { html, nothing } from '../html.js';
import { API_BASE, api } from '../api.js';
import { t } from '../i18n.js';
import { confirmDialog, loading, toast } from '../ui.js';
import { showError } from './jobs-shared.js';
import { ensureStylesheet, stateTag, when, whenFull } from './transport-shared.js';

export default function createTransportTripView(ctx) {
  ensureStylesheet();
  const id = ctx.params.id;
  let trip = null;
  const arrived = new Set();
  let note = '';

  async function load() {
    try {
      trip = await api.get(`/transport/trips/${id}`);
      arrived.clear();
      for (const p of trip.passengers) if (p.state === 'boarded') arrived.add(p.id);
    } catch (err) {
      showError(err);
    }
    ctx.update();
  }
  load();

  async function post(path, body, okText) {
    const done = loading();
    try {
      trip = await api.post(path, body);
      done();
      toast(okText, { icon: 'success' });
    } catch (err) {
      done();
      showError(err);
    }
    ctx.update();
  }

  async function depart() {
    const waiting = trip.counts.booked || 0;
    const ok = await confirmDialog({
      title: t('transport.depart_confirm'),
      body: waiting ? t('transport.depart_no_shows', { n: waiting }) : '',
    });
    if (ok) post(`/transport/trips/${id}/depart`, {}, t('transport.departed'));
  }

  function seatClass(label, byseat, isolation) {
    if (!label) return 'app-tp-seat app-tp-seat_aisle';
    if (trip.crew_seats.includes(label)) return 'app-tp-seat app-tp-seat_crew';
    const p = byseat[label];
    if (p) return `app-tp-seat ${p.state === 'refused' || p.state === 'missing' || p.state === 'no_show' ? 'app-tp-seat_refused' : 'app-tp-seat_taken'}`;
    return isolation ? 'app-tp-seat app-tp-seat_isolation' : 'app-tp-seat';
  }

  function seatMap() {
    const byseat = {};
    for (const p of trip.passengers) byseat[p.seat] = p;
    return html`<div class="app-tp-seatmap" data-testid="tp-seatmap">
      ${trip.seat_map.map((row) => html`<div class="app-tp-row" data-row=${row.row}>
        ${row.seats.map((label) => html`<span class=${seatClass(label, byseat, row.isolation)} data-seat=${label}>${label}</span>`)}
      </div>`)}
      <p class="app-tp-legend">${t('transport.seat_legend', { rows: trip.isolation_rows, share: Math.round(trip.seat_share * 100) })}</p>
    </div>`;
  }

  function line(p) {
    return html`<div class="app-tp-line" data-passenger=${p.id} data-state=${p.state}>
      <span class="app-tp-line__seat">${p.seat}</span>
      <div class="app-tp-line__body">
        <div>${p.person.name_masked} <span class="app-tp-line__sub">${p.person.id_masked || ''}</span></div>
        <div class="app-tp-line__sub ${p.card.valid ? '' : 'app-tp-bad'}" data-testid="tp-card">${p.card.text}</div>
        ${p.temperature ? html`<div class="app-tp-line__sub">${t('transport.temperature_at', { t: p.temperature, at: when(p.boarded_at) })}</div>` : nothing}
        ${p.refusal_text ? html`<div class="app-tp-line__sub app-tp-bad" data-testid="tp-refusal">${p.refusal_text}${p.refusal_note ? `：${p.refusal_note}` : ''}</div>` : nothing}
      </div>
      ${trip.may_receive && p.state === 'boarded'
        ? html`<input type="checkbox" class="app-tp-check" data-testid="tp-arrived" .checked=${arrived.has(p.id)}
            @change=${(e) => { if (e.target.checked) arrived.add(p.id); else arrived.delete(p.id); }}>`
        : stateTag(p.state, 'passenger')}
    </div>`;
  }

  function handover() {
    if (!trip.may_receive) return nothing;
    return html`<div class="app-tp-form">
      <p>${t('transport.handover_tip')}</p>
      <label for="tp-note">${t('transport.note')}</label>
      <input id="tp-note" maxlength="500" .value=${note} @input=${(e) => { note = e.target.value; }}>
      <button type="button" class="weui-btn weui-btn_primary" id="tp-handover"
        @click=${() => post(`/transport/trips/${id}/handover`, { arrived: [...arrived], note: note.trim() || null }, t('transport.handed_over'))}>
        ${t('transport.handover', { n: arrived.size })}</button>
    </div>`;
  }

  return {
    title() {
      return trip ? `${trip.plate}` : t('transport.trip_title');
    },
    render() {
      if (!trip) return html`<div class="app-page"><div class="weui-loadmore"><span class="weui-primary-loading"></span></div></div>`;
      const base = `${API_BASE}/transport/trips/${id}/manifest`;
      return html`<div class="app-page">
        <div class="app-tp-card">
          <div class="app-tp-card__head"><span>${trip.plate} · ${t('transport.seats_n', { n: trip.seats })}</span>
            <span data-testid="tp-trip-state">${stateTag(trip.state, 'trip')}</span></div>
          <div class="app-tp-card__meta">${whenFull(trip.departure_at)} ${trip.departure_place} → ${trip.arrival_place}</div>
          <div class="app-tp-card__meta">${trip.crew.map((c) => `${t(`transport.crew.${c.role}`)} ${c.name_masked}`).join(' · ')}
            · ${t('transport.driver')} ${trip.driver_name}</div>
          <div class="app-tp-card__meta" data-testid="tp-counts">${t('transport.trip_counts', {
            boarded: (trip.counts.boarded || 0) + (trip.counts.arrived || 0) + (trip.counts.missing || 0),
            total: trip.passengers.length,
            refused: trip.counts.refused || 0,
            invalid: trip.not_valid,
          })}</div>
          ${trip.missing.length ? html`<div class="app-tp-card__meta app-tp-bad" data-testid="tp-missing">${t('transport.missing_n', { n: trip.missing.length })}</div>` : nothing}
          <div class="app-tp-card__meta app-tp-links">
            <a href=${`${base}.pdf`} target="_blank" rel="noopener">${t('transport.pdf')}</a>
            <a href=${`${base}.csv`}>CSV</a><a href=${`${base}.xlsx`}>Excel</a>
          </div>
        </div>
        ${trip.may_board
          ? html`<div class="app-actions app-tp-form">
              <a class="weui-btn weui-btn_primary" href=${`#/transport/trips/${id}/board`} id="tp-board">${t('transport.board')}</a>
              <button type="button" class="weui-btn weui-btn_default" id="tp-depart" @click=${depart}>${t('transport.depart')}</button>
            </div>`
          : nothing}
        ${seatMap()}
        <div class="weui-cells__title">${t('transport.manifest')}</div>
        <div data-testid="tp-manifest">${trip.passengers.map(line)}</div>
        ${handover()}
      </div>`;
    },
  };
}

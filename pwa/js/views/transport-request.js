/**
 * One batch (#/transport/requests/:id), as both sides see it: its state and history, the
 * workers, its trips; the deciding officials approve or refuse with a reason, the employer or
 * officials cancel with a reason, and the planners add a vehicle with its crew and times.
 */
import { html, nothing } from '../html.js';
import { api } from '../api.js';
import { beijingDayIn } from '../beijing.js';
import { t } from '../i18n.js';
import { loading, toast } from '../ui.js';
import { showError } from './jobs-shared.js';
import { beijingInput, ensureStylesheet, fieldErrors, placeName, plusHours, stateTag, when, whenFull } from './transport-shared.js';

export default function createTransportRequestView(ctx) {
  ensureStylesheet();
  const id = ctx.params.id;
  let batch = null;
  let reason = '';
  let cancelling = false;
  let planning = false;
  let tripErrors = {};
  const trip = {
    plate: '',
    seats: 53,
    driver_name: '',
    driver_phone: '',
    escort_phone: '',
    medic_phone: '',
    departure: `${beijingDayIn(1)}T08:00`,
    hours: 10,
    departure_place: '',
    arrival_place: '',
    route: '',
  };

  async function load() {
    try {
      batch = await api.get(`/transport/requests/${id}`);
      if (!trip.arrival_place) trip.arrival_place = batch.destination_address;
    } catch (err) {
      showError(err);
    }
    ctx.update();
  }
  load();

  async function act(path, body, okText) {
    const done = loading();
    try {
      batch = await api.post(path, body);
      done();
      toast(okText, { icon: 'success' });
      reason = '';
      cancelling = false;
    } catch (err) {
      done();
      showError(err);
    }
    ctx.update();
  }

  async function planTrip(event) {
    event.preventDefault();
    tripErrors = {};
    const departure = beijingInput(trip.departure);
    const body = {
      vehicle: { plate: trip.plate.trim().toUpperCase(), seats: Number(trip.seats) },
      driver_name: trip.driver_name.trim(),
      driver_phone: trip.driver_phone.trim(),
      escort_phone: trip.escort_phone.trim(),
      medic_phone: trip.medic_phone.trim() || null,
      departure_at: departure,
      arrival_due_at: plusHours(departure, Number(trip.hours) || 10),
      departure_place: trip.departure_place.trim(),
      arrival_place: trip.arrival_place.trim(),
      route: trip.route.trim(),
    };
    const done = loading();
    try {
      const made = await api.post(`/transport/requests/${id}/trips`, body);
      done();
      toast(t('transport.trip_planned', { n: made.passengers.length }), { icon: 'success' });
      planning = false;
      await load();
    } catch (err) {
      done();
      tripErrors = fieldErrors(err);
      showError(err);
      ctx.update();
    }
  }

  const bind = (key) => (e) => { trip[key] = e.target.value; };

  function decision() {
    if (!batch.may_decide) return nothing;
    return html`<div class="app-tp-form" data-testid="tp-decision">
      <label for="tp-reason">${t('transport.reason')}</label>
      <textarea id="tp-reason" maxlength="500" rows="2" .value=${reason} @input=${(e) => { reason = e.target.value; }}></textarea>
      <div class="app-actions">
        <button type="button" class="weui-btn weui-btn_mini weui-btn_primary" id="tp-approve"
          @click=${() => act(`/transport/requests/${id}/decision`, { approve: true, reason: reason.trim() || null }, t('transport.approved'))}>${t('transport.approve')}</button>
        <button type="button" class="weui-btn weui-btn_mini weui-btn_warn" id="tp-refuse"
          @click=${() => act(`/transport/requests/${id}/decision`, { approve: false, reason: reason.trim() }, t('transport.refused'))}>${t('transport.refuse')}</button>
      </div>
    </div>`;
  }

  function cancelBox() {
    if (!batch.may_cancel) return nothing;
    if (!cancelling) {
      return html`<div class="app-actions app-tp-form"><button type="button" class="weui-btn weui-btn_mini weui-btn_default"
        @click=${() => { cancelling = true; ctx.update(); }}>${t('transport.cancel')}</button></div>`;
    }
    return html`<div class="app-tp-form">
      <label for="tp-cancel-reason">${t('transport.cancel_reason')}</label>
      <textarea id="tp-cancel-reason" maxlength="500" rows="2" .value=${reason} @input=${(e) => { reason = e.target.value; }}></textarea>
      <div class="app-actions"><button type="button" class="weui-btn weui-btn_mini weui-btn_warn"
        @click=${() => act(`/transport/requests/${id}/cancel`, { reason: reason.trim() }, t('transport.cancelled'))}>${t('transport.cancel')}</button></div>
    </div>`;
  }

  function tripForm() {
    if (!batch.may_plan || batch.unseated === 0) return nothing;
    if (!planning) {
      return html`<div class="app-actions app-tp-form"><button type="button" class="weui-btn weui-btn_primary" id="tp-plan"
        @click=${() => { planning = true; ctx.update(); }}>${t('transport.plan_trip', { n: batch.unseated })}</button></div>`;
    }
    const field = (key, label, attrs = {}) => html`<label for=${`tp-${key}`}>${label}</label>
      <input id=${`tp-${key}`} type=${attrs.type || 'text'} inputmode=${attrs.inputmode || 'text'} .value=${String(trip[key])} @input=${bind(key)}>
      ${tripErrors[key] ? html`<div class="app-tp-bad">${tripErrors[key]}</div>` : nothing}`;
    return html`<form class="app-tp-form" @submit=${planTrip} data-testid="tp-trip-form">
      ${field('plate', t('transport.plate'))}
      ${field('seats', t('transport.seats'), { type: 'number', inputmode: 'numeric' })}
      ${field('driver_name', t('transport.driver_name'))}
      ${field('driver_phone', t('transport.driver_phone'), { inputmode: 'tel' })}
      ${field('escort_phone', t('transport.escort_phone'), { inputmode: 'tel' })}
      ${field('medic_phone', t('transport.medic_phone'), { inputmode: 'tel' })}
      ${field('departure', t('transport.departure_at'), { type: 'datetime-local' })}
      ${field('hours', t('transport.hours'), { type: 'number', inputmode: 'numeric' })}
      ${field('departure_place', t('transport.departure_place'))}
      ${field('arrival_place', t('transport.arrival_place'))}
      ${field('route', t('transport.route'))}
      <p class="weui-cells__tips">${t('transport.rules_tip')}</p>
      <button type="submit" class="weui-btn weui-btn_primary" id="tp-trip-submit">${t('transport.plan_submit')}</button>
    </form>`;
  }

  return {
    title() {
      return t('transport.request_title');
    },
    render() {
      if (!batch) return html`<div class="app-page"><div class="weui-loadmore"><span class="weui-primary-loading"></span></div></div>`;
      return html`<div class="app-page">
        <div class="app-tp-card">
          <div class="app-tp-card__head"><span>${placeName(batch.origin)} → ${placeName(batch.destination)}</span>
            <span data-testid="tp-state">${stateTag(batch.state)}</span></div>
          <div class="app-tp-card__meta">${batch.employer_name || t('transport.charter')} · ${batch.destination_address}</div>
          <div class="app-tp-card__meta">${t('transport.window')}：${batch.window_start} ~ ${batch.window_end}</div>
          <div class="app-tp-card__meta">${t('transport.counts', { workers: batch.workers, seated: batch.seated })}
            · ${t('transport.review_by', { region: placeName(batch.review_region) })}</div>
          ${batch.decision_reason ? html`<div class="app-tp-card__meta">${t('transport.reason')}：${batch.decision_reason}</div>` : nothing}
          ${batch.cancel_reason ? html`<div class="app-tp-card__meta app-tp-bad">${t('transport.cancel_reason')}：${batch.cancel_reason}</div>` : nothing}
        </div>
        ${decision()}
        ${batch.trips.length ? html`<div class="weui-cells__title">${t('transport.trips')}</div>` : nothing}
        ${batch.trips.map((tr) => html`<a class="app-tp-card" href=${`#/transport/trips/${tr.id}`} data-trip=${tr.id}>
          <div class="app-tp-card__head"><span>${tr.plate} · ${t('transport.seats_n', { n: tr.seats })}</span>${stateTag(tr.state, 'trip')}</div>
          <div class="app-tp-card__meta">${whenFull(tr.departure_at)} ${tr.departure_place} · ${t('transport.passengers_n', { n: tr.passengers, capacity: tr.capacity })}</div>
        </a>`)}
        ${tripForm()}
        ${cancelBox()}
        <div class="weui-cells__title">${t('transport.history')}</div>
        <div class="weui-cells" data-testid="tp-events">
          ${batch.events.map((e) => html`<div class="weui-cell"><div class="weui-cell__bd">${t(`transport.event.${e.action}`)}
            ${e.reason ? html`<span class="app-tp-line__sub">：${e.reason}</span>` : nothing}</div>
            <div class="weui-cell__ft">${e.actor || ''} ${when(e.at)}</div></div>`)}
        </div>
      </div>`;
    },
  };
}

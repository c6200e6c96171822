/**
 * Boarding at the bus door (#/transport/trips/:id/board), for the trip's escort or medic: the
 * checkpoint scanner's camera and offline verifier, the passenger found on the list kept on the
 * phone (by card id, else by masked name and ID ending), the temperature, then board or refuse
 * with a reason. Every decision goes to the outbox (IndexedDB) before any upload, and reaches
 * the server exactly once, whenever there is signal again.
 */
import { html, nothing } from '../html.js';
import { api } from '../api.js';
import { t } from '../i18n.js';
import * as outbox from '../outbox.js';
import { createScanner } from '../scanner.js';
import { toast, topTips } from '../ui.js';
import { readLocal, signal, statusWord, unlockAudio, writeLocal } from './checkpoints-shared.js';
import { loadTrust, onTrustChange, refreshTrust, trust, verifyCode } from './scan-trust.js';
import { ensureStylesheet } from './transport-shared.js';

const FEVER = 37.3;

/** Whether a verdict lets someone board: a valid green card or a health certificate. */
export function passes(v) {
  return Boolean(v && v.valid && (v.status === 'green' || v.kind === 'HC1'));
}

/** The passenger a verdict belongs to, from the list kept on the phone. */
export function matchPassenger(list, v) {
  if (!v || !list) return null;
  const byCard = list.passengers.find((p) => v.cardId && p.card_ids.includes(v.cardId));
  if (byCard) return byCard;
  return list.passengers.find((p) => v.nameMasked && p.name_masked === v.nameMasked && p.id_last4 && p.id_last4 === v.idLast4) || null;
}

function verdictRecord(v) {
  return {
    valid: v.valid,
    reason: v.reason,
    kind: v.kind === 'FG1' || v.kind === 'HC1' ? v.kind : null,
    status: ['green', 'yellow', 'red'].includes(v.status) ? v.status : null,
    card_type: ['card', 'paper', 'certificate'].includes(v.cardType) ? v.cardType : null,
    card_id: /^[0-9a-f]{12,16}$/.test(v.cardId || '') ? v.cardId : null,
    issuer_region: v.issuerRegion ? String(v.issuerRegion).slice(0, 20) : null,
  };
}

export default function createTransportBoardView(ctx) {
  ensureStylesheet();
  const id = Number(ctx.params.id);
  const KEY = `fg.transport.board.${id}`;
  let list = readLocal(KEY, null);
  let counts = outbox.snapshot();
  let panel = null; // {v, passenger, scannedAt}
  let temperature = '';
  let reason = null;
  let note = '';
  let manual = '';
  let scanner = null;
  let cameraOn = false;
  let destroyed = false;

  async function loadList() {
    if (!navigator.onLine) return;
    try {
      list = await api.get(`/transport/trips/${id}/boarding-list`);
      writeLocal(KEY, list);
    } catch (err) {
      if (err.status !== 0) topTips(err.detail);
    }
    ctx.update();
  }
  loadList();
  const trustReady = loadTrust().then(() => (navigator.onLine ? refreshTrust() : false));
  const offOutbox = outbox.subscribe((next) => {
    counts = next;
    ctx.update();
  });
  const offTrust = onTrustChange(() => ctx.update());
  const onOnline = () => {
    refreshTrust();
    loadList();
  };
  window.addEventListener('online', onOnline);

  async function startCamera() {
    unlockAudio();
    const video = document.getElementById('tp-video');
    if (!video || destroyed) return;
    if (!scanner) scanner = createScanner({ video, onCode: (text) => handleCode(text), onError: () => topTips(t('scan.camera_failed')) });
    await scanner.start();
    cameraOn = scanner.running;
    ctx.update();
  }

  function defaultReason(v, passenger) {
    if (!passenger) return 'not_on_manifest';
    if (!v.valid) return 'card_invalid';
    if (!passes(v)) return 'not_green';
    return null;
  }

  async function handleCode(text) {
    if (scanner) scanner.pause();
    await Promise.race([trustReady, new Promise((resolve) => setTimeout(resolve, 4000))]);
    const v = await verifyCode(text, new Date());
    if (destroyed) return;
    if (!v) {
      topTips(t('scan.verdict.nolist'));
      if (scanner) scanner.resume();
      return;
    }
    const passenger = matchPassenger(list, v);
    panel = { v, passenger, scannedAt: new Date().toISOString() };
    temperature = '';
    reason = defaultReason(v, passenger);
    note = '';
    signal(passes(v) && passenger ? 'pass' : 'stop');
    ctx.update();
  }

  function close() {
    panel = null;
    ctx.update();
    if (scanner && scanner.running) scanner.resume();
  }

  async function decide(decision) {
    const value = temperature ? Number(temperature) : null;
    if (decision === 'board' && (value === null || Number.isNaN(value))) {
      topTips(t('transport.temperature_required'));
      return;
    }
    const chosen = decision === 'refuse' ? reason || (value !== null && value >= FEVER ? 'fever' : null) : null;
    if (decision === 'refuse' && !chosen) {
      topTips(t('transport.reason_required'));
      return;
    }
    if (decision === 'refuse' && chosen === 'other' && !note.trim()) {
      topTips(t('scan.refusal_note_required'));
      return;
    }
    const item = {
      type: 'boarding',
      trip_id: id,
      passenger_id: panel.passenger ? panel.passenger.id : null,
      scanned_at: panel.scannedAt,
      verdict: verdictRecord(panel.v),
      temperature: value === null ? null : value.toFixed(1),
      decision,
    };
    if (decision === 'refuse') {
      item.reason = chosen;
      if (note.trim()) item.note = note.trim().slice(0, 200);
    }
    await outbox.enqueue(item);
    if (panel.passenger) {
      panel.passenger.state = decision === 'board' ? 'boarded' : 'refused';
      writeLocal(KEY, list);
    }
    toast(t(decision === 'board' ? 'transport.boarded' : 'transport.refused_boarding'), { icon: 'success', duration: 900 });
    close();
  }

  function doorPanel() {
    const { v, passenger } = panel;
    const value = temperature ? Number(temperature) : null;
    const ok = passes(v) && passenger && value !== null && value < FEVER;
    return html`<section class="app-tp-door ${passes(v) && passenger ? 'app-tp-door_pass' : 'app-tp-door_stop'}" data-testid="tp-door"
        data-verdict=${v.valid ? v.status || 'certificate' : 'invalid'}>
      <p class="app-tp-door__title" data-testid="tp-door-title">${v.valid ? statusWord(v.status) || t('scan.verdict.certificate') : t('scan.verdict.invalid')}</p>
      <p data-testid="tp-door-passenger">${passenger
        ? t('transport.door_passenger', { seat: passenger.seat, name: passenger.name_masked })
        : t('transport.door_unknown', { name: v.nameMasked || '-' })}</p>
      ${passenger && passenger.state !== 'booked' ? html`<p class="app-tp-line__sub">${t(`transport.state.passenger.${passenger.state}`)}</p>` : nothing}
      <div class="app-tp-form">
        <label for="tp-temperature">${t('transport.temperature')}</label>
        <input id="tp-temperature" type="number" step="0.1" min="34" max="43" inputmode="decimal" .value=${temperature}
          @input=${(e) => { temperature = e.target.value; if (Number(temperature) >= FEVER && !reason) reason = 'fever'; ctx.update(); }}>
        <label for="tp-refusal">${t('transport.refusal_reason')}</label>
        <select id="tp-refusal" @change=${(e) => { reason = e.target.value || null; ctx.update(); }}>
          <option value="" ?selected=${!reason}>-</option>
          ${(list ? list.refusal_reasons : []).map((r) => html`<option value=${r} ?selected=${reason === r}>${t(`transport.refusal.${r}`)}</option>`)}
        </select>
        <input id="tp-refusal-note" maxlength="200" placeholder=${t('scan.refusal_note')} .value=${note} @input=${(e) => { note = e.target.value; }}>
      </div>
      <div class="app-actions">
        <button type="button" class="weui-btn weui-btn_primary" id="tp-door-board" ?disabled=${!ok} @click=${() => decide('board')}>${t('transport.door_board')}</button>
        <button type="button" class="weui-btn weui-btn_warn" id="tp-door-refuse" @click=${() => decide('refuse')}>${t('transport.door_refuse')}</button>
        <button type="button" class="weui-btn weui-btn_default" @click=${close}>${t('common.cancel')}</button>
      </div>
    </section>`;
  }

  return {
    title() {
      return t('transport.board');
    },
    render() {
      const boarded = list ? list.passengers.filter((p) => p.state === 'boarded').length : 0;
      return html`<div class="app-page">
        <div class="app-tp-card">
          <div class="app-tp-card__head"><span>${list ? list.plate : ''}</span>
            <span data-testid="tp-door-count">${list ? t('transport.door_count', { n: boarded, total: list.passengers.length }) : ''}</span></div>
          <div class="app-tp-card__meta" data-testid="tp-trust" data-ready=${trust().store ? 'yes' : 'no'}>
            ${trust().store ? t('transport.trust_ready') : t('scan.trust_none')}</div>
          <div class="app-tp-card__meta">${t('scan.outbox')}<span data-testid="tp-outbox">${counts.pending}</span>
            ${counts.pending && !navigator.onLine ? t('scan.outbox_offline') : ''}</div>
        </div>
        ${panel ? doorPanel() : nothing}
        <video id="tp-video" class="app-tp-video" muted playsinline autoplay></video>
        ${cameraOn ? nothing : html`<div class="app-tp-form"><button type="button" class="weui-btn weui-btn_primary" id="tp-camera" @click=${startCamera}>${t('scan.start')}</button></div>`}
        <form class="app-tp-form" @submit=${(e) => { e.preventDefault(); if (manual.trim()) handleCode(manual.trim()); manual = ''; }}>
          <textarea id="tp-manual" rows="2" placeholder=${t('scan.manual_placeholder')} .value=${manual} @input=${(e) => { manual = e.target.value; }}></textarea>
          <button type="submit" class="weui-btn weui-btn_default weui-btn_mini">${t('scan.manual_verify')}</button>
        </form>
        <div class="weui-cells__title">${t('transport.manifest')}</div>
        <div data-testid="tp-door-list">${(list ? list.passengers : []).map((p) => html`<div class="app-tp-line" data-state=${p.state}>
          <span class="app-tp-line__seat">${p.seat}</span>
          <div class="app-tp-line__body">${p.name_masked} · ${p.id_last4 || ''}
            ${p.card_valid ? nothing : html`<div class="app-tp-line__sub app-tp-bad">${t('transport.card_not_valid')}</div>`}</div>
          <span class="app-tp-line__sub">${t(`transport.state.passenger.${p.state}`)}</span>
        </div>`)}</div>
        <div class="app-tp-form"><a href=${`#/transport/trips/${id}`}>${t('transport.back_to_trip')}</a></div>
      </div>`;
    },
    destroy() {
      destroyed = true;
      if (scanner) scanner.stop();
      window.removeEventListener('online', onOnline);
      offOutbox();
      offTrust();
    },
  };
}

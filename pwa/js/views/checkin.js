/**
 * A worker's check-in at a checkpoint (#/checkin/<token>, opened by the poster's QR).
 *
 * The check-in goes into the outbox at once (uploaded when online, like scans) and the screen
 * becomes a pass for the volunteer to look at: the checkpoint's name, the worker's colour,
 * a live clock and a moving band, so a screenshot or a photo does not pass for it.
 * The name comes from the token itself (readable, signed by the server), so it shows offline;
 * only the server can tell whether the token is genuine (it rejects forged ones on upload).
 *
 * What this proves and what it does not: see docs/deploy.md. The volunteer's scan of the
 * worker's health card is what decides at the gate.
 */
import { html, nothing } from '../html.js';
import { api } from '../api.js';
import { t, regionName } from '../i18n.js';
import * as outbox from '../outbox.js';
import * as store from '../store.js';
import {
  clockText,
  ensureStylesheet,
  isoDay,
  readLocal,
  shortDateTime,
  statusWord,
  writeLocal,
} from './checkpoints-shared.js';

const LAST_KEY = 'fg.checkin.last';
const CARD_KEY = 'fg.checkin.card';
const SAME_CHECKIN_MS = 30 * 60 * 1000; // reopening the same poster within this: same check-in

/** The readable part of a place-code token: {c: id, v: version, n: name}, or null. */
export function readToken(token) {
  try {
    const payload = String(token).split('.')[0];
    if (!payload || payload.startsWith('.')) return null;
    const b64 = payload.replace(/-/g, '+').replace(/_/g, '/');
    const binary = atob(b64 + '='.repeat((4 - (b64.length % 4)) % 4));
    const bytes = Uint8Array.from(binary, (ch) => ch.charCodeAt(0));
    const data = JSON.parse(new TextDecoder('utf-8', { fatal: true }).decode(bytes));
    if (typeof data.c !== 'number' || typeof data.n !== 'string') return null;
    return data;
  } catch {
    return null;
  }
}

export default function createCheckinView(ctx) {
  ensureStylesheet();
  const token = ctx.params.token || '';
  const place = readToken(token);
  let checkpoint = place ? { name: place.n, village: null } : null;
  let invalid = !place;
  let card = readLocal(CARD_KEY, null);
  let cardError = '';
  let uuid = null;
  let uploaded = false;
  let now = new Date();

  async function checkIn() {
    if (!place) return;
    const last = readLocal(LAST_KEY, null);
    if (last && last.token === token && Date.now() - last.at < SAME_CHECKIN_MS) {
      uuid = last.uuid;
    } else {
      uuid = await outbox.enqueue({ type: 'checkin', token, checked_in_at: new Date().toISOString() });
      writeLocal(LAST_KEY, { token, at: Date.now(), uuid });
    }
    uploaded = !(await outbox.isPending(uuid));
    ctx.update();
  }

  async function confirmPlace() {
    if (!place || !navigator.onLine) return;
    try {
      const body = await api.get(`/place-codes/${encodeURIComponent(token)}`);
      checkpoint = { name: body.name, village: body.village };
    } catch (err) {
      if (err.status === 404 || err.status === 410) invalid = err.detail || true;
    }
    ctx.update();
  }

  async function loadCard() {
    if (!navigator.onLine) return;
    try {
      const body = await api.get('/cards/current');
      card = { status: body.status, name_masked: body.name_masked, expires_at: body.expires_at };
      writeLocal(CARD_KEY, card);
      cardError = '';
    } catch (err) {
      if (err.status === 404) cardError = t('checkin.no_declaration');
    }
    ctx.update();
  }

  checkIn();
  confirmPlace();
  loadCard();
  const clock = setInterval(() => {
    now = new Date();
    ctx.update();
  }, 1000);
  const offOutbox = outbox.subscribe(async () => {
    if (uuid && !uploaded) {
      uploaded = !(await outbox.isPending(uuid));
      ctx.update();
    }
  });

  function colourBlock() {
    if (cardError) {
      return html`<div class="app-pass__colour app-pass__colour_none" data-testid="pass-colour">
        <p>${cardError}</p><a class="weui-btn weui-btn_primary" href="#/declare">${t('checkin.declare')}</a></div>`;
    }
    if (!card) {
      return html`<div class="app-pass__colour app-pass__colour_none" data-testid="pass-colour">${t('checkin.card_unknown')}</div>`;
    }
    const expired = card.expires_at && new Date(card.expires_at) < now;
    return html`<div class="app-pass__colour app-pass__colour_${expired ? 'none' : card.status}" data-testid="pass-colour"
        data-status=${expired ? 'expired' : card.status}>
      <span class="app-pass__status">${expired ? t('checkin.card_expired') : statusWord(card.status)}</span>
      <span class="app-pass__holder">${card.name_masked || ''}</span>
    </div>`;
  }

  return {
    title: () => t('checkin.title'),
    render() {
      if (invalid) {
        return html`<div class="app-page app-checkin">
          <div class="weui-msg" data-testid="checkin-invalid">
            <div class="weui-msg__icon-area"><i class="weui-icon-warn weui-icon_msg"></i></div>
            <div class="weui-msg__text-area">
              <h2 class="weui-msg__title">${t('checkin.invalid')}</h2>
              <p class="weui-msg__desc">${typeof invalid === 'string' ? invalid : t('checkin.invalid_desc')}</p>
            </div>
          </div>
        </div>`;
      }
      const me = store.get().me;
      return html`<div class="app-page app-checkin">
        <section class="app-pass" data-testid="pass">
          <p class="app-pass__kicker">${t('checkin.kicker')}</p>
          <h1 class="app-pass__place" data-testid="pass-checkpoint">${checkpoint.name}</h1>
          ${checkpoint.village ? html`<p class="app-pass__village">${regionName(checkpoint.village)}</p>` : nothing}
          ${colourBlock()}
          <div class="app-pass__live" aria-hidden="true"><span class="app-pass__band"></span></div>
          <p class="app-pass__clock" data-testid="pass-clock">${clockText(now)}</p>
          <p class="app-pass__date">${isoDay(now)} · ${me ? me.display_name || '' : ''}</p>
          <p class="app-pass__state" data-testid="pass-state">
            ${uuid ? (uploaded ? t('checkin.recorded') : t('checkin.queued')) : t('common.loading')}
          </p>
          ${card && card.expires_at ? html`<p class="app-pass__expiry">${t('checkin.card_valid_until', { time: shortDateTime(card.expires_at) })}</p>` : nothing}
        </section>
        <p class="app-checkin__note">${t('checkin.note')}</p>
        <div class="weui-btn-area"><a class="weui-btn weui-btn_primary" href="#/card">${t('checkin.show_card')}</a></div>
      </div>`;
    },
    destroy() {
      clearInterval(clock);
      offOutbox();
    },
  };
}

/**
 * The health card: a large QR on a green, yellow or red card, the masked name, the colour and
 * its reasons in words, the validity, a live clock and a moving bar (a screenshot stands still),
 * and a brightness hint.
 *
 * Refreshing: GET /api/v1/cards/current answers the card, re-signed by the server when it nears
 * expiry. The screen asks on entry, every POLL_MS while visible and online, when the app becomes
 * visible again, when the network comes back, and as soon as the card expires while online.
 * Offline (or when the server cannot be reached) it shows the last card kept on this device
 * (cardcache.js) and says so, with its expiry; an expired card is drawn grey, without its QR,
 * as expired: never as valid.
 *
 * Also exports the helpers the other card screens share (formatting, words, the card face).
 */
import { TIME_ZONE, beijingParts } from '../beijing.js';
import { html, nothing } from '../html.js';
import { api } from '../api.js';
import { forgetCard, isExpired, loadCard, saveCard } from '../cardcache.js';
import { t, getLocale } from '../i18n.js';
import { qrSvg } from '../qr.js';
import * as store from '../store.js';
import { topTips } from '../ui.js';
import { ensureStylesheet as ensureRuleStyles, named, ruleCard } from './intent-shared.js';

const POLL_MS = 3 * 60 * 1000; // the server re-signs 6 h before expiry: a few minutes is plenty
const RETRY_EXPIRED_MS = 30 * 1000; // an expired card on screen while online: ask again soon

// ---- shared helpers (appeal, paper card, history screens import these) ---------------------

let stylesPromise = null;

/**
 * Load css/cards.css (the styles of the card screens) once; resolves when it applies, so a
 * screen can wait for it before drawing the card (no flash of an unstyled card).
 */
export function loadCardStyles() {
  if (!stylesPromise) {
    stylesPromise = new Promise((resolve) => {
      const href = '/css/cards.css';
      if (document.querySelector(`link[href="${href}"]`)) {
        resolve();
        return;
      }
      const link = document.createElement('link');
      link.rel = 'stylesheet';
      link.href = href;
      link.addEventListener('load', () => resolve());
      link.addEventListener('error', () => resolve()); // unstyled beats nothing
      document.head.appendChild(link);
    });
  }
  return stylesPromise;
}

const partsOf = beijingParts;

/** '2020-02-21 16:00' (Beijing time) from an ISO date-time; '' if missing. */
export function formatDateTime(iso) {
  if (!iso) return '';
  const date = new Date(iso);
  if (Number.isNaN(date.getTime())) return '';
  const p = partsOf(date);
  return `${p.year}-${p.month}-${p.day} ${p.hour}:${p.minute}`;
}

/** '2020-03-05' from an ISO date (already a calendar date: printed as it is). */
export function formatDate(isoDate) {
  return isoDate ? String(isoDate).slice(0, 10) : '';
}

/**
 * t(key, params) as a template, each value in a span that does not wrap: a date such as
 * 2026-12-10 never breaks at its hyphens.
 */
export function tKeep(key, params) {
  return t(key)
    .split(/\{(\w+)\}/)
    .map((part, i) => (i % 2 ? html`<span class="hc-nowrap">${part in params ? params[part] : ''}</span>` : part));
}

/** The colour in words: 绿码 / 黄码 / 红码. */
export function statusWords(status) {
  return t(`card.status.${status}`);
}

/** A card's or status's reason codes in words, joined ('体温异常、有症状'). */
export function reasonWords(reasons) {
  return (reasons || [])
    .map((code) => {
      const key = `card.reason.${code}`;
      const text = t(key);
      return text === key ? t('card.reason.other') : text;
    })
    .join(t('common.list_separator'));
}

/**
 * The coloured card: holder, QR (or "expired"), colour and reasons in words, validity;
 * `extra` (e.g. the live clock) goes at its foot.
 */
export function cardFace(card, { expired = false, extra = nothing } = {}) {
  const issuer = card.issuer ? (getLocale() === 'en' ? card.issuer.name_en : card.issuer.name_zh) : '';
  const colour = expired ? 'expired' : card.status;
  return html`<section class="hc-face hc_${colour}" data-testid="health-card" data-status=${colour}>
    <div class="hc-face__head">
      <p class="hc-face__issuer">${issuer || t('card.issuer_default')} · ${t(`card.type.${card.card_type || 'card'}`)}</p>
      <p class="hc-face__holder">
        <span class="hc-face__name" data-testid="card-name">${card.name_masked}</span>
        <span class="hc-face__id">${t('card.id_tail', { tail: card.id_last4 })}</span>
      </p>
    </div>
    <div class="hc-face__qr" data-testid="card-qr">
      ${expired
        ? html`<div class="hc-face__void" role="img" aria-label=${t('card.expired')}>
            <p class="hc-face__void-desc">${t('card.expired_desc')}</p>
          </div>`
        : qrSvg(card.qr, { label: t('card.qr_label', { status: statusWords(card.status) }) })}
    </div>
    <p class="hc-face__status" data-testid="card-status">${expired ? t('card.expired') : statusWords(card.status)}</p>
    ${!expired && card.reasons && card.reasons.length
      ? html`<p class="hc-face__reasons" data-testid="card-reasons">${reasonWords(card.reasons)}</p>`
      : nothing}
    ${!expired && card.status === 'green'
      ? html`<p class="hc-face__reasons" data-testid="card-reasons">${t('card.green_desc')}</p>`
      : nothing}
    ${!expired && card.status === 'yellow' && card.quarantine_until
      ? html`<p class="hc-face__quarantine" data-testid="card-quarantine">
          ${tKeep('card.quarantine_until', { date: formatDate(card.quarantine_until) })}
        </p>`
      : nothing}
    <p class="hc-face__validity" data-testid="card-validity">
      ${expired
        ? tKeep('card.expired_at', { time: formatDateTime(card.expires_at) })
        : tKeep('card.valid_until', { time: formatDateTime(card.expires_at) })}
    </p>
    ${extra}
  </section>`;
}

/** The screen that asks a worker without a declaration to declare first. */
export function declareFirst() {
  return html`<div class="weui-msg hc-empty" data-testid="card-no-declaration">
    <div class="weui-msg__icon-area"><i class="weui-icon-info weui-icon_msg"></i></div>
    <div class="weui-msg__text-area">
      <h2 class="weui-msg__title">${t('card.none_title')}</h2>
      <p class="weui-msg__desc">${t('card.none_desc')}</p>
    </div>
    <div class="weui-msg__opr-area">
      <a class="weui-btn weui-btn_primary" href="#/declare" data-testid="card-declare">${t('card.declare_now')}</a>
    </div>
  </div>`;
}

function weekday(date) {
  return new Intl.DateTimeFormat(getLocale() === 'en' ? 'en-GB' : 'zh-CN', {
    timeZone: TIME_ZONE,
    weekday: 'long',
  }).format(date);
}

// ---- the card screen ----------------------------------------------------------------------

export default function createCardView(ctx) {
  const me = store.get().me;
  const userId = me ? me.id : null;
  const kept = userId !== null ? loadCard(userId) : null;
  let card = kept ? kept.card : null;
  let fetchedAt = kept ? Date.parse(kept.savedAt) : 0; // when this card came from the server
  let problem = null; // why the last request failed: 'offline' (no network) or 'server'
  let noDeclaration = false;
  let loadingFirst = !card;
  let fetching = false;
  let lastAttempt = 0;
  let stylesReady = false;
  let clock = 0;
  let poll = 0;
  let trip = null; // a planned trip out: {intent, rules} of the destination, shown under the card

  loadCardStyles().then(() => {
    stylesReady = true;
    ctx.update();
  });

  async function fetchCard() {
    if (fetching) return;
    fetching = true;
    lastAttempt = Date.now();
    ctx.update();
    try {
      const body = await api.get('/cards/current');
      card = body;
      fetchedAt = Date.now();
      problem = null;
      noDeclaration = false;
      if (userId !== null) saveCard(userId, body);
    } catch (err) {
      if (err.status === 404 && err.code === 'no_declaration') {
        noDeclaration = true;
        card = null;
        forgetCard();
        problem = null;
      } else if (err.status === 0) {
        problem = 'offline';
      } else if (err.status !== 401) {
        problem = 'server';
        if (!card) topTips(err.detail); // with a card on screen the notice says it
      }
    } finally {
      fetching = false;
      loadingFirst = false;
      ctx.update();
    }
  }

  /** The destination's rules while an outbound trip is planned and not yet made. */
  async function fetchTrip() {
    if (!store.hasRole('worker')) return;
    try {
      const mine = await api.get('/intents/mine');
      const intent = mine.intent;
      const planned = intent && intent.kind === 'outbound' && !intent.departed && mine.rules.length;
      trip = planned ? { intent, rules: mine.rules } : null;
      if (trip) ensureRuleStyles();
    } catch {
      // the rules are an extra on this screen: the card itself never waits for them
    }
    ctx.update();
  }

  function tripRules() {
    if (!trip) return nothing;
    const { intent, rules } = trip;
    return html`<section class="hc-trip" data-testid="card-trip-rules">
      <div class="weui-cells__title">
        ${intent.departure_date
          ? t('card.trip_rules_on', { place: named(intent.destination), date: formatDate(intent.departure_date) })
          : t('card.trip_rules', { place: named(intent.destination) })}
      </div>
      <div class="ledger-rules">${rules.map(ruleCard)}</div>
      <p class="weui-cells__tips"><a href="#/intent">${t('card.trip_intent')}</a></p>
    </section>`;
  }

  function online() {
    return store.get().online;
  }

  function maybeRefresh() {
    if (document.visibilityState === 'hidden' || !online()) return;
    fetchCard();
  }

  function tick() {
    // An expired card on screen while online: the server re-signs it; ask (not too often).
    if (card && isExpired(card) && online() && Date.now() - lastAttempt > RETRY_EXPIRED_MS) fetchCard();
    ctx.update(); // the clock, and the expiry check in render()
  }

  function onVisible() {
    if (document.visibilityState === 'visible') maybeRefresh();
  }

  window.addEventListener('online', maybeRefresh);
  document.addEventListener('visibilitychange', onVisible);
  clock = setInterval(tick, 1000);
  poll = setInterval(maybeRefresh, POLL_MS);
  if (online()) {
    fetchCard();
    fetchTrip();
  } else {
    problem = 'offline';
    loadingFirst = false;
  }

  function notice(expired) {
    const why = online() ? problem : 'offline';
    if (!card || !why) return nothing;
    const key = `card.${why === 'offline' ? 'offline' : 'stale'}${expired ? '_expired' : ''}`;
    return html`<div class="hc-notice ${expired ? 'hc-notice_expired' : ''}" role="status" data-testid="card-offline">
      ${tKeep(key, { time: formatDateTime(card.expires_at) })}
    </div>`;
  }

  function liveClock() {
    const now = new Date();
    const p = partsOf(now);
    return html`<div class="hc-clock" data-testid="card-clock">
      <span class="hc-clock__date">${p.year}-${p.month}-${p.day} ${weekday(now)}</span>
      <span class="hc-clock__time" data-testid="card-time">${p.hour}:${p.minute}:${p.second}</span>
    </div>
    <div class="hc-ticker" aria-hidden="true"><span class="hc-ticker__bar"></span></div>`;
  }

  function links() {
    return html`<div class="weui-cells hc-links">
      <a class="weui-cell weui-cell_access" href="#/declare" data-testid="card-link-declare">
        <div class="weui-cell__bd">${t('card.link_declare')}</div><div class="weui-cell__ft"></div>
      </a>
      <a class="weui-cell weui-cell_access" href="#/declarations" data-testid="card-link-history">
        <div class="weui-cell__bd">${t('card.link_history')}</div><div class="weui-cell__ft"></div>
      </a>
      <a class="weui-cell weui-cell_access" href="#/appeal" data-testid="card-link-appeal">
        <div class="weui-cell__bd">${t('card.link_appeal')}</div><div class="weui-cell__ft"></div>
      </a>
    </div>`;
  }

  return {
    render() {
      if (!stylesReady || loadingFirst) {
        return html`<div class="app-page hc-page"><p class="hc-loading">${t('common.loading')}…</p></div>`;
      }
      if (noDeclaration) return html`<div class="app-page hc-page">${declareFirst()}</div>`;
      if (!card) {
        return html`<div class="app-page hc-page">
          <div class="weui-msg hc-empty" data-testid="card-unavailable">
            <div class="weui-msg__icon-area"><i class="weui-icon-warn weui-icon_msg"></i></div>
            <div class="weui-msg__text-area">
              <h2 class="weui-msg__title">${t('card.unavailable_title')}</h2>
              <p class="weui-msg__desc">${t('card.unavailable_desc')}</p>
            </div>
            <div class="weui-msg__opr-area">
              <button type="button" class="weui-btn weui-btn_default" @click=${fetchCard}>${t('card.retry')}</button>
            </div>
          </div>
        </div>`;
      }
      const expired = isExpired(card);
      return html`<div class="app-page hc-page">
        ${notice(expired)}
        ${cardFace(card, { expired, extra: liveClock() })}
        ${expired ? nothing : html`<p class="hc-hint" data-testid="card-brightness">${t('card.brightness_hint')}</p>`}
        <p class="hc-updated">
          ${fetching
            ? t('card.refreshing')
            : fetchedAt
              ? t('card.updated_at', { time: formatDateTime(new Date(fetchedAt).toISOString()) })
              : nothing}
          <button type="button" class="weui-btn_reset weui-link hc-refresh" data-testid="card-refresh"
            ?disabled=${fetching} @click=${fetchCard}>${t('card.refresh')}</button>
        </p>
        ${tripRules()}
        ${links()}
      </div>`;
    },
    destroy() {
      clearInterval(clock);
      clearInterval(poll);
      window.removeEventListener('online', maybeRefresh);
      document.removeEventListener('visibilitychange', onVisible);
    },
  };
}

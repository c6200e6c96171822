/**
 * The volunteer's scanner (#/scan): rear camera, offline verification, a full-screen verdict
 * within a few milliseconds of the decode, the decision (admit / refuse with a reason), and
 * everything written to the outbox before any upload.
 *
 * Always visible: the checkpoint, how old the trust list is (信任列表更新于 2 小时前) and the
 * number of records waiting to upload. Past TRUST_LIST_REFUSE_HOURS a green verdict reached on
 * the device is not shown as green: the screen says 需联网更新 instead.
 */
import { html, nothing } from '../html.js';
import { api } from '../api.js';
import { t, regionName } from '../i18n.js';
import * as outbox from '../outbox.js';
import { createScanner, decodeImageFile } from '../scanner.js';
import { topTips, toast } from '../ui.js';
import {
  ageText,
  ensureStylesheet,
  readLocal,
  shortDateTime,
  signal,
  statusWord,
  unlockAudio,
  writeLocal,
} from './checkpoints-shared.js';
import { freshness, loadTrust, onTrustChange, refreshTrust, trust, verifyCode } from './scan-trust.js';

const CHECKPOINTS_KEY = 'fg.scan.checkpoints';
const SELECTED_KEY = 'fg.scan.checkpoint';
const TRUST_REFRESH_MS = 10 * 60 * 1000;
const DEFAULT_SETTINGS = { trust_warn_hours: 12, trust_refuse_hours: 48, auto_return_seconds: 6 };
export const REFUSAL_REASONS = [
  'card_invalid',
  'card_expired',
  'not_green',
  'identity_mismatch',
  'fever',
  'no_card',
  'other',
];
const UNREADABLE = ['bad_prefix', 'bad_base45', 'bad_compression', 'bad_cbor', 'bad_cose', 'bad_schema'];

/** A verdict the notice says must be let through: a valid green card or health certificate. */
export function isPass(v) {
  return Boolean(v && v.valid && (v.status === 'green' || v.kind === 'HC1'));
}

/** The screen for a verdict: green / yellow / red / certificate / invalid / stale. */
export function verdictClass(v, trustLevel) {
  if (!v.valid) return 'invalid';
  if (isPass(v) && trustLevel === 'stale' && v.source === 'device') return 'stale';
  if (v.kind === 'HC1') return 'certificate';
  return v.status || 'invalid';
}

/** The reason in one or two words: 伪造 / 未互认 / 已过期 / 已撤销 / 无法识别 / 尚未生效. */
export function shortReasonKey(reason) {
  if (UNREADABLE.includes(reason)) return 'scan.short.unreadable';
  if (reason === 'unsupported_alg' || reason === 'bad_signature') return 'scan.short.forged';
  if (['unknown_kid', 'expired', 'revoked', 'not_yet_valid'].includes(reason)) return `scan.short.${reason}`;
  // A genuine signature, but the issuer may not sign this kind of certificate: 未互认.
  if (reason === 'wrong_key_usage') return 'scan.short.unknown_kid';
  return 'scan.short.unreadable';
}

/** Where a certificate breaks its DCC schema: 字段 v[0].dn：数值过小（DCC 结构 1.3.0）. */
export function schemaLine(schema) {
  const key = `scan.schema_rule.${schema.rule}`;
  const rule = t(key) === key ? schema.rule : t(key);
  return t('scan.schema_problem', { path: schema.path, rule, version: schema.version });
}

function scanRecord(v, checkpointId, method, stale) {
  return {
    type: 'scan',
    checkpoint_id: checkpointId,
    scanned_at: new Date().toISOString(),
    method,
    verdict: {
      valid: v.valid,
      reason: v.reason,
      kind: v.kind === 'FG1' || v.kind === 'HC1' ? v.kind : null,
      status: ['green', 'yellow', 'red'].includes(v.status) ? v.status : null,
      card_type: ['card', 'paper', 'certificate'].includes(v.cardType) ? v.cardType : null,
      card_id: /^[0-9a-f]{12,16}$/.test(v.cardId || '') ? v.cardId : null,
      issuer_region: v.issuerRegion ? String(v.issuerRegion).slice(0, 20) : null,
      trust_stale: stale,
    },
  };
}

export default function createScanView(ctx) {
  ensureStylesheet();
  const cached = readLocal(CHECKPOINTS_KEY, { items: [], scanner: DEFAULT_SETTINGS });
  let checkpoints = cached.items || [];
  let settings = { ...DEFAULT_SETTINGS, ...(cached.scanner || {}) };
  let selected = readLocal(SELECTED_KEY, null);
  let loaded = checkpoints.length > 0;
  let counts = outbox.snapshot();
  let camera = 'idle'; // idle | starting | running | error
  let cameraError = '';
  let verdict = null; // {v, cls, scanPromise, decided}
  let refusing = false;
  let refusal = { reason: null, note: '' };
  let manualOpen = false;
  let manualText = '';
  let countdown = 0;
  let countdownTimer = 0;
  let clockTimer = 0;
  let refreshTimer = 0;
  let destroyed = false;
  let video = null;
  let scanner = null;

  const selectedCheckpoint = () => checkpoints.find((c) => c.id === selected) || null;

  function pickDefault() {
    if (!checkpoints.some((c) => c.id === selected)) selected = checkpoints.length ? checkpoints[0].id : null;
    writeLocal(SELECTED_KEY, selected);
  }
  pickDefault();

  async function loadCheckpoints() {
    if (!navigator.onLine) return;
    try {
      const body = await api.get('/checkpoints/mine');
      checkpoints = body.items;
      settings = { ...DEFAULT_SETTINGS, ...body.scanner };
      writeLocal(CHECKPOINTS_KEY, { items: checkpoints, scanner: settings });
      pickDefault();
    } catch (err) {
      if (err.status !== 0) topTips(err.detail);
    }
    loaded = true;
    ctx.update();
    startCameraIfReady();
  }

  // -- trust material ---------------------------------------------------------------------

  const offTrust = onTrustChange(() => ctx.update());
  // The first verdict waits (briefly) for the device's lists and, online, a fresh download.
  const trustReady = loadTrust()
    .then(() => (navigator.onLine ? refreshTrust() : false))
    .then(() => ctx.update());
  refreshTimer = setInterval(() => {
    if (navigator.onLine) refreshTrust();
  }, TRUST_REFRESH_MS);
  const onOnline = () => {
    refreshTrust();
    loadCheckpoints();
  };
  window.addEventListener('online', onOnline);
  clockTimer = setInterval(() => ctx.update(), 30 * 1000); // the age line ticks

  const offOutbox = outbox.subscribe((next) => {
    counts = next;
    ctx.update();
  });

  // -- camera -----------------------------------------------------------------------------

  function ensureScanner() {
    if (scanner) return scanner;
    video = document.getElementById('scan-video');
    if (!video) return null;
    scanner = createScanner({
      video,
      onCode: (text, how) => handleCode(text, 'camera', how),
      onError: (err) => {
        camera = 'error';
        cameraError = err && err.name === 'NotAllowedError' ? t('scan.camera_denied') : t('scan.camera_failed');
        ctx.update();
      },
    });
    return scanner;
  }

  async function startCamera() {
    unlockAudio();
    if (!selected || destroyed) return;
    const s = ensureScanner();
    if (!s || s.running) return;
    camera = 'starting';
    ctx.update();
    await s.start();
    if (destroyed) {
      s.stop();
      return;
    }
    if (s.running) camera = 'running';
    ctx.update();
  }

  function startCameraIfReady() {
    if (camera === 'idle' && selected && !destroyed) setTimeout(startCamera, 0);
  }

  const onVisibility = () => {
    if (!scanner) return;
    if (document.visibilityState === 'hidden' && scanner.running) {
      scanner.stop();
      camera = 'idle';
    } else if (document.visibilityState === 'visible' && camera === 'idle' && !verdict) {
      startCamera();
    }
  };
  document.addEventListener('visibilitychange', onVisibility);

  // -- a code was read --------------------------------------------------------------------

  async function handleCode(text, method, how = null) {
    const decodedAt = performance.now();
    if (scanner) scanner.pause();
    const checkpoint = selectedCheckpoint();
    await Promise.race([trustReady, new Promise((resolve) => setTimeout(resolve, 4000))]);
    const verifyAt = performance.now();
    const v = await verifyCode(text, new Date());
    if (destroyed) return;
    if (!v) {
      verdict = { v: null, cls: 'nolist', scanPromise: null, decided: true };
      signal('stop');
      startCountdown();
      ctx.update();
      return;
    }
    const level = freshness(trust(), settings).level;
    const cls = verdictClass(v, level);
    verdict = { v, cls, scanPromise: null, decided: false, shownAt: performance.now() };
    ctx.update(); // the verdict is on screen now; everything else follows
    const screen = document.querySelector('[data-testid="verdict"]');
    if (screen) {
      // decode → verdict on screen, and the part of it spent verifying and drawing
      screen.dataset.ms = String(Math.round(performance.now() - decodedAt));
      screen.dataset.verifyMs = (performance.now() - verifyAt).toFixed(1);
      if (how) screen.dataset.decoder = how.decoder; // 'native' (BarcodeDetector) or 'jsqr'
    }
    signal(cls === 'green' || cls === 'certificate' ? 'pass' : 'stop');
    if (checkpoint) {
      verdict.scanPromise = outbox.enqueue(scanRecord(v, checkpoint.id, method, level === 'stale'));
    }
    startCountdown();
  }

  function startCountdown() {
    clearInterval(countdownTimer);
    countdown = settings.auto_return_seconds;
    countdownTimer = setInterval(() => {
      if (refusing) return; // the volunteer is typing a reason: wait
      countdown -= 1;
      if (countdown <= 0) backToScanning();
      else ctx.update();
    }, 1000);
  }

  function backToScanning() {
    clearInterval(countdownTimer);
    verdict = null;
    refusing = false;
    refusal = { reason: null, note: '' };
    ctx.update();
    if (scanner && scanner.running) scanner.resume();
    else startCamera();
  }

  async function decide(decision) {
    unlockAudio();
    if (!verdict || verdict.decided || !verdict.scanPromise) {
      backToScanning();
      return;
    }
    if (decision === 'refuse') {
      if (!refusal.reason) {
        topTips(t('scan.refusal_reason_required'));
        return;
      }
      if (refusal.reason === 'other' && !refusal.note.trim()) {
        topTips(t('scan.refusal_note_required'));
        return;
      }
    }
    verdict.decided = true;
    const scanUuid = await verdict.scanPromise;
    const item = {
      type: 'decision',
      scan_uuid: scanUuid,
      decision,
      decided_at: new Date().toISOString(),
    };
    if (decision === 'refuse') {
      item.reason = refusal.reason;
      if (refusal.note.trim()) item.note = refusal.note.trim().slice(0, 200);
    }
    await outbox.enqueue(item);
    toast(t(decision === 'admit' ? 'scan.admitted' : 'scan.refused'), { icon: 'success', duration: 900 });
    backToScanning();
  }

  function openRefusal() {
    if (!verdict || verdict.decided) return;
    refusing = true;
    refusal = { reason: null, note: '' };
    ctx.update();
  }

  // -- manual entry and photos ------------------------------------------------------------

  function submitManual(event) {
    event.preventDefault();
    const text = manualText.trim();
    if (!text) return;
    manualText = '';
    manualOpen = false;
    handleCode(text, 'manual');
  }

  async function pickPhoto(event) {
    const file = event.target.files && event.target.files[0];
    event.target.value = '';
    if (!file) return;
    try {
      const text = await decodeImageFile(file);
      if (text) handleCode(text, 'photo');
      else topTips(t('scan.photo_none'));
    } catch {
      topTips(t('scan.photo_none'));
    }
  }

  function selectCheckpoint(event) {
    selected = Number(event.target.value);
    writeLocal(SELECTED_KEY, selected);
    ctx.update();
    startCameraIfReady();
  }

  loadCheckpoints();
  startCameraIfReady();

  // -- rendering --------------------------------------------------------------------------

  function trustLine() {
    const material = trust();
    const fresh = freshness(material, settings);
    if (fresh.level === 'none') {
      return html`<p class="app-scan-trust app-scan-trust_stale" data-testid="trust-age" data-level="none">
        ${t('scan.trust_none')}</p>`;
    }
    const warn =
      fresh.level === 'stale'
        ? t('scan.trust_stale', { hours: settings.trust_refuse_hours })
        : fresh.level === 'warn'
          ? t('scan.trust_warn')
          : '';
    return html`<p class="app-scan-trust app-scan-trust_${fresh.level}" data-testid="trust-age" data-level=${fresh.level}>
      ${t('scan.trust_age', { age: ageText(fresh.ageMs) })}${warn ? html`<br><strong>${warn}</strong>` : nothing}
    </p>`;
  }

  function outboxLine() {
    return html`<p class="app-scan-outbox">
      ${t('scan.outbox')}<span class="app-scan-outbox__count" data-testid="outbox-pending">${counts.pending}</span>
      ${counts.rejected ? html`<span class="app-scan-outbox__rejected">${t('scan.outbox_rejected', { n: counts.rejected })}</span>` : nothing}
      ${counts.pending && !navigator.onLine ? html`<span class="app-scan-outbox__offline">${t('scan.outbox_offline')}</span>` : nothing}
    </p>`;
  }

  function header() {
    const checkpoint = selectedCheckpoint();
    return html`<header class="app-scan-head">
      ${checkpoints.length > 1
        ? html`<select id="scan-checkpoint" class="app-scan-select" aria-label=${t('scan.checkpoint')} @change=${selectCheckpoint}>
            ${checkpoints.map((c) => html`<option value=${c.id} ?selected=${c.id === selected}>${c.name}</option>`)}
          </select>`
        : html`<p class="app-scan-checkpoint" data-testid="scan-checkpoint">${checkpoint ? checkpoint.name : ''}
            ${checkpoint ? html`<span class="app-scan-village">${regionName(checkpoint.village)}</span>` : nothing}</p>`}
      ${trustLine()} ${outboxLine()}
      <a class="app-scan-today-link" href="#/scan/today">${t('scan.today_link')}</a>
    </header>`;
  }

  function details(v) {
    const rows = [];
    if (v.nameMasked) rows.push([t('scan.name'), v.nameMasked, 'verdict-name']);
    if (v.idLast4) rows.push([t('scan.id_last4'), v.idLast4, 'verdict-id']);
    if (v.quarantineUntil && v.status === 'yellow') rows.push([t('scan.quarantine_until'), v.quarantineUntil, 'verdict-quarantine']);
    if (v.expiresAt) rows.push([t('scan.valid_until'), shortDateTime(v.expiresAt), 'verdict-expires']);
    if (v.issuerName || v.issuerRegion) {
      rows.push([t('scan.issuer'), [v.issuerName, v.issuerRegion].filter(Boolean).join(' · '), 'verdict-issuer']);
    }
    if (!rows.length) return nothing;
    return html`<dl class="app-verdict__details">
      ${rows.map(([label, value, id]) => html`<div class="app-verdict__row"><dt>${label}</dt><dd data-testid=${id}>${value}</dd></div>`)}
    </dl>`;
  }

  function titleOf(cls, v) {
    if (cls === 'nolist') return t('scan.verdict.nolist');
    if (cls === 'stale') return t('scan.verdict.stale');
    if (cls === 'invalid') return t(shortReasonKey(v.reason));
    if (cls === 'certificate') return t('scan.verdict.certificate');
    return statusWord(v.status);
  }

  function verdictScreen() {
    const { v, cls } = verdict;
    const pass = isPass(v);
    return html`<section class="app-verdict app-verdict_${cls}" data-testid="verdict" data-verdict=${cls} role="alert"
        @pointerdown=${unlockAudio}>
      <p class="app-verdict__kicker">${cls === 'invalid' ? t('scan.verdict.invalid') : v && v.source === 'server' ? t('scan.verified_server') : t('scan.verified_device')}</p>
      <h2 class="app-verdict__title" data-testid="verdict-title">${titleOf(cls, v)}</h2>
      ${cls === 'invalid' ? html`<p class="app-verdict__reason" data-testid="verdict-reason">${t(`scan.reason.${v.reason}`)}</p>` : nothing}
      ${cls === 'invalid' && v.schema && v.schema.rule ? html`<p class="app-verdict__schema" data-testid="verdict-schema">${schemaLine(v.schema)}</p>` : nothing}
      <p class="app-verdict__hint" data-testid="verdict-hint">${t(`scan.hint.${cls}`)}</p>
      ${v ? details(v) : nothing}
      ${refusing
        ? html`<form class="app-refusal" @submit=${(e) => { e.preventDefault(); decide('refuse'); }}>
            ${pass ? html`<p class="app-refusal__warning" data-testid="refusal-warning">${t('scan.refusal_warning')}</p>` : nothing}
            <fieldset class="app-refusal__reasons">
              <legend>${t('scan.refusal_reason')}</legend>
              ${REFUSAL_REASONS.map(
                (reason) => html`<label class="app-refusal__reason">
                  <input type="radio" name="refusal" value=${reason} .checked=${refusal.reason === reason}
                    @change=${() => { refusal.reason = reason; ctx.update(); }}>
                  <span>${t(`checkpoints.refusal.${reason}`)}</span>
                </label>`,
              )}
            </fieldset>
            <textarea id="refusal-note" class="app-refusal__note" maxlength="200" rows="2"
              placeholder=${t('scan.refusal_note')} .value=${refusal.note}
              @input=${(e) => { refusal.note = e.target.value; }}></textarea>
            <div class="app-verdict__actions">
              <button type="submit" id="refusal-confirm" class="weui-btn weui-btn_warn">${t('scan.refuse_confirm')}</button>
              <button type="button" class="weui-btn weui-btn_default" @click=${() => { refusing = false; ctx.update(); }}>${t('common.cancel')}</button>
            </div>
          </form>`
        : html`<div class="app-verdict__actions">
            ${verdict.decided
              ? nothing
              : html`<button type="button" id="verdict-admit" class="weui-btn weui-btn_primary app-verdict__admit" @click=${() => decide('admit')}>${t('scan.admit')}</button>
                  <button type="button" id="verdict-refuse" class="weui-btn weui-btn_default app-verdict__refuse" @click=${openRefusal}>${t('scan.refuse')}</button>`}
            <button type="button" id="verdict-back" class="weui-btn_reset app-verdict__back" @click=${backToScanning}>
              ${t('scan.back', { seconds: countdown })}
            </button>
          </div>`}
    </section>`;
  }

  return {
    title() {
      return t('scan.title');
    },
    render() {
      if (loaded && checkpoints.length === 0) {
        return html`<div class="app-page app-scan">
          <div class="weui-msg app-scan-empty" data-testid="scan-unassigned">
            <div class="weui-msg__text-area"><h2 class="weui-msg__title">${t('scan.unassigned')}</h2>
            <p class="weui-msg__desc">${t('scan.unassigned_desc')}</p></div>
          </div>
        </div>`;
      }
      return html`<div class="app-page app-scan">
        ${header()}
        <div class="app-scan-camera">
          <video id="scan-video" class="app-scan-video" muted playsinline autoplay></video>
          <div class="app-scan-frame" aria-hidden="true"></div>
          ${camera !== 'running'
            ? html`<div class="app-scan-camera__overlay">
                ${camera === 'error' ? html`<p class="app-scan-camera__error" role="alert">${cameraError}</p>` : nothing}
                <button type="button" id="scan-start" class="weui-btn weui-btn_primary" ?disabled=${!selected || camera === 'starting'}
                  @click=${startCamera}>${camera === 'starting' ? t('scan.starting') : t('scan.start')}</button>
              </div>`
            : nothing}
        </div>
        <p class="app-scan-tip">${t('scan.tip')}</p>
        <div class="app-scan-other">
          <button type="button" id="scan-manual" class="weui-btn weui-btn_default app-scan-other__btn"
            @click=${() => { manualOpen = !manualOpen; ctx.update(); }}>${t('scan.manual')}</button>
          <label class="weui-btn weui-btn_default app-scan-other__btn">
            ${t('scan.photo')}<input type="file" id="scan-photo" accept="image/*" class="app-visually-hidden" @change=${pickPhoto}>
          </label>
        </div>
        ${manualOpen
          ? html`<form class="app-scan-manual" @submit=${submitManual}>
              <textarea id="manual-code" rows="3" class="weui-textarea" placeholder=${t('scan.manual_placeholder')}
                .value=${manualText} @input=${(e) => { manualText = e.target.value; }}></textarea>
              <button type="submit" id="manual-verify" class="weui-btn weui-btn_primary">${t('scan.manual_verify')}</button>
            </form>`
          : nothing}
        ${verdict ? verdictScreen() : nothing}
      </div>`;
    },
    destroy() {
      destroyed = true;
      if (scanner) scanner.stop();
      clearInterval(countdownTimer);
      clearInterval(clockTimer);
      clearInterval(refreshTimer);
      window.removeEventListener('online', onOnline);
      document.removeEventListener('visibilitychange', onVisibility);
      offTrust();
      offOutbox();
    },
  };
}

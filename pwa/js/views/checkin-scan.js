/**
 * A worker scans a checkpoint's poster inside the app (#/checkin): the poster's QR is a URL
 * https://<host>/c/<token>; reading one opens the check-in pass (#/checkin/<token>).
 * (The phone's own camera app reaches the same screen through the URL.)
 */
import { html, nothing } from '../html.js';
import { t } from '../i18n.js';
import { navigate } from '../router.js';
import { createScanner } from '../scanner.js';
import { topTips } from '../ui.js';
import { ensureStylesheet } from './checkpoints-shared.js';

const PLACE_CODE = /\/c\/([A-Za-z0-9_.-]{10,400})\/?$/;

/** The token of a place-code URL, or null. */
export function placeToken(text) {
  const match = PLACE_CODE.exec(String(text || '').trim());
  return match ? match[1] : null;
}

export default function createCheckinScanView(ctx) {
  ensureStylesheet();
  let camera = 'idle';
  let scanner = null;
  let destroyed = false;

  async function start() {
    const video = document.getElementById('checkin-video');
    if (!video || destroyed) return;
    scanner =
      scanner ||
      createScanner({
        video,
        onCode: (text) => {
          const token = placeToken(text);
          if (token) {
            navigate(`/checkin/${token}`);
          } else {
            topTips(t('checkin.not_a_place_code'));
            setTimeout(() => scanner && scanner.resume(), 1500);
          }
        },
        onError: () => {
          camera = 'error';
          ctx.update();
        },
      });
    camera = 'starting';
    ctx.update();
    await scanner.start();
    if (scanner.running) camera = 'running';
    ctx.update();
  }
  setTimeout(start, 0);

  return {
    title: () => t('checkin.scan_title'),
    render() {
      return html`<div class="app-page app-scan">
        <p class="app-scan-tip">${t('checkin.scan_tip')}</p>
        <div class="app-scan-camera">
          <video id="checkin-video" class="app-scan-video" muted playsinline autoplay></video>
          <div class="app-scan-frame" aria-hidden="true"></div>
          ${camera !== 'running'
            ? html`<div class="app-scan-camera__overlay">
                ${camera === 'error' ? html`<p class="app-scan-camera__error" role="alert">${t('scan.camera_failed')}</p>` : nothing}
                <button type="button" id="checkin-start" class="weui-btn weui-btn_primary" @click=${start}>${t('scan.start')}</button>
              </div>`
            : nothing}
        </div>
      </div>`;
    },
    destroy() {
      destroyed = true;
      if (scanner) scanner.stop();
    },
  };
}

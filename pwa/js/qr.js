/**
 * Draw a health card's QR code in the page from its signed text (no image from the server).
 *
 *   import { qrSvg } from './qr.js';
 *   html`<div class="hc-qr">${qrSvg(card.qr, { label: t('card.qr_label') })}</div>`
 *
 * The text is encoded as the credential format requires (docs/credential-format.md): one
 * alphanumeric segment (base45 and "FG1:" are all in the QR alphanumeric set), error
 * correction Q, the smallest version that holds it (≤ 10 for our cards). The code is an SVG
 * with one path, 4 modules of white quiet zone, scaled by CSS: sharp at any screen density.
 * Uses the vendored, pinned qrcode-generator (vendor/README.md).
 */
import qrcode from '../vendor/qrcode-generator/qrcode.mjs';
import { html } from './html.js';

// The QR alphanumeric character set: anything else needs byte mode.
const ALPHANUMERIC = /^[0-9A-Z $%*+\-./:]*$/;
const QUIET_ZONE = 4; // modules of white around the code (ISO/IEC 18004)

let memo = { text: null, ecl: null, matrix: null };

/**
 * The QR matrix of `text`: { size, version, mode, path } where `path` is an SVG path ('M x y
 * h w v1 h-w z' per run of dark modules, offset by the quiet zone). Memoised for the last text,
 * so re-rendering every second (the card's clock) costs nothing.
 */
export function qrMatrix(text, { ecl = 'Q' } = {}) {
  if (memo.text === text && memo.ecl === ecl) return memo.matrix;
  const mode = ALPHANUMERIC.test(text) ? 'Alphanumeric' : 'Byte';
  const qr = qrcode(0, ecl); // 0: the smallest version that fits
  qr.addData(text, mode);
  qr.make();
  const count = qr.getModuleCount();
  const runs = [];
  for (let row = 0; row < count; row += 1) {
    let col = 0;
    while (col < count) {
      if (!qr.isDark(row, col)) {
        col += 1;
      } else {
        const start = col;
        while (col < count && qr.isDark(row, col)) col += 1;
        const width = col - start;
        runs.push(`M${start + QUIET_ZONE} ${row + QUIET_ZONE}h${width}v1h-${width}z`);
      }
    }
  }
  const matrix = { size: count + 2 * QUIET_ZONE, version: (count - 17) / 4, mode, path: runs.join('') };
  memo = { text, ecl, matrix };
  return matrix;
}

/**
 * The QR code of `text` as an inline <svg> (a lit-html template). `label` is read by screen
 * readers; `data-qr` carries the text itself and `data-version` the QR version (tests read them).
 */
export function qrSvg(text, { ecl = 'Q', label = 'QR' } = {}) {
  const m = qrMatrix(text, { ecl });
  return html`<svg class="qr-code" viewBox=${`0 0 ${m.size} ${m.size}`} role="img" aria-label=${label}
    shape-rendering="crispEdges" data-qr=${text} data-version=${String(m.version)} data-mode=${m.mode}
    xmlns="http://www.w3.org/2000/svg"><rect width=${m.size} height=${m.size} fill="#fff"/><path fill="#000" d=${m.path}/></svg>`;
}

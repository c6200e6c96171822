/**
 * Shared by the subsidy screens: money (integer fen on the wire, yuan on screen, never a
 * float in between), status words, the stylesheet, and error display.
 */
import { html } from '../html.js';
import { t } from '../i18n.js';
import { topTips } from '../ui.js';

/** '¥1,234.50' for 123450 fen. */
export function yuan(fen) {
  if (fen === null || fen === undefined) return '—';
  const negative = fen < 0;
  const abs = Math.abs(fen);
  const whole = String(Math.floor(abs / 100)).replace(/\B(?=(\d{3})+(?!\d))/g, ',');
  const part = String(abs % 100).padStart(2, '0');
  return `${negative ? '-' : ''}¥${whole}.${part}`;
}

/**
 * Integer fen from what a person typed in yuan ('800', '800.5', '1,200.05'), read as text
 * digit by digit: 0.1 + 0.2 never gets a say. null for anything else.
 */
export function parseYuan(text) {
  const clean = String(text || '').replace(/[,，\s¥]/g, '');
  const match = /^(\d{1,9})(?:\.(\d{1,2}))?$/.exec(clean);
  if (!match) return null;
  return Number(match[1]) * 100 + Number((match[2] || '').padEnd(2, '0'));
}

/** The yuan text for an <input> from fen ('800.00'). */
export function yuanInput(fen) {
  return `${Math.floor(fen / 100)}.${String(fen % 100).padStart(2, '0')}`;
}

export function statusTag(status) {
  return html`<span class="sub-status sub-status_${status}" data-status=${status}>${t(`subsidies.status.${status}`)}</span>`;
}

let stylesPromise = null;
export function ensureStylesheet() {
  if (!stylesPromise) {
    stylesPromise = new Promise((resolve) => {
      const href = '/css/subsidies.css';
      if (document.querySelector(`link[href="${href}"]`)) {
        resolve();
        return;
      }
      const link = document.createElement('link');
      link.rel = 'stylesheet';
      link.href = href;
      link.addEventListener('load', () => resolve());
      link.addEventListener('error', () => resolve());
      document.head.appendChild(link);
    });
  }
  return stylesPromise;
}

/** Show an ApiError: the field messages if any, else its detail. */
export function showError(err) {
  const fields = (err.errors || []).map((e) => e.message).filter(Boolean);
  topTips(fields.length ? fields.join('；') : err.detail || t('error.unknown'));
}

export const MAX_INVOICE_BYTES = 10 * 1024 * 1024;

/**
 * Shared by the subsidy screens: money (js/money.js), status words, the stylesheet, errors.
 */
import { html } from '../html.js';
import { t } from '../i18n.js';
import { topTips } from '../ui.js';

export { parseYuan, yuan, yuanInput } from '../money.js';

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

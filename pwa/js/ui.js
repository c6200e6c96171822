/**
 * WeUI feedback widgets, drawn into #overlay: toast(), topTips(), confirmDialog(), loading().
 * All text passed in is shown as text (lit-html escapes it), never as HTML.
 */
import { html, render, nothing } from './html.js';
import { t } from './i18n.js';

let toastState = null;
let tipsState = null;
let dialogState = null;
let toastTimer = 0;
let tipsTimer = 0;

function overlay() {
  return document.getElementById('overlay');
}

function draw() {
  render(
    html`${tipsState
      ? html`<div class="weui-toptips weui-toptips_warn app-toptips" role="alert">${tipsState}</div>`
      : nothing}
    ${toastState
      ? html`<div role="status" aria-live="polite">
          <div class="weui-mask_transparent"></div>
          <div class="weui-toast ${toastState.icon ? '' : 'weui-toast_text'}">
            ${toastState.icon === 'success'
              ? html`<i class="weui-icon-success-no-circle weui-icon_toast"></i>`
              : toastState.icon === 'loading'
                ? html`<span class="weui-primary-loading weui-icon_toast"><span class="weui-primary-loading__dot"></span></span>`
                : nothing}
            <p class="weui-toast__content">${toastState.text}</p>
          </div>
        </div>`
      : nothing}
    ${dialogState
      ? html`<div class="app-dialog">
          <div class="weui-mask"></div>
          <div class="weui-dialog" role="dialog" aria-modal="true" aria-labelledby="app-dialog-title">
            <div class="weui-dialog__hd"><strong class="weui-dialog__title" id="app-dialog-title">${dialogState.title}</strong></div>
            ${dialogState.body ? html`<div class="weui-dialog__bd">${dialogState.body}</div>` : nothing}
            <div class="weui-dialog__ft">
              ${dialogState.cancelText
                ? html`<button type="button" class="weui-dialog__btn weui-dialog__btn_default app-dialog-cancel"
                    @click=${() => closeDialog(false)}>${dialogState.cancelText}</button>`
                : nothing}
              <button type="button" class="weui-dialog__btn ${dialogState.danger ? 'weui-dialog__btn_warn' : ''} app-dialog-ok"
                @click=${() => closeDialog(true)}>${dialogState.okText}</button>
            </div>
          </div>
        </div>`
      : nothing}`,
    overlay(),
  );
}

/** Show a short toast. icon: 'success' | 'loading' | null (text only). Returns a closer. */
export function toast(text, { icon = null, duration = 2000 } = {}) {
  clearTimeout(toastTimer);
  toastState = { text, icon };
  draw();
  const close = () => {
    toastState = null;
    draw();
  };
  if (duration > 0) toastTimer = setTimeout(close, duration);
  return close;
}

/** A loading toast that stays until the returned function is called. */
export function loading(text = t('common.loading')) {
  return toast(text, { icon: 'loading', duration: 0 });
}

/** A red bar at the top for errors that belong to no single field. */
export function topTips(text, { duration = 3500 } = {}) {
  clearTimeout(tipsTimer);
  tipsState = text;
  draw();
  tipsTimer = setTimeout(() => {
    tipsState = null;
    draw();
  }, duration);
}

let resolveDialog = null;

function closeDialog(answer) {
  dialogState = null;
  draw();
  const resolve = resolveDialog;
  resolveDialog = null;
  if (resolve) resolve(answer);
}

/** Ask a yes/no question; resolves true (OK) or false (cancel). */
export function confirmDialog({ title, body = '', okText = t('common.ok'), cancelText = t('common.cancel'), danger = false }) {
  if (resolveDialog) resolveDialog(false);
  dialogState = { title, body, okText, cancelText, danger };
  draw();
  return new Promise((resolve) => {
    resolveDialog = resolve;
  });
}

/** Tell the user something; resolves when dismissed. */
export function alertDialog({ title, body = '', okText = t('common.ok') }) {
  return confirmDialog({ title, body, okText, cancelText: null });
}

/**
 * Login: phone + one-time SMS code (workers and everyone else), or username + password (staff).
 * Client-side checks mirror the server's; the server's problem+json `detail` is shown on errors.
 */
import { html, nothing } from '../html.js';
import { api } from '../api.js';
import { t, getLocale } from '../i18n.js';
import { changeLocale, signedIn } from '../session.js';
import { topTips } from '../ui.js';

export const PHONE_RE = /^1[3-9]\d{9}$/;
const CODE_RE = /^\d{6}$/;

// Module level, so leaving and re-entering the screen keeps the countdown running.
let resendAt = 0; // Date.now() value after which "get code" is allowed again

export default function createLoginView(ctx) {
  const form = { mode: 'otp', phone: '', code: '', username: '', password: '' };
  const errors = {}; // field -> message
  let sending = false;
  let submitting = false;
  let codeSent = false;
  let timer = 0;

  const secondsLeft = () => Math.max(0, Math.ceil((resendAt - Date.now()) / 1000));

  function tick() {
    clearInterval(timer);
    if (secondsLeft() > 0) {
      timer = setInterval(() => {
        if (secondsLeft() === 0) clearInterval(timer);
        ctx.update();
      }, 1000);
    }
    ctx.update();
  }

  function startCountdown(seconds) {
    resendAt = Date.now() + seconds * 1000;
    tick();
  }

  function showServerError(err) {
    let shown = false;
    for (const e of err.errors) {
      if (e.field in form) {
        errors[e.field] = e.message;
        shown = true;
      }
    }
    if (!shown) topTips(err.detail);
    ctx.update();
  }

  function input(field) {
    return (event) => {
      form[field] = event.target.value.trim();
      delete errors[field];
      ctx.update();
    };
  }

  async function sendCode() {
    delete errors.phone;
    if (!PHONE_RE.test(form.phone)) {
      errors.phone = t('login.phone_invalid');
      ctx.update();
      return;
    }
    sending = true;
    ctx.update();
    try {
      const body = await api.post('/auth/otp', { phone: form.phone });
      codeSent = true;
      startCountdown(body && body.resend_after ? body.resend_after : 60);
      const codeInput = document.getElementById('login-code');
      if (codeInput) codeInput.focus();
    } catch (err) {
      if (err.code === 'otp_resend_too_soon' && err.problem.retry_after) {
        startCountdown(Number(err.problem.retry_after));
      }
      showServerError(err);
    } finally {
      sending = false;
      ctx.update();
    }
  }

  function validate() {
    for (const key of Object.keys(errors)) delete errors[key];
    if (form.mode === 'otp') {
      if (!PHONE_RE.test(form.phone)) errors.phone = t('login.phone_invalid');
      if (!CODE_RE.test(form.code)) errors.code = t('login.code_invalid');
    } else {
      if (!form.username) errors.username = t('login.username_required');
      if (!form.password) errors.password = t('login.password_required');
    }
    return Object.keys(errors).length === 0;
  }

  async function submit(event) {
    event.preventDefault();
    if (submitting) return;
    if (!validate()) {
      ctx.update();
      return;
    }
    submitting = true;
    ctx.update();
    try {
      const body =
        form.mode === 'otp'
          ? await api.post('/auth/login', { phone: form.phone, code: form.code })
          : await api.post('/auth/password-login', { username: form.username, password: form.password });
      clearInterval(timer);
      await signedIn(body.user); // the router leaves this screen
    } catch (err) {
      showServerError(err);
    } finally {
      submitting = false;
      ctx.update();
    }
  }

  function switchMode(event) {
    event.preventDefault();
    form.mode = form.mode === 'otp' ? 'password' : 'otp';
    for (const key of Object.keys(errors)) delete errors[key];
    ctx.update();
  }

  function cell({ field, label, control, extra = nothing }) {
    const error = errors[field];
    return html`<div class="weui-cell weui-cell_active ${error ? 'weui-cell_warn' : ''} ${extra !== nothing ? 'weui-cell_vcode' : ''}">
        <div class="weui-cell__hd"><label class="weui-label" for=${`login-${field}`}>${label}</label></div>
        <div class="weui-cell__bd">${control}</div>
        ${extra}
      </div>
      ${error ? html`<p class="app-field-error" id=${`login-${field}-error`} role="alert">${error}</p>` : nothing}`;
  }

  function otpFields() {
    const left = secondsLeft();
    return html`
      ${cell({
        field: 'phone',
        label: t('login.phone'),
        control: html`<input id="login-phone" class="weui-input" type="tel" inputmode="numeric" autocomplete="tel-national"
          maxlength="11" placeholder=${t('login.phone_placeholder')} .value=${form.phone} @input=${input('phone')}
          aria-invalid=${errors.phone ? 'true' : 'false'} aria-describedby="login-phone-error">`,
      })}
      ${cell({
        field: 'code',
        label: t('login.code'),
        control: html`<input id="login-code" class="weui-input" type="text" inputmode="numeric" pattern="[0-9]*"
          autocomplete="one-time-code" maxlength="6" placeholder=${t('login.code_placeholder')}
          .value=${form.code} @input=${input('code')} aria-invalid=${errors.code ? 'true' : 'false'}
          aria-describedby="login-code-error">`,
        extra: html`<div class="weui-cell__ft">
          <button type="button" id="login-send" class="weui-btn_reset weui-vcode-btn app-vcode-btn"
            ?disabled=${sending || left > 0} @click=${sendCode}>
            ${left > 0 ? t('login.resend_in', { seconds: left }) : codeSent ? t('login.resend') : t('login.get_code')}
          </button>
        </div>`,
      })}`;
  }

  function passwordFields() {
    return html`
      ${cell({
        field: 'username',
        label: t('login.username'),
        control: html`<input id="login-username" class="weui-input" type="text" autocomplete="username"
          autocapitalize="off" spellcheck="false" placeholder=${t('login.username_placeholder')}
          .value=${form.username} @input=${input('username')}>`,
      })}
      ${cell({
        field: 'password',
        label: t('login.password'),
        control: html`<input id="login-password" class="weui-input" type="password" autocomplete="current-password"
          placeholder=${t('login.password_placeholder')} .value=${form.password} @input=${input('password')}>`,
      })}`;
  }

  const otherLocale = () => (getLocale() === 'en' ? 'zh-CN' : 'en');

  return {
    render() {
      const otp = form.mode === 'otp';
      return html`<form class="weui-form app-login" novalidate @submit=${submit}>
        <div class="app-login__lang">
          <button type="button" class="weui-btn_reset weui-link app-lang-switch" lang=${otherLocale()}
            data-testid="login-lang" @click=${() => changeLocale(otherLocale())}>
            ${t('login.switch_language')}
          </button>
        </div>
        <div class="weui-form__text-area">
          <h1 class="weui-form__title">${t('app.name')}</h1>
          <p class="weui-form__desc">${otp ? t('login.desc_otp') : t('login.desc_password')}</p>
        </div>
        <div class="weui-form__control-area">
          <div class="weui-cells__group weui-cells__group_form">
            <div class="weui-cells weui-cells_form">${otp ? otpFields() : passwordFields()}</div>
          </div>
        </div>
        <div class="weui-form__opr-area">
          <button type="submit" id="login-submit" class="weui-btn weui-btn_primary" ?disabled=${submitting}>
            ${submitting ? t('login.submitting') : t('login.submit')}
          </button>
        </div>
        <div class="weui-form__extra-area">
          <a href="#/login" class="weui-link app-mode-switch" data-testid="login-mode" @click=${switchMode}>
            ${otp ? t('login.use_password') : t('login.use_otp')}
          </a>
        </div>
        <div class="weui-form__tips-area">
          <p class="weui-form__tips">${t('login.privacy')}</p>
        </div>
      </form>`;
    },
    destroy() {
      clearInterval(timer);
    },
  };
}

/**
 * Pieces the quarantine screens share: words for places, sources and symptoms, a reading list,
 * and the daily-check form (temperature + symptoms) used by the worker and by the staff.
 * Styles come from css/cards.css (badges, history items), loaded by loadCardStyles().
 */
import { html, nothing } from '../html.js';
import { api } from '../api.js';
import { t } from '../i18n.js';
import { formatDate, formatDateTime, loadCardStyles, statusWords } from './card.js';
import { FEVER_THRESHOLD, SYMPTOMS, temperatureError } from './declare.js';

export { formatDate, formatDateTime, loadCardStyles, statusWords };

/** '发热、咳嗽' or '无症状'. */
export function symptomWords(symptoms) {
  if (!symptoms || !symptoms.length) return t('quarantine.no_symptoms');
  return symptoms.map((s) => t(`declare.symptom.${s}`)).join(t('common.list_separator'));
}

/** A colour badge (绿码 / 黄码 / 红码), or nothing when unknown. */
export function statusBadge(status) {
  return status ? html`<span class="hc-badge hc_${status}">${statusWords(status)}</span>` : nothing;
}

/** The readings, newest first: date and time, temperature, symptoms, who entered it. */
export function readingList(checks) {
  if (!checks || !checks.length) {
    return html`<div class="weui-cells__tips app-empty">${t('quarantine.no_checks')}</div>`;
  }
  return checks.map(
    (c) => html`<div class="hist-item" data-testid="quarantine-check">
      <div class="hist-item__head">
        <span class="hist-item__time">${formatDateTime(c.recorded_at)}</span>
        ${c.abnormal ? html`<span class="hc-badge hc_red">${t('quarantine.abnormal')}</span>` : nothing}
      </div>
      <dl class="hist-item__facts">
        <dt>${t('declare.temperature')}</dt><dd>${c.temperature} ℃</dd>
        <dt>${t('declare.symptoms_short')}</dt><dd>${symptomWords(c.symptoms)}</dd>
        <dt>${t('quarantine.source')}</dt><dd>${t(`quarantine.source.${c.source}`)}</dd>
      </dl>
    </div>`,
  );
}

/** Pages through a list endpoint: `load()` the first page, `more()` the next. */
export function createPager(ctx, path) {
  const state = { items: null, cursor: null, busy: false, failed: false, error: '', last: null };
  async function fetchPage(more) {
    if (state.busy) return;
    state.busy = true;
    ctx.update();
    try {
      const base = typeof path === 'function' ? path() : path;
      const sep = base.includes('?') ? '&' : '?';
      const query = more && state.cursor ? `${sep}cursor=${encodeURIComponent(state.cursor)}` : '';
      const page = await api.get(`${base}${query}`);
      state.items = more ? (state.items || []).concat(page.items) : page.items;
      state.cursor = page.next_cursor;
      state.last = page;
      state.failed = false;
    } catch (err) {
      state.failed = true;
      state.error = err.detail;
    } finally {
      state.busy = false;
      ctx.update();
    }
  }
  return {
    state,
    load: () => fetchPage(false),
    more: () => fetchPage(true),
  };
}

/**
 * The daily check: temperature (one decimal, 34.0 to 43.0) and symptoms (无 excludes the
 * others). `onSubmit(body)` sends it and resolves; server field errors are shown in place.
 */
export function createCheckForm(ctx, { prefix, onSubmit }) {
  const form = { temperature: '', symptoms: [] };
  const errors = {};
  let sending = false;

  function toggle(code, checked) {
    if (code === 'none') form.symptoms = checked ? ['none'] : [];
    else {
      const others = form.symptoms.filter((s) => s !== 'none' && s !== code);
      form.symptoms = checked ? others.concat([code]) : others;
    }
    delete errors.symptoms;
    ctx.update();
  }

  async function submit(event) {
    event.preventDefault();
    const tempError = temperatureError(form.temperature);
    if (tempError) errors.temperature = t(tempError);
    if (!form.symptoms.length) errors.symptoms = t('declare.err.symptoms');
    if (errors.temperature || errors.symptoms) {
      ctx.update();
      return;
    }
    sending = true;
    ctx.update();
    try {
      await onSubmit({ temperature: Number(form.temperature).toFixed(1), symptoms: form.symptoms.slice() });
      form.temperature = '';
      form.symptoms = [];
    } catch (err) {
      let shown = false;
      for (const e of err.errors || []) {
        const field = String(e.field || '').split('.')[0];
        if (field === 'temperature' || field === 'symptoms') {
          errors[field] = e.message;
          shown = true;
        }
      }
      if (!shown) errors.form = err.detail;
    } finally {
      sending = false;
      ctx.update();
    }
  }

  function feverHint() {
    if (temperatureError(form.temperature) || Number(form.temperature) < FEVER_THRESHOLD) return nothing;
    return html`<p class="decl-warn" role="status">${t('quarantine.fever_hint')}</p>`;
  }

  return {
    render() {
      return html`<form novalidate @submit=${submit} data-testid=${`${prefix}-form`}>
        <div class="weui-cells weui-cells_form">
          <div class="weui-cell weui-cell_active ${errors.temperature ? 'weui-cell_warn' : ''}">
            <div class="weui-cell__hd"><label class="weui-label" for=${`${prefix}-temperature`}>${t('declare.temperature')}</label></div>
            <div class="weui-cell__bd">
              <input id=${`${prefix}-temperature`} class="weui-input" type="text" inputmode="decimal" maxlength="4"
                autocomplete="off" placeholder=${t('declare.temperature_placeholder')} .value=${form.temperature}
                @input=${(e) => {
                  form.temperature = e.target.value.trim().replace('。', '.');
                  delete errors.temperature;
                  delete errors.form;
                  ctx.update();
                }}>
            </div>
            <div class="weui-cell__ft decl-value">℃</div>
          </div>
        </div>
        ${errors.temperature ? html`<p class="app-field-error" role="alert">${errors.temperature}</p>` : nothing}
        ${feverHint()}
        <div class="weui-cells__title">${t('declare.symptoms')}</div>
        <div class="weui-cells weui-cells_checkbox">
          ${SYMPTOMS.map((code) => {
            const id = `${prefix}-symptom-${code}`;
            return html`<label class="weui-cell weui-cell_active weui-check__label" for=${id}>
              <div class="weui-cell__hd">
                <input type="checkbox" class="weui-check" id=${id} .checked=${form.symptoms.includes(code)}
                  @change=${(e) => toggle(code, e.target.checked)}>
                <i class="weui-icon-checked"></i>
              </div>
              <div class="weui-cell__bd"><p>${t(`declare.symptom.${code}`)}</p></div>
            </label>`;
          })}
        </div>
        ${errors.symptoms ? html`<p class="app-field-error" role="alert">${errors.symptoms}</p>` : nothing}
        ${errors.form ? html`<p class="app-field-error" role="alert">${errors.form}</p>` : nothing}
        <div class="weui-btn-area">
          <button type="submit" class="weui-btn weui-btn_primary" ?disabled=${sending} data-testid=${`${prefix}-submit`}>
            ${sending ? t('quarantine.sending') : t('quarantine.check_submit')}
          </button>
        </div>
      </form>`;
    },
  };
}

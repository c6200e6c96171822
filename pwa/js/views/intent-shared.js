/**
 * The employment-intent form, shared by the worker's screen (intent-form.js) and the village
 * staff's proxy screen (intent-proxy.js), plus helpers the ledger and rules screens use.
 *
 * Destination: province → city from GET /intents/options (our destination list), or any other
 * 6-digit GB/T 2260 code typed in. With a destination chosen, its rules (GET /destination-rules)
 * show under the picker; going out without a job, recommended jobs (GET /intents/recommendations)
 * and the plain prompt 先定岗再出行 show before the worker submits.
 */
import { beijingDay } from '../beijing.js';
import { html, nothing } from '../html.js';
import { api } from '../api.js';
import { t, getLocale } from '../i18n.js';

const STYLESHEET = '/css/ledger.css';
export const CODE_RE = /^\d{6}$/;

/** Load css/ledger.css once (a <link>: the CSP allows style-src 'self'). */
export function ensureStylesheet() {
  if (document.querySelector(`link[href="${STYLESHEET}"]`)) return;
  const link = document.createElement('link');
  link.rel = 'stylesheet';
  link.href = STYLESHEET;
  document.head.appendChild(link);
}

let optionsPromise = null;

/** Destinations, provinces, trades and the worker's hired applications, fetched once a load. */
export function loadOptions({ fresh = false } = {}) {
  if (!optionsPromise || fresh) {
    optionsPromise = api.get('/intents/options').catch((err) => {
      optionsPromise = null;
      throw err;
    });
  }
  return optionsPromise;
}

/** A {name_zh, name_en} object's name in the UI language. */
export function named(item) {
  if (!item) return '';
  return getLocale() === 'en' ? item.name_en || item.name_zh : item.name_zh || item.name_en;
}

/** 'YYYY-MM-DD' today in Beijing (the server's day). */
export function todayInBeijing(now = new Date()) {
  return beijingDay(now);
}

/** Local date and time of an ISO instant, for lists. */
export function when(iso) {
  if (!iso) return '';
  const date = new Date(iso);
  return new Intl.DateTimeFormat(getLocale() === 'en' ? 'en-GB' : 'zh-CN', {
    timeZone: 'Asia/Shanghai', month: '2-digit', day: '2-digit', hour: '2-digit', minute: '2-digit',
  }).format(date);
}

/** The message under a field, or nothing. */
export function fieldError(errors, field) {
  return errors[field]
    ? html`<p class="app-field-error" id=${`intent-${field.replace(/_/g, '-')}-error`} role="alert">${errors[field]}</p>`
    : nothing;
}

/** Copy the server's field errors ('intent.trade' counts as 'trade'); true if any matched. */
export function applyServerErrors(err, errors, fields) {
  let shown = false;
  for (const e of err.errors || []) {
    const field = String(e.field || '').replace(/^intent\./, '').split('.')[0];
    if (fields.indexOf(field) >= 0) {
      errors[field] = e.message;
      shown = true;
    }
  }
  return shown;
}

/** One destination rule as a card: destination, text, job information, source and dates. */
export function ruleCard(rule) {
  return html`<article class="ledger-rule" data-testid="rule">
    <h3 class="ledger-rule__title">${named(rule.destination)}</h3>
    <p class="ledger-rule__text">${rule.rules_text}</p>
    ${rule.job_info ? html`<p class="ledger-rule__jobs"><strong>${t('rules.job_info')}</strong> ${rule.job_info}</p>` : nothing}
    <p class="ledger-rule__source">
      ${t('rules.source_line', { source: rule.source, date: rule.source_date })}
      ${rule.valid_until ? html` · ${t('rules.valid_until', { date: rule.valid_until })}` : nothing}
    </p>
  </article>`;
}

export const FORM_FIELDS = [
  'kind', 'destination_code', 'trade', 'job_arranged', 'employer_name', 'job_start_date',
  'application_id', 'departure_date', 'needs_transport', 'needs_certificate', 'wage_expectation', 'note',
];

/**
 * The form itself. `initial` is an IntentOut (or null); `worker` says whether recommendations
 * and hired applications apply (the worker's own screen). Returns
 * { render(), body(), validate(), errors, setInitial(intent) }.
 */
export function createIntentForm(ctx, { worker = true } = {}) {
  const form = {
    kind: 'outbound', province: '', city: '', other_code: '', trade: '', job_arranged: false,
    application_id: '', employer_name: '', job_start_date: '', departure_date: '',
    needs_transport: false, needs_certificate: true, wage_expectation: '', note: '',
  };
  const errors = {};
  let options = null;
  let rules = null;
  let rulesFor = '';
  let jobs = null;
  let jobsKey = '';

  loadOptions()
    .then((body) => {
      options = body;
      ctx.update();
    })
    .catch(() => ctx.update());

  function destinationCode() {
    if (form.kind === 'local') return form.city || null;
    if (form.other_code) return form.other_code;
    return form.city || form.province || null;
  }

  function refreshSideInfo() {
    const code = destinationCode();
    if (form.kind === 'outbound' && code && CODE_RE.test(code) && code !== rulesFor) {
      rulesFor = code;
      rules = null;
      api.get(`/destination-rules?destination_code=${encodeURIComponent(code)}`)
        .then((body) => {
          if (rulesFor === code) rules = body.items;
          ctx.update();
        })
        .catch(() => ctx.update());
    }
    const key = `${code}|${form.trade}|${form.wage_expectation}`;
    if (worker && form.kind === 'outbound' && !form.job_arranged && key !== jobsKey) {
      jobsKey = key;
      const query = new URLSearchParams();
      if (code && CODE_RE.test(code)) query.set('destination_code', code);
      if (form.trade) query.set('trade', form.trade);
      if (/^\d+$/.test(form.wage_expectation)) query.set('wage_expectation', form.wage_expectation);
      api.get(`/intents/recommendations?${query}`)
        .then((body) => {
          if (jobsKey === key) jobs = body.items;
          ctx.update();
        })
        .catch(() => {
          jobs = [];
          ctx.update();
        });
    }
  }

  function set(field, value) {
    form[field] = value;
    delete errors[field === 'province' || field === 'city' || field === 'other_code' ? 'destination_code' : field];
    if (field === 'province') form.city = '';
    if (field === 'kind') {
      form.province = '';
      form.city = '';
      form.other_code = '';
    }
    refreshSideInfo();
    ctx.update();
  }

  const onInput = (field) => (event) => set(field, event.target.value.trim());
  const onCheck = (field) => (event) => set(field, event.target.checked);

  function setInitial(intent) {
    if (!intent) {
      refreshSideInfo();
      return;
    }
    const code = intent.destination.code;
    form.kind = intent.kind;
    form.trade = intent.trade;
    form.job_arranged = intent.job_arranged;
    form.application_id = intent.application_id ? String(intent.application_id) : '';
    form.employer_name = intent.employer_name || '';
    form.job_start_date = intent.job_start_date || '';
    form.departure_date = intent.departure_date || '';
    form.needs_transport = intent.needs_transport;
    form.needs_certificate = intent.needs_certificate;
    form.wage_expectation = intent.wage_expectation == null ? '' : String(intent.wage_expectation);
    form.note = intent.note || '';
    if (intent.kind === 'local') {
      form.city = code;
    } else if (intent.destination.known) {
      form.province = intent.destination.province_code;
      form.city = code === intent.destination.province_code ? '' : code;
    } else {
      form.other_code = code;
    }
    refreshSideInfo();
  }

  function validate() {
    for (const key of Object.keys(errors)) delete errors[key];
    const code = destinationCode();
    if (form.kind === 'outbound' && !code) errors.destination_code = t('intent.err.destination');
    if (form.other_code && !CODE_RE.test(form.other_code)) errors.destination_code = t('intent.err.code_format');
    if (!form.trade) errors.trade = t('intent.err.trade');
    if (form.job_arranged && !form.application_id && !form.employer_name) errors.employer_name = t('intent.err.employer');
    if (form.departure_date && form.departure_date < todayInBeijing()) errors.departure_date = t('intent.err.departure_past');
    if (form.wage_expectation && !/^\d{1,6}$/.test(form.wage_expectation)) errors.wage_expectation = t('intent.err.wage');
    ctx.update();
    return Object.keys(errors).length === 0;
  }

  function body() {
    return {
      kind: form.kind,
      destination_code: destinationCode(),
      trade: form.trade,
      job_arranged: form.job_arranged,
      employer_name: form.job_arranged && form.employer_name ? form.employer_name : null,
      job_start_date: form.job_arranged && form.job_start_date ? form.job_start_date : null,
      application_id: form.job_arranged && form.application_id ? Number(form.application_id) : null,
      departure_date: form.departure_date || null,
      needs_transport: form.needs_transport,
      needs_certificate: form.kind === 'outbound' && form.needs_certificate,
      wage_expectation: form.wage_expectation ? Number(form.wage_expectation) : null,
      note: form.note || null,
    };
  }

  function select(id, field, items, placeholder) {
    return html`<select class="weui-select" id=${id} aria-describedby=${`intent-${field.replace(/_/g, '-')}-error`}
      @change=${onInput(field)}>
      <option value="" ?selected=${!form[field]}>${placeholder}</option>
      ${items.map((item) => html`<option value=${item.code} ?selected=${form[field] === item.code}>${item.label}</option>`)}
    </select>`;
  }

  function destinationPicker() {
    if (!options) return html`<div class="weui-cell"><div class="weui-cell__bd">${t('common.loading')}</div></div>`;
    if (form.kind === 'local') {
      const counties = [{ code: '430700', label: t('intent.local_city') }];
      return html`<div class="weui-cell weui-cell_select">
        <div class="weui-cell__hd"><label class="weui-label" for="intent-local">${t('intent.local_where')}</label></div>
        <div class="weui-cell__bd">${select('intent-local', 'city', counties.concat(localCounties()), t('intent.local_city'))}</div>
      </div>`;
    }
    const provinces = options.provinces.map((p) => ({ code: p.code, label: named(p) }));
    const cities = options.destinations
      .filter((d) => d.province_code === form.province && d.code !== form.province)
      .map((d) => ({ code: d.code, label: named(d) }));
    return html`
      <div class="weui-cell weui-cell_select weui-cell_select-after">
        <div class="weui-cell__hd"><label class="weui-label" for="intent-province">${t('intent.province')}</label></div>
        <div class="weui-cell__bd">${select('intent-province', 'province', provinces, t('intent.choose'))}</div>
      </div>
      ${cities.length
        ? html`<div class="weui-cell weui-cell_select weui-cell_select-after">
            <div class="weui-cell__hd"><label class="weui-label" for="intent-city">${t('intent.city')}</label></div>
            <div class="weui-cell__bd">${select('intent-city', 'city', cities, t('intent.whole_province'))}</div>
          </div>`
        : nothing}
      <div class="weui-cell weui-cell_active">
        <div class="weui-cell__hd"><label class="weui-label" for="intent-other-code">${t('intent.other_code')}</label></div>
        <div class="weui-cell__bd">
          <input class="weui-input" id="intent-other-code" inputmode="numeric" maxlength="6" pattern="[0-9]*"
            placeholder=${t('intent.other_code_placeholder')} .value=${form.other_code} @input=${onInput('other_code')}>
        </div>
      </div>`;
  }

  function localCounties() {
    // Changde's counties come with the worker's own region names from /regions (loaded lazily).
    if (!localCounties.items) {
      localCounties.items = [];
      api.get('/regions?parent=430700')
        .then((body) => {
          localCounties.items = body.items.map((r) => ({ code: r.code, label: named(r) }));
          ctx.update();
        })
        .catch(() => {});
    }
    return localCounties.items;
  }

  function jobFields() {
    if (!form.job_arranged) return nothing;
    const hired = (options && options.hired_applications) || [];
    return html`
      ${worker && hired.length
        ? html`<div class="weui-cell weui-cell_select weui-cell_select-after">
            <div class="weui-cell__hd"><label class="weui-label" for="intent-application">${t('intent.hired_job')}</label></div>
            <div class="weui-cell__bd">${select('intent-application', 'application_id',
              hired.map((a) => ({ code: String(a.id), label: `${a.title} · ${a.employer_name || ''}` })), t('intent.hired_none'))}</div>
          </div>`
        : nothing}
      ${form.application_id
        ? nothing
        : html`<div class="weui-cell weui-cell_active">
            <div class="weui-cell__hd"><label class="weui-label" for="intent-employer">${t('intent.employer')}</label></div>
            <div class="weui-cell__bd"><input class="weui-input" id="intent-employer" maxlength="200"
              placeholder=${t('intent.employer_placeholder')} .value=${form.employer_name} @input=${onInput('employer_name')}></div>
          </div>
          ${fieldError(errors, 'employer_name')}
          <div class="weui-cell weui-cell_active">
            <div class="weui-cell__hd"><label class="weui-label" for="intent-start">${t('intent.job_start')}</label></div>
            <div class="weui-cell__bd"><input class="weui-input" type="date" id="intent-start"
              .value=${form.job_start_date} @change=${onInput('job_start_date')}></div>
          </div>`}`;
  }

  function switchCell(id, field, label) {
    return html`<div class="weui-cell weui-cell_switch">
      <div class="weui-cell__bd"><label for=${id}>${label}</label></div>
      <div class="weui-cell__ft">
        <input class="weui-switch" type="checkbox" id=${id} .checked=${form[field]} @change=${onCheck(field)}>
      </div>
    </div>`;
  }

  function advice() {
    if (!worker || form.kind !== 'outbound' || form.job_arranged) return nothing;
    return html`<div class="ledger-advice" role="note" data-testid="settle-job-first">
      <p class="ledger-advice__title">${t('intent.settle_first')}</p>
      <p>${t('intent.settle_first_desc')}</p>
      ${jobs === null
        ? html`<p class="weui-cells__tips">${t('common.loading')}</p>`
        : jobs.length
          ? html`<ul class="ledger-jobs">${jobs.slice(0, 5).map((item) => html`<li class="ledger-job">
              <a href=${`#/jobs/${item.job.id}`} class="ledger-job__title">${item.job.title}</a>
              <span class="ledger-job__meta">${item.job.employer_name} · ${item.job.region_name || ''} · ${item.job.wage_text} ${t('intent.yuan_month')}</span>
              <span class="ledger-job__why">${item.reasons.map((r) => r.text).join(' · ')}</span>
            </li>`)}</ul>`
          : html`<p class="weui-cells__tips">${t('intent.no_jobs')}</p>`}
      <a class="weui-btn weui-btn_default weui-btn_mini" href="#/jobs">${t('intent.browse_jobs')}</a>
    </div>`;
  }

  function rulesBox() {
    if (form.kind !== 'outbound' || !rules) return nothing;
    return html`<div class="weui-cells__title">${t('intent.rules_title')}</div>
      ${rules.length
        ? html`<div class="ledger-rules">${rules.map(ruleCard)}</div>`
        : html`<p class="weui-cells__tips">${t('intent.no_rules')}</p>`}`;
  }

  function render() {
    const trades = options ? options.trades.map((x) => ({ code: x.code, label: named(x) })) : [];
    return html`
      <div class="weui-cells__title">${t('intent.where')}</div>
      <div class="weui-cells weui-cells_radio" role="radiogroup" aria-label=${t('intent.where')}>
        ${['outbound', 'local'].map((kind) => html`<label class="weui-cell weui-cell_active weui-check__label">
          <div class="weui-cell__bd"><p>${t(`intent.kind.${kind}`)}</p></div>
          <div class="weui-cell__ft">
            <input type="radio" class="weui-check" name="intent-kind" value=${kind} data-testid=${`intent-kind-${kind}`}
              .checked=${form.kind === kind} @change=${() => set('kind', kind)}>
            <span class="weui-icon-checked"></span>
          </div>
        </label>`)}
      </div>
      <div class="weui-cells weui-cells_form">${destinationPicker()}</div>
      ${fieldError(errors, 'destination_code')}
      ${rulesBox()}
      <div class="weui-cells weui-cells_form">
        <div class="weui-cell weui-cell_select weui-cell_select-after">
          <div class="weui-cell__hd"><label class="weui-label" for="intent-trade">${t('intent.trade')}</label></div>
          <div class="weui-cell__bd">${select('intent-trade', 'trade', trades, t('intent.choose'))}</div>
        </div>
        <div class="weui-cell weui-cell_active">
          <div class="weui-cell__hd"><label class="weui-label" for="intent-wage">${t('intent.wage')}</label></div>
          <div class="weui-cell__bd"><input class="weui-input" id="intent-wage" inputmode="numeric" maxlength="6"
            placeholder=${t('intent.wage_placeholder')} .value=${form.wage_expectation} @input=${onInput('wage_expectation')}></div>
        </div>
      </div>
      ${fieldError(errors, 'trade')}${fieldError(errors, 'wage_expectation')}
      <div class="weui-cells weui-cells_form">
        ${switchCell('intent-job-arranged', 'job_arranged', t('intent.job_arranged'))}
        ${jobFields()}
      </div>
      ${fieldError(errors, 'application_id')}
      ${advice()}
      <div class="weui-cells weui-cells_form">
        <div class="weui-cell weui-cell_active">
          <div class="weui-cell__hd"><label class="weui-label" for="intent-departure">${t('intent.departure')}</label></div>
          <div class="weui-cell__bd"><input class="weui-input" type="date" id="intent-departure" min=${todayInBeijing()}
            .value=${form.departure_date} @change=${onInput('departure_date')}></div>
        </div>
        ${switchCell('intent-transport', 'needs_transport', t('intent.needs_transport'))}
        ${form.kind === 'outbound' ? switchCell('intent-certificate', 'needs_certificate', t('intent.needs_certificate')) : nothing}
        <div class="weui-cell weui-cell_active">
          <div class="weui-cell__bd"><textarea class="weui-textarea" id="intent-note" rows="2" maxlength="500"
            placeholder=${t('intent.note_placeholder')} .value=${form.note} @input=${onInput('note')}></textarea></div>
        </div>
      </div>
      ${fieldError(errors, 'departure_date')}`;
  }

  return { render, body, validate, errors, setInitial };
}

/** Status words for an intent or a ledger person: arranged / departed / certificate. */
export function statusBadges(item) {
  return html`<span class="ledger-badges">
    <span class=${`ledger-badge ${item.job_arranged ? 'ledger-badge_on' : ''}`}>${t(item.job_arranged ? 'ledger.job_yes' : 'ledger.job_no')}</span>
    ${item.kind === 'outbound'
      ? html`<span class=${`ledger-badge ${item.departed ? 'ledger-badge_on' : ''}`}>${t(item.departed ? 'ledger.departed_yes' : 'ledger.departed_no')}</span>
        <span class=${`ledger-badge ${item.certified ? 'ledger-badge_on' : ''}`}>${t(item.certified ? 'ledger.cert_yes' : 'ledger.cert_no')}</span>`
      : nothing}
  </span>`;
}

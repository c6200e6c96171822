/**
 * Health declaration (健康申报): the GB/T 38962 data elements POST /api/v1/declarations takes.
 *
 * Name and ID number only the first time (GET /me shows `id_masked` once they are known);
 * household region and current village from cascading pickers (GET /regions?parent=…);
 * temperature with one decimal (37.3 ℃ or more is a fever: a hint before sending);
 * symptoms as checkboxes where 无 (none) excludes the others; Hubei exposure date; contact
 * with a case. The checks mirror the server's (ID checksum, ranges); the server's field
 * errors (problem+json `errors`) show under their fields. After sending: the card screen.
 *
 * The health part of the form is shared with the paper-card screen (createHealthFields).
 */
import { html, nothing } from '../html.js';
import { api } from '../api.js';
import { saveCard } from '../cardcache.js';
import { t, regionName } from '../i18n.js';
import { navigate } from '../router.js';
import { refreshMe } from '../session.js';
import * as store from '../store.js';
import { loading, toast, topTips } from '../ui.js';
import { loadCardStyles } from './card.js';

export const SYMPTOMS = ['fever', 'cough', 'fatigue', 'sore_throat', 'shortness_of_breath', 'diarrhoea', 'none'];
export const ID_TYPES = ['resident_id', 'passport', 'hk_macao_permit', 'taiwan_permit', 'other'];
export const FEVER_THRESHOLD = 37.3; // app/cards/rules.py FEVER_THRESHOLD
export const CITY_CODE = '430700'; // the current village is always in Changde
const TEMPERATURE_RE = /^\d{2}(\.\d)?$/; // the API takes one decimal place at most

// ---- checks that mirror the server's --------------------------------------------------

const ID_WEIGHTS = [7, 9, 10, 5, 8, 4, 2, 1, 6, 3, 7, 9, 10, 5, 8, 4, 2];
const ID_CHECK = '10X98765432';

/** GB 11643: 18 characters, a real birth date (1900 to today), the right check character. */
export function isValidResidentId(value, today = new Date()) {
  const id = String(value || '').trim().toUpperCase();
  if (!/^\d{17}[\dX]$/.test(id)) return false;
  const year = Number(id.slice(6, 10));
  const month = Number(id.slice(10, 12));
  const day = Number(id.slice(12, 14));
  const born = new Date(Date.UTC(year, month - 1, day));
  if (born.getUTCFullYear() !== year || born.getUTCMonth() !== month - 1 || born.getUTCDate() !== day) return false;
  if (year < 1900 || born.getTime() > today.getTime()) return false;
  let sum = 0;
  for (let i = 0; i < 17; i += 1) sum += Number(id[i]) * ID_WEIGHTS[i];
  return ID_CHECK[sum % 11] === id[17];
}

/** null if `text` is a temperature the API takes (34.0 to 43.0, one decimal), else an i18n key. */
export function temperatureError(text) {
  if (!text) return 'declare.err.temperature_required';
  if (!TEMPERATURE_RE.test(text)) return 'declare.err.temperature_format';
  const value = Number(text);
  if (value < 34 || value > 43) return 'declare.err.temperature_range';
  return null;
}

/** Today's date in Beijing, 'YYYY-MM-DD' (the server's day). */
export function todayInBeijing(now = new Date()) {
  const parts = {};
  const format = new Intl.DateTimeFormat('en-GB', { timeZone: 'Asia/Shanghai', year: 'numeric', month: '2-digit', day: '2-digit' });
  for (const part of format.formatToParts(now)) parts[part.type] = part.value;
  return `${parts.year}-${parts.month}-${parts.day}`;
}

// ---- form helpers shared with the paper-card screen ---------------------------------------

/** The message under a field (id `${prefix}-${field with - for _}-error`), or nothing. */
export function fieldError(errors, field, prefix) {
  return errors[field]
    ? html`<p class="app-field-error" id=${`${prefix}-${field.replace(/_/g, '-')}-error`} role="alert">${errors[field]}</p>`
    : nothing;
}

/**
 * Put the server's problem+json field errors into `errors` ('declaration.temperature' and
 * 'symptoms.0' count for 'temperature' and 'symptoms'). Returns true if any field got one;
 * the caller shows `err.detail` otherwise.
 */
export function applyServerErrors(err, errors, fields) {
  let shown = false;
  for (const e of err.errors || []) {
    const field = String(e.field || '').replace(/^declaration\./, '').split('.')[0];
    if (fields.includes(field)) {
      errors[field] = e.message;
      shown = true;
    }
  }
  const byCode = { id_number_mismatch: 'id_number', identity_required: 'id_number', consent_required: 'consent' };
  if (!shown && byCode[err.code] && fields.includes(byCode[err.code])) {
    errors[byCode[err.code]] = err.detail;
    shown = true;
  }
  return shown;
}

const regionLists = new Map(); // parent code ('' = roots) -> Promise of regions

/** The child regions of `parent` (roots for null), asked once per page load. */
export function childRegions(parent) {
  const key = parent || '';
  if (!regionLists.has(key)) {
    const query = parent ? `?parent=${encodeURIComponent(parent)}` : '';
    const request = api.get(`/regions${query}`).then((body) => body.items);
    request.catch(() => regionLists.delete(key)); // try again next time
    regionLists.set(key, request);
  }
  return regionLists.get(key);
}

function levelLabel(level) {
  const key = `declare.level.${level}`;
  const text = t(key);
  return text === key ? t('declare.level.region') : text;
}

/**
 * Cascading region selects: the children of `root` (roots if null), then the children of the
 * chosen one, and so on (down to `leaf` level if given). `value()` is the deepest choice.
 * Select ids: `${id}-0`, `${id}-1`, …
 */
export function createRegionPicker(ctx, { id, root = null, leaf = null, onChange = () => {} }) {
  let levels = []; // [{ items: [...], value: '' }]
  let failed = false;
  let token = 0;

  async function openLevel(index, parent, mine) {
    try {
      const items = await childRegions(parent);
      if (mine !== token) return;
      levels = levels.slice(0, index);
      if (items.length) levels.push({ items, value: '' });
      failed = false;
    } catch {
      if (mine === token) failed = true;
    }
    ctx.update();
  }

  function choose(index, code) {
    token += 1;
    levels = levels.slice(0, index + 1);
    levels[index].value = code;
    const region = levels[index].items.find((r) => r.code === code);
    onChange();
    ctx.update();
    if (region && region.level !== leaf) openLevel(index + 1, code, token);
  }

  function start() {
    token += 1;
    levels = [];
    openLevel(0, root, token);
  }

  /** Open the pickers at `code` (e.g. the village the worker declared last time). */
  async function preset(code) {
    token += 1;
    const mine = token;
    try {
      const chain = [];
      let current = code;
      while (current && current !== root && chain.length < 8) {
        const region = await api.get(`/regions/${encodeURIComponent(current)}`);
        chain.unshift(region.code);
        current = region.parent_code;
      }
      if ((current || null) !== root) throw new Error('not under the root');
      const lists = await Promise.all([root, ...chain.slice(0, -1)].map((parent) => childRegions(parent)));
      if (mine !== token) return;
      levels = lists.map((items, i) => ({ items, value: chain[i] }));
      const last = levels[levels.length - 1].items.find((r) => r.code === code);
      onChange();
      ctx.update();
      if (last && last.level !== leaf) openLevel(levels.length, code, mine);
    } catch {
      if (mine === token) start();
    }
  }

  function selected() {
    for (let i = levels.length - 1; i >= 0; i -= 1) {
      if (levels[i].value) return levels[i].items.find((r) => r.code === levels[i].value) || null;
    }
    return null;
  }

  return {
    start,
    preset,
    /** The chosen region ({code, level, ...}) or null. */
    selected,
    /** The chosen code, or null (with `leaf`, only a region of that level counts). */
    value() {
      const region = selected();
      if (!region || (leaf && region.level !== leaf)) return null;
      return region.code;
    },
    render({ invalid = false } = {}) {
      if (failed) {
        return html`<div class="weui-cell"><div class="weui-cell__bd decl-muted">${t('declare.regions_failed')}</div>
          <div class="weui-cell__ft"><button type="button" class="weui-btn_reset weui-link" @click=${start}>${t('card.retry')}</button></div></div>`;
      }
      if (!levels.length) return html`<div class="weui-cell"><div class="weui-cell__bd decl-muted">${t('common.loading')}…</div></div>`;
      return levels.map(
        (lv, i) => html`<div class="weui-cell weui-cell_active weui-cell_select weui-cell_select-after ${invalid ? 'weui-cell_warn' : ''}">
          <div class="weui-cell__hd"><label class="weui-label" for=${`${id}-${i}`}>${levelLabel(lv.items[0].level)}</label></div>
          <div class="weui-cell__bd">
            <select class="weui-select" id=${`${id}-${i}`} @change=${(e) => choose(i, e.target.value)}>
              <option value="" ?selected=${!lv.value}>${t('declare.choose')}</option>
              ${lv.items.map((r) => html`<option value=${r.code} ?selected=${r.code === lv.value}>${regionName(r)}</option>`)}
            </select>
          </div>
        </div>`,
      );
    },
  };
}

/**
 * The health part of a declaration (shared by the worker's form and the paper card):
 * household region, current village, temperature, symptoms, Hubei exposure, case contact.
 * `errors` is the caller's field -> message object; ids start with `prefix`.
 */
export function createHealthFields(ctx, { prefix, errors, villageRoot = CITY_CODE, villagePreset = null }) {
  const form = { temperature: '', symptoms: [], hubei: null, hubeiDate: '', contact: null };
  const household = createRegionPicker(ctx, { id: `${prefix}-household`, onChange: () => clear('household_region_code') });
  const village = createRegionPicker(ctx, {
    id: `${prefix}-village`,
    root: villageRoot,
    leaf: 'village',
    onChange: () => clear('current_village_code'),
  });
  household.start();
  if (villagePreset) village.preset(villagePreset);
  else village.start();

  function clear(field) {
    delete errors[field];
  }

  function toggleSymptom(code, checked) {
    if (code === 'none') form.symptoms = checked ? ['none'] : [];
    else {
      const others = form.symptoms.filter((s) => s !== 'none' && s !== code);
      form.symptoms = checked ? [...others, code] : others;
    }
    clear('symptoms');
    ctx.update();
  }

  function setTemperature(event) {
    form.temperature = event.target.value.trim().replace('。', '.').replace('，', '.');
    clear('temperature');
    ctx.update();
  }

  function feverHint() {
    if (temperatureError(form.temperature) || Number(form.temperature) < FEVER_THRESHOLD) return nothing;
    return html`<p class="decl-warn" id=${`${prefix}-fever-hint`} role="status">${t('declare.fever_hint')}</p>`;
  }

  function radio(name, value, current, label, onPick) {
    const id = `${prefix}-${name}-${value ? 'yes' : 'no'}`;
    return html`<label class="weui-cell weui-cell_active weui-check__label" for=${id}>
      <div class="weui-cell__bd"><p>${label}</p></div>
      <div class="weui-cell__ft">
        <input type="radio" class="weui-check" name=${`${prefix}-${name}`} id=${id} .checked=${current === value}
          @change=${() => onPick(value)}>
        <span class="weui-icon-checked"></span>
      </div>
    </label>`;
  }

  const today = () => todayInBeijing();

  return {
    household,
    village,
    validate() {
      if (!village.value()) errors.current_village_code = t('declare.err.village');
      const tempError = temperatureError(form.temperature);
      if (tempError) errors.temperature = t(tempError);
      if (!form.symptoms.length) errors.symptoms = t('declare.err.symptoms');
      if (form.hubei === null) errors.hubei_exposure_date = t('declare.err.hubei');
      else if (form.hubei && !form.hubeiDate) errors.hubei_exposure_date = t('declare.err.hubei_date');
      else if (form.hubei && form.hubeiDate > today()) errors.hubei_exposure_date = t('declare.err.hubei_future');
      if (form.contact === null) errors.case_contact = t('declare.err.contact');
    },
    body() {
      return {
        household_region_code: household.selected() ? household.selected().code : null,
        current_village_code: village.value(),
        temperature: String(Number(form.temperature).toFixed(1)),
        symptoms: form.symptoms.slice(),
        hubei_exposure_date: form.hubei ? form.hubeiDate : null,
        case_contact: Boolean(form.contact),
      };
    },
    fields: ['household_region_code', 'current_village_code', 'temperature', 'symptoms', 'hubei_exposure_date', 'case_contact'],
    render() {
      return html`
        <div class="weui-cells__title">${t('declare.section_where')}</div>
        <div class="weui-cells weui-cells_form" data-testid=${`${prefix}-village`}>
          ${village.render({ invalid: Boolean(errors.current_village_code) })}
        </div>
        ${fieldError(errors, 'current_village_code', prefix)}
        <div class="weui-cells__tips">${t('declare.village_tip')}</div>

        <div class="weui-cells__title">${t('declare.household')}</div>
        <div class="weui-cells weui-cells_form" data-testid=${`${prefix}-household`}>
          ${household.render({ invalid: Boolean(errors.household_region_code) })}
        </div>
        ${fieldError(errors, 'household_region_code', prefix)}

        <div class="weui-cells__title">${t('declare.section_health')}</div>
        <div class="weui-cells weui-cells_form">
          <div class="weui-cell weui-cell_active ${errors.temperature ? 'weui-cell_warn' : ''}">
            <div class="weui-cell__hd"><label class="weui-label" for=${`${prefix}-temperature`}>${t('declare.temperature')}</label></div>
            <div class="weui-cell__bd">
              <input id=${`${prefix}-temperature`} class="weui-input" type="text" inputmode="decimal" maxlength="4"
                autocomplete="off" placeholder=${t('declare.temperature_placeholder')} .value=${form.temperature}
                @input=${setTemperature} aria-invalid=${errors.temperature ? 'true' : 'false'}>
            </div>
            <div class="weui-cell__ft decl-value">℃</div>
          </div>
        </div>
        ${fieldError(errors, 'temperature', prefix)} ${feverHint()}

        <div class="weui-cells__title" id=${`${prefix}-symptoms-title`}>${t('declare.symptoms')}</div>
        <div class="weui-cells weui-cells_checkbox" role="group" aria-labelledby=${`${prefix}-symptoms-title`}>
          ${SYMPTOMS.map((code) => {
            const id = `${prefix}-symptom-${code}`;
            return html`<label class="weui-cell weui-cell_active weui-check__label" for=${id}>
              <div class="weui-cell__hd">
                <input type="checkbox" class="weui-check" id=${id} value=${code} .checked=${form.symptoms.includes(code)}
                  @change=${(e) => toggleSymptom(code, e.target.checked)}>
                <i class="weui-icon-checked"></i>
              </div>
              <div class="weui-cell__bd"><p>${t(`declare.symptom.${code}`)}</p></div>
            </label>`;
          })}
        </div>
        ${fieldError(errors, 'symptoms', prefix)}

        <div class="weui-cells__title">${t('declare.hubei')}</div>
        <div class="weui-cells weui-cells_radio">
          ${radio('hubei', false, form.hubei, t('declare.hubei_no'), (v) => { form.hubei = v; clear('hubei_exposure_date'); ctx.update(); })}
          ${radio('hubei', true, form.hubei, t('declare.hubei_yes'), (v) => { form.hubei = v; clear('hubei_exposure_date'); ctx.update(); })}
        </div>
        ${form.hubei
          ? html`<div class="weui-cells weui-cells_form">
              <div class="weui-cell weui-cell_active ${errors.hubei_exposure_date ? 'weui-cell_warn' : ''}">
                <div class="weui-cell__hd"><label class="weui-label" for=${`${prefix}-hubei-date`}>${t('declare.hubei_date')}</label></div>
                <div class="weui-cell__bd">
                  <input id=${`${prefix}-hubei-date`} class="weui-input" type="date" max=${today()} .value=${form.hubeiDate}
                    @input=${(e) => { form.hubeiDate = e.target.value; clear('hubei_exposure_date'); ctx.update(); }}>
                </div>
              </div>
            </div>
            <div class="weui-cells__tips">${t('declare.hubei_tip')}</div>`
          : nothing}
        ${fieldError(errors, 'hubei_exposure_date', prefix)}

        <div class="weui-cells__title">${t('declare.contact')}</div>
        <div class="weui-cells weui-cells_radio">
          ${radio('contact', false, form.contact, t('declare.contact_no'), (v) => { form.contact = v; clear('case_contact'); ctx.update(); })}
          ${radio('contact', true, form.contact, t('declare.contact_yes'), (v) => { form.contact = v; clear('case_contact'); ctx.update(); })}
        </div>
        ${fieldError(errors, 'case_contact', prefix)}`;
    },
  };
}

/** Name, ID type and ID number inputs (shared with the paper card). */
export function identityFields({ prefix, errors, form, onInput, idTypes = true }) {
  const input = (field) => (event) => {
    form[field] = event.target.value;
    delete errors[field];
    onInput();
  };
  return html`
    <div class="weui-cell weui-cell_active ${errors.name ? 'weui-cell_warn' : ''}">
      <div class="weui-cell__hd"><label class="weui-label" for=${`${prefix}-name`}>${t('declare.name')}</label></div>
      <div class="weui-cell__bd">
        <input id=${`${prefix}-name`} class="weui-input" type="text" maxlength="30" autocomplete="name"
          placeholder=${t('declare.name_placeholder')} .value=${form.name} @input=${input('name')}>
      </div>
    </div>
    ${fieldError(errors, 'name', prefix)}
    ${idTypes
      ? html`<div class="weui-cell weui-cell_active weui-cell_select weui-cell_select-after">
          <div class="weui-cell__hd"><label class="weui-label" for=${`${prefix}-id-type`}>${t('declare.id_type')}</label></div>
          <div class="weui-cell__bd">
            <select id=${`${prefix}-id-type`} class="weui-select" @change=${input('id_type')}>
              ${ID_TYPES.map((type) => html`<option value=${type} ?selected=${form.id_type === type}>${t(`declare.id_type.${type}`)}</option>`)}
            </select>
          </div>
        </div>`
      : nothing}
    <div class="weui-cell weui-cell_active ${errors.id_number ? 'weui-cell_warn' : ''}">
      <div class="weui-cell__hd"><label class="weui-label" for=${`${prefix}-id-number`}>${t('declare.id_number')}</label></div>
      <div class="weui-cell__bd">
        <input id=${`${prefix}-id-number`} class="weui-input" type="text" maxlength="18" autocomplete="off"
          autocapitalize="characters" spellcheck="false" placeholder=${t('declare.id_number_placeholder')}
          .value=${form.id_number} @input=${input('id_number')}>
      </div>
    </div>
    ${fieldError(errors, 'id_number', prefix)}`;
}

/** Check name and ID number into `errors` (resident IDs by their GB 11643 checksum). */
export function validateIdentity(form, errors) {
  const name = form.name.trim();
  if (!name || name.length > 30) errors.name = t('declare.err.name');
  const id = form.id_number.trim().toUpperCase();
  if ((form.id_type || 'resident_id') === 'resident_id') {
    if (!isValidResidentId(id)) errors.id_number = t('declare.err.id_number');
  } else if (!id) {
    errors.id_number = t('declare.err.id_required');
  }
}

// ---- the worker's declaration screen -----------------------------------------------------

export default function createDeclareView(ctx) {
  const errors = {};
  const identity = { name: '', id_type: 'resident_id', id_number: '' };
  const me = store.get().me;
  const needsIdentity = () => !(store.get().me && store.get().me.id_masked);
  const region = me && me.region;
  const health = createHealthFields(ctx, {
    prefix: 'decl',
    errors,
    villagePreset: region && region.level === 'village' ? region.code : null,
  });
  let submitting = false;
  let stylesReady = false;
  loadCardStyles().then(() => {
    stylesReady = true;
    ctx.update();
  });

  function validate() {
    for (const key of Object.keys(errors)) delete errors[key];
    if (needsIdentity()) validateIdentity(identity, errors);
    health.validate();
    return Object.keys(errors).length === 0;
  }

  async function submit(event) {
    event.preventDefault();
    if (submitting) return;
    if (!validate()) {
      ctx.update();
      const first = document.querySelector('.app-field-error');
      if (first) first.scrollIntoView({ block: 'center' });
      return;
    }
    const body = health.body();
    if (needsIdentity()) {
      body.name = identity.name.trim();
      body.id_type = identity.id_type;
      body.id_number = identity.id_number.trim().toUpperCase();
    }
    submitting = true;
    ctx.update();
    const done = loading(t('declare.submitting'));
    try {
      const result = await api.post('/declarations', body);
      const user = store.get().me;
      if (user) saveCard(user.id, result.card);
      done();
      toast(t('declare.done'), { icon: 'success', duration: 1200 });
      refreshMe(); // the name, masked ID and village are known now
      navigate('/card');
    } catch (err) {
      done();
      const fields = ['name', 'id_type', 'id_number', ...health.fields];
      if (!applyServerErrors(err, errors, fields)) topTips(err.detail);
      ctx.update();
    } finally {
      submitting = false;
      ctx.update();
    }
  }

  return {
    render() {
      if (!stylesReady) return html`<div class="app-page"></div>`;
      const user = store.get().me;
      return html`<form class="app-page decl-page" novalidate @submit=${submit} data-testid="declare-form">
        <div class="decl-intro">
          <h1 class="decl-intro__title">${t('declare.heading')}</h1>
          <p class="decl-intro__desc">${t('declare.intro')}</p>
        </div>
        <div class="weui-cells__title">${t('declare.section_identity')}</div>
        <div class="weui-cells weui-cells_form">
          ${needsIdentity()
            ? identityFields({ prefix: 'decl', errors, form: identity, onInput: ctx.update })
            : html`<div class="weui-cell">
                <div class="weui-cell__bd">${t('declare.id_number')}</div>
                <div class="weui-cell__ft decl-value" data-testid="decl-id-masked">${user.id_masked}</div>
              </div>`}
        </div>
        ${needsIdentity() ? html`<div class="weui-cells__tips">${t('declare.identity_tip')}</div>` : nothing}
        ${health.render()}
        <div class="weui-btn-area">
          <button type="submit" id="decl-submit" class="weui-btn weui-btn_primary" ?disabled=${submitting}>
            ${submitting ? t('declare.submitting') : t('declare.submit')}
          </button>
        </div>
        <p class="weui-cells__tips decl-privacy">${t('declare.privacy')}</p>
        <p class="decl-history-link"><a class="weui-link" href="#/declarations">${t('card.link_history')}</a></p>
      </form>`;
    },
  };
}

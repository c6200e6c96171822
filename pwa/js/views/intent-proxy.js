/**
 * 代办意向登记 (village and township staff): fill in the intent form for a worker without a
 * smartphone. Find them by ID number (the card in hand) or phone (GET /intents/workers); someone
 * not registered yet is registered with name + ID number (+ phone) and their village. The
 * worker's consent is required. POST /api/v1/intents/proxy.
 */
import { html, nothing } from '../html.js';
import { api } from '../api.js';
import { t } from '../i18n.js';
import * as store from '../store.js';
import { loading, toast, topTips } from '../ui.js';
import { CITY_CODE, createRegionPicker, isValidResidentId } from './declare.js';
import {
  FORM_FIELDS, applyServerErrors, createIntentForm, ensureStylesheet, fieldError, named, statusBadges,
} from './intent-shared.js';

const PHONE_RE = /^1[3-9]\d{9}$/;

function villageRoot(region) {
  if (region && ['county', 'zone', 'township'].indexOf(region.level) >= 0) return region.code;
  return CITY_CODE;
}

export default function createIntentProxyView(ctx) {
  ensureStylesheet();
  const me = store.get().me;
  const form = createIntentForm(ctx, { worker: false });
  const errors = form.errors;
  const person = { query: '', name: '', id_number: '', phone: '', consent: false };
  const picker = createRegionPicker(ctx, { id: 'proxy-village', root: villageRoot(me && me.region), leaf: 'village' });
  let found = null; // WorkerLookupOut
  let searched = false;
  let saving = false;
  let saved = null;
  picker.start();

  function input(field) {
    return (event) => {
      person[field] = event.target.value.trim();
      delete errors[field];
      ctx.update();
    };
  }

  async function search(event) {
    event.preventDefault();
    const q = person.query.toUpperCase();
    const byId = q.length === 18;
    if (byId ? !isValidResidentId(q) : !PHONE_RE.test(q)) {
      errors.query = t('intent.proxy.query_invalid');
      ctx.update();
      return;
    }
    found = null;
    saved = null;
    try {
      found = await api.get(`/intents/workers?${byId ? 'id_number' : 'phone'}=${encodeURIComponent(q)}`);
      form.setInitial(found.intent);
      if (found.village) picker.preset(found.village.code);
    } catch (err) {
      if (err.status !== 404) topTips(err.detail);
      person.id_number = byId ? q : '';
      person.phone = byId ? '' : q;
      form.setInitial(null);
    }
    searched = true;
    ctx.update();
  }

  async function save(event) {
    event.preventDefault();
    if (saving) return;
    let ok = form.validate();
    if (!found) {
      if (!person.name) errors.name = t('intent.proxy.name_required');
      if (!isValidResidentId(person.id_number)) errors.id_number = t('intent.proxy.id_invalid');
      if (person.phone && !PHONE_RE.test(person.phone)) errors.phone = t('intent.proxy.phone_invalid');
    }
    if (!picker.value() && !(found && found.village && found.village.level === 'village')) {
      errors.origin_village_code = t('intent.proxy.village_required');
    }
    if (!person.consent) errors.consent = t('intent.proxy.consent_required');
    ok = ok && Object.keys(errors).length === 0;
    ctx.update();
    if (!ok) return;
    const body = { consent: true, origin_village_code: picker.value(), intent: form.body() };
    if (found) body.user_id = found.user_id;
    else {
      body.name = person.name;
      body.id_number = person.id_number;
      if (person.phone) body.phone = person.phone;
    }
    saving = true;
    const done = loading();
    try {
      saved = await api.post('/intents/proxy', body);
      toast(t('intent.saved'), { icon: 'success' });
    } catch (err) {
      const fields = FORM_FIELDS.concat(['name', 'id_number', 'phone', 'consent', 'origin_village_code']);
      if (!applyServerErrors(err, errors, fields)) topTips(err.detail);
    } finally {
      saving = false;
      done();
      ctx.update();
    }
  }

  function again() {
    found = null;
    saved = null;
    searched = false;
    person.query = '';
    person.name = '';
    person.id_number = '';
    person.phone = '';
    person.consent = false;
    ctx.update();
  }

  function who() {
    if (found) {
      return html`<div class="weui-cells" data-testid="proxy-found">
        <div class="weui-cell">
          <div class="weui-cell__bd">${found.name_masked} · ${found.id_masked || ''}</div>
          <div class="weui-cell__ft">${named(found.village)}</div>
        </div>
        ${found.intent ? html`<div class="weui-cell"><div class="weui-cell__bd">${named(found.intent.destination)} ${statusBadges(found.intent)}</div></div>` : nothing}
      </div>`;
    }
    return html`<div class="weui-cells__title">${t('intent.proxy.new_person')}</div>
      <div class="weui-cells weui-cells_form">
        <div class="weui-cell weui-cell_active">
          <div class="weui-cell__hd"><label class="weui-label" for="proxy-name">${t('intent.proxy.name')}</label></div>
          <div class="weui-cell__bd"><input class="weui-input" id="proxy-name" maxlength="30" .value=${person.name} @input=${input('name')}></div>
        </div>
        <div class="weui-cell weui-cell_active">
          <div class="weui-cell__hd"><label class="weui-label" for="proxy-id">${t('intent.proxy.id_number')}</label></div>
          <div class="weui-cell__bd"><input class="weui-input" id="proxy-id" maxlength="18" .value=${person.id_number} @input=${input('id_number')}></div>
        </div>
        <div class="weui-cell weui-cell_active">
          <div class="weui-cell__hd"><label class="weui-label" for="proxy-phone">${t('intent.proxy.phone')}</label></div>
          <div class="weui-cell__bd"><input class="weui-input" id="proxy-phone" type="tel" maxlength="11" .value=${person.phone} @input=${input('phone')}></div>
        </div>
      </div>
      ${fieldError(errors, 'name')}${fieldError(errors, 'id_number')}${fieldError(errors, 'phone')}`;
  }

  return {
    render() {
      if (saved) {
        return html`<div class="app-page weui-msg" data-testid="proxy-saved">
          <div class="weui-msg__icon-area"><i class="weui-icon-success weui-icon_msg"></i></div>
          <div class="weui-msg__text-area">
            <h2 class="weui-msg__title">${t('intent.proxy.done')}</h2>
            <p class="weui-msg__desc">${saved.name_masked} · ${saved.id_masked || ''} · ${named(saved.intent.destination)}</p>
          </div>
          <div class="weui-msg__opr-area">
            <button type="button" class="weui-btn weui-btn_primary" @click=${again}>${t('intent.proxy.next')}</button>
            <a class="weui-btn weui-btn_default" href="#/ledger">${t('ledger.title')}</a>
          </div>
        </div>`;
      }
      return html`<div class="app-page ledger-page">
        <form novalidate @submit=${search}>
          <div class="weui-cells__title">${t('intent.proxy.find')}</div>
          <div class="weui-cells weui-cells_form">
            <div class="weui-cell weui-cell_active">
              <div class="weui-cell__bd"><input class="weui-input" id="proxy-query" maxlength="18"
                placeholder=${t('intent.proxy.query_placeholder')} .value=${person.query} @input=${input('query')}></div>
              <div class="weui-cell__ft"><button type="submit" class="weui-btn weui-btn_mini weui-btn_primary" id="proxy-search">${t('intent.proxy.search')}</button></div>
            </div>
          </div>
          ${fieldError(errors, 'query')}
        </form>
        ${searched
          ? html`<form novalidate @submit=${save} data-testid="proxy-form">
              ${who()}
              <div class="weui-cells__title">${t('intent.proxy.village')}</div>
              <div class="weui-cells weui-cells_form">${picker.render({ invalid: Boolean(errors.origin_village_code) })}</div>
              ${fieldError(errors, 'origin_village_code')}
              ${form.render()}
              <div class="weui-cells weui-cells_checkbox">
                <label class="weui-cell weui-cell_active weui-check__label" for="proxy-consent">
                  <div class="weui-cell__hd">
                    <input type="checkbox" class="weui-check" id="proxy-consent" .checked=${person.consent}
                      @change=${(e) => { person.consent = e.target.checked; delete errors.consent; ctx.update(); }}>
                    <i class="weui-icon-checked"></i>
                  </div>
                  <div class="weui-cell__bd"><p>${t('intent.proxy.consent')}</p></div>
                </label>
              </div>
              ${fieldError(errors, 'consent')}
              <div class="weui-btn-area">
                <button type="submit" class="weui-btn weui-btn_primary" id="proxy-submit" ?disabled=${saving}>${t('intent.submit')}</button>
              </div>
            </form>`
          : html`<p class="weui-cells__tips">${t('intent.proxy.hint')}</p>`}
      </div>`;
    },
  };
}

/**
 * Register an employer: name, unified social credit code (checked here with the same GB 32100
 * rule as the server), region in Changde, address, contact, industry. The person registering
 * becomes its first staff member; officials of its region verify it.
 */
import { html, nothing } from '../html.js';
import { api } from '../api.js';
import { t, regionName } from '../i18n.js';
import { navigate } from '../router.js';
import { refreshMe } from '../session.js';
import { loading, toast } from '../ui.js';
import { ensureStylesheet, showError } from './jobs-shared.js';

const ALPHABET = '0123456789ABCDEFGHJKLMNPQRTUWXY';
const CODE_RE = /^[0-9A-HJ-NPQRTUWXY]{2}\d{6}[0-9A-HJ-NPQRTUWXY]{10}$/;
const PHONE_RE = /^1[3-9]\d{9}$/;
const FIELDS = ['name', 'credit_code', 'region_code', 'address', 'contact_name', 'contact_phone', 'industry'];

/** GB 32100: weights 3^i mod 31 over the first 17 characters; the 18th is the check. */
export function isCreditCode(value) {
  const code = value.trim().toUpperCase();
  if (!CODE_RE.test(code)) return false;
  let total = 0;
  let weight = 1;
  for (let i = 0; i < 17; i += 1) {
    total += ALPHABET.indexOf(code[i]) * weight;
    weight = (weight * 3) % 31;
  }
  return ALPHABET[(31 - (total % 31)) % 31] === code[17];
}

export default function createRegisterView(ctx) {
  ensureStylesheet();
  const form = Object.fromEntries(FIELDS.map((f) => [f, '']));
  const errors = {};
  let regions = [];
  let saving = false;

  api.get('/regions?parent=430700').then((body) => { regions = body.items; ctx.update(); }).catch(showError);

  function validate() {
    for (const key of Object.keys(errors)) delete errors[key];
    if (form.name.trim().length < 2) errors.name = t('recruit.error.name');
    if (!isCreditCode(form.credit_code)) errors.credit_code = t('recruit.error.credit_code');
    if (!form.region_code) errors.region_code = t('recruit.error.region');
    if (form.address.trim().length < 2) errors.address = t('recruit.error.address');
    if (!form.contact_name.trim()) errors.contact_name = t('recruit.error.contact_name');
    if (!PHONE_RE.test(form.contact_phone.trim())) errors.contact_phone = t('login.phone_invalid');
    if (!form.industry.trim()) errors.industry = t('recruit.error.industry');
    return !Object.keys(errors).length;
  }

  async function submit(event) {
    event.preventDefault();
    if (saving || !validate()) {
      ctx.update();
      return;
    }
    saving = true;
    const done = loading();
    try {
      const body = {};
      for (const f of FIELDS) body[f] = form[f].trim();
      body.credit_code = body.credit_code.toUpperCase();
      await api.post('/employers', body);
      await refreshMe(); // the new employer role
      done();
      toast(t('recruit.registered'), { icon: 'success' });
      navigate('/recruit');
    } catch (err) {
      done();
      showError(err, errors, FIELDS);
    } finally {
      saving = false;
      ctx.update();
    }
  }

  function field(name, label, control) {
    return html`<div class="weui-cell weui-cell_active ${errors[name] ? 'weui-cell_warn' : ''}">
        <div class="weui-cell__hd"><label class="weui-label" for=${`reg-${name}`}>${label}</label></div>
        <div class="weui-cell__bd app-form-row">${control}</div>
      </div>
      ${errors[name] ? html`<p class="app-field-error" role="alert" data-testid=${`error-${name}`}>${errors[name]}</p>` : nothing}`;
  }

  const input = (name, attrs = {}) => html`<input id=${`reg-${name}`} class="weui-input" data-testid=${`reg-${name}`}
    type=${attrs.type || 'text'} maxlength=${attrs.max || 100} placeholder=${attrs.placeholder || ''}
    .value=${form[name]} @input=${(e) => { form[name] = e.target.value; delete errors[name]; }}>`;

  return {
    render() {
      return html`<form class="weui-form app-page" novalidate @submit=${submit}>
        <div class="weui-form__text-area">
          <h2 class="weui-form__title">${t('recruit.register_title')}</h2>
          <p class="weui-form__desc">${t('recruit.register_desc')}</p>
        </div>
        <div class="weui-cells weui-cells_form">
          ${field('name', t('recruit.f.name'), input('name', { placeholder: t('recruit.f.name_placeholder') }))}
          ${field('credit_code', t('recruit.f.credit_code'), input('credit_code', { max: 18, placeholder: t('recruit.f.credit_code_placeholder') }))}
          ${field('region_code', t('recruit.f.region'), html`<select id="reg-region_code" data-testid="reg-region_code"
            @change=${(e) => { form.region_code = e.target.value; delete errors.region_code; }}>
            <option value="">${t('recruit.f.choose')}</option>
            ${regions.map((r) => html`<option value=${r.code} ?selected=${r.code === form.region_code}>${regionName(r)}</option>`)}
          </select>`)}
          ${field('address', t('recruit.f.address'), input('address', { max: 200 }))}
          ${field('contact_name', t('recruit.f.contact_name'), input('contact_name', { max: 50 }))}
          ${field('contact_phone', t('recruit.f.contact_phone'), input('contact_phone', { type: 'tel', max: 11 }))}
          ${field('industry', t('recruit.f.industry'), input('industry', { max: 50, placeholder: t('recruit.f.industry_placeholder') }))}
        </div>
        <div class="weui-form__opr-area">
          <button type="submit" class="weui-btn weui-btn_primary" data-testid="reg-submit" ?disabled=${saving}>${t('recruit.register')}</button>
        </div>
        <div class="weui-form__tips-area"><p class="weui-form__tips">${t('recruit.register_privacy')}</p></div>
      </form>`;
    },
  };
}

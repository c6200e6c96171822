/**
 * Paper card (village and township staff): register a worker who has no smartphone, by proxy,
 * with the worker's consent recorded, then print the card (POST /api/v1/paper-cards, then the
 * PNG or PDF link it answers: A6, masked name and ID, QR, validity, issuing village).
 */
import { html } from '../html.js';
import { api } from '../api.js';
import { t } from '../i18n.js';
import { PHONE_RE } from './login.js';
import { navigate } from '../router.js';
import * as store from '../store.js';
import { loading, toast, topTips } from '../ui.js';
import { cardFace, loadCardStyles } from './card.js';
import {
  applyServerErrors,
  CITY_CODE,
  createHealthFields,
  fieldError,
  identityFields,
  validateIdentity,
} from './declare.js';

/** Where the village pickers start for this staff member: their own township or county. */
function villageStart(region) {
  if (!region) return { root: CITY_CODE, preset: null };
  if (region.level === 'village') return { root: CITY_CODE, preset: region.code };
  if (['county', 'zone', 'township'].includes(region.level)) return { root: region.code, preset: null };
  return { root: CITY_CODE, preset: null };
}

export default function createPaperCardView(ctx) {
  const errors = {};
  const person = { name: '', id_type: 'resident_id', id_number: '', phone: '', consent: false };
  const me = store.get().me;
  const start = villageStart(me && me.region);
  const health = createHealthFields(ctx, { prefix: 'paper', errors, villageRoot: start.root, villagePreset: start.preset });
  let result = null;
  let submitting = false;
  let stylesReady = false;
  loadCardStyles().then(() => {
    stylesReady = true;
    ctx.update();
  });

  function validate() {
    for (const key of Object.keys(errors)) delete errors[key];
    validateIdentity(person, errors);
    if (person.phone.trim() && !PHONE_RE.test(person.phone.trim())) errors.phone = t('paper.err.phone');
    health.validate();
    if (!person.consent) errors.consent = t('paper.err.consent');
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
    const body = {
      name: person.name.trim(),
      id_number: person.id_number.trim().toUpperCase(),
      consent: true,
      declaration: health.body(),
    };
    if (person.phone.trim()) body.phone = person.phone.trim();
    submitting = true;
    ctx.update();
    const done = loading(t('paper.submitting'));
    try {
      result = await api.post('/paper-cards', body);
      done();
      toast(t('paper.done'), { icon: 'success' });
      window.scrollTo(0, 0);
    } catch (err) {
      done();
      const fields = ['name', 'id_number', 'phone', 'consent', ...health.fields];
      if (!applyServerErrors(err, errors, fields)) topTips(err.detail);
    } finally {
      submitting = false;
      ctx.update();
    }
  }

  function resultScreen() {
    return html`<div class="app-page hc-page paper-result" data-testid="paper-result">
      <div class="decl-intro">
        <h1 class="decl-intro__title">${t('paper.done')}</h1>
        <p class="decl-intro__desc">${t('paper.print_desc')}</p>
      </div>
      ${cardFace(result.card)}
      <div class="weui-btn-area">
        <a class="weui-btn weui-btn_primary" href=${result.pdf_url} target="_blank" rel="noopener" data-testid="paper-pdf">${t('paper.print_pdf')}</a>
        <a class="weui-btn weui-btn_default" href=${result.png_url} target="_blank" rel="noopener" data-testid="paper-png">${t('paper.print_png')}</a>
        <button type="button" class="weui-btn weui-btn_default" data-testid="paper-next" @click=${() => navigate('/paper-card')}>
          ${t('paper.next')}</button>
      </div>
    </div>`;
  }

  return {
    render() {
      if (!stylesReady) return html`<div class="app-page"></div>`;
      if (result) return resultScreen();
      return html`<form class="app-page decl-page" novalidate @submit=${submit} data-testid="paper-form">
        <div class="decl-intro">
          <h1 class="decl-intro__title">${t('paper.heading')}</h1>
          <p class="decl-intro__desc">${t('paper.intro')}</p>
        </div>
        <div class="weui-cells__title">${t('paper.section_person')}</div>
        <div class="weui-cells weui-cells_form">
          ${identityFields({ prefix: 'paper', errors, form: person, onInput: ctx.update, idTypes: false })}
          <div class="weui-cell weui-cell_active ${errors.phone ? 'weui-cell_warn' : ''}">
            <div class="weui-cell__hd"><label class="weui-label" for="paper-phone">${t('paper.phone')}</label></div>
            <div class="weui-cell__bd">
              <input id="paper-phone" class="weui-input" type="tel" inputmode="numeric" maxlength="11"
                placeholder=${t('paper.phone_placeholder')} .value=${person.phone}
                @input=${(e) => { person.phone = e.target.value; delete errors.phone; ctx.update(); }}>
            </div>
          </div>
          ${fieldError(errors, 'phone', 'paper')}
        </div>
        ${health.render()}
        <div class="weui-cells__title">${t('paper.consent_title')}</div>
        <div class="weui-cells weui-cells_checkbox">
          <label class="weui-cell weui-cell_active weui-check__label" for="paper-consent">
            <div class="weui-cell__hd">
              <input type="checkbox" class="weui-check" id="paper-consent" .checked=${person.consent}
                @change=${(e) => { person.consent = e.target.checked; delete errors.consent; ctx.update(); }}>
              <i class="weui-icon-checked"></i>
            </div>
            <div class="weui-cell__bd"><p>${t('paper.consent')}</p></div>
          </label>
        </div>
        ${fieldError(errors, 'consent', 'paper')}
        <div class="weui-btn-area">
          <button type="submit" id="paper-submit" class="weui-btn weui-btn_primary" ?disabled=${submitting}>${t('paper.submit')}</button>
        </div>
        <p class="weui-cells__tips decl-privacy">${t('paper.privacy')}</p>
      </form>`;
    },
  };
}

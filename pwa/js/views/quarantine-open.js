/**
 * Open a quarantine case by hand (staff): the person's phone number, the responsible village
 * (within my region), the start date (exposure or arrival; observation ends 14 days later),
 * the place, and a reason (required, kept in the history). POST /quarantine/cases.
 */
import { html, nothing } from '../html.js';
import { api } from '../api.js';
import { t, regionName } from '../i18n.js';
import { navigate } from '../router.js';
import * as store from '../store.js';
import { toast } from '../ui.js';
import { createRegionPicker, todayInBeijing } from './declare.js';
import { loadCardStyles } from './quarantine-shared.js';

const PLACES = ['home', 'hotel', 'facility'];
const PHONE_RE = /^1[3-9]\d{9}$/;

function addDays(isoDate, days) {
  const d = new Date(`${isoDate}T00:00:00Z`);
  d.setUTCDate(d.getUTCDate() + days);
  return d.toISOString().slice(0, 10);
}

export default function createQuarantineOpenView(ctx) {
  const me = store.get().me;
  const home = me && me.region ? me.region : null;
  const form = { phone: '', start: todayInBeijing(), place: 'home', address: '', reason: '' };
  const errors = {};
  let sending = false;

  loadCardStyles().then(() => ctx.update());

  const atVillage = home && home.level === 'village';
  const picker = atVillage
    ? null
    : createRegionPicker(ctx, {
        id: 'qopen-village',
        root: home ? home.code : null,
        leaf: 'village',
        onChange: () => {
          delete errors.village_code;
        },
      });
  if (picker) picker.start();

  function village() {
    return atVillage ? home.code : picker.value();
  }

  function set(field, value) {
    form[field] = value;
    delete errors[field === 'start' ? 'start_date' : field];
    delete errors.form;
    ctx.update();
  }

  async function submit(event) {
    event.preventDefault();
    const phone = form.phone.replace(/\s/g, '');
    if (!PHONE_RE.test(phone)) errors.phone = t('quarantine.err.phone');
    if (!village()) errors.village_code = t('declare.err.village');
    if (!form.start || form.start > todayInBeijing()) errors.start_date = t('quarantine.err.start');
    if (form.reason.trim().length < 2) errors.reason = t('quarantine.err.reason');
    if (Object.keys(errors).length) {
      ctx.update();
      return;
    }
    sending = true;
    ctx.update();
    try {
      const created = await api.post('/quarantine/cases', {
        phone,
        village_code: village(),
        start_date: form.start,
        place: form.place,
        address: form.address.trim() || null,
        reason: form.reason.trim(),
      });
      toast(t('quarantine.opened'), { icon: 'success' });
      navigate(`/quarantine/cases/${created.id}`, { replace: true });
    } catch (err) {
      let shown = false;
      for (const e of err.errors || []) {
        if (['phone', 'village_code', 'start_date', 'reason', 'address'].includes(e.field)) {
          errors[e.field] = e.message;
          shown = true;
        }
      }
      if (!shown) errors.form = err.detail;
    } finally {
      sending = false;
      ctx.update();
    }
  }

  function error(field) {
    return errors[field] ? html`<p class="app-field-error" role="alert">${errors[field]}</p>` : nothing;
  }

  return {
    title() {
      return t('quarantine.open_title');
    },
    render() {
      return html`<form class="app-page decl-page" novalidate @submit=${submit} data-testid="quarantine-open">
        <div class="weui-cells__tips">${t('quarantine.open_intro')}</div>
        <div class="weui-cells weui-cells_form">
          <div class="weui-cell weui-cell_active ${errors.phone ? 'weui-cell_warn' : ''}">
            <div class="weui-cell__hd"><label class="weui-label" for="qopen-phone">${t('quarantine.phone')}</label></div>
            <div class="weui-cell__bd"><input id="qopen-phone" class="weui-input" type="tel" inputmode="numeric" maxlength="13"
              autocomplete="off" .value=${form.phone} @input=${(e) => set('phone', e.target.value)}></div>
          </div>
        </div>
        ${error('phone')}
        <div class="weui-cells__title">${t('quarantine.village')}</div>
        <div class="weui-cells weui-cells_form">
          ${atVillage
            ? html`<div class="weui-cell"><div class="weui-cell__bd">${regionName(home)}</div></div>`
            : picker.render({ invalid: Boolean(errors.village_code) })}
        </div>
        ${error('village_code')}
        <div class="weui-cells weui-cells_form">
          <div class="weui-cell weui-cell_active ${errors.start_date ? 'weui-cell_warn' : ''}">
            <div class="weui-cell__hd"><label class="weui-label" for="qopen-start">${t('quarantine.start')}</label></div>
            <div class="weui-cell__bd"><input id="qopen-start" class="weui-input" type="date" max=${todayInBeijing()}
              .value=${form.start} @input=${(e) => set('start', e.target.value)}></div>
          </div>
        </div>
        ${error('start_date')}
        ${form.start ? html`<div class="weui-cells__tips">${t('quarantine.open_end_hint', { date: addDays(form.start, 14) })}</div>` : nothing}
        <div class="weui-cells__title">${t('quarantine.place')}</div>
        <div class="weui-cells weui-cells_radio">
          ${PLACES.map(
            (p) => html`<label class="weui-cell weui-cell_active weui-check__label" for=${`qopen-place-${p}`}>
              <div class="weui-cell__bd"><p>${t(`quarantine.place.${p}`)}</p></div>
              <div class="weui-cell__ft"><input type="radio" class="weui-check" name="qopen-place" id=${`qopen-place-${p}`}
                .checked=${form.place === p} @change=${() => set('place', p)}><span class="weui-icon-checked"></span></div>
            </label>`,
          )}
        </div>
        <div class="weui-cells weui-cells_form">
          <div class="weui-cell weui-cell_active">
            <div class="weui-cell__hd"><label class="weui-label" for="qopen-address">${t('quarantine.address')}</label></div>
            <div class="weui-cell__bd"><input id="qopen-address" class="weui-input" maxlength="200" .value=${form.address}
              @input=${(e) => set('address', e.target.value)}></div>
          </div>
        </div>
        <div class="weui-cells__title">${t('quarantine.open_reason')}</div>
        <div class="weui-cells weui-cells_form">
          <div class="weui-cell"><div class="weui-cell__bd">
            <textarea class="weui-textarea" rows="3" maxlength="500" data-testid="qopen-reason"
              placeholder=${t('quarantine.open_reason_placeholder')} .value=${form.reason}
              @input=${(e) => set('reason', e.target.value)}></textarea>
          </div></div>
        </div>
        ${error('reason')} ${error('form')}
        <div class="weui-btn-area">
          <button type="submit" class="weui-btn weui-btn_primary" ?disabled=${sending} data-testid="qopen-submit">
            ${sending ? t('quarantine.sending') : t('quarantine.open_submit')}</button>
        </div>
      </form>`;
    },
  };
}

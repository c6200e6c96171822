/**
 * Officials: add a checkpoint (#/checkpoints/new) or manage one (#/checkpoints/<id>): name,
 * village, optional GPS point, opening hours, volunteers (by phone number), the A4 poster
 * with its place code, and a new place code when a poster was misused.
 */
import { html, nothing } from '../html.js';
import { api } from '../api.js';
import { t, regionName } from '../i18n.js';
import { navigate } from '../router.js';
import * as store from '../store.js';
import { confirmDialog, toast, topTips } from '../ui.js';
import { ensureStylesheet } from './checkpoints-shared.js';

const PHONE_RE = /^1[3-9]\d{9}$/;

export default function createCheckpointEditView(ctx) {
  ensureStylesheet();
  const isNew = !ctx.params.id;
  const id = isNew ? null : Number(ctx.params.id);
  const form = { name: '', village_code: '', latitude: '', longitude: '', opens_at: '', closes_at: '' };
  let checkpoint = null;
  let errors = {};
  let saving = false;
  let levels = []; // the village picker: [{options: [region], value: code}]
  let phone = '';

  function fill(body) {
    checkpoint = body;
    form.name = body.name;
    form.village_code = body.village.code;
    form.latitude = body.latitude || '';
    form.longitude = body.longitude || '';
    form.opens_at = body.opens_at ? body.opens_at.slice(0, 5) : '';
    form.closes_at = body.closes_at ? body.closes_at.slice(0, 5) : '';
  }

  async function openLevel(parentCode, index) {
    try {
      const body = await api.get(`/regions?parent=${encodeURIComponent(parentCode)}`);
      levels = levels.slice(0, index);
      if (body.items.length) levels.push({ options: body.items, value: '' });
    } catch (err) {
      topTips(err.detail);
    }
    ctx.update();
  }

  function chooseLevel(index, code) {
    const level = levels[index];
    level.value = code;
    levels = levels.slice(0, index + 1);
    const region = level.options.find((r) => r.code === code);
    form.village_code = region && region.level === 'village' ? code : '';
    if (region && region.level !== 'village') openLevel(code, index + 1);
    ctx.update();
  }

  async function load() {
    try {
      fill(await api.get(`/checkpoints/${id}`));
    } catch (err) {
      topTips(err.detail);
      navigate('/checkpoints', { replace: true });
    }
    ctx.update();
  }

  if (isNew) {
    const me = store.get().me;
    const scope = me && me.region ? me.region : null;
    if (scope && scope.level === 'village') form.village_code = scope.code;
    else openLevel(scope ? scope.code : '430700', 0);
  } else {
    load();
  }

  function input(field) {
    return (event) => {
      form[field] = event.target.value;
      delete errors[field];
      ctx.update();
    };
  }

  function body() {
    const out = { name: form.name.trim() };
    const optional = (v) => (String(v).trim() === '' ? null : String(v).trim());
    out.latitude = optional(form.latitude);
    out.longitude = optional(form.longitude);
    out.opens_at = optional(form.opens_at);
    out.closes_at = optional(form.closes_at);
    if (isNew) out.village_code = form.village_code;
    return out;
  }

  function showErrors(err) {
    errors = {};
    for (const e of err.errors) errors[e.field === 'body' ? 'form' : e.field] = e.message;
    if (!err.errors.length) topTips(err.detail);
    ctx.update();
  }

  async function save(event) {
    event.preventDefault();
    if (isNew && !form.village_code) {
      errors = { village_code: t('checkpoints.village_required') };
      ctx.update();
      return;
    }
    saving = true;
    ctx.update();
    try {
      const saved = isNew ? await api.post('/checkpoints', body()) : await api.patch(`/checkpoints/${id}`, body());
      toast(t('checkpoints.saved'), { icon: 'success', duration: 1000 });
      if (isNew) navigate(`/checkpoints/${saved.id}`, { replace: true });
      else fill(saved);
    } catch (err) {
      showErrors(err);
    }
    saving = false;
    ctx.update();
  }

  function locate() {
    if (!navigator.geolocation) return;
    navigator.geolocation.getCurrentPosition(
      (position) => {
        form.latitude = position.coords.latitude.toFixed(6);
        form.longitude = position.coords.longitude.toFixed(6);
        ctx.update();
      },
      () => topTips(t('checkpoints.locate_failed')),
      { enableHighAccuracy: true, timeout: 10000 },
    );
  }

  async function setActive(active) {
    if (!active) {
      const ok = await confirmDialog({ title: t('checkpoints.close_confirm'), danger: true });
      if (!ok) return;
    }
    try {
      fill(await api.patch(`/checkpoints/${id}`, { active }));
    } catch (err) {
      topTips(err.detail);
    }
    ctx.update();
  }

  async function addVolunteer(event) {
    event.preventDefault();
    if (!PHONE_RE.test(phone.trim())) {
      errors = { phone: t('login.phone_invalid') };
      ctx.update();
      return;
    }
    try {
      fill(await api.post(`/checkpoints/${id}/volunteers`, { phone: phone.trim() }));
      phone = '';
      errors = {};
    } catch (err) {
      showErrors(err);
    }
    ctx.update();
  }

  async function removeVolunteer(volunteer) {
    const ok = await confirmDialog({ title: t('checkpoints.unassign_confirm', { name: volunteer.name_masked }), danger: true });
    if (!ok) return;
    try {
      await api.delete(`/checkpoints/${id}/volunteers/${volunteer.id}`);
      await load();
    } catch (err) {
      topTips(err.detail);
    }
  }

  async function renewPlaceCode() {
    const ok = await confirmDialog({ title: t('checkpoints.renew_confirm'), body: t('checkpoints.renew_desc'), danger: true });
    if (!ok) return;
    try {
      fill(await api.post(`/checkpoints/${id}/place-code`));
      toast(t('checkpoints.renewed'), { icon: 'success' });
    } catch (err) {
      topTips(err.detail);
    }
    ctx.update();
  }

  function field(name, label, control) {
    return html`<div class="weui-cell weui-cell_active ${errors[name] ? 'weui-cell_warn' : ''}">
        <div class="weui-cell__hd"><label class="weui-label" for=${`cp-${name}`}>${label}</label></div>
        <div class="weui-cell__bd">${control}</div>
      </div>
      ${errors[name] ? html`<p class="app-field-error" role="alert">${errors[name]}</p>` : nothing}`;
  }

  function villagePicker() {
    if (!isNew) {
      return field('village_code', t('checkpoints.village'), html`<span>${checkpoint ? regionName(checkpoint.village) : ''}</span>`);
    }
    if (!levels.length && form.village_code) {
      const me = store.get().me;
      return field('village_code', t('checkpoints.village'), html`<span>${me && me.region ? regionName(me.region) : form.village_code}</span>`);
    }
    return html`${levels.map(
      (level, index) => html`<div class="weui-cell weui-cell_active weui-cell_select">
        <div class="weui-cell__bd">
          <select class="weui-select" id=${`cp-level-${index}`} aria-label=${t('checkpoints.village')}
            @change=${(e) => chooseLevel(index, e.target.value)}>
            <option value="" ?selected=${!level.value}>${t('checkpoints.choose_region')}</option>
            ${level.options.map((r) => html`<option value=${r.code} ?selected=${r.code === level.value}>${regionName(r)}</option>`)}
          </select>
        </div>
      </div>`,
    )}
    ${errors.village_code ? html`<p class="app-field-error" role="alert">${errors.village_code}</p>` : nothing}`;
  }

  function volunteers() {
    if (isNew || !checkpoint) return nothing;
    const active = checkpoint.volunteers.filter((a) => !a.ended_at);
    return html`<div class="weui-cells__title">${t('checkpoints.volunteers')}</div>
      <div class="weui-cells" data-testid="volunteers">
        ${active.length === 0 ? html`<div class="weui-cell"><div class="weui-cell__bd app-entry__desc">${t('checkpoints.no_volunteers')}</div></div>` : nothing}
        ${active.map(
          (a) => html`<div class="weui-cell">
            <div class="weui-cell__bd"><p>${a.volunteer.name_masked}</p><p class="app-entry__desc">${a.volunteer.phone_masked || ''}</p></div>
            <div class="weui-cell__ft"><button type="button" class="weui-btn weui-btn_mini weui-btn_default"
              @click=${() => removeVolunteer(a.volunteer)}>${t('checkpoints.unassign')}</button></div>
          </div>`,
        )}
      </div>
      <form class="weui-cells weui-cells_form" @submit=${addVolunteer}>
        ${field('phone', t('checkpoints.volunteer_phone'), html`<input id="cp-phone" class="weui-input" type="tel" inputmode="numeric"
          maxlength="11" placeholder=${t('login.phone_placeholder')} .value=${phone} @input=${(e) => { phone = e.target.value; }}>`)}
        <div class="weui-cell"><div class="weui-cell__bd">
          <button type="submit" id="cp-assign" class="weui-btn weui-btn_mini weui-btn_primary">${t('checkpoints.assign')}</button>
        </div></div>
      </form>`;
  }

  function poster() {
    if (isNew || !checkpoint) return nothing;
    return html`<div class="weui-cells__title">${t('checkpoints.poster')}</div>
      <div class="weui-cells">
        <a class="weui-cell weui-cell_access" href=${checkpoint.poster_url} target="_blank" rel="noopener" data-testid="poster-link">
          <div class="weui-cell__bd">${t('checkpoints.poster_download')}</div><div class="weui-cell__ft"></div>
        </a>
        <a class="weui-cell weui-cell_access" href=${`#/checkpoints/supervision?checkpoint=${checkpoint.id}`}>
          <div class="weui-cell__bd">${t('checkpoints.supervision')}</div><div class="weui-cell__ft"></div>
        </a>
      </div>
      <div class="weui-btn-area">
        <button type="button" class="weui-btn weui-btn_default" @click=${renewPlaceCode}>${t('checkpoints.renew')}</button>
        <button type="button" class="weui-btn weui-btn_default app-btn-danger" @click=${() => setActive(!checkpoint.active)}>
          ${checkpoint.active ? t('checkpoints.close') : t('checkpoints.reopen')}
        </button>
      </div>`;
  }

  return {
    title: () => (isNew ? t('checkpoints.new') : checkpoint ? checkpoint.name : t('checkpoints.title')),
    render() {
      if (!isNew && !checkpoint) return html`<div class="app-page"><p class="weui-cells__tips app-empty">${t('common.loading')}</p></div>`;
      return html`<div class="app-page app-checkpoint-edit">
        <form class="weui-cells weui-cells_form" @submit=${save} novalidate>
          ${field('name', t('checkpoints.name'), html`<input id="cp-name" class="weui-input" maxlength="60" required
            placeholder=${t('checkpoints.name_placeholder')} .value=${form.name} @input=${input('name')}>`)}
          ${villagePicker()}
          ${field('opens_at', t('checkpoints.opens_at'), html`<input id="cp-opens" class="weui-input" type="time" .value=${form.opens_at} @input=${input('opens_at')}>`)}
          ${field('closes_at', t('checkpoints.closes_at'), html`<input id="cp-closes" class="weui-input" type="time" .value=${form.closes_at} @input=${input('closes_at')}>`)}
          ${field('latitude', t('checkpoints.latitude'), html`<input id="cp-lat" class="weui-input" inputmode="decimal" .value=${form.latitude} @input=${input('latitude')}>`)}
          ${field('longitude', t('checkpoints.longitude'), html`<input id="cp-lon" class="weui-input" inputmode="decimal" .value=${form.longitude} @input=${input('longitude')}>`)}
          ${errors.form ? html`<p class="app-field-error" role="alert">${errors.form}</p>` : nothing}
          <div class="weui-cell">
            <div class="weui-cell__bd app-checkpoint-edit__buttons">
              <button type="button" class="weui-btn weui-btn_mini weui-btn_default" @click=${locate}>${t('checkpoints.locate')}</button>
              <button type="submit" id="cp-save" class="weui-btn weui-btn_mini weui-btn_primary" ?disabled=${saving}>${t('checkpoints.save')}</button>
            </div>
          </div>
        </form>
        ${volunteers()} ${poster()}
      </div>`;
    },
  };
}

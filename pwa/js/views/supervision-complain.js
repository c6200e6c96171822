/**
 * A worker reports being blocked at a gate (#/complain): two taps from the home screen. The
 * nearest checkpoint is chosen already (by position when the phone gives it, else the first of
 * the worker's county); what happened defaults to "not let in"; a photo is optional. "提交投诉"
 * files it, then the photo is uploaded (the server strips EXIF and location from it).
 */
import { html, nothing } from '../html.js';
import { api } from '../api.js';
import { t, regionName } from '../i18n.js';
import { navigate } from '../router.js';
import { toast, topTips } from '../ui.js';
import { MAX_PHOTO_BYTES, ensureStylesheet, uploadPhoto } from './supervision-shared.js';

const KINDS = ['refused_entry', 'refused_exit', 'extra_demands', 'other'];
const OTHER_PLACE = 'village';

export default function createComplainView(ctx) {
  ensureStylesheet();
  let places = null; // nearby checkpoints
  let place = ''; // checkpoint id, or OTHER_PLACE
  let kind = 'refused_entry';
  let description = '';
  let photo = null;
  let preview = null;
  let busy = false;
  let levels = []; // village picker when the gate is not on the list
  let villageCode = '';
  let destroyed = false;

  async function loadPlaces(coords) {
    const query = coords ? `?latitude=${coords.latitude.toFixed(6)}&longitude=${coords.longitude.toFixed(6)}` : '';
    try {
      const body = await api.get(`/supervision/checkpoints/nearby${query}`);
      if (coords && !body.items.length) return; // no gate with a position near: keep the county's
      places = body.items;
      // The nearest gate is the likely one: chosen already, so that "submit" is the second tap.
      if (coords || !place) place = places.length ? String(places[0].id) : OTHER_PLACE;
      if (place === OTHER_PLACE && !levels.length) openLevel('430700', 0);
    } catch (err) {
      topTips(err.detail);
      places = places || [];
    }
    if (!destroyed) ctx.update();
  }

  loadPlaces(null);
  if (navigator.geolocation) {
    navigator.geolocation.getCurrentPosition(
      (position) => loadPlaces(position.coords),
      () => {},
      { enableHighAccuracy: false, timeout: 5000, maximumAge: 600000 },
    );
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
    villageCode = region && region.level === 'village' ? code : '';
    if (region && region.level !== 'village') openLevel(code, index + 1);
    ctx.update();
  }

  function choosePlace(event) {
    place = event.target.value;
    if (place === OTHER_PLACE && !levels.length) openLevel('430700', 0);
    ctx.update();
  }

  function choosePhoto(event) {
    const file = event.target.files && event.target.files[0];
    if (preview) URL.revokeObjectURL(preview);
    photo = null;
    preview = null;
    if (file) {
      if (file.size > MAX_PHOTO_BYTES) {
        topTips(t('supervision.complain.photo_too_big'));
        event.target.value = '';
      } else {
        photo = file;
        preview = URL.createObjectURL(file);
      }
    }
    ctx.update();
  }

  async function submit() {
    if (busy) return;
    const body = { kind, description: description.trim() || null };
    if (place === OTHER_PLACE) {
      if (!villageCode) {
        topTips(t('supervision.complain.choose_village'));
        return;
      }
      body.village_code = villageCode;
    } else if (place) {
      body.checkpoint_id = Number(place);
    }
    busy = true;
    ctx.update();
    try {
      const complaint = await api.post('/supervision/complaints', body);
      if (photo) {
        try {
          await uploadPhoto(complaint.id, photo);
        } catch (err) {
          topTips(`${t('supervision.complain.photo_failed')} ${err.detail}`);
        }
      }
      toast(t('supervision.complain.filed'), { icon: 'success' });
      navigate('/complaints');
    } catch (err) {
      topTips(err.detail);
    } finally {
      busy = false;
      if (!destroyed) ctx.update();
    }
  }

  function placeOptions() {
    if (places === null) return html`<option value="">${t('common.loading')}</option>`;
    return html`${places.map(
      (p) => html`<option value=${String(p.id)} ?selected=${String(p.id) === place}>
        ${p.name} · ${regionName(p.village)}${p.distance_m !== null ? ` · ${p.distance_m < 1000 ? `${p.distance_m} m` : `${(p.distance_m / 1000).toFixed(1)} km`}` : ''}
      </option>`,
    )}<option value=${OTHER_PLACE} ?selected=${place === OTHER_PLACE}>${t('supervision.complain.other_place')}</option>`;
  }

  return {
    title: () => t('supervision.complain.title'),
    destroy() {
      destroyed = true;
      if (preview) URL.revokeObjectURL(preview);
    },
    render() {
      return html`<div class="app-page sv-page">
        <p class="sv-lead">${t('supervision.complain.lead')}</p>
        <div class="weui-cells__title">${t('supervision.complain.where')}</div>
        <div class="weui-cells weui-cells_form">
          <div class="weui-cell weui-cell_select">
            <div class="weui-cell__bd">
              <select id="sv-place" class="weui-select" data-testid="complain-place" @change=${choosePlace}>${placeOptions()}</select>
            </div>
          </div>
          ${place === OTHER_PLACE
            ? levels.map(
                (level, index) => html`<div class="weui-cell weui-cell_select"><div class="weui-cell__bd">
                  <select class="weui-select" @change=${(e) => chooseLevel(index, e.target.value)}>
                    <option value="">${t('supervision.complain.choose_region')}</option>
                    ${level.options.map((r) => html`<option value=${r.code} ?selected=${r.code === level.value}>${regionName(r)}</option>`)}
                  </select></div></div>`,
              )
            : nothing}
        </div>

        <div class="weui-cells__title">${t('supervision.complain.what')}</div>
        <div class="weui-cells weui-cells_radio">
          ${KINDS.map(
            (k) => html`<label class="weui-cell weui-cell_active weui-check__label">
              <div class="weui-cell__bd"><p>${t(`supervision.kind.${k}`)}</p></div>
              <div class="weui-cell__ft">
                <input type="radio" class="weui-check" name="sv-kind" .checked=${kind === k} @change=${() => { kind = k; ctx.update(); }}>
                <span class="weui-icon-checked"></span>
              </div>
            </label>`,
          )}
        </div>

        <div class="weui-cells weui-cells_form">
          <div class="weui-cell">
            <div class="weui-cell__bd">
              <textarea id="sv-description" class="weui-textarea sv-textarea" maxlength="500" placeholder=${t('supervision.complain.description_placeholder')}
                .value=${description} @input=${(e) => { description = e.target.value; }}></textarea>
            </div>
          </div>
          <div class="weui-cell">
            <div class="weui-cell__bd">
              <label class="weui-btn weui-btn_default weui-btn_mini" for="sv-photo">${photo ? t('supervision.complain.photo_change') : t('supervision.complain.photo_add')}</label>
              <input id="sv-photo" class="sv-file" type="file" accept="image/jpeg,image/png" capture="environment" data-testid="complain-photo" @change=${choosePhoto}>
              ${preview ? html`<img class="sv-photo-preview" src=${preview} alt=${t('supervision.complain.photo_alt')}>` : nothing}
              <p class="sv-desc">${t('supervision.complain.photo_hint')}</p>
            </div>
          </div>
        </div>

        <div class="weui-btn-area">
          <button type="button" class="weui-btn weui-btn_primary" data-testid="complain-submit" ?disabled=${busy || places === null} @click=${submit}>
            ${busy ? t('common.loading') : t('supervision.complain.submit')}
          </button>
          <a class="weui-btn weui-btn_default" href="#/complaints">${t('supervision.mine.title')}</a>
        </div>
      </div>`;
    },
  };
}

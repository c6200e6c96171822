/**
 * An employer's request for point-to-point transport (#/transport/new): the origin, the departure
 * window, and the workers picked from the roster (hired applicants are on it). The notice's rule
 * (50 or more from the same origin) is the server's: its refusal says how many are missing.
 */
import { html, nothing } from '../html.js';
import { api } from '../api.js';
import { beijingDayIn } from '../beijing.js';
import { t } from '../i18n.js';
import { navigate } from '../router.js';
import { loading } from '../ui.js';
import { ensureStylesheet } from './transport-shared.js';

export default function createTransportNewView(ctx) {
  ensureStylesheet();
  const form = {
    origin_code: '',
    window_start: beijingDayIn(1),
    window_end: beijingDayIn(3),
    destination_address: '',
    note: '',
  };
  let people = [];
  let minimum = 50;
  const picked = new Set();
  let problem = null;
  let errors = [];

  api.get('/transport/candidates').then((body) => {
    people = body.items;
    minimum = body.minimum;
    ctx.update();
  }, (err) => { problem = err.detail; ctx.update(); });

  function pickAll() {
    for (const c of people) if (c.free) picked.add(c.person.user_id);
    ctx.update();
  }

  function common() {
    const body = { origin_code: form.origin_code.trim(), window_start: form.window_start, window_end: form.window_end };
    if (form.destination_address.trim()) body.destination_address = form.destination_address.trim();
    if (form.note.trim()) body.note = form.note.trim();
    return body;
  }

  function submit(event) {
    event.preventDefault();
    send('/transport/requests', { ...common(), workers: [...picked].map((id) => ({ user_id: id })) });
  }

  /** A list from a spreadsheet (CSV or XLSX): every line valid, or nothing changes. */
  function upload(event) {
    const file = event.target.files && event.target.files[0];
    event.target.value = '';
    if (!file) return;
    const reader = new FileReader();
    reader.onload = () => send('/transport/requests/upload', { ...common(), filename: file.name, content_base64: String(reader.result) });
    reader.readAsDataURL(file);
  }

  async function send(path, body) {
    problem = null;
    errors = [];
    const done = loading();
    try {
      const made = await api.post(path, body);
      done();
      navigate(`/transport/requests/${made.items[0].id}`);
    } catch (err) {
      done();
      problem = err.detail;
      errors = err.errors || [];
      ctx.update();
    }
  }

  const bind = (key) => (e) => { form[key] = e.target.value; };

  return {
    title() {
      return t('transport.new');
    },
    render() {
      return html`<form class="app-page" @submit=${submit}>
        <div class="app-tp-form">
          <label for="tp-origin">${t('transport.origin')}</label>
          <input id="tp-origin" inputmode="numeric" maxlength="6" placeholder=${t('transport.origin_hint')}
            .value=${form.origin_code} @input=${bind('origin_code')}>
          <label for="tp-start">${t('transport.window_start')}</label>
          <input id="tp-start" type="date" .value=${form.window_start} @input=${bind('window_start')}>
          <label for="tp-end">${t('transport.window_end')}</label>
          <input id="tp-end" type="date" .value=${form.window_end} @input=${bind('window_end')}>
          <label for="tp-address">${t('transport.destination_address')}</label>
          <input id="tp-address" maxlength="200" placeholder=${t('transport.destination_default')}
            .value=${form.destination_address} @input=${bind('destination_address')}>
        </div>
        <div class="app-tp-form">
          <div class="app-tp-card__head">
            <span data-testid="tp-picked">${t('transport.picked', { n: picked.size, min: minimum })}</span>
            <button type="button" class="weui-btn weui-btn_mini weui-btn_default" id="tp-pick-all" @click=${pickAll}>${t('transport.pick_all')}</button>
          </div>
          <div class="app-tp-people">
            ${people.map((c) => html`<label class="app-tp-person">
              <input type="checkbox" class="app-tp-check" ?disabled=${!c.free} .checked=${picked.has(c.person.user_id)}
                @change=${(e) => { if (e.target.checked) picked.add(c.person.user_id); else picked.delete(c.person.user_id); ctx.update(); }}>
              <span class="app-tp-person__name">${c.person.name_masked} ${c.person.phone_masked || ''}</span>
              ${c.free ? nothing : html`<span class="app-tag app-tag_grey">${t('transport.busy')}</span>`}
            </label>`)}
          </div>
        </div>
        <div class="app-tp-form">
          <label for="tp-file">${t('transport.upload')}</label>
          <input id="tp-file" type="file" accept=".csv,.xlsx,text/csv,application/vnd.openxmlformats-officedocument.spreadsheetml.sheet" @change=${upload}>
          <p class="weui-cells__tips">${t('transport.upload_tip')}</p>
        </div>
        ${problem
          ? html`<div class="app-tp-error" role="alert" data-testid="tp-problem">${problem}
              ${errors.slice(0, 8).map((e) => html`<div>${e.line ? t('transport.line', { n: e.line }) : ''}${e.message}</div>`)}</div>`
          : nothing}
        <div class="app-tp-form"><button type="submit" class="weui-btn weui-btn_primary" id="tp-submit">${t('transport.submit')}</button></div>
      </form>`;
    },
  };
}

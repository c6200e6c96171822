/**
 * One quarantine case for the staff: the person (masked), colour, dates, place, readings and
 * the history of every action (GET /quarantine/cases/:id). Actions on an open case: record
 * today's reading, release (only when due: 14 days complete, nothing abnormal), transfer to
 * hospital with a reason, change place or address.
 */
import { html, nothing } from '../html.js';
import { api } from '../api.js';
import { t, regionName } from '../i18n.js';
import { confirmDialog, loading, toast, topTips } from '../ui.js';
import {
  createCheckForm,
  formatDate,
  formatDateTime,
  loadCardStyles,
  readingList,
  statusBadge,
} from './quarantine-shared.js';

const PLACES = ['home', 'hotel', 'facility'];

export default function createQuarantineCaseView(ctx) {
  const id = Number(ctx.params.id);
  let c = null;
  let state = 'loading'; // loading | ready | missing | failed
  let panel = null; // null | 'check' | 'transfer' | 'place'
  const transfer = { reason: '', hospital: '', error: '', sending: false };
  const place = { place: 'home', address: '', error: '', sending: false };

  loadCardStyles().then(() => ctx.update());

  async function load() {
    try {
      c = await api.get(`/quarantine/cases/${id}`);
      state = 'ready';
    } catch (err) {
      state = err.status === 404 ? 'missing' : 'failed';
      if (err.status !== 0 && err.status !== 401 && err.status !== 404) topTips(err.detail);
    }
    ctx.update();
  }
  load();

  const checkForm = createCheckForm(ctx, {
    prefix: 'qcase',
    onSubmit: async (body) => {
      const check = await api.post(`/quarantine/cases/${id}/checks`, body);
      toast(check.abnormal ? t('quarantine.check_abnormal_staff') : t('quarantine.check_saved'), {
        icon: check.abnormal ? null : 'success',
        duration: check.abnormal ? 4000 : 2000,
      });
      panel = null;
      await load();
    },
  });

  function show(next) {
    panel = panel === next ? null : next;
    if (panel === 'place' && c) {
      place.place = c.place;
      place.address = c.address || '';
    }
    ctx.update();
  }

  async function release() {
    const ok = await confirmDialog({
      title: t('quarantine.release_one_title', { name: c.person.name_masked || '' }),
      body: t('quarantine.release_confirm_body'),
      okText: t('quarantine.release'),
    });
    if (!ok) return;
    const done = loading(t('quarantine.releasing'));
    try {
      c = await api.post(`/quarantine/cases/${id}/release`, {});
      toast(t('quarantine.released_one'), { icon: 'success' });
    } catch (err) {
      const first = (err.errors || [])[0];
      topTips(first ? first.message : err.detail, { duration: 6000 });
      await load();
    } finally {
      done();
      ctx.update();
    }
  }

  async function submitTransfer(event) {
    event.preventDefault();
    const reason = transfer.reason.trim();
    if (reason.length < 2) {
      transfer.error = t('quarantine.err.reason');
      ctx.update();
      return;
    }
    transfer.sending = true;
    ctx.update();
    try {
      c = await api.post(`/quarantine/cases/${id}/transfer`, { reason, hospital: transfer.hospital.trim() || null });
      panel = null;
      toast(t('quarantine.transferred'), { icon: 'success' });
    } catch (err) {
      transfer.error = err.detail;
    } finally {
      transfer.sending = false;
      ctx.update();
    }
  }

  async function submitPlace(event) {
    event.preventDefault();
    place.sending = true;
    ctx.update();
    try {
      c = await api.patch(`/quarantine/cases/${id}`, { place: place.place, address: place.address.trim() });
      panel = null;
      toast(t('quarantine.saved'), { icon: 'success' });
    } catch (err) {
      place.error = err.detail;
    } finally {
      place.sending = false;
      ctx.update();
    }
  }

  function facts() {
    const rows = [
      [t('quarantine.id_masked'), c.person.id_masked || '—'],
      [t('quarantine.phone'), c.person.phone_masked || '—'],
      [t('quarantine.village'), regionName(c.village)],
      [t('quarantine.place'), t(`quarantine.place.${c.place}`)],
      [t('quarantine.address'), c.address || '—'],
      [t('quarantine.start'), formatDate(c.start_date)],
      [t('quarantine.planned_end'), formatDate(c.planned_end_date)],
      [t('quarantine.progress'), c.state === 'open' ? t('quarantine.day_of', { n: c.day_number, left: c.days_left }) : t(`quarantine.state.${c.state}`)],
      [t('quarantine.origin'), t(`quarantine.origin.${c.origin}`)],
      [t('quarantine.staff'), c.staff_name_masked || '—'],
    ];
    if (c.open_reason) rows.push([t('quarantine.open_reason'), c.open_reason]);
    if (c.closed_at) rows.push([t('quarantine.closed_at'), formatDateTime(c.closed_at)]);
    if (c.close_reason) rows.push([t('quarantine.close_reason'), c.close_reason]);
    if (c.hospital) rows.push([t('quarantine.hospital'), c.hospital]);
    return html`<div class="weui-cells">
      ${rows.map(
        ([label, value]) => html`<div class="weui-cell"><div class="weui-cell__bd">${label}</div>
          <div class="weui-cell__ft">${value}</div></div>`,
      )}
    </div>`;
  }

  function actions() {
    if (c.state !== 'open') return nothing;
    return html`<div class="weui-btn-area">
        ${c.eligible
          ? html`<button type="button" class="weui-btn weui-btn_primary" data-testid="quarantine-release-one" @click=${release}>
              ${t('quarantine.release')}</button>`
          : html`<p class="weui-cells__tips">${t(`quarantine.why.${c.ineligible_reason}`, { date: formatDate(c.planned_end_date) })}</p>`}
        <button type="button" class="weui-btn weui-btn_default" data-testid="quarantine-check-open" @click=${() => show('check')}>
          ${t('quarantine.record_check')}</button>
        <button type="button" class="weui-btn weui-btn_default" @click=${() => show('place')}>${t('quarantine.change_place')}</button>
        <button type="button" class="weui-btn weui-btn_default app-btn-danger" data-testid="quarantine-transfer-open"
          @click=${() => show('transfer')}>${t('quarantine.transfer')}</button>
      </div>
      ${panel === 'check' ? checkForm.render() : nothing}
      ${panel === 'transfer' ? transferForm() : nothing}
      ${panel === 'place' ? placeForm() : nothing}`;
  }

  function transferForm() {
    return html`<form novalidate @submit=${submitTransfer}>
      <div class="weui-cells__title">${t('quarantine.transfer')}</div>
      <div class="weui-cells weui-cells_form">
        <div class="weui-cell"><div class="weui-cell__bd">
          <textarea class="weui-textarea" rows="3" maxlength="500" data-testid="quarantine-transfer-reason"
            placeholder=${t('quarantine.transfer_reason_placeholder')} .value=${transfer.reason}
            @input=${(e) => { transfer.reason = e.target.value; transfer.error = ''; ctx.update(); }}></textarea>
        </div></div>
        <div class="weui-cell weui-cell_active">
          <div class="weui-cell__hd"><label class="weui-label" for="q-hospital">${t('quarantine.hospital')}</label></div>
          <div class="weui-cell__bd"><input id="q-hospital" class="weui-input" maxlength="100" .value=${transfer.hospital}
            @input=${(e) => { transfer.hospital = e.target.value; }}></div>
        </div>
      </div>
      ${transfer.error ? html`<p class="app-field-error" role="alert">${transfer.error}</p>` : nothing}
      <div class="weui-btn-area">
        <button type="submit" class="weui-btn weui-btn_warn" ?disabled=${transfer.sending}>${t('quarantine.transfer_submit')}</button>
      </div>
    </form>`;
  }

  function placeForm() {
    return html`<form novalidate @submit=${submitPlace}>
      <div class="weui-cells__title">${t('quarantine.place')}</div>
      <div class="weui-cells weui-cells_radio">
        ${PLACES.map(
          (p) => html`<label class="weui-cell weui-cell_active weui-check__label" for=${`q-place-${p}`}>
            <div class="weui-cell__bd"><p>${t(`quarantine.place.${p}`)}</p></div>
            <div class="weui-cell__ft"><input type="radio" class="weui-check" name="q-place" id=${`q-place-${p}`}
              .checked=${place.place === p} @change=${() => { place.place = p; ctx.update(); }}><span class="weui-icon-checked"></span></div>
          </label>`,
        )}
      </div>
      <div class="weui-cells weui-cells_form">
        <div class="weui-cell weui-cell_active">
          <div class="weui-cell__hd"><label class="weui-label" for="q-address">${t('quarantine.address')}</label></div>
          <div class="weui-cell__bd"><input id="q-address" class="weui-input" maxlength="200" .value=${place.address}
            @input=${(e) => { place.address = e.target.value; }}></div>
        </div>
      </div>
      ${place.error ? html`<p class="app-field-error" role="alert">${place.error}</p>` : nothing}
      <div class="weui-btn-area"><button type="submit" class="weui-btn weui-btn_primary" ?disabled=${place.sending}>
        ${t('quarantine.save')}</button></div>
    </form>`;
  }

  function history() {
    return (c.history || [])
      .slice()
      .reverse()
      .map(
        (h) => html`<div class="hist-item" data-testid="quarantine-history">
          <div class="hist-item__head">
            <span class="hist-item__time">${formatDateTime(h.at)}</span>
            <span>${t(`quarantine.action.${h.action.replace('quarantine.', '')}`)}</span>
          </div>
          ${h.reason ? html`<p class="hist-item__proxy">${h.reason}</p>` : nothing}
          ${h.actor_id === null ? html`<p class="hist-item__proxy">${t('quarantine.by_system')}</p>` : nothing}
        </div>`,
      );
  }

  return {
    title() {
      return t('quarantine.case_title');
    },
    render() {
      if (state === 'loading') return html`<div class="app-page hc-loading">${t('common.loading')}…</div>`;
      if (state === 'missing') return html`<div class="app-page weui-cells__tips app-empty">${t('quarantine.case_missing')}</div>`;
      if (state === 'failed') {
        return html`<div class="app-page weui-msg"><p class="weui-msg__desc">${t('error.network')}</p>
          <div class="weui-msg__opr-area"><button type="button" class="weui-btn weui-btn_default" @click=${load}>${t('card.retry')}</button></div></div>`;
      }
      return html`<div class="app-page hist-page" data-testid="quarantine-case-detail">
        <div class="appeal-current">
          <p class="hist-item__time">${c.person.name_masked || t('quarantine.unnamed')} ${statusBadge(c.status)}</p>
          ${c.referred && c.state === 'open' ? html`<p class="decl-warn" role="alert">${t('quarantine.referred_note')}</p>` : nothing}
        </div>
        ${facts()}
        ${actions()}
        <div class="weui-cells__title">${t('quarantine.readings')}</div>
        ${readingList(c.checks)}
        <div class="weui-cells__title">${t('quarantine.history')}</div>
        ${history()}
      </div>`;
    },
  };
}

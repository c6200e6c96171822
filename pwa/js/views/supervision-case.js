/**
 * One supervision case (#/supervision/cases/:id): the complaints (masked, with photos), the
 * refused valid cards, the contacts with the village; take it, record a contact, close it with
 * a resolution (the complainants are texted).
 */
import { html, nothing } from '../html.js';
import { api } from '../api.js';
import { t, regionName } from '../i18n.js';
import { toast, topTips } from '../ui.js';
import { caseStateWord, ensureStylesheet, shortDateTime } from './supervision-shared.js';

export default function createCaseView(ctx) {
  ensureStylesheet();
  const id = ctx.params.id;
  let item = null;
  let busy = false;
  const note = { contacted: '', note: '' };
  const closing = { outcome: 'resolved', resolution: '' };

  async function load() {
    try {
      item = await api.get(`/supervision/cases/${id}`);
    } catch (err) {
      topTips(err.detail);
    }
    ctx.update();
  }
  load();

  async function act(path, body, done) {
    if (busy) return;
    busy = true;
    ctx.update();
    try {
      item = await api.post(`/supervision/cases/${id}/${path}`, body);
      toast(done, { icon: 'success' });
    } catch (err) {
      topTips(err.fieldError && err.errors.length ? `${err.detail} ${err.errors.map((e) => e.message).join(' ')}` : err.detail);
    } finally {
      busy = false;
      ctx.update();
    }
  }

  function take() {
    act('assign', {}, t('supervision.case.taken'));
  }

  function addNote() {
    act('notes', { kind: 'contact', contacted: note.contacted.trim() || null, note: note.note.trim() }, t('supervision.case.noted'));
    note.note = '';
  }

  function close() {
    act('close', { outcome: closing.outcome, resolution: closing.resolution.trim() }, t('supervision.case.closed'));
  }

  function complaint(c) {
    return html`<div class="weui-cell" data-testid="case-complaint">
      <div class="weui-cell__bd">
        <p>${c.kind_text} · ${c.worker.name_masked || ''} ${c.worker.phone_masked || ''}</p>
        <p class="sv-desc">${shortDateTime(c.occurred_at)}${c.duplicate ? ` · ${t('supervision.mine.linked')}` : ''}</p>
        ${c.description ? html`<p class="sv-desc">${c.description}</p>` : nothing}
        ${c.photos.length ? html`<div class="sv-photos">${c.photos.map((p) => html`<a href=${p.url} target="_blank" rel="noopener"><img src=${p.url} alt=${t('supervision.complain.photo_alt')} loading="lazy" data-testid="case-photo"></a>`)}</div>` : nothing}
      </div>
    </div>`;
  }

  function refusal(r) {
    return html`<div class="weui-cell">
      <div class="weui-cell__bd">
        <p>${r.reason_text || r.reason || ''}${r.note ? ` · ${r.note}` : ''}</p>
        <p class="sv-desc">${shortDateTime(r.scanned_at)} · ${r.status ? t(`supervision.status.${r.status}`) : ''} · ${t('supervision.case.volunteer')} ${r.volunteer.name_masked || ''}</p>
      </div>
    </div>`;
  }

  function openActions() {
    return html`
      ${item.assignee ? nothing : html`<div class="weui-btn-area"><button type="button" class="weui-btn weui-btn_default" data-testid="case-take" ?disabled=${busy} @click=${take}>${t('supervision.case.take')}</button></div>`}
      <div class="weui-cells__title">${t('supervision.case.contact_title')}</div>
      <div class="weui-cells weui-cells_form">
        <div class="weui-cell"><div class="weui-cell__bd">
          <input class="weui-input" maxlength="100" placeholder=${t('supervision.case.contacted_placeholder')} .value=${note.contacted} @input=${(e) => { note.contacted = e.target.value; }}>
        </div></div>
        <div class="weui-cell"><div class="weui-cell__bd">
          <textarea class="weui-textarea sv-textarea" maxlength="1000" placeholder=${t('supervision.case.note_placeholder')} .value=${note.note} @input=${(e) => { note.note = e.target.value; }}></textarea>
        </div></div>
      </div>
      <div class="weui-btn-area"><button type="button" class="weui-btn weui-btn_default" ?disabled=${busy} @click=${addNote}>${t('supervision.case.add_note')}</button></div>

      <div class="weui-cells__title">${t('supervision.case.close_title')}</div>
      <div class="weui-cells weui-cells_radio">
        ${['resolved', 'unfounded'].map(
          (o) => html`<label class="weui-cell weui-cell_active weui-check__label">
            <div class="weui-cell__bd"><p>${t(`supervision.outcome.${o}`)}</p></div>
            <div class="weui-cell__ft"><input type="radio" class="weui-check" name="sv-outcome" .checked=${closing.outcome === o} @change=${() => { closing.outcome = o; }}><span class="weui-icon-checked"></span></div>
          </label>`,
        )}
      </div>
      <div class="weui-cells weui-cells_form">
        <div class="weui-cell"><div class="weui-cell__bd">
          <textarea class="weui-textarea sv-textarea" maxlength="1000" data-testid="case-resolution" placeholder=${t('supervision.case.resolution_placeholder')}
            .value=${closing.resolution} @input=${(e) => { closing.resolution = e.target.value; }}></textarea>
        </div></div>
      </div>
      <div class="weui-btn-area"><button type="button" class="weui-btn weui-btn_primary" data-testid="case-close" ?disabled=${busy} @click=${close}>${t('supervision.case.close')}</button></div>`;
  }

  return {
    title: () => t('supervision.case.title'),
    render() {
      if (!item) return html`<div class="app-page sv-page"><p class="sv-lead">${t('common.loading')}</p></div>`;
      const where = item.place.checkpoint_name || regionName(item.place.village);
      return html`<div class="app-page sv-page" data-testid="case" data-state=${item.state}>
        <div class="weui-cells">
          <div class="weui-cell"><div class="weui-cell__bd">
            <p><strong>${where}</strong><span class="sv-state sv-state_${item.state}" data-testid="case-state">${caseStateWord(item.state)}</span></p>
            <p class="sv-desc">${regionName(item.place.village)} · ${item.day} · ${t(`supervision.source.${item.source}`)}</p>
            <p class="sv-desc">${item.assignee ? t('supervision.cases.assignee', { name: item.assignee.name_masked || '' }) : t('supervision.cases.unassigned')}</p>
          </div></div>
        </div>
        ${item.complaint_items.length ? html`<div class="weui-cells__title">${t('supervision.case.complaints')}</div><div class="weui-cells">${item.complaint_items.map(complaint)}</div>` : nothing}
        ${item.refusal_items.length ? html`<div class="weui-cells__title">${t('supervision.case.refusals')}</div><div class="weui-cells">${item.refusal_items.map(refusal)}</div>` : nothing}
        ${item.notes.length
          ? html`<div class="weui-cells__title">${t('supervision.case.notes')}</div>
            <div class="weui-cells">${item.notes.map((n) => html`<div class="sv-note">${shortDateTime(n.at)} · ${n.author.name_masked || ''}${n.contacted ? ` → ${n.contacted}` : ''}<br>${n.note}</div>`)}</div>`
          : nothing}
        ${item.state === 'closed'
          ? html`<div class="weui-cells__title">${t('supervision.case.resolution')}</div>
            <div class="weui-cells"><div class="weui-cell"><div class="weui-cell__bd">
              <p><strong>${t(`supervision.outcome.${item.outcome}`)}</strong> · ${shortDateTime(item.closed_at)}</p>
              <p>${item.resolution}</p>
            </div></div></div>`
          : openActions()}
      </div>`;
    },
  };
}

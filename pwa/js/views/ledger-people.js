/**
 * 台账人员名单 (officials): the people behind the ledger's numbers, with the ledger's filters
 * plus destination and status (job arranged, departed, certificate). Names and ID numbers are
 * masked; phone numbers show only to the township and village staff responsible for them.
 * Opening a person shows whether a health certificate can be issued (and why not), lets staff
 * issue it (then print it) and mark the departure.
 */
import { html, nothing } from '../html.js';
import { api } from '../api.js';
import { t } from '../i18n.js';
import { confirmDialog, loading, toast, topTips } from '../ui.js';
import { ensureStylesheet, named, statusBadges, when } from './intent-shared.js';
import { ledgerQuery } from './ledger-board.js';

const STATUS_FILTERS = ['job_arranged', 'departed', 'certified'];

export default function createLedgerPeopleView(ctx) {
  ensureStylesheet();
  const filters = {};
  for (const [key, value] of ctx.query.entries()) filters[key] = value;
  let items = [];
  let cursor = null;
  let phoneVisible = false;
  let done = false;
  let busy = false;
  let open = null; // intent id
  let detail = null; // PersonDetailOut

  function query(extra = {}) {
    const base = ledgerQuery(filters, { destination: filters.destination || '' });
    const more = new URLSearchParams(base);
    for (const key of STATUS_FILTERS) if (filters[key]) more.set(key, filters[key]);
    for (const key of Object.keys(extra)) more.set(key, extra[key]);
    return more.toString();
  }

  async function loadMore(reset = false) {
    if (busy) return;
    busy = true;
    if (reset) {
      items = [];
      cursor = null;
      done = false;
    }
    ctx.update();
    try {
      const page = await api.get(`/ledger/people?${query(cursor ? { cursor, limit: 30 } : { limit: 30 })}`);
      items = items.concat(page.items);
      cursor = page.next_cursor;
      done = !cursor;
      phoneVisible = page.phone_visible;
    } catch (err) {
      topTips(err.detail);
    } finally {
      busy = false;
      ctx.update();
    }
  }
  loadMore(true);

  function setStatus(key, value) {
    if (value) filters[key] = value;
    else delete filters[key];
    history.replaceState(null, '', `#/ledger/people?${query()}`);
    loadMore(true);
  }

  async function toggle(item) {
    if (open === item.intent_id) {
      open = null;
      detail = null;
      ctx.update();
      return;
    }
    open = item.intent_id;
    detail = null;
    ctx.update();
    try {
      detail = await api.get(`/ledger/people/${item.intent_id}`);
    } catch (err) {
      topTips(err.detail);
    }
    ctx.update();
  }

  function replace(person) {
    items = items.map((p) => (p.intent_id === person.intent_id ? person : p));
  }

  async function markDeparted(value) {
    try {
      detail = await api.post(`/ledger/people/${open}/departure`, { departed: value });
      replace(detail.person);
    } catch (err) {
      topTips(err.detail);
    }
    ctx.update();
  }

  async function issue() {
    const ok = await confirmDialog({ title: t('ledger.issue_confirm'), body: t('ledger.issue_desc') });
    if (!ok) return;
    const stop = loading();
    try {
      await api.post(`/ledger/people/${open}/certificate`);
      toast(t('ledger.issued'), { icon: 'success' });
      detail = await api.get(`/ledger/people/${open}`);
      replace(detail.person);
    } catch (err) {
      topTips(err.detail); // the reasons show in the refreshed detail below
      try {
        detail = await api.get(`/ledger/people/${open}`);
      } catch (again) {
        /* the list stays as it is */
      }
    } finally {
      stop();
      ctx.update();
    }
  }

  function detailBox() {
    if (!detail) return html`<div class="ledger-detail"><p class="weui-cells__tips">${t('common.loading')}</p></div>`;
    const person = detail.person;
    const cert = detail.certificate;
    return html`<div class="ledger-detail" data-testid="person-detail">
      ${person.employer_name ? html`<p>${t('intent.employer')}：${person.employer_name}</p>` : nothing}
      <p>${t('intent.departure')}：${person.departure_date || t('intent.not_set')}
        ${person.needs_transport ? html` · ${t('intent.needs_transport')}` : nothing}</p>
      ${cert
        ? html`<p class="ledger-detail__cert">${t('ledger.cert_until', { time: when(cert.card.expires_at) })}
            <a href=${cert.pdf_url} target="_blank" rel="noopener">${t('intent.print_pdf')}</a>
            · <a href=${cert.png_url} target="_blank" rel="noopener">${t('intent.print_png')}</a></p>`
        : nothing}
      ${detail.eligibility.eligible
        ? html`<p class="ledger-ok">${t('ledger.eligible')}</p>`
        : html`<ul class="ledger-reasons" data-testid="refusals">${detail.eligibility.reasons.map((r) => html`<li>${r.text}</li>`)}</ul>`}
      <div class="ledger-actions">
        ${person.kind === 'outbound'
          ? html`<button type="button" class="weui-btn weui-btn_mini weui-btn_primary" data-testid="issue-certificate"
              ?disabled=${!detail.eligibility.eligible} @click=${issue}>${t(cert ? 'ledger.reissue' : 'ledger.issue')}</button>
            <button type="button" class="weui-btn weui-btn_mini weui-btn_default"
              @click=${() => markDeparted(!person.departed)}>${t(person.departed ? 'intent.departed_undo' : 'ledger.mark_departed')}</button>`
          : nothing}
      </div>
      <p class="weui-cells__tips">${detail.history.slice(0, 5).map((h) => `${t(`intent.action.${h.action}`)} ${when(h.changed_at)}`).join(' · ')}</p>
    </div>`;
  }

  function statusSelect(key) {
    return html`<div class="weui-cell weui-cell_select weui-cell_select-after">
      <div class="weui-cell__hd"><label class="weui-label" for=${`people-${key}`}>${t(`ledger.${key}`)}</label></div>
      <div class="weui-cell__bd"><select class="weui-select" id=${`people-${key}`} @change=${(e) => setStatus(key, e.target.value)}>
        <option value="" ?selected=${!filters[key]}>${t('ledger.any')}</option>
        <option value="true" ?selected=${filters[key] === 'true'}>${t('ledger.yes')}</option>
        <option value="false" ?selected=${filters[key] === 'false'}>${t('ledger.no')}</option>
      </select></div>
    </div>`;
  }

  return {
    render() {
      return html`<div class="app-page ledger-page" data-testid="ledger-people">
        <nav class="ledger-nav"><a href=${`#/ledger?${ledgerQuery(filters)}`}>${t('ledger.back')}</a></nav>
        <div class="weui-cells weui-cells_form">${STATUS_FILTERS.map(statusSelect)}</div>
        <p class="weui-cells__tips">${phoneVisible ? t('ledger.phone_shown') : t('ledger.phone_masked')}</p>
        <div class="weui-cells">
          ${items.map((item) => html`<div class="ledger-person">
            <div class="ledger-person__row">
              <button type="button" class="ledger-person__open" @click=${() => toggle(item)}
                aria-expanded=${open === item.intent_id ? 'true' : 'false'}>
                <span class="ledger-person__name">${item.name_masked} <span class="ledger-person__id">${item.id_masked}</span></span>
                <span class="ledger-person__meta">${named(item.township)} ${named(item.origin)} → ${named(item.destination)} · ${item.trade_name}</span>
                ${statusBadges(item)}
              </button>
              <span class="ledger-person__phone">${item.phone
                ? (phoneVisible ? html`<a href=${`tel:${item.phone}`}>${item.phone}</a>` : item.phone)
                : nothing}</span>
            </div>
            ${open === item.intent_id ? detailBox() : nothing}
          </div>`)}
        </div>
        ${!items.length && done ? html`<p class="weui-cells__tips app-empty">${t('ledger.empty')}</p>` : nothing}
        ${done
          ? nothing
          : html`<div class="weui-btn-area"><button type="button" class="weui-btn weui-btn_default" ?disabled=${busy}
              @click=${() => loadMore()}>${busy ? t('common.loading') : t('ledger.more')}</button></div>`}
      </div>`;
    },
  };
}

/**
 * Trust list (mutual recognition of health cards): our own signers and the other regions'
 * issuers we recognise (GET /api/v1/trust/issuers, officials and admins). Admins import an
 * issuer's X.509 certificate (PEM) with its region code and name (POST), and remove one
 * (DELETE). What is here is what GET /.well-known/fangang/trust-list.json publishes.
 */
import { html, nothing } from '../html.js';
import { api } from '../api.js';
import { t } from '../i18n.js';
import * as store from '../store.js';
import { confirmDialog, loading, toast, topTips } from '../ui.js';
import { formatDateTime, loadCardStyles } from './card.js';
import { applyServerErrors, fieldError } from './declare.js';

const CARD_TYPES = ['card', 'paper', 'certificate'];
const PEM_RE = /-----BEGIN CERTIFICATE-----[\s\S]+-----END CERTIFICATE-----/;

export default function createTrustView(ctx) {
  let items = null;
  let failed = false;
  let adding = false;
  let sending = false;
  const errors = {};
  const form = { certificate: '', region_code: '', name: '', card_types: [] };
  let stylesReady = false;
  loadCardStyles().then(() => {
    stylesReady = true;
    ctx.update();
  });

  const isAdmin = () => store.hasRole('admin');

  async function load() {
    failed = false;
    try {
      items = (await api.get('/trust/issuers')).items;
    } catch (err) {
      failed = true;
      if (err.status !== 0 && err.status !== 401) topTips(err.detail);
    }
    ctx.update();
  }
  load();

  function input(field) {
    return (event) => {
      form[field] = event.target.value;
      delete errors[field];
      ctx.update();
    };
  }

  function toggleType(type, checked) {
    form.card_types = checked ? [...form.card_types.filter((x) => x !== type), type] : form.card_types.filter((x) => x !== type);
    ctx.update();
  }

  function validate() {
    for (const key of Object.keys(errors)) delete errors[key];
    if (!PEM_RE.test(form.certificate)) errors.certificate = t('trust.err.certificate');
    const region = form.region_code.trim();
    if (region.length < 2 || region.length > 20) errors.region_code = t('trust.err.region');
    if (form.name.trim().length > 200) errors.name = t('trust.err.name');
    return Object.keys(errors).length === 0;
  }

  async function add(event) {
    event.preventDefault();
    if (sending) return;
    if (!validate()) {
      ctx.update();
      return;
    }
    sending = true;
    ctx.update();
    const done = loading();
    try {
      const body = { certificate: form.certificate.trim(), region_code: form.region_code.trim(), card_types: form.card_types };
      if (form.name.trim()) body.name = form.name.trim();
      const row = await api.post('/trust/issuers', body);
      items = [...(items || []), row];
      Object.assign(form, { certificate: '', region_code: '', name: '', card_types: [] });
      adding = false;
      done();
      toast(t('trust.added'), { icon: 'success' });
    } catch (err) {
      done();
      if (!applyServerErrors(err, errors, ['certificate', 'region_code', 'name', 'card_types'])) topTips(err.detail);
    } finally {
      sending = false;
      ctx.update();
    }
  }

  async function remove(issuer) {
    const ok = await confirmDialog({
      title: t('trust.remove_confirm'),
      body: t('trust.remove_body', { name: issuer.name || issuer.region_code || issuer.kid }),
      okText: t('trust.remove'),
      danger: true,
    });
    if (!ok) return;
    const done = loading();
    try {
      await api.delete(`/trust/issuers/${issuer.id}`);
      items = items.filter((i) => i.id !== issuer.id);
      done();
      toast(t('trust.removed'), { icon: 'success' });
    } catch (err) {
      done();
      topTips(err.detail);
      if (err.status === 404) load();
    }
    ctx.update();
  }

  function issuerCell(issuer) {
    const types = issuer.card_types.length
      ? issuer.card_types.map((type) => t(`card.type.${type}`)).join(t('common.list_separator'))
      : t('trust.all_types');
    return html`<div class="trust-item" data-testid=${issuer.own ? 'trust-own' : 'trust-issuer'}>
      <div class="trust-item__head">
        <span class="trust-item__name">${issuer.name || issuer.region_code || '—'}</span>
        <span class="trust-badge ${issuer.own ? 'trust-badge_own' : ''}">${issuer.own ? t('trust.own') : t('trust.imported')}</span>
      </div>
      <dl class="hist-item__facts">
        <dt>${t('trust.region')}</dt><dd>${issuer.region_code || '—'}</dd>
        <dt>kid</dt><dd class="trust-kid">${issuer.kid}</dd>
        ${issuer.own ? nothing : html`<dt>${t('trust.types')}</dt><dd>${types}</dd>`}
        ${issuer.added_at ? html`<dt>${t('trust.added_at')}</dt><dd>${formatDateTime(issuer.added_at)}</dd>` : nothing}
      </dl>
      ${!issuer.own && isAdmin()
        ? html`<div class="appeal-item__actions">
            <button type="button" class="weui-btn weui-btn_mini weui-btn_default app-btn-danger" data-testid="trust-remove"
              @click=${() => remove(issuer)}>${t('trust.remove')}</button>
          </div>`
        : nothing}
    </div>`;
  }

  function addForm() {
    if (!isAdmin()) return nothing;
    if (!adding) {
      return html`<div class="weui-btn-area">
        <button type="button" class="weui-btn weui-btn_primary" data-testid="trust-add" @click=${() => { adding = true; ctx.update(); }}>
          ${t('trust.add')}</button>
      </div>`;
    }
    return html`<form class="trust-form" novalidate @submit=${add} data-testid="trust-form">
      <div class="weui-cells__title">${t('trust.add')}</div>
      <div class="weui-cells weui-cells_form">
        <div class="weui-cell ${errors.certificate ? 'weui-cell_warn' : ''}">
          <div class="weui-cell__bd">
            <label class="weui-label trust-label" for="trust-certificate">${t('trust.certificate')}</label>
            <textarea id="trust-certificate" class="weui-textarea trust-pem" rows="6" spellcheck="false" autocapitalize="off"
              placeholder="-----BEGIN CERTIFICATE-----" .value=${form.certificate} @input=${input('certificate')}></textarea>
          </div>
        </div>
      </div>
      ${fieldError(errors, 'certificate', 'trust')}
      <div class="weui-cells weui-cells_form">
        <div class="weui-cell weui-cell_active ${errors.region_code ? 'weui-cell_warn' : ''}">
          <div class="weui-cell__hd"><label class="weui-label" for="trust-region">${t('trust.region')}</label></div>
          <div class="weui-cell__bd">
            <input id="trust-region" class="weui-input" type="text" inputmode="numeric" maxlength="20"
              placeholder=${t('trust.region_placeholder')} .value=${form.region_code} @input=${input('region_code')}>
          </div>
        </div>
        ${fieldError(errors, 'region_code', 'trust')}
        <div class="weui-cell weui-cell_active ${errors.name ? 'weui-cell_warn' : ''}">
          <div class="weui-cell__hd"><label class="weui-label" for="trust-name">${t('trust.name')}</label></div>
          <div class="weui-cell__bd">
            <input id="trust-name" class="weui-input" type="text" maxlength="200"
              placeholder=${t('trust.name_placeholder')} .value=${form.name} @input=${input('name')}>
          </div>
        </div>
        ${fieldError(errors, 'name', 'trust')}
      </div>
      <div class="weui-cells__title">${t('trust.types')}</div>
      <div class="weui-cells weui-cells_checkbox">
        ${CARD_TYPES.map(
          (type) => html`<label class="weui-cell weui-cell_active weui-check__label" for=${`trust-type-${type}`}>
            <div class="weui-cell__hd">
              <input type="checkbox" class="weui-check" id=${`trust-type-${type}`} .checked=${form.card_types.includes(type)}
                @change=${(e) => toggleType(type, e.target.checked)}>
              <i class="weui-icon-checked"></i>
            </div>
            <div class="weui-cell__bd"><p>${t(`card.type.${type}`)}</p></div>
          </label>`,
        )}
      </div>
      <div class="weui-cells__tips">${t('trust.types_tip')}</div>
      <div class="weui-btn-area">
        <button type="submit" id="trust-submit" class="weui-btn weui-btn_primary" ?disabled=${sending}>${t('trust.import')}</button>
        <button type="button" class="weui-btn weui-btn_default" @click=${() => { adding = false; ctx.update(); }}>${t('common.cancel')}</button>
      </div>
    </form>`;
  }

  return {
    render() {
      if (!stylesReady) return html`<div class="app-page"></div>`;
      const own = (items || []).filter((i) => i.own);
      const others = (items || []).filter((i) => !i.own);
      return html`<div class="app-page trust-page">
        <div class="decl-intro">
          <h1 class="decl-intro__title">${t('trust.heading')}</h1>
          <p class="decl-intro__desc">${t('trust.intro')}</p>
        </div>
        ${items === null && !failed ? html`<p class="hc-loading">${t('common.loading')}…</p>` : nothing}
        ${failed
          ? html`<p class="hc-loading">${t('error.network')}</p>
              <div class="weui-btn-area"><button type="button" class="weui-btn weui-btn_default" @click=${load}>${t('card.retry')}</button></div>`
          : nothing}
        ${items !== null
          ? html`<div class="weui-cells__title">${t('trust.own_title')}</div>
              ${own.length ? own.map(issuerCell) : html`<p class="hc-loading">${t('trust.none_own')}</p>`}
              <div class="weui-cells__title">${t('trust.others_title')}</div>
              ${others.length ? others.map(issuerCell) : html`<p class="hc-loading" data-testid="trust-none">${t('trust.none')}</p>`}
              ${addForm()}`
          : nothing}
      </div>`;
    },
  };
}

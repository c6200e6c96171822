/**
 * Officials: write an article in Markdown (previewed as it will show, sanitised), aim it at a
 * region and roles, give it publish and unpublish times; list the region's articles and take
 * one down.
 */
import { html, nothing } from '../html.js';
import { api } from '../api.js';
import { beijingDayTime } from '../beijing.js';
import { t } from '../i18n.js';
import * as store from '../store.js';
import { confirmDialog, toast } from '../ui.js';
import { ensureStylesheet, showError } from './subsidies-shared.js';

const ROLES = ['worker', 'volunteer', 'employer', 'official'];

/** 'YYYY-MM-DDTHH:MM' typed as Beijing time, as an ISO time with +08:00. */
function beijingIso(local) {
  return local ? `${local}:00+08:00` : null;
}

function nowBeijingLocal() {
  return beijingDayTime(new Date()).replace(' ', 'T');
}

export default function createArticleManageView(ctx) {
  ensureStylesheet().then(() => ctx.update());
  const me = store.get().me;
  const form = {
    kind: 'protection',
    title: '',
    body: '',
    region: me && me.region ? me.region.code : '430700',
    roles: new Set(['worker']),
    publish: nowBeijingLocal(),
    unpublish: '',
  };
  let preview = '';
  let items = null;

  async function load() {
    try {
      items = (await api.get('/articles/managed?limit=100')).items;
    } catch (err) {
      showError(err);
      items = [];
    }
    ctx.update();
  }
  load();

  async function showPreview() {
    try {
      preview = (await api.post('/articles/preview', { body_md: form.body })).body_html;
    } catch (err) {
      showError(err);
    }
    ctx.update();
  }

  function previewNode() {
    const div = document.createElement('div');
    div.innerHTML = preview; // sanitised by the server
    return div;
  }

  async function publish(event) {
    event.preventDefault();
    try {
      await api.post('/articles', {
        kind: form.kind,
        title: form.title,
        body_md: form.body,
        region_code: form.region,
        roles: [...form.roles],
        publish_at: beijingIso(form.publish),
        unpublish_at: beijingIso(form.unpublish),
      });
      toast(t('publicity.saved'), { icon: 'success' });
      Object.assign(form, { title: '', body: '' });
      preview = '';
      await load();
    } catch (err) {
      showError(err);
    }
  }

  async function takeDown(article) {
    const ok = await confirmDialog({ title: t('publicity.take_down_confirm'), danger: true });
    if (!ok) return;
    try {
      await api.patch(`/articles/${article.id}`, { unpublish_at: new Date().toISOString() });
      await load();
    } catch (err) {
      showError(err);
    }
  }

  function toggleRole(role) {
    if (form.roles.has(role)) form.roles.delete(role);
    else form.roles.add(role);
    ctx.update();
  }

  return {
    render() {
      return html`<div class="app-page">
        <form @submit=${publish} data-testid="article-form">
          <div class="weui-cells__title">${t('publicity.new')}</div>
          <div class="weui-cells weui-cells_form">
            <label class="weui-cell weui-cell_active weui-cell_select weui-cell_select-after">
              <div class="weui-cell__hd"><span class="weui-label">${t('publicity.kind_label')}</span></div>
              <div class="weui-cell__bd"><select class="weui-select" @change=${(e) => { form.kind = e.target.value; }}>
                ${['protection', 'announcement'].map((k) => html`<option value=${k} ?selected=${form.kind === k}>${t(`publicity.kind.${k}`)}</option>`)}
              </select></div></label>
            <label class="weui-cell weui-cell_active"><div class="weui-cell__hd"><span class="weui-label">${t('publicity.title_label')}</span></div>
              <div class="weui-cell__bd"><input id="pub-title" class="weui-input" required minlength="2" maxlength="120" .value=${form.title}
                @input=${(e) => { form.title = e.target.value; }}></div></label>
            <div class="weui-cell weui-cell_active"><div class="weui-cell__bd">
              <textarea id="pub-body" class="weui-textarea pub-textarea" required maxlength="20000" placeholder=${t('publicity.body_hint')}
                .value=${form.body} @input=${(e) => { form.body = e.target.value; }}></textarea></div></div>
            <label class="weui-cell weui-cell_active"><div class="weui-cell__hd"><span class="weui-label">${t('publicity.region')}</span></div>
              <div class="weui-cell__bd"><input class="weui-input" required maxlength="20" .value=${form.region}
                @input=${(e) => { form.region = e.target.value.trim(); }}></div></label>
            <label class="weui-cell weui-cell_active"><div class="weui-cell__hd"><span class="weui-label">${t('publicity.publish_at')}</span></div>
              <div class="weui-cell__bd"><input class="weui-input" type="datetime-local" required .value=${form.publish}
                @change=${(e) => { form.publish = e.target.value; }}></div></label>
            <label class="weui-cell weui-cell_active"><div class="weui-cell__hd"><span class="weui-label">${t('publicity.unpublish_at')}</span></div>
              <div class="weui-cell__bd"><input class="weui-input" type="datetime-local" .value=${form.unpublish}
                @change=${(e) => { form.unpublish = e.target.value; }}></div></label>
          </div>
          <div class="weui-cells__title">${t('publicity.roles')}</div>
          <div class="weui-cells weui-cells_checkbox">
            ${ROLES.map(
              (role) => html`<label class="weui-cell weui-cell_active weui-check__label">
                <div class="weui-cell__hd"><input type="checkbox" class="weui-check" .checked=${form.roles.has(role)} @change=${() => toggleRole(role)}><i class="weui-icon-checked"></i></div>
                <div class="weui-cell__bd">${t(`role.${role}`)}</div></label>`,
            )}
          </div>
          <div class="weui-cells__tips">${t('publicity.roles_tip')}</div>
          <div class="sub-actions">
            <button type="button" class="weui-btn weui-btn_default" @click=${showPreview}>${t('publicity.preview')}</button>
            <button type="submit" class="weui-btn weui-btn_primary">${t('publicity.publish')}</button>
          </div>
        </form>
        ${preview ? html`<div class="pub-article" data-testid="article-preview">${previewNode()}</div>` : nothing}
        <div class="weui-cells__title">${t('publicity.managed')}</div>
        ${(items || []).map(
          (a) => html`<div class="sub-card"><div class="sub-card__head"><span>${a.title}</span>
            <span class="sub-status">${t(`publicity.state.${a.state}`)}</span></div>
            <p class="pub-meta">${beijingDayTime(a.publish_at)} – ${a.unpublish_at ? beijingDayTime(a.unpublish_at) : '…'}</p>
            ${a.state !== 'unpublished'
              ? html`<div class="sub-actions"><button type="button" class="weui-btn weui-btn_warn weui-btn_mini" @click=${() => takeDown(a)}>${t('publicity.take_down')}</button></div>`
              : nothing}</div>`,
        )}
      </div>`;
    },
  };
}

/**
 * Create or edit a posting (employers): title, trade, headcount, monthly wage range, where
 * (any region) and address, housing and meals, description, requirements, the rules for
 * arriving workers, start date, last day, contact. Save as a draft, or save and submit for
 * review. Editing a published posting sends it back to review (said before saving).
 */
import { beijingDayIn } from '../beijing.js';
import { html, nothing } from '../html.js';
import { api } from '../api.js';
import { t } from '../i18n.js';
import { navigate } from '../router.js';
import { confirmDialog, loading, toast } from '../ui.js';
import { ensureStylesheet, loadRegionOptions, loadTrades, regionOptions, showError, tradeLabel } from './jobs-shared.js';

const TEXT = ['title', 'address', 'description', 'requirements', 'arrival_rules', 'contact'];
const FIELDS = [...TEXT, 'trade', 'headcount', 'wage_min', 'wage_max', 'region_code', 'housing', 'meals', 'start_date', 'valid_until'];

function isoInDays(days) {
  return beijingDayIn(days);
}

export default function createPostingEditView(ctx) {
  ensureStylesheet();
  const id = ctx.params.id || null;
  const form = {
    title: '', trade: '', headcount: '10', wage_min: '', wage_max: '', region_code: '', address: '',
    housing: false, meals: false, description: '', requirements: '', arrival_rules: '',
    start_date: '', valid_until: isoInDays(30), contact: '',
  };
  const errors = {};
  let status = 'draft';
  let ready = !id;
  let trades = [];
  let regions = [];
  let saving = false;

  loadTrades().then((items) => { trades = items; ctx.update(); }).catch(showError);
  loadRegionOptions().then((items) => { regions = items; ctx.update(); }).catch(showError);
  if (id) {
    api.get(`/postings/${encodeURIComponent(id)}`)
      .then((p) => {
        for (const f of FIELDS) form[f] = f === 'region_code' ? p.region.code : p[f] === null ? '' : String(p[f]);
        form.housing = p.housing;
        form.meals = p.meals;
        status = p.status;
        ready = true;
        ctx.update();
      })
      .catch(showError);
  }

  function validate() {
    for (const key of Object.keys(errors)) delete errors[key];
    if (form.title.trim().length < 2) errors.title = t('recruit.error.title');
    if (!form.trade) errors.trade = t('recruit.error.trade');
    if (!(Number(form.headcount) >= 1)) errors.headcount = t('recruit.error.headcount');
    if (!(Number(form.wage_min) >= 0) || form.wage_min === '') errors.wage_min = t('recruit.error.wage');
    if (!(Number(form.wage_max) >= Number(form.wage_min)) || form.wage_max === '') errors.wage_max = t('recruit.error.wage_range');
    if (!form.region_code) errors.region_code = t('recruit.error.region');
    if (form.address.trim().length < 2) errors.address = t('recruit.error.address');
    if (form.contact.trim().length < 2) errors.contact = t('recruit.error.contact');
    if (!form.valid_until) errors.valid_until = t('recruit.error.valid_until');
    return !Object.keys(errors).length;
  }

  function body() {
    const out = {};
    for (const f of TEXT) out[f] = form[f].trim();
    for (const f of ['headcount', 'wage_min', 'wage_max']) out[f] = Number(form[f]);
    Object.assign(out, {
      trade: form.trade, region_code: form.region_code, housing: form.housing, meals: form.meals,
      start_date: form.start_date || null, valid_until: form.valid_until,
    });
    return out;
  }

  async function save(andSubmit) {
    if (saving || !validate()) {
      ctx.update();
      return;
    }
    if (status === 'published') {
      const ok = await confirmDialog({ title: t('recruit.edit_published_confirm'), okText: t('recruit.save') });
      if (!ok) return;
    }
    saving = true;
    const done = loading();
    try {
      let posting = id ? await api.patch(`/postings/${id}`, body()) : await api.post('/postings', body());
      if (andSubmit && posting.status === 'draft') posting = await api.post(`/postings/${posting.id}/submit`);
      done();
      toast(andSubmit ? t('recruit.submitted') : t('recruit.saved'), { icon: 'success' });
      navigate(`/recruit/postings/${posting.id}`, { replace: true });
    } catch (err) {
      done();
      showError(err, errors, FIELDS);
    } finally {
      saving = false;
      ctx.update();
    }
  }

  const set = (f) => (e) => { form[f] = e.target.type === 'checkbox' ? e.target.checked : e.target.value; delete errors[f]; };

  function field(name, label, control) {
    return html`<div class="weui-cell weui-cell_active ${errors[name] ? 'weui-cell_warn' : ''}">
        <div class="weui-cell__hd"><label class="weui-label" for=${`post-${name}`}>${label}</label></div>
        <div class="weui-cell__bd app-form-row">${control}</div>
      </div>
      ${errors[name] ? html`<p class="app-field-error" role="alert" data-testid=${`error-${name}`}>${errors[name]}</p>` : nothing}`;
  }

  const input = (name, type = 'text', attrs = {}) => html`<input id=${`post-${name}`} data-testid=${`post-${name}`} class="weui-input"
    type=${type} inputmode=${type === 'number' ? 'numeric' : nothing} maxlength=${attrs.max || 200} placeholder=${attrs.placeholder || ''}
    .value=${form[name]} @input=${set(name)}>`;
  const area = (name, placeholder) => html`<textarea id=${`post-${name}`} data-testid=${`post-${name}`} maxlength="2000"
    placeholder=${placeholder} .value=${form[name]} @input=${set(name)}></textarea>`;

  return {
    title() {
      return id ? t('recruit.edit_posting') : t('recruit.new_posting');
    },
    render() {
      if (!ready) return html`<div class="app-page weui-loadmore"><span class="weui-primary-loading"></span></div>`;
      return html`<form class="weui-form app-page" novalidate @submit=${(e) => { e.preventDefault(); save(false); }}>
        <div class="weui-cells weui-cells_form">
          ${field('title', t('recruit.f.title'), input('title', 'text', { max: 60, placeholder: t('recruit.f.title_placeholder') }))}
          ${field('trade', t('recruit.f.trade'), html`<select id="post-trade" data-testid="post-trade" @change=${set('trade')}>
            <option value="">${t('recruit.f.choose')}</option>
            ${trades.map((tr) => html`<option value=${tr.code} ?selected=${tr.code === form.trade}>${tradeLabel(tr)}</option>`)}
          </select>`)}
          ${field('headcount', t('recruit.f.headcount'), input('headcount', 'number'))}
          ${field('wage_min', t('recruit.f.wage_min'), input('wage_min', 'number', { placeholder: '4000' }))}
          ${field('wage_max', t('recruit.f.wage_max'), input('wage_max', 'number', { placeholder: '6000' }))}
          ${field('region_code', t('recruit.f.work_region'), html`<select id="post-region_code" data-testid="post-region_code" @change=${set('region_code')}>
            <option value="">${t('recruit.f.choose')}</option>${regionOptions(regions, form.region_code)}
          </select>`)}
          ${field('address', t('recruit.f.address'), input('address'))}
          <label class="weui-cell weui-cell_active weui-cell_switch">
            <div class="weui-cell__bd">${t('jobs.housing')}</div>
            <div class="weui-cell__ft"><input class="weui-switch" type="checkbox" data-testid="post-housing" .checked=${form.housing} @change=${set('housing')}></div>
          </label>
          <label class="weui-cell weui-cell_active weui-cell_switch">
            <div class="weui-cell__bd">${t('jobs.meals')}</div>
            <div class="weui-cell__ft"><input class="weui-switch" type="checkbox" data-testid="post-meals" .checked=${form.meals} @change=${set('meals')}></div>
          </label>
          ${field('description', t('jobs.description'), area('description', t('recruit.f.description_placeholder')))}
          ${field('requirements', t('jobs.requirements'), area('requirements', t('recruit.f.requirements_placeholder')))}
          ${field('arrival_rules', t('jobs.arrival_rules'), area('arrival_rules', t('recruit.f.arrival_rules_placeholder')))}
          ${field('start_date', t('jobs.start_date'), input('start_date', 'date'))}
          ${field('valid_until', t('jobs.valid_until'), input('valid_until', 'date'))}
          ${field('contact', t('jobs.contact'), input('contact', 'text', { max: 100, placeholder: t('recruit.f.contact_placeholder') }))}
        </div>
        ${status === 'published' ? html`<p class="weui-cells__tips">${t('recruit.edit_published_tips')}</p>` : nothing}
        <div class="weui-form__opr-area">
          ${status === 'draft'
            ? html`<button type="button" class="weui-btn weui-btn_primary" data-testid="post-submit" ?disabled=${saving} @click=${() => save(true)}>${t('recruit.save_and_submit')}</button>`
            : nothing}
          <button type="submit" class="weui-btn weui-btn_default" data-testid="post-save" ?disabled=${saving}>${status === 'draft' ? t('recruit.save_draft') : t('recruit.save')}</button>
        </div>
      </form>`;
    },
  };
}

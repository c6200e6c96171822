/**
 * 发布目的地政策 (city and county officials): a destination's rules for arriving workers, the
 * source and its date, how long they hold, and notable job information. POST /destination-rules.
 */
import { html } from '../html.js';
import { api } from '../api.js';
import { t } from '../i18n.js';
import { navigate } from '../router.js';
import { loading, toast, topTips } from '../ui.js';
import { CODE_RE, applyServerErrors, ensureStylesheet, fieldError, loadOptions, named, todayInBeijing } from './intent-shared.js';

const FIELDS = ['destination_code', 'rules_text', 'source', 'source_date', 'valid_until', 'job_info'];

export default function createRulesPublishView(ctx) {
  ensureStylesheet();
  const form = { destination_code: '', rules_text: '', source: '', source_date: todayInBeijing(), valid_until: '', job_info: '' };
  const errors = {};
  let destinations = [];
  let saving = false;

  loadOptions()
    .then((body) => {
      destinations = body.destinations;
      ctx.update();
    })
    .catch(() => {});

  const input = (field) => (event) => {
    form[field] = event.target.value;
    delete errors[field];
    ctx.update();
  };

  async function publish(event) {
    event.preventDefault();
    if (!CODE_RE.test(form.destination_code.trim())) errors.destination_code = t('intent.err.code_format');
    if (form.rules_text.trim().length < 2) errors.rules_text = t('rules.err.text');
    if (form.source.trim().length < 2) errors.source = t('rules.err.source');
    if (!form.source_date) errors.source_date = t('rules.err.date');
    if (form.valid_until && form.valid_until < form.source_date) errors.valid_until = t('rules.err.valid_until');
    ctx.update();
    if (Object.keys(errors).length || saving) return;
    saving = true;
    const done = loading();
    try {
      await api.post('/destination-rules', {
        destination_code: form.destination_code.trim(),
        rules_text: form.rules_text.trim(),
        source: form.source.trim(),
        source_date: form.source_date,
        valid_until: form.valid_until || null,
        job_info: form.job_info.trim() || null,
      });
      toast(t('rules.published_ok'), { icon: 'success' });
      navigate('/rules');
    } catch (err) {
      if (!applyServerErrors(err, errors, FIELDS)) topTips(err.detail);
    } finally {
      saving = false;
      done();
      ctx.update();
    }
  }

  return {
    render() {
      return html`<div class="app-page ledger-page">
        <form novalidate @submit=${publish} data-testid="rules-form">
          <div class="weui-cells weui-cells_form">
            <div class="weui-cell weui-cell_select weui-cell_select-after">
              <div class="weui-cell__hd"><label class="weui-label" for="rules-destination">${t('rules.destination')}</label></div>
              <div class="weui-cell__bd"><select class="weui-select" id="rules-destination" @change=${input('destination_code')}>
                <option value="">${t('intent.choose')}</option>
                ${destinations.map((d) => html`<option value=${d.code} ?selected=${form.destination_code === d.code}>${named(d)}（${d.code}）</option>`)}
              </select></div>
            </div>
            <div class="weui-cell weui-cell_active">
              <div class="weui-cell__hd"><label class="weui-label" for="rules-code">${t('intent.other_code')}</label></div>
              <div class="weui-cell__bd"><input class="weui-input" id="rules-code" inputmode="numeric" maxlength="6"
                .value=${form.destination_code} @input=${input('destination_code')}></div>
            </div>
          </div>
          ${fieldError(errors, 'destination_code')}
          <div class="weui-cells__title">${t('rules.text')}</div>
          <div class="weui-cells weui-cells_form"><div class="weui-cell"><div class="weui-cell__bd">
            <textarea class="weui-textarea" id="rules-text" rows="5" maxlength="5000" .value=${form.rules_text} @input=${input('rules_text')}></textarea>
          </div></div></div>
          ${fieldError(errors, 'rules_text')}
          <div class="weui-cells weui-cells_form">
            <div class="weui-cell weui-cell_active">
              <div class="weui-cell__hd"><label class="weui-label" for="rules-source">${t('rules.source')}</label></div>
              <div class="weui-cell__bd"><input class="weui-input" id="rules-source" maxlength="300" .value=${form.source} @input=${input('source')}></div>
            </div>
            <div class="weui-cell weui-cell_active">
              <div class="weui-cell__hd"><label class="weui-label" for="rules-date">${t('rules.source_date')}</label></div>
              <div class="weui-cell__bd"><input class="weui-input" type="date" id="rules-date" .value=${form.source_date} @change=${input('source_date')}></div>
            </div>
            <div class="weui-cell weui-cell_active">
              <div class="weui-cell__hd"><label class="weui-label" for="rules-until">${t('rules.valid_until_label')}</label></div>
              <div class="weui-cell__bd"><input class="weui-input" type="date" id="rules-until" .value=${form.valid_until} @change=${input('valid_until')}></div>
            </div>
          </div>
          ${fieldError(errors, 'source')}${fieldError(errors, 'source_date')}${fieldError(errors, 'valid_until')}
          <div class="weui-cells__title">${t('rules.job_info')}</div>
          <div class="weui-cells weui-cells_form"><div class="weui-cell"><div class="weui-cell__bd">
            <textarea class="weui-textarea" id="rules-jobs" rows="3" maxlength="3000" .value=${form.job_info} @input=${input('job_info')}></textarea>
          </div></div></div>
          <div class="weui-btn-area">
            <button type="submit" class="weui-btn weui-btn_primary" id="rules-submit" ?disabled=${saving}>${t('rules.publish')}</button>
          </div>
        </form>
      </div>`;
    },
  };
}

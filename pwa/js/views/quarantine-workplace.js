/**
 * Enterprise daily monitoring (employer staff): today's checklist of admitted workers
 * (GET /workplace-checks) with one-by-one entry (POST /workplace-checks), and a whole day's
 * list from a CSV or Excel file (POST /workplace-checks/uploads): the file is first checked
 * (dry run) and its errors shown with their line numbers; only a clean file can be recorded.
 */
import { html, nothing } from '../html.js';
import { api } from '../api.js';
import { t } from '../i18n.js';
import { confirmDialog, loading, toast, topTips } from '../ui.js';
import { createCheckForm, createPager, loadCardStyles, symptomWords } from './quarantine-shared.js';

const MAX_FILE_BYTES = 1400 * 1024; // base64 adds a third; the server takes 2 MB
const TEMPLATE = '\ufeff手机号,姓名,身份证后四位,体温,症状\r\n13800000001,张伟,,36.5,无\r\n';

function readAsDataUrl(file) {
  return new Promise((resolve, reject) => {
    const reader = new FileReader();
    reader.addEventListener('load', () => resolve(String(reader.result)));
    reader.addEventListener('error', () => reject(reader.error));
    reader.readAsDataURL(file);
  });
}

export default function createWorkplaceChecksView(ctx) {
  const pager = createPager(ctx, '/workplace-checks?limit=50');
  let editing = null; // user id whose form is open
  const file = { name: '', content: '', report: null, errors: null, busy: false };
  let templateUrl = null;

  loadCardStyles().then(() => ctx.update());

  async function load() {
    await pager.load();
    if (pager.state.failed && pager.state.error) topTips(pager.state.error);
  }
  load();

  const forms = new Map();
  function formFor(userId) {
    if (!forms.has(userId)) {
      forms.set(
        userId,
        createCheckForm(ctx, {
          prefix: `wp-${userId}`,
          onSubmit: async (body) => {
            const result = await api.post('/workplace-checks', Object.assign({ user_id: userId }, body));
            toast(result.reading.abnormal ? t('quarantine.wp.fever_saved') : t('quarantine.check_saved'), {
              icon: result.reading.abnormal ? null : 'success',
              duration: result.reading.abnormal ? 4000 : 2000,
            });
            editing = null;
            await load();
          },
        }),
      );
    }
    return forms.get(userId);
  }

  async function pick(event) {
    const chosen = event.target.files && event.target.files[0];
    file.report = null;
    file.errors = null;
    if (!chosen) return;
    if (chosen.size > MAX_FILE_BYTES) {
      topTips(t('quarantine.wp.too_big'));
      event.target.value = '';
      return;
    }
    file.name = chosen.name;
    file.content = await readAsDataUrl(chosen);
    await send(true);
  }

  async function send(dryRun) {
    file.busy = true;
    ctx.update();
    const done = loading(dryRun ? t('quarantine.wp.checking') : t('quarantine.sending'));
    try {
      const report = await api.post('/workplace-checks/uploads', {
        filename: file.name,
        content_base64: file.content,
        dry_run: dryRun,
      });
      file.report = report;
      file.errors = null;
      if (!dryRun) {
        toast(t('quarantine.wp.recorded', { n: report.created + report.updated }), { icon: 'success' });
        file.content = '';
        await load();
      }
    } catch (err) {
      file.report = null;
      file.errors = { detail: err.detail, items: (err.errors || []).filter((e) => e.line) };
    } finally {
      file.busy = false;
      done();
      ctx.update();
    }
  }

  async function record() {
    const r = file.report;
    const ok = await confirmDialog({
      title: t('quarantine.wp.confirm', { n: r.rows }),
      body: r.abnormal ? t('quarantine.wp.confirm_fever', { n: r.abnormal }) : '',
    });
    if (ok) await send(false);
  }

  function template() {
    if (!templateUrl) templateUrl = URL.createObjectURL(new Blob([TEMPLATE], { type: 'text/csv' }));
    return templateUrl;
  }

  function uploadPanel() {
    const r = file.report;
    return html`<div class="weui-cells__title">${t('quarantine.wp.upload_title')}</div>
      <div class="weui-cells weui-cells_form">
        <div class="weui-cell weui-cell_active">
          <div class="weui-cell__bd">
            <input type="file" class="weui-input" accept=".csv,.xlsx,text/csv,application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
              data-testid="wp-file" ?disabled=${file.busy} @change=${pick}>
          </div>
        </div>
      </div>
      <div class="weui-cells__tips">${t('quarantine.wp.upload_tip')}
        <a class="weui-link" href=${template()} download="体温登记模板.csv">${t('quarantine.wp.template')}</a></div>
      ${file.errors
        ? html`<div class="hist-item" role="alert" data-testid="wp-errors">
            <p class="decl-warn">${file.errors.detail}</p>
            <dl class="hist-item__facts">
              ${file.errors.items.map(
                (e) => html`<dt>${t('quarantine.wp.line', { n: e.line })}</dt><dd>${e.message}</dd>`,
              )}
            </dl>
          </div>`
        : nothing}
      ${r
        ? html`<div class="hist-item" data-testid="wp-report">
            <p>${t(r.dry_run ? 'quarantine.wp.checked' : 'quarantine.wp.done', { rows: r.rows, created: r.created, updated: r.updated, unchanged: r.unchanged })}</p>
            ${r.abnormal ? html`<p class="decl-warn">${t('quarantine.wp.fevers', { n: r.abnormal })}</p>` : nothing}
            ${r.dry_run
              ? html`<div class="weui-btn-area"><button type="button" class="weui-btn weui-btn_primary" data-testid="wp-record"
                  ?disabled=${file.busy} @click=${record}>${t('quarantine.wp.record')}</button></div>`
              : nothing}
          </div>`
        : nothing}`;
  }

  function item(w) {
    const reading = w.reading;
    return html`<div class="hist-item" data-testid="wp-worker">
      <div class="hist-item__head">
        <span class="hist-item__time">${w.name_masked || '—'} ${w.id_last4 ? `(${w.id_last4})` : ''}</span>
        ${reading
          ? html`<span class="hc-badge ${reading.abnormal ? 'hc_red' : 'hc_green'}">${reading.temperature} ℃</span>`
          : html`<span class="decl-warn">${t('quarantine.not_checked')}</span>`}
      </div>
      ${reading ? html`<p class="hist-item__proxy">${symptomWords(reading.symptoms)}</p>` : nothing}
      <button type="button" class="weui-btn weui-btn_mini weui-btn_default" data-testid="wp-enter"
        @click=${() => { editing = editing === w.user_id ? null : w.user_id; ctx.update(); }}>
        ${reading ? t('quarantine.wp.correct') : t('quarantine.record_check')}</button>
      ${editing === w.user_id ? formFor(w.user_id).render() : nothing}
    </div>`;
  }

  return {
    title() {
      return t('quarantine.wp.title');
    },
    render() {
      const { items, cursor, busy, last, error } = pager.state;
      const day = last ? last.day : '';
      const done = (items || []).filter((w) => w.reading).length;
      return html`<div class="app-page hist-page" data-testid="workplace-checks">
        ${uploadPanel()}
        <div class="weui-cells__title">
          ${t('quarantine.wp.today', { day, done, total: (items || []).length })}
        </div>
        ${items === null
          ? html`<div class="weui-cells__tips app-empty">${busy ? `${t('common.loading')}…` : error || t('error.network')}</div>`
          : items.length
            ? items.map(item)
            : html`<div class="weui-cells__tips app-empty">${t('quarantine.wp.no_roster')}</div>`}
        ${cursor
          ? html`<div class="weui-btn-area"><button type="button" class="weui-btn weui-btn_default" ?disabled=${busy}
              @click=${pager.more}>${t('quarantine.more')}</button></div>`
          : nothing}
      </div>`;
    },
    destroy() {
      if (templateUrl) URL.revokeObjectURL(templateUrl);
    },
  };
}

/**
 * Quarantine cases for village and community staff (officials and admins):
 *   今日未测 — people not yet checked today (GET /quarantine/cases?filter=missing),
 *   今日可解除 — cases due for release, with multi-select and one release action
 *                (POST /quarantine/releases: all or none; refused ones are named),
 *   在管 / 转诊 / 已结束 — every open case, those referred to medical care, closed ones.
 * `?region=` narrows to a village or township (from the summary's drill-down).
 */
import { html, nothing } from '../html.js';
import { api } from '../api.js';
import { t, regionName } from '../i18n.js';
import { confirmDialog, loading, toast, topTips } from '../ui.js';
import { createPager, formatDate, loadCardStyles, statusBadge } from './quarantine-shared.js';

const TABS = ['missing', 'due', 'open', 'referred', 'closed'];
const MAX_RELEASE = 1000; // the API takes at most 1000 cases in one request

export default function createQuarantineStaffView(ctx) {
  const region = ctx.query.get('region');
  let tab = TABS.includes(ctx.query.get('tab')) ? ctx.query.get('tab') : 'missing';
  let counts = null;
  const selected = new Set();
  let releasing = false;

  loadCardStyles().then(() => ctx.update());

  const regionQuery = region ? `&region=${encodeURIComponent(region)}` : '';
  const pager = createPager(ctx, () => `/quarantine/cases?filter=${tab}&limit=50${regionQuery}`);

  async function loadCounts() {
    try {
      const query = region ? `?region=${encodeURIComponent(region)}` : '';
      counts = await api.get(`/quarantine/summary${query}`);
      ctx.update();
    } catch (err) {
      if (err.status !== 0 && err.status !== 401) topTips(err.detail);
    }
  }

  function reload() {
    loadCounts();
    pager.load();
  }
  reload();

  function choose(next) {
    if (next === tab) return;
    tab = next;
    selected.clear();
    pager.state.items = null;
    pager.state.cursor = null;
    pager.load();
    ctx.update();
  }

  function toggle(id, checked) {
    if (checked) selected.add(id);
    else selected.delete(id);
    ctx.update();
  }

  function toggleAll(checked) {
    selected.clear();
    if (checked) (pager.state.items || []).slice(0, MAX_RELEASE).forEach((c) => selected.add(c.id));
    ctx.update();
  }

  async function release() {
    const ids = Array.from(selected);
    if (!ids.length || releasing) return;
    const ok = await confirmDialog({
      title: t('quarantine.release_confirm_title', { n: ids.length }),
      body: t('quarantine.release_confirm_body'),
      okText: t('quarantine.release'),
    });
    if (!ok) return;
    releasing = true;
    const done = loading(t('quarantine.releasing'));
    try {
      const result = await api.post('/quarantine/releases', { case_ids: ids });
      selected.clear();
      toast(t('quarantine.released_n', { n: result.released }), { icon: 'success' });
    } catch (err) {
      // All or none: tell which cases could not go; keep the rest selected for another try.
      const refused = (err.errors || []).filter((e) => e.case_id);
      refused.forEach((e) => selected.delete(e.case_id));
      (err.problem && err.problem.ids ? err.problem.ids : []).forEach((id) => selected.delete(id));
      topTips(refused.length ? t('quarantine.release_refused', { n: refused.length }) : err.detail, { duration: 6000 });
    } finally {
      releasing = false;
      done();
      reload();
    }
  }

  function countsBar() {
    if (!counts) return nothing;
    const total = counts.total;
    return html`<div class="weui-flex" data-testid="quarantine-counts">
      ${['missing_checks', 'due_today', 'open', 'referred'].map(
        (key) => html`<div class="weui-flex__item">
          <p class="hist-item__time">${total[key]}</p>
          <p class="decl-muted">${t(`quarantine.count.${key}`)}</p>
        </div>`,
      )}
    </div>`;
  }

  function item(c) {
    const selectable = tab === 'due' && c.eligible;
    const href = `#/quarantine/cases/${c.id}`;
    return html`<div class="hist-item" data-testid="quarantine-case">
      <div class="hist-item__head">
        ${selectable
          ? html`<label class="weui-check__label">
              <input type="checkbox" class="weui-check" .checked=${selected.has(c.id)} data-testid="quarantine-select"
                aria-label=${t('quarantine.select_person', { name: c.person.name_masked || '' })}
                @change=${(e) => toggle(c.id, e.target.checked)}>
              <i class="weui-icon-checked"></i>
            </label>`
          : nothing}
        <a class="hist-item__time" href=${href}>${c.person.name_masked || t('quarantine.unnamed')}</a>
        ${statusBadge(c.status)}
      </div>
      <dl class="hist-item__facts">
        <dt>${t('quarantine.id_masked')}</dt><dd>${c.person.id_masked || '—'}</dd>
        <dt>${t('quarantine.village')}</dt><dd>${regionName(c.village)}</dd>
        <dt>${t('quarantine.period')}</dt>
        <dd>${formatDate(c.start_date)} — ${formatDate(c.planned_end_date)}</dd>
        <dt>${t('quarantine.progress')}</dt>
        <dd>${c.state === 'open' ? t('quarantine.day_of', { n: c.day_number, left: c.days_left }) : t(`quarantine.state.${c.state}`)}</dd>
        <dt>${t('quarantine.today')}</dt>
        <dd>${c.checked_today ? t('quarantine.checked') : html`<span class="decl-warn">${t('quarantine.not_checked')}</span>`}</dd>
      </dl>
      ${c.referred && c.state === 'open' ? html`<p class="decl-warn">${t('quarantine.referred_note')}</p>` : nothing}
    </div>`;
  }

  function list() {
    const { items, busy, failed, cursor } = pager.state;
    if (items === null) {
      return failed
        ? html`<div class="weui-cells__tips app-empty">${t('error.network')}</div>`
        : html`<div class="weui-cells__tips app-empty">${t('common.loading')}…</div>`;
    }
    if (!items.length) return html`<div class="weui-cells__tips app-empty">${t(`quarantine.empty.${tab}`)}</div>`;
    return html`<div class=${tab === 'due' ? 'weui-cells_checkbox' : ''}>${items.map(item)}</div>
      ${cursor
        ? html`<div class="weui-btn-area"><button type="button" class="weui-btn weui-btn_default" ?disabled=${busy}
            @click=${pager.more}>${t('quarantine.more')}</button></div>`
        : nothing}`;
  }

  function releaseBar() {
    if (tab !== 'due' || !(pager.state.items || []).length) return nothing;
    const all = (pager.state.items || []).filter((c) => c.eligible);
    return html`<div class="weui-cells__title">${t('quarantine.due_title')}</div>
      <div class="weui-cells weui-cells_checkbox">
        <label class="weui-cell weui-cell_active weui-check__label" for="q-select-all">
          <div class="weui-cell__hd">
            <input type="checkbox" class="weui-check" id="q-select-all" data-testid="quarantine-select-all"
              .checked=${all.length > 0 && selected.size === all.length} @change=${(e) => toggleAll(e.target.checked)}>
            <i class="weui-icon-checked"></i>
          </div>
          <div class="weui-cell__bd"><p>${t('quarantine.select_all', { n: all.length })}</p></div>
        </label>
      </div>
      <div class="weui-btn-area">
        <button type="button" class="weui-btn weui-btn_primary" data-testid="quarantine-release"
          ?disabled=${!selected.size || releasing} @click=${release}>
          ${t('quarantine.release_n', { n: selected.size })}
        </button>
      </div>
      <div class="weui-cells__tips">${t('quarantine.release_tip')}</div>`;
  }

  return {
    title() {
      return t('quarantine.staff_title');
    },
    render() {
      return html`<div class="app-page hist-page" data-testid="quarantine-staff">
        ${counts ? html`<div class="weui-cells__title">${regionName(counts.total.region)} · ${formatDate(counts.today)}</div>` : nothing}
        ${countsBar()}
        <div class="weui-cells">
          <a class="weui-cell weui-cell_access" href="#/quarantine/summary${region ? `?region=${encodeURIComponent(region)}` : ''}">
            <div class="weui-cell__bd">${t('quarantine.summary_link')}</div><div class="weui-cell__ft"></div></a>
          <a class="weui-cell weui-cell_access" href="#/quarantine/open" data-testid="quarantine-open-link">
            <div class="weui-cell__bd">${t('quarantine.open_link')}</div><div class="weui-cell__ft"></div></a>
        </div>
        <div class="weui-navbar" role="tablist">
          ${TABS.map(
            (name) => html`<button type="button" role="tab" aria-selected=${name === tab ? 'true' : 'false'}
              class="weui-navbar__item weui-btn_reset ${name === tab ? 'weui-bar__item_on' : ''}"
              data-testid=${`quarantine-tab-${name}`} @click=${() => choose(name)}>${t(`quarantine.tab.${name}`)}</button>`,
          )}
        </div>
        ${releaseBar()}
        ${list()}
      </div>`;
    },
    destroy() {
      selected.clear();
    },
  };
}


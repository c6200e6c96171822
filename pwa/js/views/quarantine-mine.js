/**
 * My observation (worker): days left, the planned end, today's check form, and every reading
 * (GET /quarantine/mine, POST /quarantine/mine/checks). No case: a plain note.
 */
import { html, nothing } from '../html.js';
import { api } from '../api.js';
import { regionName, t } from '../i18n.js';
import { toast, topTips } from '../ui.js';
import { createCheckForm, formatDate, formatDateTime, loadCardStyles, readingList } from './quarantine-shared.js';

export default function createMyQuarantineView(ctx) {
  let mine = null;
  let state = 'loading'; // loading | ready | none | failed

  loadCardStyles().then(() => ctx.update());

  async function load() {
    try {
      mine = await api.get('/quarantine/mine');
      state = 'ready';
    } catch (err) {
      if (err.status === 404) state = 'none';
      else {
        state = 'failed';
        if (err.status !== 0 && err.status !== 401) topTips(err.detail);
      }
    }
    ctx.update();
  }
  load();

  const checkForm = createCheckForm(ctx, {
    prefix: 'qmine',
    onSubmit: async (body) => {
      const check = await api.post('/quarantine/mine/checks', body);
      toast(check.abnormal ? t('quarantine.check_abnormal_saved') : t('quarantine.check_saved'), {
        icon: check.abnormal ? null : 'success',
        duration: check.abnormal ? 4000 : 2000,
      });
      await load();
    },
  });

  function summary(c) {
    const open = c.state === 'open';
    return html`<div class="appeal-current" data-testid="quarantine-mine">
      ${open
        ? html`<p class="decl-muted">${t('quarantine.mine.days_left_label')}</p>
            <p class="hc-badge hc-badge_large hc_yellow" data-testid="days-left">${t('quarantine.days', { n: c.days_left })}</p>
            <p>${t('quarantine.mine.until', { date: formatDate(c.planned_end_date) })}</p>
            <p class="decl-muted">${t('quarantine.mine.day_n', { n: c.day_number, start: formatDate(c.start_date) })}</p>`
        : html`<p class="hc-badge hc-badge_large ${c.state === 'released' ? 'hc_green' : 'hc_red'}">
              ${t(`quarantine.state.${c.state}`)}</p>
            <p class="decl-muted">${formatDateTime(c.closed_at)}</p>`}
      ${c.referred && open ? html`<p class="decl-warn" role="alert">${t('quarantine.mine.referred')}</p>` : nothing}
    </div>`;
  }

  return {
    render() {
      if (state === 'loading') return html`<div class="app-page hc-loading">${t('common.loading')}…</div>`;
      if (state === 'failed') {
        return html`<div class="app-page weui-msg"><p class="weui-msg__desc">${t('error.network')}</p>
          <div class="weui-msg__opr-area"><button type="button" class="weui-btn weui-btn_default" @click=${load}>${t('card.retry')}</button></div></div>`;
      }
      if (state === 'none') {
        return html`<div class="app-page weui-msg" data-testid="quarantine-none">
          <div class="weui-msg__icon-area"><i class="weui-icon-success weui-icon_msg"></i></div>
          <div class="weui-msg__text-area"><p class="weui-msg__desc">${t('quarantine.mine.none')}</p></div>
        </div>`;
      }
      const c = mine;
      return html`<div class="app-page hist-page">
        ${summary(c)}
        <div class="weui-cells">
          <div class="weui-cell"><div class="weui-cell__bd">${t('quarantine.place')}</div>
            <div class="weui-cell__ft">${t(`quarantine.place.${c.place}`)}</div></div>
          <div class="weui-cell"><div class="weui-cell__bd">${t('quarantine.village')}</div>
            <div class="weui-cell__ft">${regionName(c.village)}</div></div>
        </div>
        ${c.state === 'open'
          ? html`<div class="weui-cells__title">${c.checked_today ? t('quarantine.mine.checked_today') : t('quarantine.mine.check_today')}</div>
              ${checkForm.render()}`
          : nothing}
        <div class="weui-cells__title">${t('quarantine.readings')}</div>
        ${readingList(c.checks)}
      </div>`;
    },
  };
}

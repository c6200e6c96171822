/**
 * One record per worker, door to factory (#/transport/timeline for my own, or
 * #/transport/timeline/:id for officials and the hiring employer, as their role allows).
 */
import { html, nothing } from '../html.js';
import { api } from '../api.js';
import { t } from '../i18n.js';
import { showError } from './jobs-shared.js';
import { ensureStylesheet, whenFull } from './transport-shared.js';

export default function createTransportTimelineView(ctx) {
  ensureStylesheet();
  let body = null;
  const path = ctx.params.id ? `/transport/timeline/${ctx.params.id}` : '/transport/timeline/me';
  api.get(path).then((result) => { body = result; ctx.update(); }, showError);

  return {
    title() {
      return t('transport.timeline_title');
    },
    render() {
      if (!body) return html`<div class="app-page"><div class="weui-loadmore"><span class="weui-primary-loading"></span></div></div>`;
      return html`<div class="app-page">
        <div class="app-tp-card"><div class="app-tp-card__head"><span>${body.person.name_masked}</span>
          <span class="app-tag app-tag_grey">${t(`transport.view.${body.view}`)}</span></div></div>
        <ol class="app-tp-timeline" data-testid="tp-timeline">
          ${body.entries.map((e) => html`<li class="app-tp-entry" data-kind=${e.kind}>
            <div class="app-tp-entry__at">${whenFull(e.at)}</div>
            <div>${e.title}</div>
          </li>`)}
        </ol>
        ${body.entries.length ? nothing : html`<div class="weui-cells__tips app-empty">${t('transport.timeline_empty')}</div>`}
      </div>`;
    },
  };
}

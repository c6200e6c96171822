/** Placeholder for screens that later issues fill in: "即将上线 / Coming soon". */
import { html } from '../html.js';
import { t } from '../i18n.js';

export default function createComingSoonView(ctx) {
  return {
    render() {
      return html`<div class="app-page weui-msg app-soon" data-testid="coming-soon">
        <div class="weui-msg__icon-area"><i class="weui-icon-waiting weui-icon_msg"></i></div>
        <div class="weui-msg__text-area">
          <h2 class="weui-msg__title">${t(ctx.route.title)}</h2>
          <p class="weui-msg__desc">${t('soon.desc')}</p>
        </div>
        <div class="weui-msg__opr-area">
          <a class="weui-btn weui-btn_default" href="#/home">${t('soon.back')}</a>
        </div>
      </div>`;
    },
  };
}

/**
 * The one place views get their template functions from (lit-html, vendored and pinned).
 *
 * `html` builds a template from a tagged template literal, `render` puts it into a DOM node and
 * on later calls updates only what changed. Bind events with `@click=${fn}`, properties with
 * `.value=${v}`, booleans with `?disabled=${b}`. Never write `style="..."` in a template: the CSP
 * forbids inline styles; use a class from css/app.css (or set `el.style.x` from JS).
 */
export { html, svg, render, nothing } from '../vendor/lit-html/lit-html.js';

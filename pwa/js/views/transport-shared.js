/**
 * Helpers shared by the transport screens (transport-*.js): their stylesheets, state words and
 * tags, places and people, Beijing times, and datetime inputs read as Beijing time.
 */
import { beijingDayTime, beijingShort } from '../beijing.js';
import { html } from '../html.js';
import { getLocale, t } from '../i18n.js';
import { ensureStylesheet as ensureJobsStylesheet } from './jobs-shared.js';

const STYLESHEET = '/css/transport.css';

/** Load css/transport.css (and the job screens' tags and buttons) once. */
export function ensureStylesheet() {
  ensureJobsStylesheet();
  if (document.querySelector(`link[href="${STYLESHEET}"]`)) return;
  const link = document.createElement('link');
  link.rel = 'stylesheet';
  link.href = STYLESHEET;
  document.head.appendChild(link);
}

const TAG_COLOURS = {
  submitted: 'orange',
  approved: 'green',
  scheduled: 'green',
  travelling: 'green',
  arrived: 'grey',
  refused: 'red',
  cancelled: 'grey',
  planned: 'orange',
  booked: 'orange',
  boarded: 'green',
  no_show: 'red',
  missing: 'red',
  invited: 'orange',
  accepted: 'green',
  declined: 'grey',
  listed: 'green',
  released: 'grey',
};

/** A coloured tag for a batch, trip, passenger or invitation state. */
export function stateTag(state, kind = 'request') {
  const colour = TAG_COLOURS[state] || 'grey';
  return html`<span class="app-tag app-tag_${colour}" data-state=${state}>${t(`transport.state.${kind}.${state}`)}</span>`;
}

/** A place from the API ({code, name_zh, name_en}) in the UI's language. */
export function placeName(place) {
  if (!place) return '';
  return getLocale() === 'en' ? place.name_en || place.name_zh : place.name_zh || place.name_en;
}

export function when(iso) {
  return iso ? beijingShort(iso) : '';
}

export function whenFull(iso) {
  return iso ? beijingDayTime(iso) : '';
}

/** A <input type="datetime-local"> value ('2020-02-24T08:00') read as Beijing time, in ISO. */
export function beijingInput(value) {
  return value ? `${value}:00+08:00` : null;
}

/** Add hours to an ISO time. */
export function plusHours(iso, hours) {
  return new Date(new Date(iso).getTime() + hours * 3600 * 1000).toISOString();
}

/** The field messages of an API error, by field; and its detail for the rest. */
export function fieldErrors(err) {
  const out = {};
  for (const e of err.errors || []) out[e.field || `line ${e.line}`] = e.message;
  return out;
}

/**
 * Time helpers. Internally the verifier compares instants as integer microseconds since 1970,
 * like Python's datetimes, so that both verifiers agree to the microsecond at the edges of a
 * validity window. Mirrors app/credentials/timeutil.py.
 */
import { CredentialError } from './errors.js';

/** The largest instant a Python datetime holds; CWT times beyond it are malformed. */
export const MAX_EPOCH_SECONDS = 253402300799;

const ISO =
  /^(\d{4})-?(\d{2})-?(\d{2})(?:[T ](\d{2})(?::?(\d{2})(?::?(\d{2})(?:[.,](\d+))?)?)?)?(?:(Z|z)|([+-])(\d{2}):?(\d{2}))?$/;

/**
 * Parse ISO 8601 as real tools write it ('Z', '+0000', 7 fraction digits, no zone = UTC);
 * plain digits are epoch seconds. Returns epoch microseconds.
 * @param {string} text
 * @returns {number}
 */
export function parseTimeUs(text) {
  if (typeof text !== 'string') throw new CredentialError('time must be text');
  text = text.trim();
  if (/^\d+(\.\d+)?$/.test(text)) return secondsToUs(Number(text));
  const m = ISO.exec(text);
  if (!m) throw new CredentialError(`not an ISO 8601 time: ${JSON.stringify(text)}`);
  const [, y, mo, d, h = '0', mi = '0', s = '0', frac = '', , sign, oh, om] = m;
  const ms = Date.UTC(+y, +mo - 1, +d, +h, +mi, +s);
  const check = new Date(ms);
  if (Number.isNaN(ms) || check.getUTCDate() !== +d || check.getUTCHours() !== +h || +s > 59) {
    throw new CredentialError(`not a valid time: ${JSON.stringify(text)}`);
  }
  const micros = Number((frac + '000000').slice(0, 6)); // Python keeps 6 digits, truncated
  const offset = sign ? (sign === '-' ? -1 : 1) * (+oh * 60 + +om) * 60e6 : 0;
  return ms * 1000 + micros - offset;
}

/**
 * The same as parseTimeUs, as a Date (millisecond precision).
 * @param {string} text
 * @returns {Date}
 */
export function parseTime(text) {
  return new Date(Math.floor(parseTimeUs(text) / 1000));
}

/** 'YYYY-MM-DDTHH:MM:SSZ' (whole seconds): the one timestamp form in our JSON documents. */
export function formatIso(us) {
  return new Date(Math.floor(us / 1e6) * 1000).toISOString().replace(/\.\d{3}Z$/, 'Z');
}

function roundHalfEven(x) {
  const r = Math.round(x);
  return Math.abs(x % 1) === 0.5 && r % 2 !== 0 ? r - 1 : r;
}

/**
 * A CWT NumericDate (seconds, integer or float, >= 0) as microseconds, rounded the way
 * Python's datetime.fromtimestamp rounds (half to even on the fraction).
 * @param {number} seconds
 * @returns {number}
 */
export function secondsToUs(seconds) {
  const whole = Math.floor(seconds);
  return whole * 1e6 + roundHalfEven((seconds - whole) * 1e6);
}

/**
 * A moment given as a Date, epoch milliseconds, or undefined (now), in microseconds.
 * @param {Date|number|undefined} moment
 * @returns {number}
 */
export function toUs(moment) {
  if (moment === undefined || moment === null) return Date.now() * 1000;
  const ms = moment instanceof Date ? moment.getTime() : moment;
  if (typeof ms !== 'number' || !Number.isFinite(ms)) throw new TypeError('not a valid time');
  return Math.round(ms * 1000);
}

/** Microseconds since 1970 as a Date (millisecond precision). */
export function usToDate(us) {
  return new Date(Math.floor(us / 1000));
}

/** Base45 (RFC 9285): the QR-alphanumeric-safe byte encoding used by HC1 and FG1. */
import { Base45Error } from './errors.js';

export const ALPHABET = '0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZ $%*+-./:';

// Character code -> value, 255 for characters outside the alphabet (a table beats indexOf).
const VALUE = new Uint8Array(128).fill(255);
for (let i = 0; i < ALPHABET.length; i++) VALUE[ALPHABET.charCodeAt(i)] = i;

/**
 * Encode bytes: every 2 bytes become 3 characters, a trailing byte 2 characters.
 * @param {Uint8Array} data
 * @returns {string}
 */
export function encode(data) {
  let out = '';
  let i = 0;
  for (; i + 1 < data.length; i += 2) {
    let n = data[i] * 256 + data[i + 1];
    const c = n % 45;
    n = (n - c) / 45;
    out += ALPHABET[c] + ALPHABET[n % 45] + ALPHABET[(n - (n % 45)) / 45];
  }
  if (i < data.length) out += ALPHABET[data[i] % 45] + ALPHABET[(data[i] - (data[i] % 45)) / 45];
  return out;
}

/**
 * Decode base45 text; throws Base45Error on any character, length or range error.
 * Strict like the Python library: an overflowing chunk is an error (RFC 9285), which keeps
 * text -> bytes one-to-one.
 * @param {string} text
 * @returns {Uint8Array}
 */
export function decode(text) {
  if (typeof text !== 'string') throw new Base45Error('base45 input must be text');
  const length = text.length;
  if (length % 3 === 1) throw new Base45Error('base45 length must not be 1 modulo 3');
  const out = new Uint8Array(Math.floor(length / 3) * 2 + (length % 3 === 2 ? 1 : 0));
  let o = 0;
  let i = 0;
  for (; i + 2 < length; i += 3) {
    const a = value(text, i);
    const b = value(text, i + 1);
    const c = value(text, i + 2);
    const n = a + b * 45 + c * 2025;
    if (n > 0xffff) throw new Base45Error('base45 triplet out of range');
    out[o++] = n >> 8;
    out[o++] = n & 0xff;
  }
  if (i < length) {
    const n = value(text, i) + value(text, i + 1) * 45;
    if (n > 0xff) throw new Base45Error('base45 pair out of range');
    out[o] = n;
  }
  return out;
}

function value(text, i) {
  const code = text.charCodeAt(i);
  const v = code < 128 ? VALUE[code] : 255;
  if (v === 255) {
    throw new Base45Error(`character ${JSON.stringify(text[i])} is not in the base45 alphabet`);
  }
  return v;
}

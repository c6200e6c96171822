// Base45 (RFC 9285): the examples of the RFC and the strictness the Python decoder has.
import assert from 'node:assert/strict';
import { test } from 'node:test';

import { Base45Error } from '../../pwa/js/verify/errors.js';
import { decode, encode } from '../../pwa/js/verify/base45.js';

const utf8 = new TextEncoder();
const text = new TextDecoder();

test('RFC 9285 examples encode and decode', () => {
  const examples = {
    AB: 'BB8',
    'Hello!!': '%69 VD92EX0',
    'base-45': 'UJCLQE7W581',
    'ietf!': 'QED8WEX0',
  };
  for (const [plain, coded] of Object.entries(examples)) {
    assert.equal(encode(utf8.encode(plain)), coded);
    assert.equal(text.decode(decode(coded)), plain);
  }
});

test('round trip of every length and of edge values', () => {
  for (let n = 0; n < 40; n++) {
    const bytes = Uint8Array.from({ length: n }, (_, i) => (i * 97 + n * 31) & 0xff);
    assert.deepEqual(decode(encode(bytes)), bytes);
  }
  for (const edge of [[0], [255], [0, 0], [255, 255], [255, 255, 255]]) {
    const bytes = Uint8Array.from(edge);
    assert.deepEqual(decode(encode(bytes)), bytes);
  }
  assert.equal(encode(Uint8Array.from([255, 255])), 'FGW');
});

test('invalid input is refused', () => {
  for (const bad of ['GGW', 'A', 'ABCD', 'abc', 'AB!', 'ZZ', ':::', 'AB\u00e9', 'AB\u{1F600}']) {
    assert.throws(() => decode(bad), Base45Error, bad);
  }
  assert.throws(() => decode(42), Base45Error);
  assert.deepEqual(decode(''), new Uint8Array(0));
});

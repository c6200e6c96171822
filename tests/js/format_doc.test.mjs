// The worked examples of docs/credential-format.md (the contract between the server and the
// PWA) decode to what the document says, with the JavaScript decoder.
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { test } from 'node:test';

import { cardIdHash, cardInfo, decode } from '../../pwa/js/verify/index.js';
import { decode as base45Decode } from '../../pwa/js/verify/base45.js';
import { toHex } from '../../pwa/js/verify/keys.js';
import { hex } from './helpers.mjs';

const DOC = readFileSync(new URL('../../docs/credential-format.md', import.meta.url), 'utf8');

test('section 10: the worked example card', async () => {
  const text = /^FG1:[0-9A-Z $%*+\-./:]+$/m.exec(DOC)?.[0];
  assert.ok(text, 'the document shows a FG1 text');
  assert.equal(text.length, 198);
  const decoded = await decode(text);
  assert.equal(decoded.kind, 'FG1');
  assert.equal(base45Decode(text.slice(4)).length, 129);
  assert.equal(decoded.sign1.payload.length, 44);
  assert.equal(toHex(decoded.sign1.kid), '90dffe0fbc699ee0');
  assert.equal(toHex(decoded.sign1.protected), 'a201260448' + '90dffe0fbc699ee0');
  assert.equal(decoded.sign1.unprotected.size, 0);
  assert.deepEqual(decoded.sign1.tags, [18]);
  assert.equal(decoded.claims.get(6), 1582185600);
  assert.equal(decoded.claims.get(4), 1583395200);
  const { issuedAt, expiresAt, ...card } = cardInfo(decoded.claims);
  assert.deepEqual(card, {
    cardId: '3f9a0c7be215',
    cardType: 'paper',
    status: 'yellow',
    quarantineUntil: '2020-03-05',
    nameMasked: '欧*娜',
    idLast4: '123X',
    destination: null,
    departure: null,
  });
  assert.equal(issuedAt.toISOString(), '2020-02-20T08:00:00.000Z');
  assert.equal(expiresAt.toISOString(), '2020-03-05T08:00:00.000Z');
});

test('section 7: the revocation record of the example card', () => {
  assert.ok(DOC.includes('bc3a7c04e8622f3580920eda27e36d0b'));
  assert.equal(toHex(cardIdHash(hex('3f9a0c7be215'))), 'bc3a7c04e8622f3580920eda27e36d0b');
});

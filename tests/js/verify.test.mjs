// FG1 cards end to end in JavaScript: the happy path, every way a tampered card must be
// rejected, key windows and collisions, trust lists, revocation lists, our own HC1 codes.
import assert from 'node:assert/strict';
import { deflateSync } from 'node:zlib';
import { before, describe, test } from 'node:test';

import {
  CredentialError,
  REASONS,
  SignatureError,
  Tagged,
  TrustStore,
  decode,
  verify,
} from '../../pwa/js/verify/index.js';
import { decode as base45Decode, encode as base45Encode } from '../../pwa/js/verify/base45.js';
import { CborFloat, decode as cborDecode, encode as cborEncode } from '../../pwa/js/verify/cbor.js';
import { inflate } from '../../pwa/js/verify/inflate.js';
import { b64urlEncode } from '../../pwa/js/verify/keys.js';
import {
  CARD_ID,
  DAY,
  NOW,
  NOW_S,
  WULING,
  buildRevocationList,
  buildTrustList,
  cardClaims,
  coseSign1,
  dccClaims,
  entryJson,
  fg1,
  hc1,
  issueCard,
  makeSigner,
  sha256Prefix,
} from './helpers.mjs';

const ENVELOPE_FAILURES = new Set(['bad_cbor', 'bad_cose', 'unsupported_alg', 'unknown_kid', 'bad_signature']);
const at = (seconds) => new Date(seconds * 1000);

let signer;
let other;
let store;

before(async () => {
  signer = await makeSigner();
  other = await makeSigner();
  store = new TrustStore();
  await store.addJwk(signer.jwk, { region: WULING, name: '武陵区卫健局' });
});

const cose = (text) => base45Decode(text.slice(4));
const parts = (text) => cborDecode(cose(text)).value;

describe('the happy path', () => {
  test('a green card verifies, with its card fields', async () => {
    const result = await verify(await issueCard(signer), store, NOW);
    assert.equal(result.valid, true);
    assert.equal(result.reason, 'ok');
    assert.equal(result.kind, 'FG1');
    assert.equal(result.kid, b64urlEncode(signer.kid));
    assert.equal(result.issuer, '430702');
    assert.equal(result.region, '430702');
    assert.equal(result.issuerName, '武陵区卫健局');
    assert.deepEqual(result.issuedAt, NOW);
    assert.deepEqual(result.expiresAt, at(NOW_S + 14 * DAY));
    assert.ok(result.claims instanceof Map);
    assert.deepEqual(result.card, {
      cardId: 'a1b2c3d4e5f6',
      cardType: 'card',
      status: 'green',
      quarantineUntil: null,
      nameMasked: '张*三',
      idLast4: '123X',
      destination: null,
      departure: null,
      issuedAt: NOW,
      expiresAt: at(NOW_S + 14 * DAY),
    });
  });

  test('a yellow paper card with the longest name and a quarantine date', async () => {
    const text = await issueCard(signer, { cardType: 2, status: 2, name: '𠮷*𠮷', quarantineDays: 18326 });
    const result = await verify(text, store, NOW);
    assert.equal(result.reason, 'ok');
    assert.equal(result.card.cardType, 'paper');
    assert.equal(result.card.status, 'yellow');
    assert.equal(result.card.nameMasked, '𠮷*𠮷');
    assert.equal(result.card.quarantineUntil, '2020-03-05');
  });

  test('an outbound health certificate with destination and departure', async () => {
    const text = await issueCard(signer, { cardType: 3, extra: [110105, 18322] });
    const { card, reason } = await verify(text, store, NOW);
    assert.equal(reason, 'ok');
    assert.equal(card.cardType, 'certificate');
    assert.equal(card.destination, 110105);
    assert.equal(card.departure, '2020-03-01');
  });

  test('expiry and clock skew edges', async () => {
    const text = await issueCard(signer, { exp: NOW_S + 60 });
    assert.equal((await verify(text, store, at(NOW_S + 60))).reason, 'ok'); // exp itself is valid
    assert.equal((await verify(text, store, at(NOW_S + 60) .getTime() + 1)).reason, 'expired');
    const expired = await verify(text, store, at(NOW_S + 61));
    assert.equal(expired.reason, 'expired');
    assert.equal(expired.valid, false);
    assert.ok(expired.card !== null, 'a genuine card: the UI may show whose it was');
    const future = await issueCard(signer, { iat: NOW_S + 300, exp: NOW_S + DAY });
    assert.equal((await verify(future, store, NOW)).reason, 'ok'); // 5 minutes of skew
    const further = await issueCard(signer, { iat: NOW_S + 301, exp: NOW_S + DAY });
    assert.equal((await verify(further, store, NOW)).reason, 'not_yet_valid');
    assert.equal((await verify(further, store, NOW, { clockSkewMs: 600000 })).reason, 'ok');
  });

  test('COSE framing real issuers use: untagged, CWT tag, double tag, kid unprotected', async () => {
    for (const tags of [[], [18], [61, 18], [18, 18], [61, 61, 18], [55799, 18]]) {
      const text = fg1(await coseSign1(signer, cardClaims(), { tags }));
      assert.equal((await verify(text, store, NOW)).reason, 'ok', JSON.stringify(tags));
    }
    const tooMany = fg1(await coseSign1(signer, cardClaims(), { tags: [61, 61, 61, 18] }));
    assert.equal((await verify(tooMany, store, NOW)).reason, 'bad_cose');
    const unprotectedKid = fg1(
      await coseSign1(signer, cardClaims(), {
        protectedHeader: new Map([[1, -7]]),
        unprotected: new Map([[4, signer.kid]]),
      }),
    );
    assert.equal((await verify(unprotectedKid, store, NOW)).reason, 'ok');
    // An unprotected kid never overrides a protected one.
    const overridden = fg1(
      await coseSign1(signer, cardClaims(), { unprotected: new Map([[4, other.kid]]) }),
    );
    assert.equal((await verify(overridden, store, NOW)).reason, 'ok');
  });
});

describe('keys', () => {
  test('unknown kid, wrong key, kid collisions', async () => {
    const stranger = await issueCard(other);
    assert.equal((await verify(stranger, store, NOW)).reason, 'unknown_kid');
    const forged = await issueCard(signer, {}, { signWith: other });
    const result = await verify(forged, store, NOW);
    assert.equal(result.reason, 'bad_signature');
    assert.equal(result.claims, null);
    assert.equal(result.card, null);
    assert.equal(result.kid, b64urlEncode(signer.kid));

    // Two keys share a kid: every one is tried.
    const twin = await makeSigner(signer.kid);
    const shared = new TrustStore();
    await shared.addJwk(twin.jwk, { name: 'twin' });
    await shared.addJwk(signer.jwk, { name: 'signer' });
    assert.equal(shared.entries(signer.kid).length, 2);
    assert.equal((await verify(await issueCard(signer), shared, NOW)).issuerName, 'signer');
    assert.equal((await verify(await issueCard(twin), shared, NOW)).issuerName, 'twin');
    // Same kid and same key replaces.
    await shared.addJwk(signer.jwk, { name: 'renamed' });
    assert.equal(shared.size, 2);
    assert.equal((await verify(await issueCard(signer), shared, NOW)).issuerName, 'renamed');
  });

  test('a key vouches only for what it signed in its window and for its card types', async () => {
    const limited = new TrustStore();
    await limited.addJwk(signer.jwk, {
      notBefore: '2020-02-01T00:00:00Z',
      notAfter: new Date('2020-03-01T00:00:00Z'),
      cardTypes: ['card', 3],
    });
    const early = await issueCard(signer, { iat: NOW_S - 30 * DAY });
    const late = await issueCard(signer, { iat: NOW_S + 20 * DAY, exp: NOW_S + 30 * DAY });
    assert.equal((await verify(early, limited, NOW)).reason, 'unknown_kid');
    assert.match((await verify(early, limited, NOW)).detail, /before the key's not_before/);
    assert.equal((await verify(late, limited, at(NOW_S + 21 * DAY))).reason, 'unknown_kid');
    // A retired key still verifies what it signed while active, after its window.
    assert.equal((await verify(await issueCard(signer), limited, at(NOW_S + 13 * DAY))).reason, 'ok');
    const paper = await issueCard(signer, { cardType: 2 });
    assert.equal((await verify(paper, limited, NOW)).reason, 'unknown_kid');
  });

  test('X.509 certificates give the DCC kid (checked on every vector in dcc_vectors)', async () => {
    await assert.rejects(new TrustStore().addCertificate(Uint8Array.from([0x30, 0x03, 1, 2, 3])), CredentialError);
    await assert.rejects(new TrustStore().addCertificate('not a PEM'), CredentialError);
  });

  test('bad JWKs are refused', async () => {
    const { x } = signer.jwk;
    const bad = [
      { kty: 'EC', crv: 'P-256', x, y: x, kid: 'AQ' }, // not on the curve
      { kty: 'EC', crv: 'P-384', x, y: x, kid: 'AQ' },
      { kty: 'EC', crv: 'P-256', x: 'AQ', y: 'AQ', kid: 'AQ' },
      { kty: 'oct', k: 'AQ', kid: 'AQ' },
      { ...signer.jwk, kid: '!!' },
    ];
    for (const jwk of bad) await assert.rejects(new TrustStore().addJwk(jwk), CredentialError);
    const { kid: _, ...noKid } = signer.jwk;
    await assert.rejects(new TrustStore().addJwk(noKid), /needs a kid/);
  });
});

describe('tampering', () => {
  test('every flipped bit of the COSE message is rejected', async () => {
    const bytes = cose(await issueCard(signer));
    for (let i = 0; i < bytes.length; i++) {
      for (const bit of [0x01, 0x80]) {
        const tampered = bytes.slice();
        tampered[i] ^= bit;
        const result = await verify(fg1(tampered), store, NOW);
        assert.equal(result.valid, false, `byte ${i} bit ${bit}`);
        assert.ok(ENVELOPE_FAILURES.has(result.reason), `${i}: ${result.reason}`);
      }
    }
  });

  test('truncations and extensions are rejected', async () => {
    const bytes = cose(await issueCard(signer));
    for (let n = 0; n < bytes.length; n++) {
      const result = await verify(fg1(bytes.subarray(0, n)), store, NOW);
      assert.ok(['bad_cbor', 'bad_cose'].includes(result.reason), `${n}: ${result.reason}`);
    }
    const longer = new Uint8Array([...bytes, 0]);
    assert.equal((await verify(fg1(longer), store, NOW)).reason, 'bad_cbor');
  });

  test('edited text: characters swapped or outside base45', async () => {
    const text = await issueCard(signer);
    for (let i = 4; i < text.length; i += 7) {
      const swapped = text.slice(0, i) + (text[i] === '0' ? '1' : '0') + text.slice(i + 1);
      const result = await verify(swapped, store, NOW);
      assert.ok(['bad_base45', ...ENVELOPE_FAILURES].includes(result.reason), result.reason);
    }
    assert.equal((await verify(text.toLowerCase(), store, NOW)).reason, 'bad_prefix');
    assert.equal((await verify(text + 'a', store, NOW)).reason, 'bad_base45');
    assert.equal((await verify('HC1:' + text.slice(4), store, NOW)).reason, 'bad_compression');
  });

  test('algorithm changes', async () => {
    for (const [alg, reason] of [
      [-37, 'unsupported_alg'], // PS256 is for HC1 only
      [-35, 'unsupported_alg'],
      ['ES256', 'unsupported_alg'],
      [true, 'unsupported_alg'],
      [null, 'unsupported_alg'],
      [new CborFloat(-7), 'unsupported_alg'], // an integer, not a float equal to one
      [[-7], 'unsupported_alg'],
      [new Map([[1, -7]]), 'unsupported_alg'],
    ]) {
      const header = new Map([[1, alg], [4, signer.kid]]);
      const text = fg1(await coseSign1(signer, cardClaims(), { protectedHeader: header }));
      assert.equal((await verify(text, store, NOW)).reason, reason, String(alg));
    }
    // Changing alg without re-signing breaks the signature of the protected header.
    const [, unprotected, payload, signature] = parts(await issueCard(signer));
    const edited = cborEncode(new Map([[1, -7], [4, signer.kid], [3, 'x']]));
    const text = fg1(cborEncode(new Tagged(18, [edited, unprotected, payload, signature])));
    assert.equal((await verify(text, store, NOW)).reason, 'bad_signature');
  });

  test('malformed envelopes and claims (validly signed) are decoding errors', async () => {
    const cases = [
      [cardClaims({ iat: new CborFloat(NOW_S) }), 'bad_cbor'], // FG1 times are integers
      [cardClaims({ exp: -1 }), 'bad_cbor'],
      [cardClaims({ exp: 253402300800 }), 'bad_cbor'],
      [cardClaims({ cardId: new Uint8Array(5) }), 'bad_cbor'],
      [cardClaims({ cardType: 4 }), 'bad_cbor'],
      [cardClaims({ cardType: true }), 'bad_cbor'],
      [cardClaims({ status: new CborFloat(1) }), 'bad_cbor'],
      [cardClaims({ name: '张'.repeat(17) }), 'bad_cbor'],
      [cardClaims({ tail: '12' }), 'bad_cbor'],
      [cardClaims({ quarantineDays: -1 }), 'bad_cbor'],
      [cardClaims({ extra: [1, 2, 3] }), 'bad_cbor'],
      [cardClaims({ extra: [undefined] }), 'bad_cbor'],
      [new Map([[6, NOW_S], [4, NOW_S + DAY]]), 'bad_cbor'],
      [[1, 2], 'bad_cbor'],
    ];
    for (const [claims, reason] of cases) {
      const text = fg1(await coseSign1(signer, claims));
      assert.equal((await verify(text, store, NOW)).reason, reason);
    }
    const notMap = fg1(await coseSign1(signer, cardClaims(), { protectedHeader: cborEncode([1]) }));
    assert.equal((await verify(notMap, store, NOW)).reason, 'bad_cose');
    const kidText = fg1(await coseSign1(signer, cardClaims(), { protectedHeader: new Map([[1, -7], [4, 'kid']]) }));
    assert.equal((await verify(kidText, store, NOW)).reason, 'bad_cose');
    const noKid = fg1(await coseSign1(signer, cardClaims(), { protectedHeader: new Map([[1, -7]]) }));
    assert.equal((await verify(noKid, store, NOW)).reason, 'unknown_kid');
    assert.equal((await verify(fg1(cborEncode(new Tagged(1, 'x'))), store, NOW)).reason, 'bad_cbor');
    assert.equal((await verify(fg1(cborEncode(new Tagged(24, []))), store, NOW)).reason, 'bad_cose');
    assert.equal((await verify(fg1(cborEncode([1, 2, 3])), store, NOW)).reason, 'bad_cose');
  });

  test('garbage never throws and always gets a reason', async () => {
    const garbage = [
      '', 'FG1:', 'HC1:', 'hello', 'FG1:!!!', 'FG1:AAAA', 'https://example.com/', 'FG1:' + '0'.repeat(4300),
      'FG1:' + '%'.repeat(3), 'HC1:6BFOXN', '\u0000FG1:', 'FG1:\u00e9', null, undefined, 42, {}, [],
    ];
    for (const text of garbage) {
      const result = await verify(text, store, NOW);
      assert.ok(REASONS.includes(result.reason));
      assert.equal(result.valid, false);
    }
    assert.equal((await verify(await issueCard(signer), null, NOW)).reason, 'bad_cose');
    assert.equal((await verify(await issueCard(signer), store, new Date(NaN))).reason, 'bad_cose');
  });
});

describe('trust lists', () => {
  let root;
  let doc;
  before(async () => {
    root = await makeSigner();
    doc = await buildTrustList(root, [
      entryJson(signer, { region: String(WULING), name: '武陵区卫健局', not_before: '2020-01-01T00:00:00Z' }),
      entryJson(other, { name: '鼎城区卫健局', card_types: [2] }),
    ]);
  });

  test('a signed list loads and its keys verify cards', async () => {
    const loaded = await TrustStore.fromTrustList(doc, [root.jwk], { now: NOW });
    assert.equal(loaded.size, 2);
    const result = await verify(await issueCard(signer), loaded, NOW);
    assert.equal(result.reason, 'ok');
    assert.equal(result.issuer, '430702');
    assert.equal((await verify(await issueCard(other), loaded, NOW)).reason, 'unknown_kid'); // card type
    assert.equal((await verify(await issueCard(other, { cardType: 2 }), loaded, NOW)).issuer, '鼎城区卫健局');
    // Other root forms: a root without kid, a store holding the root.
    const { kid: _, ...anonymous } = root.jwk;
    await TrustStore.fromTrustList(doc, [anonymous], { now: NOW });
    const roots = new TrustStore();
    await roots.addJwk(root.jwk);
    await TrustStore.fromTrustList(doc, [roots], { now: NOW });
    await TrustStore.fromTrustList(doc, [root.publicKey], { now: NOW });
  });

  test('member order does not matter (canonical JSON)', async () => {
    const reordered = Object.fromEntries(Object.entries(doc).reverse());
    reordered.keys = doc.keys.map((k) => Object.fromEntries(Object.entries(k).reverse()));
    await TrustStore.fromTrustList(reordered, [root.jwk], { now: NOW });
  });

  test('tampered, wrongly rooted and expired lists are refused, adding nothing', async () => {
    const tampered = [
      (d) => { d.keys[0].region = '430703'; },
      (d) => { d.keys.pop(); },
      (d) => { d.expires_at = '2030-01-01T00:00:00Z'; },
      (d) => { d.extra = 1; },
      (d) => { d.signature = d.signature.replace('..', '.e30.'); },
      (d) => { d.signature = d.signature.slice(0, -4) + 'AAAA'; },
      (d) => { delete d.signature; },
    ];
    for (const edit of tampered) {
      const copy = structuredClone(doc);
      edit(copy);
      const target = new TrustStore();
      await assert.rejects(target.loadTrustList(copy, [root.jwk], { now: NOW }), CredentialError);
      assert.equal(target.size, 0);
    }
    await assert.rejects(TrustStore.fromTrustList(doc, [signer.jwk], { now: NOW }), SignatureError);
    await assert.rejects(
      TrustStore.fromTrustList(doc, [root.jwk], { now: new Date(NOW.getTime() + 8 * DAY * 1000) }),
      /expired/,
    );
  });
});

describe('revocation lists', () => {
  test('a revoked card is rejected; its fields stay visible', async () => {
    const revoking = new TrustStore();
    await revoking.addJwk(signer.jwk, { region: WULING });
    const list = await buildRevocationList(signer, [
      [await sha256Prefix(CARD_ID), NOW_S + 14 * DAY],
      [await sha256Prefix(Uint8Array.of(0, 0, 0, 0, 0, 1)), NOW_S + 3 * DAY],
      [await sha256Prefix(Uint8Array.of(0, 0, 0, 0, 0, 2)), NOW_S - 1],
    ]);
    assert.equal(await revoking.addRevocationList(list, { now: NOW }), 2);
    const result = await verify(await issueCard(signer), revoking, NOW);
    assert.equal(result.reason, 'revoked');
    assert.equal(result.card.cardId, 'a1b2c3d4e5f6');
    const fine = await issueCard(signer, { cardId: Uint8Array.of(0, 0, 0, 0, 0, 0xff) });
    assert.equal((await verify(fine, revoking, NOW)).reason, 'ok');
    assert.equal(revoking.isRevoked(Uint8Array.of(0, 0, 0, 0, 0, 2)), false); // dropped: expired
    // Local revocation by card id.
    revoking.revoke(Uint8Array.of(0, 0, 0, 0, 0, 0xff));
    assert.equal((await verify(fine, revoking, NOW)).reason, 'revoked');
  });

  test('lists signed by an untrusted key, or malformed, are refused', async () => {
    const list = await buildRevocationList(other, [[await sha256Prefix(CARD_ID), NOW_S + DAY]]);
    await assert.rejects(store.addRevocationList(list), SignatureError);
    await assert.rejects(store.addRevocationList(new Uint8Array([1, 2, 3])), CredentialError);
    const card = await issueCard(signer); // a card is not a revocation list (content type)
    await assert.rejects(store.addRevocationList(cose(card)), /content type/);
    assert.equal(store.isRevoked(CARD_ID), false);
  });
});

describe('HC1 codes', () => {
  test('our own HC1 code verifies, with float times and PS256 allowed', async () => {
    const text = hc1(await coseSign1(signer, dccClaims({ iat: new CborFloat(NOW_S + 0.5) })));
    const result = await verify(text, store, NOW);
    assert.equal(result.reason, 'ok');
    assert.equal(result.kind, 'HC1');
    assert.equal(result.card, null);
    assert.equal(result.claims.get(-260).get(1).get('dob'), '1964-08-12');
    assert.equal(result.issuedAt.getTime(), NOW.getTime() + 500);
    const decoded = await decode(text);
    assert.equal(decoded.kind, 'HC1');
  });

  test('compression failures: truncated, trailing data, bomb, not zlib', async () => {
    const message = await coseSign1(signer, dccClaims());
    const zipped = new Uint8Array(deflateSync(message));
    const texts = [
      zipped.subarray(0, zipped.length - 1),
      new Uint8Array([...zipped, 0]),
      new Uint8Array([...zipped, ...zipped.subarray(zipped.length - 4)]), // junk ending in the checksum
      new Uint8Array(deflateSync(new Uint8Array(65 * 1024))),
      message,
      new Uint8Array(0),
    ];
    for (const bytes of texts) {
      const result = await verify('HC1:' + base45Encode(bytes), store, NOW);
      assert.equal(result.reason, 'bad_compression');
    }
    const card = await issueCard(signer); // a FG1 payload zipped is not an HC1 (no hcert)
    assert.equal((await verify(hc1(cose(card)), store, NOW)).reason, 'bad_cbor');
  });

  test('inflate: exact limit, stream ending where the checksum also occurs earlier', async () => {
    const exact = new Uint8Array(64 * 1024);
    assert.equal((await inflate(new Uint8Array(deflateSync(exact)))).length, 64 * 1024);
    const data = new TextEncoder().encode('x'.repeat(100));
    const zipped = new Uint8Array(deflateSync(data));
    const sum = zipped.subarray(zipped.length - 4);
    // A stored (uncompressed) block whose content contains the checksum bytes.
    const content = new Uint8Array([...sum, 1, 2, 3]);
    const stored = new Uint8Array(deflateSync(content, { level: 0 }));
    assert.deepEqual(await inflate(stored), content);
  });
});

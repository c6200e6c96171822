// The two EU DCC rules the JavaScript verifier enforces beyond the signature, with our own
// certificates and keys (the Python twin is tests/credentials/test_cred_dcc_rules.py): DSC
// key usage (EKU OIDs restrict which types a key may sign: wrong_key_usage) and the hcert's
// JSON schema (bad_schema; every edge is compared with Python in test_js_python_agree.py).
import assert from 'node:assert/strict';
import { X509Certificate } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { before, describe, test } from 'node:test';

import {
  CredentialError,
  REASONS,
  SignatureError,
  TrustEntry,
  TrustStore,
  verify,
} from '../../pwa/js/verify/index.js';
import { encode as base45Encode } from '../../pwa/js/verify/base45.js';
import { encode as cborEncode } from '../../pwa/js/verify/cbor.js';
import { deflateSync } from 'node:zlib';
import {
  DAY,
  DCC_ENTRIES,
  NOW,
  NOW_S,
  buildTrustList,
  coseSign1,
  dccCert,
  dccClaims,
  ekuExtension,
  extension,
  hc1,
  issueCard,
  makeDsc,
} from './helpers.mjs';

const [TEST, VACCINATION, RECOVERY] = [1, 2, 3].map((n) => `1.3.6.1.4.1.1847.2021.1.${n}`);
const [ALT_TEST, ALT_VACCINATION, ALT_RECOVERY] = [1, 2, 3].map(
  (n) => `1.3.6.1.4.1.0.1847.2021.1.${n}`,
);
const ICAO_HEALTH = '2.23.136.1.1.14.2'; // the only EKU OID of vector IS/3's DSC
const SERVER_AUTH = '1.3.6.1.5.5.7.3.1';
const hex = (text) => Uint8Array.from(Buffer.from(text, 'hex'));

/** An HC1 text signed by `signer` carrying `cert` as its hcert, valid for `days`. */
async function code(signer, cert, { days = 30 } = {}) {
  return hc1(await coseSign1(signer, dccClaims({ exp: NOW_S + days * DAY, cert })));
}

async function trusting(dsc, meta = {}) {
  const store = new TrustStore();
  await store.addCertificate(dsc.der, meta);
  return store;
}

const at = (seconds) => new Date(seconds * 1000);

test('the new reasons sit where the pipeline checks them, as in Python', () => {
  assert.equal(REASONS.indexOf('wrong_key_usage'), REASONS.indexOf('bad_signature') + 1);
  assert.equal(REASONS.indexOf('bad_schema'), REASONS.indexOf('wrong_key_usage') + 1);
  const python = readFileSync(new URL('../../app/credentials/verify.py', import.meta.url), 'utf8');
  const tuple = /^REASONS = \(\n([\s\S]*?)\n\)/m.exec(python)[1];
  assert.deepEqual([...tuple.matchAll(/"(\w+)"/g)].map((m) => m[1]), [...REASONS]);
});

describe('key usage', () => {
  test('the test DSCs are real X.509 (node:crypto reads their EKU)', async () => {
    const dsc = await makeDsc({ eku: [TEST, ALT_RECOVERY] });
    assert.deepEqual(new X509Certificate(dsc.der).keyUsage, [TEST, ALT_RECOVERY]);
    assert.equal(new X509Certificate((await makeDsc()).der).keyUsage, undefined);
  });

  const cases = [
    [null, null],
    [[TEST], ['t']],
    [[VACCINATION], ['v']],
    [[RECOVERY], ['r']],
    [[ALT_TEST], ['t']],
    [[ALT_VACCINATION, RECOVERY], ['r', 'v']],
    [[TEST, VACCINATION, RECOVERY], ['r', 't', 'v']],
    [[ICAO_HEALTH], null], // other OIDs only: unrestricted
    [[SERVER_AUTH, ALT_RECOVERY], ['r']],
    [['1.3.6.1.4.1.1847.2021.1.4'], null], // not a DCC type OID
  ];
  for (const [eku, types] of cases) {
    test(`EKU ${JSON.stringify(eku)} allows ${JSON.stringify(types)}`, async () => {
      const entry = await TrustEntry.fromCertificate((await makeDsc({ eku })).der);
      assert.deepEqual(entry.dccTypes === null ? null : [...entry.dccTypes].sort(), types);
    });
  }

  test('a restricted DSC signs only its types', async () => {
    const dsc = await makeDsc({ eku: [TEST] });
    const store = await trusting(dsc, { region: 430702 });
    assert.equal((await verify(await code(dsc, dccCert('t')), store, NOW)).reason, 'ok');
    for (const kind of ['v', 'r']) {
      const result = await verify(await code(dsc, dccCert(kind)), store, NOW);
      assert.equal(result.reason, 'wrong_key_usage');
      assert.equal(result.valid, false);
      assert.match(result.detail, new RegExp(`may sign DCC types t, not ${kind}`));
      // The signature is genuine: the result names the issuer and carries the claims.
      assert.equal(result.region, '430702');
      assert.ok(result.claims instanceof Map);
    }
  });

  test('a DSC without DCC OIDs signs every type', async () => {
    for (const eku of [null, [ICAO_HEALTH]]) {
      const dsc = await makeDsc({ eku });
      const store = await trusting(dsc);
      for (const kind of ['v', 't', 'r']) {
        assert.equal((await verify(await code(dsc, dccCert(kind)), store, NOW)).reason, 'ok');
      }
    }
  });

  test('checked after the signature, before the clock', async () => {
    const dsc = await makeDsc({ eku: [VACCINATION] });
    const other = await makeDsc({ eku: [VACCINATION] });
    const store = await trusting(dsc);
    assert.equal((await verify(await code(other, dccCert('t')), store, NOW)).reason, 'unknown_kid');
    const forged = hc1(await coseSign1(dsc, dccClaims({ cert: dccCert('t') }), { signWith: other }));
    assert.equal((await verify(forged, store, NOW)).reason, 'bad_signature');
    const short = await code(dsc, dccCert('t'), { days: 1 });
    assert.equal((await verify(short, store, at(NOW_S + 3 * DAY))).reason, 'wrong_key_usage');
    assert.equal((await verify(short, store, at(NOW_S - 3 * DAY))).reason, 'wrong_key_usage');
    const vaccination = await code(dsc, dccCert('v'), { days: 1 });
    assert.equal((await verify(vaccination, store, at(NOW_S + 3 * DAY))).reason, 'expired');
  });

  test('FG1 cards ignore dccTypes', async () => {
    const dsc = await makeDsc();
    const store = await trusting(dsc, { dccTypes: ['t'] });
    assert.equal((await verify(await issueCard(dsc), store, NOW)).reason, 'ok');
  });

  test('explicit dccTypes narrow, never widen, a certificate', async () => {
    const restricted = (await makeDsc({ eku: [TEST, VACCINATION] })).der;
    const narrowed = await TrustEntry.fromCertificate(restricted, { dccTypes: ['v', 'r'] });
    assert.deepEqual([...narrowed.dccTypes], ['v']);
    const plain = await TrustEntry.fromCertificate(restricted, { dccTypes: null });
    assert.deepEqual([...plain.dccTypes].sort(), ['t', 'v']);
    const open = await TrustEntry.fromCertificate((await makeDsc()).der, { dccTypes: ['r'] });
    assert.deepEqual([...open.dccTypes], ['r']);
    const { jwk } = await makeDsc();
    assert.deepEqual([...(await TrustEntry.fromJwk(jwk, { dccTypes: new Set(['t']) })).dccTypes], ['t']);
    for (const bad of [['x'], ['V'], 'vt', [1], { v: 1 }]) {
      await assert.rejects(TrustEntry.fromJwk(jwk, { dccTypes: bad }), CredentialError);
    }
  });

  test('dccTypes travel in the signed trust list', async () => {
    const root = await makeDsc({ name: 'Root' });
    const dsc = await makeDsc({ eku: [ALT_TEST] });
    const entry = await TrustEntry.fromCertificate(dsc.der, { region: 430702 });
    assert.deepEqual(entry.toJson().dcc_types, ['t']);
    assert.ok(!('dcc_types' in (await TrustEntry.fromCertificate((await makeDsc()).der)).toJson()));
    assert.deepEqual((await TrustEntry.fromJson(entry.toJson())).toJson(), entry.toJson());
    const doc = await buildTrustList(root, [entry.toJson()]);
    const store = await TrustStore.fromTrustList(doc, [root.jwk], { now: NOW });
    assert.equal((await verify(await code(dsc, dccCert('t')), store, NOW)).reason, 'ok');
    assert.equal((await verify(await code(dsc, dccCert('v')), store, NOW)).reason, 'wrong_key_usage');
    const widened = structuredClone(doc);
    delete widened.keys[0].dcc_types;
    await assert.rejects(TrustStore.fromTrustList(widened, [root.jwk], { now: NOW }), SignatureError);
    await assert.rejects(
      TrustEntry.fromJson({ ...entry.toJson(), dcc_types: ['vaccination'] }),
      CredentialError,
    );
  });

  test('extensions cryptography refuses are still read', async () => {
    // BasicConstraints spelling out its default cA FALSE ("EncodedDefault"), which DER forbids.
    const encodedDefault = extension('2.5.29.19', hex('3003010100'), true);
    const dsc = await makeDsc({ eku: [RECOVERY], extensions: [encodedDefault] });
    assert.deepEqual([...(await TrustEntry.fromCertificate(dsc.der)).dccTypes], ['r']);
    const store = await trusting(dsc);
    assert.equal((await verify(await code(dsc, dccCert('r')), store, NOW)).reason, 'ok');
    assert.equal((await verify(await code(dsc, dccCert('v')), store, NOW)).reason, 'wrong_key_usage');
    // An empty EKU (vector common/CO15's shape): no DCC OID, so every type.
    const empty = await makeDsc({ extensions: [ekuExtension([])] });
    assert.equal((await TrustEntry.fromCertificate(empty.der)).dccTypes, null);
    // An EKU that is not a SEQUENCE OF OID: the certificate is refused, not trusted for all.
    const garbage = await makeDsc({ extensions: [extension('2.5.29.37', hex('0400'))] });
    await assert.rejects(new TrustStore().addCertificate(garbage.der), CredentialError);
  });
});

describe('schema', () => {
  let dsc;
  let store;
  before(async () => {
    dsc = await makeDsc();
    store = await trusting(dsc);
  });

  const withTypes = (kind, others) => {
    const cert = dccCert(kind);
    for (const [k, v] of Object.entries(others)) cert.set(k, v);
    return cert;
  };
  const entry = (kind, changes) => {
    const made = DCC_ENTRIES[kind]();
    for (const [k, v] of Object.entries(changes)) made.set(k, v);
    return made;
  };

  const good = {
    vaccination: () => dccCert('v'),
    test: () => dccCert('t'),
    recovery: () => dccCert('r'),
    'null members count as absent (BG/2)': () => withTypes('r', { v: null, t: null }),
    'gnt only, from 1.3.2': () => dccCert('v', { ver: '1.3.2', nam: new Map([['gnt', 'ERIKA']]) }),
    'empty dob, from 1.3.0': () => dccCert('v', { dob: '' }),
    'year of birth only': () => dccCert('v', { dob: '1964' }),
    'extra members': () => dccCert('v', { extra: new Map([['anything', 1]]) }),
    'two doses under 1.0.0': () => dccCert('v', { ver: '1.0.0', v: [DCC_ENTRIES.v(), DCC_ENTRIES.v()] }),
    'two doses under 1.2.1': () => dccCert('v', { ver: '1.2.1', v: [DCC_ENTRIES.v(), DCC_ENTRIES.v()] }),
    'unknown patch 1.0.4': () => dccCert('v', { ver: '1.0.4', v: [DCC_ENTRIES.v(), DCC_ENTRIES.v()] }),
  };
  for (const [name, make] of Object.entries(good)) {
    test(`well formed: ${name}`, async () => {
      const result = await verify(await code(dsc, make()), store, NOW);
      assert.equal(result.reason, 'ok', result.detail);
    });
  }

  test('the release used is named, and a stand-in release is said in the detail', async () => {
    const exact = await verify(await code(dsc, dccCert('v', { ver: '1.2.1' })), store, NOW);
    assert.deepEqual(exact.schema, { version: '1.2.1', note: '' });
    const patch = await verify(await code(dsc, dccCert('v', { ver: '1.0.4' })), store, NOW);
    assert.equal(patch.detail, 'ver 1.0.4 unknown: checked against 1.0.1');
    const future = await verify(await code(dsc, dccCert('v', { ver: '2.0.0' })), store, NOW);
    assert.equal(future.detail, 'ver 2.0.0 unknown: checked against 1.3.3');
  });

  const bad = [
    ['two kinds', () => withTypes('v', { t: [DCC_ENTRIES.t()] }), '(root)', 'oneOf'],
    ['three kinds (DGC2)', () => withTypes('v', { ver: '1.2.1', t: [DCC_ENTRIES.t()], r: [DCC_ENTRIES.r()] }), '(root)', 'one_kind'],
    ['two doses from 1.3.0', () => dccCert('v', { v: [DCC_ENTRIES.v(), DCC_ENTRIES.v()] }), 'v', 'maxItems'],
    ['no ver', () => dccCert('v', { ver: undefined }), '(root)', 'oneOf'],
    ['dob 1815', () => dccCert('v', { dob: '1815-03-01' }), 'dob', 'pattern'],
    ['dob 1815 under 1.0.0', () => dccCert('v', { ver: '1.0.0', dob: '1815-03-01' }), 'dob', 'pattern'],
    ['dob after the issue day', () => dccCert('v', { dob: '2020-03-01' }), 'dob', 'not_after_issue'],
    ['dose number 0', () => dccCert('v', { v: [entry('v', { dn: 0 })] }), 'v[0].dn', 'minimum'],
    ['dose 1.5', () => dccCert('v', { v: [entry('v', { dn: 1.5 })] }), 'v[0].dn', 'type'],
    ['empty certificate id', () => dccCert('r', { r: [entry('r', { ci: '' })] }), 'r[0].ci', 'non_empty'],
    ['empty country', () => dccCert('t', { t: [entry('t', { co: '' })] }), 't[0].co', 'pattern'],
    ['no fnt up to 1.3.1', () => dccCert('v', { nam: new Map([['gnt', 'ERIKA']]) }), 'nam.fnt', 'required'],
    ['no standardised name', () => dccCert('v', { ver: '1.3.2', nam: new Map([['fn', 'a']]) }), 'nam', 'anyOf'],
    ['empty fnt and gnt', () => dccCert('v', { nam: new Map([['fnt', ''], ['gnt', '']]) }), 'nam', 'non_empty'],
  ];
  for (const [name, make, path, rule] of bad) {
    test(`bad_schema: ${name}`, async () => {
      const result = await verify(await code(dsc, make()), store, NOW);
      assert.equal(result.reason, 'bad_schema', result.detail);
      assert.equal(result.schema.path, path, result.detail);
      assert.equal(result.schema.rule, rule, result.detail);
      assert.ok(result.detail.startsWith(`${path}: `), result.detail);
      assert.equal(result.kind, 'HC1');
    });
  }

  test('bad_schema: a member set to CBOR undefined is present, not absent', async () => {
    // Our encoder writes JS undefined as CBOR undefined (0xf7), as cbor2 writes its undefined.
    const cert = dccCert('t');
    cert.set('t', undefined);
    const bytes = cborEncode(dccClaims({ cert }));
    assert.ok(bytes.includes(0xf7));
    const result = await verify(hc1(await coseSign1(dsc, bytes)), store, NOW);
    assert.equal(result.reason, 'bad_schema');
    assert.equal(result.schema.path, 't');
  });

  test('checked after the signature, as the EU verifiers do; the container before it', async () => {
    const text = await code(dsc, dccCert('v', { dob: undefined }));
    assert.equal((await verify(text, new TrustStore(), NOW)).reason, 'unknown_kid');
    const claims = dccClaims();
    claims.set(-260, new Map([[1, ['not', 'a', 'map']]]));
    const container = 'HC1:' + base45Encode(new Uint8Array(deflateSync(await coseSign1(dsc, claims))));
    assert.equal((await verify(container, store, NOW)).reason, 'bad_cbor');
  });
});

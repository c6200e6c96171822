// Every EU DCC test vector in ../shared/vectors/dcc, verified with the JavaScript verifier,
// with the same mapping of EXPECTED* results to reason codes as the Python test
// tests/credentials/test_cred_dcc_vectors.py (read its docstring for the reasoning):
//
//   EXPECTEDUNPREFIX         -> bad_prefix
//   EXPECTEDB45DECODE        -> bad_base45
//   EXPECTEDCOMPRESSION      -> bad_compression
//   EXPECTEDDECODE           -> bad_cbor, bad_cose
//   EXPECTEDVERIFY           -> unsupported_alg, unknown_kid, bad_signature
//   EXPECTEDKEYUSAGE         -> wrong_key_usage
//   EXPECTEDSCHEMAVALIDATION -> bad_schema (after the signature, as the EU verifiers check it)
//   EXPECTEDEXPIRATIONCHECK  -> not_yet_valid, expired
//
// A step true implies the earlier ones, except the schema, which implies only the decoding.
// No step listed or implied true may be where we fail; if a step is listed false we must
// fail there or at an earlier step the vector does not list; otherwise only unlisted steps
// may fail. bad_schema and wrong_key_usage may only end a vector whose expectation for that
// step is false. EXPECTEDKEYUSAGE is decided from the certificate's content, as the Python
// docstring explains: the DSC's EKU (read here with node:crypto's X509Certificate, not with
// the code under test) and the hcert's type. A DSC without DCC OIDs may sign every type, so
// a listed claim counts as true (IS/3 says false; its EKU holds only ICAO's OID); a DSC
// with DCC OIDs may sign those types only, and a vector that does not list key usage gets it
// from that rule (LI/4: a test signed by a vaccination-only DSC). EXPECTEDPICTUREDECODE
// (decoding the PNG) is checked by the Python test only: it concerns the QR image, not the
// verifier, and Node has no QR decoder without npm packages.
import assert from 'node:assert/strict';
import { X509Certificate } from 'node:crypto';
import { existsSync, readFileSync, readdirSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { test } from 'node:test';

import {
  DecodeError,
  REASONS,
  TrustStore,
  computeKid,
  decodePayload,
  verify,
} from '../../pwa/js/verify/index.js';
import { b64urlEncode } from '../../pwa/js/verify/keys.js';
import { parseTimeUs } from '../../pwa/js/verify/time.js';

const VECTORS = fileURLToPath(new URL('../../../shared/vectors/dcc/', import.meta.url));

const STEPS = [
  ['EXPECTEDUNPREFIX', ['bad_prefix']],
  ['EXPECTEDB45DECODE', ['bad_base45']],
  ['EXPECTEDCOMPRESSION', ['bad_compression']],
  ['EXPECTEDDECODE', ['bad_cbor', 'bad_cose']],
  ['EXPECTEDVERIFY', ['unsupported_alg', 'unknown_kid', 'bad_signature']],
  ['EXPECTEDKEYUSAGE', ['wrong_key_usage']],
  ['EXPECTEDSCHEMAVALIDATION', ['bad_schema']],
  ['EXPECTEDEXPIRATIONCHECK', ['not_yet_valid', 'expired']],
];
// The specification's key-usage OIDs, written out here rather than taken from the code.
const DCC_OIDS = Object.fromEntries(
  ['', '0.'].flatMap((arc) =>
    [['1', 't'], ['2', 'v'], ['3', 'r']].map(([n, kind]) => [`1.3.6.1.4.1.${arc}1847.2021.1.${n}`, kind]),
  ),
);
const SCHEMA_STEP = STEPS.findIndex(([name]) => name === 'EXPECTEDSCHEMAVALIDATION');
const DECODE_STEP = STEPS.findIndex(([name]) => name === 'EXPECTEDDECODE');
const STEP_OF = Object.fromEntries(
  STEPS.flatMap(([, reasons], index) => reasons.map((reason) => [reason, index])),
);

function vectorFiles(dir) {
  if (!existsSync(dir)) return [];
  return readdirSync(dir)
    .sort()
    .flatMap((name) => {
      const path = join(dir, name);
      if (statSync(path).isDirectory()) return vectorFiles(path);
      return name.endsWith('.json') ? [path] : [];
    });
}

const FILES = vectorFiles(VECTORS);

/** DCC types the DSC's EKU allows (null: no DCC OID, every type); undefined: unreadable. */
function dscTypes(der) {
  let usage;
  try {
    usage = new X509Certificate(der).keyUsage; // the EKU OIDs, despite the name
  } catch {
    return undefined;
  }
  const kinds = new Set((usage ?? []).filter((oid) => oid in DCC_OIDS).map((oid) => DCC_OIDS[oid]));
  return kinds.size ? kinds : null;
}

/** The hcert's one type among v/t/r (null members are absent), else null. */
async function hcertType(text) {
  let hcert;
  try {
    hcert = (await decodePayload(text)).get(-260).get(1);
  } catch (error) {
    if (error instanceof DecodeError) return null;
    throw error;
  }
  const kinds = ['v', 't', 'r'].filter((kind) => hcert.has(kind) && hcert.get(kind) !== null);
  return kinds.length === 1 ? kinds[0] : null;
}

/** EXPECTEDRESULTS with EXPECTEDKEYUSAGE decided from the certificate (see the top). */
async function expectations(vector) {
  const expected = { ...vector.EXPECTEDRESULTS };
  const claim = expected.EXPECTEDKEYUSAGE;
  const allowedTypes = dscTypes(Buffer.from(vector.TESTCTX.CERTIFICATE, 'base64'));
  if (allowedTypes === undefined) return expected;
  if (allowedTypes === null) {
    if (claim !== undefined) expected.EXPECTEDKEYUSAGE = true;
    return expected;
  }
  const kind = await hcertType(vector.PREFIX);
  if (kind === null) return expected;
  if (claim !== undefined) assert.equal(claim, allowedTypes.has(kind), 'the rule explains the claim');
  else if (!allowedTypes.has(kind)) expected.EXPECTEDKEYUSAGE = false;
  return expected;
}

/** Reasons allowed by the mapping, and whether the vector demands a failure. */
function allowed(expected) {
  const listed = new Map();
  STEPS.forEach(([name], i) => {
    if (name in expected) listed.set(i, expected[name]);
  });
  for (const [i, ok] of [...listed]) {
    if (ok !== true) continue;
    const upTo = i === SCHEMA_STEP ? DECODE_STEP + 1 : i;
    for (let j = 0; j < upTo; j++) if (!listed.has(j)) listed.set(j, true);
  }
  let firstFalse = null;
  for (const [i, ok] of listed) if (ok === false && (firstFalse === null || i < firstFalse)) firstFalse = i;
  const limit = firstFalse === null ? STEPS.length - 1 : firstFalse;
  const reasons = new Set();
  STEPS.forEach(([, stepReasons], i) => {
    if (i <= limit && (i === firstFalse || !listed.has(i))) stepReasons.forEach((r) => reasons.add(r));
  });
  if (firstFalse === null) reasons.add('ok');
  return { reasons, mustFail: firstFalse !== null };
}

test('the vector folder is present (fail, never skip: it is a CI sibling)', () => {
  assert.ok(existsSync(VECTORS), `missing ${VECTORS}`);
  assert.ok(FILES.length >= 100, `only ${FILES.length} vectors under ${VECTORS}`);
});

const ENDINGS = new Map(); // vector id -> {reason, expected}, for the summary test below

function vectorId(path) {
  const relative = path.slice(VECTORS.length).split('/');
  return `${relative[0]}-${relative.at(-1).replace(/\.json$/, '')}`;
}

for (const path of FILES) {
  const id = vectorId(path);
  test(`DCC vector ${id}`, async () => {
    const vector = JSON.parse(readFileSync(path, 'utf8'));
    const expected = await expectations(vector);
    const context = vector.TESTCTX;
    const der = Uint8Array.from(Buffer.from(context.CERTIFICATE, 'base64'));

    const store = new TrustStore();
    const kid = await store.addCertificate(der);
    assert.deepEqual(kid, computeKid(der));
    const clock = parseTimeUs(context.VALIDATIONCLOCK) / 1000;

    const result = await verify(vector.PREFIX, store, clock);
    assert.ok(REASONS.includes(result.reason));
    const { reasons, mustFail } = allowed(expected);
    assert.ok(reasons.has(result.reason), `${result.reason} (${result.detail}) for ${JSON.stringify(expected)}`);
    assert.equal(result.valid, result.reason === 'ok');
    if (mustFail) assert.equal(result.valid, false);
    if (result.reason === 'bad_schema') assert.equal(expected.EXPECTEDSCHEMAVALIDATION, false);
    if (result.reason === 'wrong_key_usage') assert.equal(expected.EXPECTEDKEYUSAGE, false);
    ENDINGS.set(id, { reason: result.reason, expected });

    if (expected.EXPECTEDDECODE && (STEP_OF[result.reason] ?? 99) > STEP_OF.bad_cbor) {
      const claims = await decodePayload(vector.PREFIX);
      assert.ok(claims.get(-260).get(1) instanceof Map);
    }
    if (expected.EXPECTEDVERIFY) {
      assert.equal(result.kid, b64urlEncode(kid));
      assert.ok(result.claims !== null);
    }
  });
}

test('bad_schema and wrong_key_usage end exactly the vectors expecting them', () => {
  assert.equal(ENDINGS.size, FILES.length, 'runs after every vector');
  const ending = (reason) => [...ENDINGS].filter(([, e]) => e.reason === reason).map(([id]) => id).sort();
  const expectingFalse = (step) =>
    [...ENDINGS].filter(([, e]) => e.expected[step] === false).map(([id]) => id).sort();
  assert.deepEqual(ending('bad_schema'), expectingFalse('EXPECTEDSCHEMAVALIDATION'));
  assert.deepEqual(ending('wrong_key_usage'), expectingFalse('EXPECTEDKEYUSAGE'));
  assert.deepEqual(ending('bad_schema'), ['common-DGC1', 'common-DGC2']);
  assert.deepEqual(ending('wrong_key_usage'), [
    'LI-4', 'common-CO10', 'common-CO11', 'common-CO6', 'common-CO7', 'common-CO8', 'common-CO9',
  ]);
  assert.equal(ENDINGS.get('IS-3').reason, 'ok'); // EXPECTEDKEYUSAGE false, no DCC OID in its DSC
});

test('the key-usage rule on the vectors that motivate it', async () => {
  const load = (name) => JSON.parse(readFileSync(join(VECTORS, name), 'utf8'));
  const is3 = load('IS/2DCode/raw/3.json');
  assert.equal(is3.EXPECTEDRESULTS.EXPECTEDKEYUSAGE, false);
  assert.equal(dscTypes(Buffer.from(is3.TESTCTX.CERTIFICATE, 'base64')), null);
  assert.equal((await expectations(is3)).EXPECTEDKEYUSAGE, true);
  const li4 = load('LI/2DCode/raw/4.json');
  assert.ok(!('EXPECTEDKEYUSAGE' in li4.EXPECTEDRESULTS));
  assert.deepEqual([...dscTypes(Buffer.from(li4.TESTCTX.CERTIFICATE, 'base64'))], ['v']);
  assert.equal(await hcertType(li4.PREFIX), 't');
  assert.equal((await expectations(li4)).EXPECTEDKEYUSAGE, false);
  const co6 = load('common/2DCode/raw/CO6.json');
  assert.deepEqual(await expectations(co6), { EXPECTEDKEYUSAGE: false });
});

test('the mapping rule on the shapes of expectation the vectors use', () => {
  const sorted = (set) => [...set].sort();
  assert.deepEqual(sorted(allowed({ EXPECTEDVERIFY: true }).reasons), [
    'bad_schema', 'expired', 'not_yet_valid', 'ok', 'wrong_key_usage',
  ]);
  assert.equal(allowed({ EXPECTEDVERIFY: true }).mustFail, false);
  assert.deepEqual(sorted(allowed({ EXPECTEDVERIFY: true, EXPECTEDEXPIRATIONCHECK: true }).reasons), ['ok']);
  const verifyFalse = allowed({ EXPECTEDVERIFY: false });
  assert.deepEqual(sorted(verifyFalse.reasons), sorted([
    'bad_prefix', 'bad_base45', 'bad_compression', 'bad_cbor', 'bad_cose',
    'unsupported_alg', 'unknown_kid', 'bad_signature',
  ]));
  const usage = allowed({ EXPECTEDVERIFY: true, EXPECTEDKEYUSAGE: false });
  assert.deepEqual(sorted(usage.reasons), ['wrong_key_usage']);
  assert.equal(usage.mustFail, true);
  assert.ok(!allowed({ EXPECTEDSCHEMAVALIDATION: true }).reasons.has('bad_schema'));
  assert.ok(allowed({ EXPECTEDSCHEMAVALIDATION: true }).reasons.has('bad_signature'));
  assert.ok(!allowed({ EXPECTEDSCHEMAVALIDATION: true }).reasons.has('bad_cbor'));
  assert.equal(verifyFalse.mustFail, true);
  const expiry = allowed({ EXPECTEDEXPIRATIONCHECK: false }).reasons;
  assert.ok(expiry.has('expired') && expiry.has('not_yet_valid'));
  assert.ok(!allowed({ EXPECTEDCOMPRESSION: false }).reasons.has('ok'));
  assert.deepEqual(sorted(allowed({ EXPECTEDUNPREFIX: false }).reasons), ['bad_prefix']);
  assert.equal(allowed({ EXPECTEDUNPREFIX: false }).mustFail, true);
});

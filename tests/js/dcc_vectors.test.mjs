// Every EU DCC test vector in ../shared/vectors/dcc, verified with the JavaScript verifier,
// with the same mapping of EXPECTED* results to reason codes as the Python test
// tests/credentials/test_cred_dcc_vectors.py (read its docstring for the reasoning):
//
//   EXPECTEDUNPREFIX        -> bad_prefix
//   EXPECTEDB45DECODE       -> bad_base45
//   EXPECTEDCOMPRESSION     -> bad_compression
//   EXPECTEDDECODE          -> bad_cbor, bad_cose
//   EXPECTEDVERIFY          -> unsupported_alg, unknown_kid, bad_signature
//   EXPECTEDEXPIRATIONCHECK -> not_yet_valid, expired
//
// No step listed or implied true may be where we fail; if a step is listed false we must
// fail there or at an earlier step the vector does not list; otherwise only unlisted steps
// may fail. EXPECTEDPICTUREDECODE (decoding the PNG) is checked by the Python test only: it
// concerns the QR image, not the verifier, and Node has no QR decoder without npm packages.
import assert from 'node:assert/strict';
import { existsSync, readFileSync, readdirSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { test } from 'node:test';

import { REASONS, TrustStore, computeKid, decodePayload, verify } from '../../pwa/js/verify/index.js';
import { b64urlEncode } from '../../pwa/js/verify/keys.js';
import { parseTimeUs } from '../../pwa/js/verify/time.js';

const VECTORS = fileURLToPath(new URL('../../../shared/vectors/dcc/', import.meta.url));

const STEPS = [
  ['EXPECTEDUNPREFIX', ['bad_prefix']],
  ['EXPECTEDB45DECODE', ['bad_base45']],
  ['EXPECTEDCOMPRESSION', ['bad_compression']],
  ['EXPECTEDDECODE', ['bad_cbor', 'bad_cose']],
  ['EXPECTEDVERIFY', ['unsupported_alg', 'unknown_kid', 'bad_signature']],
  ['EXPECTEDEXPIRATIONCHECK', ['not_yet_valid', 'expired']],
];
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

/** Reasons allowed by the mapping, and whether the vector demands a failure. */
function allowed(expected) {
  const listed = new Map();
  STEPS.forEach(([name], i) => {
    if (name in expected) listed.set(i, expected[name]);
  });
  let lastTrue = -1;
  for (const [i, ok] of listed) if (ok === true) lastTrue = Math.max(lastTrue, i);
  for (let i = 0; i <= lastTrue; i++) if (!listed.has(i)) listed.set(i, true);
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

for (const path of FILES) {
  const relative = path.slice(VECTORS.length).split('/');
  const id = `${relative[0]}-${relative.at(-1).replace(/\.json$/, '')}`;
  test(`DCC vector ${id}`, async () => {
    const vector = JSON.parse(readFileSync(path, 'utf8'));
    const expected = vector.EXPECTEDRESULTS;
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

test('the mapping rule on the shapes of expectation the vectors use', () => {
  const sorted = (set) => [...set].sort();
  assert.deepEqual(sorted(allowed({ EXPECTEDVERIFY: true }).reasons), ['expired', 'not_yet_valid', 'ok']);
  assert.equal(allowed({ EXPECTEDVERIFY: true }).mustFail, false);
  assert.deepEqual(sorted(allowed({ EXPECTEDVERIFY: true, EXPECTEDEXPIRATIONCHECK: true }).reasons), ['ok']);
  const verifyFalse = allowed({ EXPECTEDVERIFY: false });
  assert.deepEqual(sorted(verifyFalse.reasons), sorted([
    'bad_prefix', 'bad_base45', 'bad_compression', 'bad_cbor', 'bad_cose',
    'unsupported_alg', 'unknown_kid', 'bad_signature',
  ]));
  assert.equal(verifyFalse.mustFail, true);
  const expiry = allowed({ EXPECTEDEXPIRATIONCHECK: false }).reasons;
  assert.ok(expiry.has('expired') && expiry.has('not_yet_valid'));
  assert.ok(!allowed({ EXPECTEDCOMPRESSION: false }).reasons.has('ok'));
  assert.deepEqual(sorted(allowed({ EXPECTEDUNPREFIX: false }).reasons), ['bad_prefix']);
  assert.equal(allowed({ EXPECTEDUNPREFIX: false }).mustFail, true);
});

// Time per verification of one FG1 card with the PWA's JavaScript verifier, in Node, next to
// WebCrypto's ECDSA verify alone on the same bytes: how much the format costs on top of the
// signature check.
//
//   node bench/verify_js.mjs [--seconds 2] [--revoked 10000]
//   .venv/bin/python bench/verify_browser.py [--seconds 2]     (the same, in headless Chromium)
//
// The key is imported once (as the PWA does when it loads the trust list); the store also
// holds a revocation list of --revoked hashes, so the card-id hash lookup is included.
// Target (issue): headless Chromium does a whole check in 65-90 µs, ~57 µs of it WebCrypto;
// the verifier should stay within twice that.
import { decode as base45Decode, encode as base45Encode } from '../pwa/js/verify/base45.js';
import { Tagged, decode as cborDecode, encode as cborEncode } from '../pwa/js/verify/cbor.js';
import { cardFromCbor } from '../pwa/js/verify/claims.js';
import { decodeSign1, sigStructure } from '../pwa/js/verify/cose.js';
import { TrustStore, verify } from '../pwa/js/verify/index.js';
import { b64urlEncode } from '../pwa/js/verify/keys.js';

// Node: --name value arguments; a browser page: ?name=value in the module's URL.
const args = globalThis.process
  ? Object.fromEntries(
      process.argv.slice(2).reduce((pairs, arg, i, all) => {
        if (arg.startsWith('--')) pairs.push([arg.slice(2), all[i + 1]]);
        return pairs;
      }, []),
    )
  : Object.fromEntries(new URL(import.meta.url).searchParams);
const SECONDS = Number(args.seconds ?? 2);
const REVOKED = Number(args.revoked ?? 10000);

const subtle = globalThis.crypto.subtle;
const ECDSA = { name: 'ECDSA', hash: 'SHA-256' };

// A yellow paper card, as the server issues it: {1: -7, 4: kid} protected, 44-byte claims.
const pair = await subtle.generateKey({ name: 'ECDSA', namedCurve: 'P-256' }, true, ['sign', 'verify']);
const kid = Uint8Array.from([0x90, 0xdf, 0xfe, 0x0f, 0xbc, 0x69, 0x9e, 0xe0]);
const now = Date.UTC(2020, 1, 20, 8);
const iat = now / 1000;
const claims = new Map([
  [6, iat],
  [4, iat + 14 * 86400],
  [-65537, [Uint8Array.from([0x3f, 0x9a, 0x0c, 0x7b, 0xe2, 0x15]), 2, 2, 18326, '欧*娜', '123X']],
]);
const protectedBytes = cborEncode(new Map([[1, -7], [4, kid]]));
const payload = cborEncode(claims);
const toSign = sigStructure(protectedBytes, payload);
const signature = new Uint8Array(await subtle.sign(ECDSA, pair.privateKey, toSign));
const text = 'FG1:' + base45Encode(cborEncode(new Tagged(18, [protectedBytes, new Map(), payload, signature])));

const store = new TrustStore();
const { kty, crv, x, y } = await subtle.exportKey('jwk', pair.publicKey);
await store.addJwk({ kty, crv, x, y, kid: b64urlEncode(kid) }, { region: 430702 });
for (let i = 0; i < REVOKED; i++) {
  const hash = new Uint8Array(16);
  new DataView(hash.buffer).setUint32(0, i * 2654435761);
  store.revoke(hash);
}
const check = await verify(text, store, now);
if (!check.valid) throw new Error(`benchmark card does not verify: ${check.reason}`);
const key = store.entries(kid)[0].key;

/**
 * Time each function in blocks of BLOCK calls, interleaved (A, B, C, A, B, C...) for about
 * SECONDS each, so that a change in the machine's load hits all of them alike. Returns per-call
 * µs arrays (one value per block: a browser's clock ticks in 5-100 µs steps).
 */
const BLOCK = 20;
async function interleaved(fns) {
  const names = Object.keys(fns);
  const samples = Object.fromEntries(names.map((name) => [name, []]));
  for (let i = 0; i < 300; i++) for (const name of names) await fns[name](); // warm up (JIT)
  const deadline = performance.now() + SECONDS * 1000 * names.length;
  while (performance.now() < deadline) {
    for (let i = 0; i < 10; i++) {
      for (const name of names) {
        const fn = fns[name];
        const start = performance.now();
        for (let j = 0; j < BLOCK; j++) await fn();
        samples[name].push(((performance.now() - start) * 1000) / BLOCK);
      }
    }
  }
  return samples;
}

const quantile = (values, q) => [...values].sort((a, b) => a - b)[Math.floor(values.length * q)];

const samples = await interleaved({
  'verify() whole check': () => verify(text, store, now),
  'crypto.subtle.verify alone': () => subtle.verify(ECDSA, key, signature, toSign),
  'decoding and checks, no signature': () => {
    // What verify() does around the signature (synchronously), without WebCrypto.
    const sign1 = decodeSign1(base45Decode(text.slice(4)));
    const card = cardFromCbor(cborDecode(sign1.payload).get(-65537));
    sigStructure(sign1.protected, sign1.payload);
    return store.isRevoked(card.cardId);
  },
});

const engine = globalThis.process ? `Node ${process.version}` : navigator.userAgent.match(/(Headless)?Chrome\/[\d.]+/)[0];
console.log(`${engine}, ${text.length}-character FG1 card, ${REVOKED} revoked hashes`);
console.log(`${''.padEnd(36)}  median      p10   (blocks of ${BLOCK} calls)`);
const median = {};
for (const [name, values] of Object.entries(samples)) {
  median[name] = quantile(values, 0.5);
  console.log(
    `${name.padEnd(36)} ${median[name].toFixed(1).padStart(6)} µs ${quantile(values, 0.1).toFixed(1).padStart(6)} µs   (${values.length})`,
  );
}
const total = median['verify() whole check'];
const raw = median['crypto.subtle.verify alone'];
console.log(
  `\nwhole check ${total.toFixed(1)} µs = WebCrypto verify ${raw.toFixed(1)} µs ` +
    `(${((100 * raw) / total).toFixed(0)}%) + ${(total - raw).toFixed(1)} µs of format, ` +
    `async and checks (${(total / raw).toFixed(2)}x the bare signature check)`,
);
console.log('done');

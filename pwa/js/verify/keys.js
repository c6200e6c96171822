/**
 * Public keys for the verifier: base64 helpers, JWK (EC P-256 and RSA) and X.509 certificates
 * (the DCC kid rule: first 8 bytes of SHA-256 over the DER), imported once as CryptoKeys.
 * Mirrors app/credentials/jwk.py and certs.py.
 */
import { CredentialError } from './errors.js';
import { sha256 } from './sha256.js';

export const KID_LENGTH = 8;

/**
 * base64url without padding (RFC 7515).
 * @param {Uint8Array} bytes
 * @returns {string}
 */
export function b64urlEncode(bytes) {
  // A table, not btoa + three regex replaces: a kid is encoded on every scan.
  let out = '';
  let i = 0;
  for (; i + 2 < bytes.length; i += 3) {
    const n = (bytes[i] << 16) | (bytes[i + 1] << 8) | bytes[i + 2];
    out += B64URL[n >> 18] + B64URL[(n >> 12) & 63] + B64URL[(n >> 6) & 63] + B64URL[n & 63];
  }
  if (i + 1 === bytes.length) {
    const n = bytes[i] << 16;
    out += B64URL[n >> 18] + B64URL[(n >> 12) & 63];
  } else if (i + 2 === bytes.length) {
    const n = (bytes[i] << 16) | (bytes[i + 1] << 8);
    out += B64URL[n >> 18] + B64URL[(n >> 12) & 63] + B64URL[(n >> 6) & 63];
  }
  return out;
}

const B64URL = 'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_';

/**
 * Decode base64 or base64url, padded or not (kids are published in both forms).
 * @param {string} text
 * @returns {Uint8Array}
 */
export function b64DecodeAny(text) {
  if (typeof text !== 'string') throw new CredentialError('expected a base64 string');
  let cleaned = text.trim().replace(/-/g, '+').replace(/_/g, '/');
  cleaned += '='.repeat((4 - (cleaned.length % 4)) % 4);
  if (!/^[A-Za-z0-9+/]*={0,2}$/.test(cleaned)) {
    throw new CredentialError(`not base64: ${JSON.stringify(text.slice(0, 40))}`);
  }
  const binary = atob(cleaned);
  const out = new Uint8Array(binary.length);
  for (let i = 0; i < binary.length; i++) out[i] = binary.charCodeAt(i);
  return out;
}

/** Hex of bytes (card ids, debugging). */
export function toHex(bytes) {
  let s = '';
  for (let i = 0; i < bytes.length; i++) s += (bytes[i] < 16 ? '0' : '') + bytes[i].toString(16);
  return s;
}

/** Bytes of hex text. */
export function fromHex(hex) {
  if (typeof hex !== 'string' || hex.length % 2 || /[^0-9a-fA-F]/.test(hex)) {
    throw new CredentialError('not hex');
  }
  const out = new Uint8Array(hex.length / 2);
  for (let i = 0; i < out.length; i++) out[i] = parseInt(hex.substr(i * 2, 2), 16);
  return out;
}

/** Bytes as a binary string: a cheap Map key for kids and revocation hashes. */
export function binaryKey(bytes) {
  return String.fromCharCode.apply(null, bytes);
}

// -- JWK ----------------------------------------------------------------------------------

const EC_IMPORT = Object.freeze({ name: 'ECDSA', namedCurve: 'P-256' });
const RSA_IMPORT = Object.freeze({ name: 'RSA-PSS', hash: 'SHA-256' });

function stripZeros(bytes) {
  let i = 0;
  while (i < bytes.length - 1 && bytes[i] === 0) i++;
  return bytes.subarray(i);
}

/**
 * A public key ready for verify(): the CryptoKey (null when this platform cannot use the
 * key, e.g. another curve: it then simply never verifies, as in Python) and an identity
 * string that is equal for equal keys.
 * @typedef {{key: CryptoKey|null, kty: string, id: string, jwk: object}} PublicKey
 */

/**
 * Import an EC P-256 or RSA public JWK; private members are ignored.
 * @param {object} jwk
 * @returns {Promise<PublicKey>}
 */
export async function importJwk(jwk) {
  if (!jwk || typeof jwk !== 'object') throw new CredentialError('invalid JWK');
  if (jwk.kty === 'EC') {
    if (jwk.crv !== 'P-256') throw new CredentialError(`unsupported EC curve ${jwk.crv}`);
    const x = b64DecodeAny(jwk.x);
    const y = b64DecodeAny(jwk.y);
    if (x.length !== 32 || y.length !== 32) {
      throw new CredentialError('P-256 coordinates must be 32 bytes');
    }
    const clean = { kty: 'EC', crv: 'P-256', x: b64urlEncode(x), y: b64urlEncode(y) };
    let key;
    try {
      // importKey checks that the point is on the curve.
      key = await crypto.subtle.importKey('jwk', clean, EC_IMPORT, false, ['verify']);
    } catch (error) {
      throw new CredentialError(`invalid JWK: ${error.message}`);
    }
    return { key, kty: 'EC', id: `EC:${clean.x}.${clean.y}`, jwk: clean };
  }
  if (jwk.kty === 'RSA') {
    const n = stripZeros(b64DecodeAny(jwk.n));
    const e = stripZeros(b64DecodeAny(jwk.e));
    const clean = { kty: 'RSA', n: b64urlEncode(n), e: b64urlEncode(e) };
    let key = null;
    try {
      key = await crypto.subtle.importKey('jwk', clean, RSA_IMPORT, false, ['verify']);
    } catch {
      // A modulus WebCrypto refuses (too small, too large): trusted, but never verifies.
    }
    return { key, kty: 'RSA', id: `RSA:${clean.n}.${clean.e}`, jwk: clean };
  }
  throw new CredentialError(`unsupported JWK key type ${jwk?.kty}`);
}

// -- X.509 --------------------------------------------------------------------------------

/**
 * What the verifier needs from a certificate: its kid, public key, subject name and the DCC
 * types its extended key usage allows.
 * @param {Uint8Array|string} data DER bytes, or PEM text
 * @returns {{der: Uint8Array, kid: Uint8Array, name: string|null, jwk: object|null,
 *   dccTypes: string[]|null}} jwk is null for a key type this verifier cannot use (it then
 *   never verifies); dccTypes null means the certificate may sign every DCC type
 */
export function parseCertificate(data) {
  const der = typeof data === 'string' ? pemToDer(data) : data;
  if (!(der instanceof Uint8Array)) throw new CredentialError('certificate must be bytes or PEM');
  try {
    const cert = children(der, tlv(der, 0, 0x30));
    const tbs = children(der, expect(cert[0], 0x30));
    let i = tbs[0].tag === 0xa0 ? 1 : 0; // [0] version
    i += 2; // serialNumber, signature algorithm
    i += 1; // issuer
    i += 1; // validity
    const subject = tbs[i++];
    const spki = tbs[i++];
    return {
      der,
      kid: computeKid(der),
      name: commonName(der, expect(subject, 0x30)),
      jwk: spkiToJwk(der, expect(spki, 0x30)),
      dccTypes: dccTypes(der, tbs.slice(i)),
    };
  } catch (error) {
    if (error instanceof CredentialError) throw error;
    throw new CredentialError(`not an X.509 certificate: ${error.message}`);
  }
}

/** kid = first 8 bytes of SHA-256 over the certificate's DER (the EU DCC rule). */
export function computeKid(der) {
  return sha256(der).slice(0, KID_LENGTH);
}

function pemToDer(text) {
  const match = /-----BEGIN CERTIFICATE-----([\s\S]*?)-----END CERTIFICATE-----/.exec(text);
  if (!match) throw new CredentialError('not a PEM certificate');
  return b64DecodeAny(match[1].replace(/\s+/g, ''));
}

/** One DER element at `pos`: {tag, start (of contents), end}. */
function tlv(buf, pos, tag) {
  if (pos + 2 > buf.length) throw new CredentialError('truncated DER');
  const t = buf[pos];
  if (tag !== undefined && t !== tag) throw new CredentialError(`DER tag ${t}, expected ${tag}`);
  let len = buf[pos + 1];
  let start = pos + 2;
  if (len & 0x80) {
    const count = len & 0x7f;
    if (count === 0 || count > 4 || start + count > buf.length) {
      throw new CredentialError('bad DER length');
    }
    len = 0;
    for (let k = 0; k < count; k++) len = len * 256 + buf[start + k];
    start += count;
  }
  const end = start + len;
  if (end > buf.length) throw new CredentialError('truncated DER');
  return { tag: t, start, end };
}

function expect(node, tag) {
  if (!node || node.tag !== tag) throw new CredentialError('unexpected DER structure');
  return node;
}

function children(buf, node) {
  const out = [];
  for (let p = node.start; p < node.end; ) {
    const child = tlv(buf, p);
    out.push(child);
    p = child.end;
  }
  return out;
}

function oidHex(buf, node) {
  return toHex(buf.subarray(expect(node, 0x06).start, node.end));
}

// EU DCC technical specification (volume 1, section 5.2.1): extended-key-usage OIDs that
// restrict which health-certificate types a Document Signer Certificate may sign; the
// second arc (1.3.6.1.4.1.0.1847...) is an alternative spelling and means the same.
const DCC_KEY_USAGE = Object.freeze({
  '2b060104018e378f650101': 't', // 1.3.6.1.4.1.1847.2021.1.1 test
  '2b060104018e378f650102': 'v', // 1.3.6.1.4.1.1847.2021.1.2 vaccination
  '2b060104018e378f650103': 'r', // 1.3.6.1.4.1.1847.2021.1.3 recovery
  '2b06010401008e378f650101': 't', // 1.3.6.1.4.1.0.1847.2021.1.1
  '2b06010401008e378f650102': 'v', // 1.3.6.1.4.1.0.1847.2021.1.2
  '2b06010401008e378f650103': 'r', // 1.3.6.1.4.1.0.1847.2021.1.3
});
const OID_EXTENDED_KEY_USAGE = '551d25';
const OID_CN = '550403';
const OID_O = '55040a';
const OID_EC_PUBLIC_KEY = '2a8648ce3d0201';
const OID_P256 = '2a8648ce3d030107';
const OID_RSA = '2a864886f70d010101';
const OID_RSA_PSS = '2a864886f70d01010a';

const latin1 = new TextDecoder('latin1');
const utf8 = new TextDecoder('utf-8');
const utf16be = new TextDecoder('utf-16be');

function directoryString(buf, node) {
  const bytes = buf.subarray(node.start, node.end);
  if (node.tag === 0x1e) return utf16be.decode(bytes); // BMPString
  if (node.tag === 0x1c) {
    // UniversalString: UTF-32BE
    let s = '';
    for (let i = 0; i + 3 < bytes.length; i += 4) {
      s += String.fromCodePoint(
        ((bytes[i] << 24) | (bytes[i + 1] << 16) | (bytes[i + 2] << 8) | bytes[i + 3]) >>> 0,
      );
    }
    return s;
  }
  if (node.tag === 0x14) return latin1.decode(bytes); // TeletexString, as Latin-1
  return utf8.decode(bytes); // UTF8String, PrintableString, IA5String, VisibleString
}

/** The subject's CN (or O), like the Python library shows as the issuer's name. */
function commonName(buf, subject) {
  const found = { [OID_CN]: null, [OID_O]: null };
  for (const set of children(buf, subject)) {
    for (const attribute of children(buf, expect(set, 0x31))) {
      const [type, value] = children(buf, expect(attribute, 0x30));
      const oid = oidHex(buf, type);
      if (oid in found && found[oid] === null) found[oid] = directoryString(buf, value);
    }
  }
  return found[OID_CN] ?? found[OID_O];
}

/**
 * The DCC types named by the first extended-key-usage extension ([3] extensions > Extension
 * 2.5.29.37 > OCTET STRING > SEQUENCE OF OID), or null: no EKU, or none of the DCC OIDs (a
 * DSC without them may sign every type). An empty EKU (common/CO15) is read, not refused,
 * as app/credentials/certs.py does.
 */
function dccTypes(buf, rest) {
  const extensions = rest.find((node) => node.tag === 0xa3);
  if (!extensions) return null;
  for (const extension of children(buf, expect(only(buf, extensions), 0x30))) {
    const parts = children(buf, expect(extension, 0x30));
    if (oidHex(buf, parts[0]) !== OID_EXTENDED_KEY_USAGE) continue;
    const usages = only(buf, expect(parts.at(-1), 0x04));
    const found = new Set();
    for (const oid of children(buf, expect(usages, 0x30))) {
      const kind = DCC_KEY_USAGE[oidHex(buf, oid)];
      if (kind) found.add(kind);
    }
    return found.size ? [...found].sort() : null;
  }
  return null;
}

/** The one DER element inside `node`. */
function only(buf, node) {
  const items = children(buf, node);
  if (items.length !== 1) throw new CredentialError('expected exactly one DER element');
  return items[0];
}

function spkiToJwk(buf, spki) {
  const [algorithm, bitString] = children(buf, spki);
  const [oid, params] = children(buf, expect(algorithm, 0x30));
  const keyBytes = buf.subarray(expect(bitString, 0x03).start + 1, bitString.end);
  const type = oidHex(buf, oid);
  if (type === OID_EC_PUBLIC_KEY) {
    if (!params || params.tag !== 0x06 || oidHex(buf, params) !== OID_P256) return null;
    const point = decodePoint(keyBytes);
    return { kty: 'EC', crv: 'P-256', x: b64urlEncode(point.x), y: b64urlEncode(point.y) };
  }
  if (type === OID_RSA || type === OID_RSA_PSS) {
    const [n, e] = children(keyBytes, tlv(keyBytes, 0, 0x30));
    return {
      kty: 'RSA',
      n: b64urlEncode(stripZeros(keyBytes.subarray(expect(n, 0x02).start, n.end))),
      e: b64urlEncode(stripZeros(keyBytes.subarray(expect(e, 0x02).start, e.end))),
    };
  }
  return null;
}

// P-256 domain parameters, for compressed points (02/03 || x).
const P = 0xffffffff00000001000000000000000000000000ffffffffffffffffffffffffn;
const B = 0x5ac635d8aa3a93e7b3ebbd55769886bc651d06b0cc53b0f63bce3c3e27d2604bn;

function modPow(base, exp, mod) {
  let result = 1n;
  base %= mod;
  for (; exp > 0n; exp >>= 1n) {
    if (exp & 1n) result = (result * base) % mod;
    base = (base * base) % mod;
  }
  return result;
}

function bytesToBig(bytes) {
  let n = 0n;
  for (const b of bytes) n = (n << 8n) | BigInt(b);
  return n;
}

function bigTo32(n) {
  const out = new Uint8Array(32);
  for (let i = 31; i >= 0; i--, n >>= 8n) out[i] = Number(n & 0xffn);
  return out;
}

function decodePoint(bytes) {
  if (bytes.length === 65 && bytes[0] === 4) {
    return { x: bytes.slice(1, 33), y: bytes.slice(33) };
  }
  if (bytes.length === 33 && (bytes[0] === 2 || bytes[0] === 3)) {
    const x = bytesToBig(bytes.subarray(1));
    const rhs = (((x * x * x - 3n * x + B) % P) + P) % P;
    let y = modPow(rhs, (P + 1n) / 4n, P); // P = 3 mod 4
    if ((y * y) % P !== rhs) throw new CredentialError('EC point is not on P-256');
    if (Number(y & 1n) !== (bytes[0] & 1)) y = P - y;
    return { x: bytes.slice(1), y: bigTo32(y) };
  }
  throw new CredentialError('unsupported EC point encoding');
}

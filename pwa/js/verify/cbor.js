/**
 * A strict, minimal CBOR (RFC 8949) decoder, and the small encoder COSE needs.
 *
 * It decodes exactly what the Python library (cbor2 through app/credentials/cose.py) accepts,
 * so that both verifiers give the same reason for the same bytes:
 *   - exactly one item: truncation and trailing bytes are errors;
 *   - duplicate map keys are errors, keys compared the way Python compares them
 *     (1 == 1.0 == true, so such keys are also normalised to plain numbers in the Map);
 *   - at most 24 nested containers (arrays, maps, tags);
 *   - the tags cbor2 interprets are checked the way cbor2 checks them (a malformed epoch
 *     date, bignum, UUID... is a CBOR error), bignums become integers, 55799 disappears.
 *
 * Not checked (a tag nobody puts in a credential): whether a tag 35 regular expression
 * compiles, and the details of IP address/network tags.
 *
 * JavaScript values:
 *   integers          number, or BigInt outside Number's safe range
 *   floats            CborFloat (half, single, double): a Number object, so that 6.0 stays
 *                     distinguishable from 6 (an FG1 iat must be an integer, as in Python)
 *   byte strings      Uint8Array, a view into the input bytes (no copy)
 *   text strings      string
 *   arrays, maps      Array, Map
 *   tags              Tagged (except the ones interpreted above)
 *   simple values     false, true, null, undefined, else SimpleValue
 */
import { CborError } from './errors.js';

export { CborError };

/** A tagged item that keeps its tag (COSE's 18 and 61, and any tag we do not interpret). */
export class Tagged {
  /** @param {number|bigint} tag @param {*} value */
  constructor(tag, value) {
    this.tag = tag;
    this.value = value;
  }
}

/** A simple value other than false/true/null/undefined. */
export class SimpleValue {
  /** @param {number} value */
  constructor(value) {
    this.value = value;
  }
}

/** A CBOR float. Arithmetic, comparisons and JSON work as for a number; typeof is 'object'. */
export class CborFloat extends Number {}

/** Nesting deeper than this is never legitimate in a QR credential (same limit as Python). */
export const MAX_DEPTH = 24;

const utf8 = new TextDecoder('utf-8', { fatal: true, ignoreBOM: true });
const utf8Encoder = new TextEncoder();
const TWO_32 = 4294967296;

/**
 * Decode exactly one CBOR item.
 * @param {Uint8Array} bytes
 * @param {{maxDepth?: number}} [options]
 * @returns {*}
 */
export function decode(bytes, options = {}) {
  if (!(bytes instanceof Uint8Array)) throw new CborError('CBOR input must be a Uint8Array');
  const reader = new Reader(bytes, options.maxDepth ?? MAX_DEPTH);
  const value = reader.item();
  if (reader.pos !== bytes.length) {
    throw new CborError(`${bytes.length - reader.pos} bytes of trailing data after CBOR item`);
  }
  return value;
}

class Reader {
  constructor(buf, maxDepth) {
    this.buf = buf;
    this.pos = 0;
    this.depth = 0;
    this.maxDepth = maxDepth;
    this.view = null; // DataView, made on the first float only
    this.shared = null; // tag 28/29 values (value sharing)
    this.strings = null; // tag 256/25 string references, innermost namespace
  }

  need(n) {
    if (n > this.buf.length - this.pos) {
      throw new CborError('premature end of CBOR data');
    }
  }

  /** The argument of an initial byte: a number, or a BigInt above 2^53 - 1. */
  arg(ai) {
    const buf = this.buf;
    if (ai < 24) return ai;
    if (ai === 24) {
      this.need(1);
      return buf[this.pos++];
    }
    if (ai === 25) {
      this.need(2);
      const v = (buf[this.pos] << 8) | buf[this.pos + 1];
      this.pos += 2;
      return v;
    }
    if (ai === 26) {
      this.need(4);
      const v = this.u32(this.pos);
      this.pos += 4;
      return v;
    }
    if (ai === 27) {
      this.need(8);
      const hi = this.u32(this.pos);
      const lo = this.u32(this.pos + 4);
      this.pos += 8;
      if (hi < 0x200000) return hi * TWO_32 + lo; // below 2^53: exact as a number
      return (BigInt(hi) << 32n) | BigInt(lo);
    }
    throw new CborError(`reserved additional information ${ai}`);
  }

  u32(p) {
    const b = this.buf;
    return ((b[p] << 24) | (b[p + 1] << 16) | (b[p + 2] << 8) | b[p + 3]) >>> 0;
  }

  /** A definite length that must fit in what is left (an item needs at least `unit` bytes). */
  length(ai, unit) {
    const n = this.arg(ai);
    if (typeof n === 'bigint' || n * unit > this.buf.length - this.pos) {
      throw new CborError('premature end of CBOR data');
    }
    return n;
  }

  enter() {
    if (++this.depth > this.maxDepth) {
      throw new CborError(`maximum container nesting depth (${this.maxDepth}) exceeded`);
    }
  }

  item() {
    this.need(1);
    const initial = this.buf[this.pos++];
    const major = initial >> 5;
    const ai = initial & 31;
    switch (major) {
      case 0: {
        if (ai === 31) throw new CborError('indefinite length integer');
        return this.arg(ai);
      }
      case 1: {
        if (ai === 31) throw new CborError('indefinite length integer');
        const n = this.arg(ai);
        return typeof n === 'number' && n < Number.MAX_SAFE_INTEGER ? -1 - n : -1n - BigInt(n);
      }
      case 2:
      case 3:
        return ai === 31 ? this.indefiniteString(major) : this.string(major, this.length(ai, 1));
      case 4:
        return this.array(ai);
      case 5:
        return this.map(ai);
      case 6:
        if (ai === 31) throw new CborError('indefinite length tag');
        return this.tag(this.arg(ai));
      default:
        return this.simple(ai);
    }
  }

  string(major, n) {
    const start = this.pos;
    this.pos += n;
    let value;
    if (major === 2) {
      value = this.buf.subarray(start, this.pos); // a view: no copy on the scan path
    } else {
      value = decodeUtf8(this.buf, start, this.pos);
    }
    if (this.strings !== null) this.noteString(value, n);
    return value;
  }

  indefiniteString(major) {
    const chunks = [];
    let total = 0;
    for (;;) {
      this.need(1);
      const initial = this.buf[this.pos++];
      if (initial === 0xff) break;
      if (initial >> 5 !== major) {
        throw new CborError('chunk of another major type in an indefinite length string');
      }
      if ((initial & 31) === 31) throw new CborError('nested indefinite length string');
      const n = this.length(initial & 31, 1);
      if (major === 3) {
        // Each chunk must be valid UTF-8 on its own (cbor2 decodes chunk by chunk).
        chunks.push(decodeUtf8(this.buf, this.pos, this.pos + n));
      } else {
        chunks.push(this.buf.subarray(this.pos, this.pos + n));
      }
      this.pos += n;
      total += n;
    }
    if (major === 3) return chunks.join('');
    const out = new Uint8Array(total);
    let o = 0;
    for (const chunk of chunks) {
      out.set(chunk, o);
      o += chunk.length;
    }
    return out;
  }

  atBreak() {
    this.need(1);
    if (this.buf[this.pos] === 0xff) {
      this.pos++;
      return true;
    }
    return false;
  }

  array(ai) {
    this.enter();
    const out = [];
    if (ai === 31) {
      while (!this.atBreak()) out.push(this.item());
    } else {
      const n = this.length(ai, 1);
      for (let i = 0; i < n; i++) out.push(this.item());
    }
    this.depth--;
    return out;
  }

  map(ai) {
    this.enter();
    const out = new Map();
    let composite = null; // identities of composite keys (bytes, arrays...), for duplicates
    const n = ai === 31 ? -1 : this.length(ai, 2);
    for (let i = 0; n < 0 ? !this.atBreak() : i < n; i++) {
      let key = this.item();
      const value = this.item();
      key = pythonKey(key);
      if (typeof key === 'object' && key !== null) {
        if (composite === null) composite = new Set();
        const id = keyId(key);
        if (composite.has(id)) throw new CborError('duplicate map key');
        composite.add(id);
      } else if (out.has(key) && key === key) {
        // (NaN is never equal to itself in Python, so NaN keys are never duplicates.)
        throw new CborError(`duplicate map key ${String(key)}`);
      }
      out.set(key, value);
    }
    this.depth--;
    return out;
  }

  simple(ai) {
    switch (ai) {
      case 20:
        return false;
      case 21:
        return true;
      case 22:
        return null;
      case 23:
        return undefined;
      case 24: {
        this.need(1);
        const v = this.buf[this.pos++];
        if (v < 32) throw new CborError('invalid two-byte encoding of a simple value');
        return new SimpleValue(v);
      }
      case 25: {
        this.need(2);
        const v = halfToNumber((this.buf[this.pos] << 8) | this.buf[this.pos + 1]);
        this.pos += 2;
        return new CborFloat(v);
      }
      case 26:
      case 27: {
        const size = ai === 26 ? 4 : 8;
        this.need(size);
        if (this.view === null) {
          this.view = new DataView(this.buf.buffer, this.buf.byteOffset, this.buf.byteLength);
        }
        const v = size === 4 ? this.view.getFloat32(this.pos) : this.view.getFloat64(this.pos);
        this.pos += size;
        return new CborFloat(v);
      }
      case 31:
        throw new CborError('break code where a data item was expected');
      default:
        if (ai < 20) return new SimpleValue(ai);
        throw new CborError(`reserved additional information ${ai} in major type 7`);
    }
  }

  tag(tag) {
    this.enter();
    let value;
    if (tag === 28) {
      // Value sharing: register the slot first, as cbor2 does (a reference inside the value
      // to the value itself is legal).
      if (this.shared === null) this.shared = [];
      const index = this.shared.length;
      this.shared.push(PENDING);
      value = this.item();
      this.shared[index] = value;
    } else if (tag === 256) {
      const outer = this.strings;
      this.strings = [];
      value = this.item();
      this.strings = outer;
    } else {
      value = this.item();
    }
    this.depth--;
    return interpret(this, tag, value);
  }

  /** Strings long enough to be worth a reference join the innermost stringref namespace. */
  noteString(value, byteLength) {
    const table = this.strings;
    const size = table.length;
    const threshold = size < 24 ? 3 : size < 256 ? 4 : size < 65536 ? 5 : size < TWO_32 ? 7 : 11;
    if (byteLength >= threshold) table.push(value);
  }
}

const PENDING = Symbol('pending shared value');

/**
 * Strict UTF-8 (what TextDecoder's fatal mode and Python accept: no overlong forms, no
 * surrogates, nothing above U+10FFFF). Short strings, the usual case in a credential, are
 * decoded here: a TextDecoder call costs more than the decoding itself.
 */
function decodeUtf8(buf, start, end) {
  if (end - start > 64) {
    try {
      return utf8.decode(buf.subarray(start, end));
    } catch {
      throw new CborError('invalid UTF-8 in text string');
    }
  }
  let out = '';
  for (let i = start; i < end; ) {
    const b = buf[i];
    if (b < 0x80) {
      out += String.fromCharCode(b);
      i++;
      continue;
    }
    // Lead byte: how many continuation bytes, its payload bits, the smallest code point
    // that needs this length (anything smaller is an overlong form).
    let need = 3;
    let cp = b & 0x07;
    let min = 0x10000;
    if (b >= 0xc2 && b <= 0xdf) {
      need = 1;
      cp = b & 0x1f;
      min = 0x80;
    } else if (b >= 0xe0 && b <= 0xef) {
      need = 2;
      cp = b & 0x0f;
      min = 0x800;
    } else if (b < 0xf0 || b > 0xf4) {
      throw new CborError('invalid UTF-8 in text string');
    }
    if (i + need >= end) throw new CborError('invalid UTF-8 in text string'); // truncated
    for (let k = 1; k <= need; k++) {
      const c = buf[i + k];
      if ((c & 0xc0) !== 0x80) throw new CborError('invalid UTF-8 in text string');
      cp = (cp << 6) | (c & 0x3f);
    }
    if (cp < min || cp > 0x10ffff || (cp >= 0xd800 && cp <= 0xdfff)) {
      throw new CborError('invalid UTF-8 in text string');
    }
    out += String.fromCodePoint(cp);
    i += need + 1;
  }
  return out;
}

function halfToNumber(h) {
  const exp = (h >> 10) & 0x1f;
  const mant = h & 0x3ff;
  const sign = h & 0x8000 ? -1 : 1;
  if (exp === 0) return sign * mant * 2 ** -24;
  if (exp === 31) return mant ? NaN : sign * Infinity;
  return sign * (1024 + mant) * 2 ** (exp - 25);
}

// -- the tags cbor2 interprets ------------------------------------------------------------
// cbor2 turns these into Python objects and raises on malformed content; we keep them as
// Tagged (bignums become integers, 55799 and 28 vanish) but reject the same malformed content,
// so that e.g. a tag 1 around a string is a CBOR error here as it is in Python.

const MIN_EPOCH = -62135596800; // 0001-01-01T00:00:00Z
const MAX_EPOCH = 253402300800; // 10000-01-01T00:00:00Z (exclusive)
const MIN_DAYS = -719162;
const MAX_DAYS = 2932896;
const RFC3339 =
  /^(\d{4})-(\d{2})-(\d{2})[T ](\d{2}):(\d{2})(?::(\d{2})(?:\.(\d+))?)?(Z|[+-]\d{2}:?\d{2})$/;

function isInt(v) {
  return (typeof v === 'number' && Number.isInteger(v)) || typeof v === 'bigint';
}

/** Python's int includes bool. */
function isPyInt(v) {
  return isInt(v) || typeof v === 'boolean';
}

function interpret(reader, tag, value) {
  const fail = (what) => {
    throw new CborError(`error decoding ${what} (tag ${tag})`);
  };
  switch (tag) {
    case 0:
      if (typeof value !== 'string' || !validDateTime(value)) fail('string-form datetime');
      break;
    case 1: {
      let seconds = value;
      if (typeof seconds === 'boolean') seconds = Number(seconds);
      if (typeof seconds === 'bigint') fail('epoch-form datetime');
      if (!(typeof seconds === 'number' || seconds instanceof CborFloat)) {
        fail('epoch-form datetime');
      }
      seconds = Number(seconds);
      if (!(seconds >= MIN_EPOCH && seconds < MAX_EPOCH)) fail('epoch-form datetime');
      break;
    }
    case 2:
    case 3: {
      if (!(value instanceof Uint8Array)) fail('bignum');
      let n = 0n;
      for (const byte of value) n = (n << 8n) | BigInt(byte);
      if (tag === 3) n = -1n - n;
      return n >= -9007199254740991n && n <= 9007199254740991n ? Number(n) : n;
    }
    case 4:
    case 5:
      if (!Array.isArray(value) || value.length !== 2) fail('decimal fraction or bigfloat');
      if (!isInt(value[0]) || !isInt(value[1])) fail('decimal fraction or bigfloat');
      break;
    case 25: {
      if (reader.strings === null) fail('string reference outside of a namespace');
      if (!isInt(value) || value < 0 || value >= reader.strings.length) fail('string reference');
      return reader.strings[Number(value)];
    }
    case 28:
    case 256:
      return value; // value sharing and string-reference namespaces are transparent
    case 29: {
      const shared = reader.shared ?? [];
      if (!isInt(value) || value < 0 || value >= shared.length) fail('shared reference');
      const target = shared[Number(value)];
      return target === PENDING ? null : target; // a cycle: only its shape is unsupported
    }
    case 30:
      if (!Array.isArray(value) || value.length !== 2) fail('rational');
      if (!isPyInt(value[0]) || !isPyInt(value[1]) || Number(value[1]) === 0) fail('rational');
      break;
    case 35:
      if (typeof value !== 'string' && !(value instanceof Uint8Array)) fail('regular expression');
      break;
    case 36:
      if (typeof value !== 'string') fail('MIME message');
      break;
    case 37:
      if (!(value instanceof Uint8Array) || value.length !== 16) fail('UUID');
      break;
    case 52:
    case 54:
      if (!validIpTag(value, tag === 52 ? 4 : 16)) fail('IP address');
      break;
    case 100:
      if (!isPyInt(value) || !(value >= MIN_DAYS && value <= MAX_DAYS)) fail('epoch-form date');
      break;
    case 258:
      if (!Array.isArray(value)) fail('set');
      break;
    case 260:
      if (!(value instanceof Uint8Array) || ![4, 6, 16].includes(value.length)) fail('IP address');
      break;
    case 261: {
      const ok =
        value instanceof Map &&
        value.size === 1 &&
        [...value].every(
          ([k, v]) =>
            k instanceof Uint8Array &&
            (k.length === 4 || k.length === 16) &&
            isInt(v) &&
            v >= 0 &&
            v <= k.length * 8,
        );
      if (!ok) fail('IP network');
      break;
    }
    case 1004:
      if (typeof value !== 'string' || !validIsoDate(value)) fail('string-form date');
      break;
    case 43000:
      if (!Array.isArray(value) || value.length !== 2) fail('complex number');
      if (!value.every((v) => typeof v === 'number' || v instanceof CborFloat)) {
        fail('complex number');
      }
      break;
    case 55799:
      return value; // "self-described CBOR": only a marker
    default:
      break;
  }
  return new Tagged(tag, value);
}

function validIpTag(value, size) {
  const bits = size * 8;
  if (value instanceof Uint8Array) return value.length === size;
  if (!Array.isArray(value) || value.length !== 2) return false;
  const [a, b] = value;
  if (isInt(a) && b instanceof Uint8Array) return a >= 0 && a <= bits && b.length <= size;
  if (a instanceof Uint8Array && isInt(b)) return a.length === size && b >= 0 && b <= bits;
  return false;
}

function daysIn(year, month) {
  return month === 2
    ? (year % 4 === 0 && year % 100 !== 0) || year % 400 === 0
      ? 29
      : 28
    : [4, 6, 9, 11].includes(month)
      ? 30
      : 31;
}

function validDate(y, m, d) {
  return y >= 1 && m >= 1 && m <= 12 && d >= 1 && d <= daysIn(y, m);
}

function validDateTime(text) {
  const m = RFC3339.exec(text);
  if (!m) return false;
  const [, y, mo, d, h, mi, s] = m;
  if (!validDate(+y, +mo, +d)) return false;
  return +h < 24 && +mi < 60 && (s === undefined || +s < 60);
}

function validIsoDate(text) {
  // date.fromisoformat: YYYY-MM-DD, YYYYMMDD and ISO week dates.
  let m = /^(\d{4})-(\d{2})-(\d{2})$/.exec(text) || /^(\d{4})(\d{2})(\d{2})$/.exec(text);
  if (m) return validDate(+m[1], +m[2], +m[3]);
  m = /^(\d{4})-?W(\d{2})(?:-?([1-7]))?$/.exec(text);
  return m !== null && +m[1] >= 1 && +m[2] >= 1 && +m[2] <= 53;
}

// -- map keys: Python's equality ----------------------------------------------------------

/** Keys Python finds equal must be one Map key: true/1/1.0 all become the number 1. */
function pythonKey(key) {
  if (key instanceof CborFloat) return key.valueOf();
  if (typeof key === 'boolean') return key ? 1 : 0;
  if (key instanceof SimpleValue) return key.value; // CBORSimpleValue(n) == n in cbor2
  return key;
}

/** A string that is equal for keys Python finds equal (composite keys: bytes, arrays...). */
function keyId(key) {
  key = pythonKey(key);
  switch (typeof key) {
    case 'number':
      return key === key ? `n${key}` : `nan${Math.random()}`;
    case 'bigint':
      return `n${key}`;
    case 'string':
      return `s${JSON.stringify(key)}`;
    case 'undefined':
      return 'u';
    default:
      break;
  }
  if (key === null) return 'z';
  if (key instanceof Uint8Array) return `b${toHex(key)}`;
  if (Array.isArray(key)) return `a[${key.map(keyId).join(',')}]`;
  if (key instanceof Map) {
    return `m{${[...key].map(([k, v]) => `${keyId(k)}=${keyId(v)}`).sort().join(',')}}`;
  }
  if (key instanceof Tagged) return `t${key.tag}(${keyId(key.value)})`;
  return `o${String(key)}`;
}

function toHex(bytes) {
  let s = '';
  for (const b of bytes) s += (b < 16 ? '0' : '') + b.toString(16);
  return s;
}

// -- encoder ------------------------------------------------------------------------------

/**
 * Encode a value with definite lengths and the shortest integer forms (what cbor2.dumps
 * writes for the same value). Numbers that are not integers and CborFloats become doubles;
 * plain objects become maps with text keys.
 * @param {*} value
 * @returns {Uint8Array}
 */
export function encode(value) {
  const out = new Writer();
  out.value(value);
  return out.bytes();
}

class Writer {
  constructor() {
    this.buf = new Uint8Array(256);
    this.pos = 0;
  }

  reserve(n) {
    if (this.pos + n <= this.buf.length) return;
    const bigger = new Uint8Array(Math.max(this.buf.length * 2, this.pos + n));
    bigger.set(this.buf.subarray(0, this.pos));
    this.buf = bigger;
  }

  bytes() {
    return this.buf.slice(0, this.pos);
  }

  raw(bytes) {
    this.reserve(bytes.length);
    this.buf.set(bytes, this.pos);
    this.pos += bytes.length;
  }

  head(major, n) {
    this.reserve(9);
    const b = this.buf;
    const m = major << 5;
    if (typeof n === 'bigint') {
      if (n < 0n || n >= 1n << 64n) throw new CborError('integer out of CBOR range');
      if (n <= 0xffffffffn) {
        n = Number(n);
      } else {
        b[this.pos++] = m | 27;
        for (let shift = 56n; shift >= 0n; shift -= 8n) {
          b[this.pos++] = Number((n >> shift) & 0xffn);
        }
        return;
      }
    }
    if (n < 24) {
      b[this.pos++] = m | n;
    } else if (n < 0x100) {
      b[this.pos++] = m | 24;
      b[this.pos++] = n;
    } else if (n < 0x10000) {
      b[this.pos++] = m | 25;
      b[this.pos++] = n >> 8;
      b[this.pos++] = n & 0xff;
    } else if (n < TWO_32) {
      b[this.pos++] = m | 26;
      b[this.pos++] = n >>> 24;
      b[this.pos++] = (n >> 16) & 0xff;
      b[this.pos++] = (n >> 8) & 0xff;
      b[this.pos++] = n & 0xff;
    } else {
      this.head(major, BigInt(n));
    }
  }

  value(v) {
    if (v === false) return this.raw([0xf4]);
    if (v === true) return this.raw([0xf5]);
    if (v === null) return this.raw([0xf6]);
    if (v === undefined) return this.raw([0xf7]);
    if (typeof v === 'number' && Number.isInteger(v)) {
      return v >= 0 ? this.head(0, v) : this.head(1, -1 - v);
    }
    if (typeof v === 'bigint') return v >= 0n ? this.head(0, v) : this.head(1, -1n - v);
    if (typeof v === 'number' || v instanceof CborFloat) {
      this.reserve(9);
      this.buf[this.pos] = 0xfb;
      new DataView(this.buf.buffer).setFloat64(this.pos + 1, Number(v));
      this.pos += 9;
      return undefined;
    }
    if (typeof v === 'string') {
      const bytes = utf8Encoder.encode(v);
      this.head(3, bytes.length);
      return this.raw(bytes);
    }
    if (v instanceof Uint8Array) {
      this.head(2, v.length);
      return this.raw(v);
    }
    if (Array.isArray(v)) {
      this.head(4, v.length);
      for (const item of v) this.value(item);
      return undefined;
    }
    if (v instanceof Map) {
      this.head(5, v.size);
      for (const [k, item] of v) {
        this.value(k);
        this.value(item);
      }
      return undefined;
    }
    if (v instanceof Tagged) {
      this.head(6, v.tag);
      return this.value(v.value);
    }
    if (v instanceof SimpleValue) {
      if (v.value < 24) return this.raw([0xe0 | v.value]);
      return this.raw([0xf8, v.value]);
    }
    if (typeof v === 'object') return this.value(new Map(Object.entries(v)));
    throw new CborError(`cannot encode ${typeof v}`);
  }
}

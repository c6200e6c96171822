/**
 * zlib inflate for HC1 codes with the platform's DecompressionStream('deflate') (Chrome 80+,
 * Node 18+), with the same rules as the Python verifier: at most MAX_INFLATED bytes out, the
 * stream must be complete, checksum correct, and nothing may follow it.
 *
 * The stream is driven with a writer and a reader: wrapping the bytes in a Blob/Response and
 * reading them back is about 25 times slower for inputs this small.
 */
import { InflateError } from './errors.js';

/** Zlib bomb guard: real DCC payloads are 200-2000 bytes once inflated. */
export const MAX_INFLATED = 64 * 1024;

/** Whether this platform can inflate at all (otherwise every HC1 code is bad_compression). */
export const available = typeof DecompressionStream === 'function';

/**
 * Inflate a zlib (RFC 1950) stream.
 * @param {Uint8Array} data
 * @param {number} [maxSize]
 * @returns {Promise<Uint8Array>}
 * @throws {InflateError}
 */
export async function inflate(data, maxSize = MAX_INFLATED) {
  if (!available) throw new InflateError('this browser cannot inflate (no DecompressionStream)');
  const out = await run(data, maxSize);
  // DecompressionStream checks the Adler-32, but Node (and older Chrome) silently ignore
  // bytes after the end of the stream. The stream ends with adler32(out): if those 4 bytes
  // occur only at the very end of the input, the stream is the whole input.
  const sum = adler32(out);
  const last = data.length - 4;
  if (last < 2 || readU32(data, last) !== sum) {
    throw new InflateError('data after the end of the zlib stream');
  }
  for (let p = 2; p < last; p++) {
    // The checksum also occurs earlier: the stream might end there. Rare (needs 4 equal
    // bytes), so settle it by inflating that prefix: if it is complete, the rest is junk.
    if (readU32(data, p) === sum && (await completes(data.subarray(0, p + 4), maxSize))) {
      throw new InflateError('data after the end of the zlib stream');
    }
  }
  return out;
}

async function completes(prefix, maxSize) {
  try {
    await run(prefix, maxSize);
    return true;
  } catch {
    return false;
  }
}

async function run(data, maxSize) {
  const stream = new DecompressionStream('deflate');
  const writer = stream.writable.getWriter();
  const reader = stream.readable.getReader();
  // Writing resolves only as the reader drains, so do not await it before reading; its
  // rejection (corrupt input, or our cancel) is reported by the reader.
  writer.write(data).then(() => writer.close()).catch(() => {});
  const chunks = [];
  let total = 0;
  try {
    for (;;) {
      const { done, value } = await reader.read();
      if (done) break;
      total += value.length;
      if (total > maxSize) {
        reader.cancel().catch(() => {});
        throw new InflateError(`inflates to more than ${maxSize} bytes`);
      }
      chunks.push(value);
    }
  } catch (error) {
    if (error instanceof InflateError) throw error;
    throw new InflateError(`zlib: ${error?.message ?? error}`);
  }
  if (chunks.length === 1) return chunks[0];
  const out = new Uint8Array(total);
  let offset = 0;
  for (const chunk of chunks) {
    out.set(chunk, offset);
    offset += chunk.length;
  }
  return out;
}

function readU32(bytes, p) {
  return ((bytes[p] << 24) | (bytes[p + 1] << 16) | (bytes[p + 2] << 8) | bytes[p + 3]) >>> 0;
}

/** Adler-32 (RFC 1950), the checksum that ends a zlib stream. */
export function adler32(bytes) {
  let a = 1;
  let b = 0;
  for (let i = 0; i < bytes.length; ) {
    // 5552 bytes is the most that can be summed before b may overflow 2^32 (zlib's NMAX).
    const stop = Math.min(i + 5552, bytes.length);
    for (; i < stop; i++) {
      a += bytes[i];
      b += a;
    }
    a %= 65521;
    b %= 65521;
  }
  return ((b << 16) | a) >>> 0;
}

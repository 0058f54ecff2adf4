// A 64-bit id hash computed identically here and in ClickHouse (murmurHash3_32 and xxHash32 of the UTF-8 bytes),
// so start-up can load the hashes of millions of stored ids instead of the ids themselves.

const encoder = new TextEncoder();
let buf = new Uint8Array(256);

/** UTF-8 bytes of `s` in a reused buffer from `at` (valid until the next call); the end is returned. */
function encode(s: string, at = 0): number {
  // ASCII fast path: most ids are ASCII, and encodeInto costs more than a loop for short strings
  if (at + s.length <= buf.length) {
    let ascii = true;
    for (let i = 0; i < s.length; i += 1) {
      const c = s.charCodeAt(i);
      if (c > 0x7f) {
        ascii = false;
        break;
      }
      buf[at + i] = c;
    }
    if (ascii) return at + s.length;
  }
  if (at + s.length * 3 > buf.length) {
    const bigger = new Uint8Array(at + s.length * 3 + 256);
    bigger.set(buf.subarray(0, at));
    buf = bigger;
  }
  return at + encoder.encodeInto(s, buf.subarray(at)).written;
}

/** MurmurHash3_x86_32, seed 0 (ClickHouse `murmurHash3_32`). */
function murmur3(len: number): number {
  let h = 0;
  const nblocks = len >>> 2;
  for (let i = 0; i < nblocks; i += 1) {
    const j = i << 2;
    let k = buf[j] | (buf[j + 1] << 8) | (buf[j + 2] << 16) | (buf[j + 3] << 24);
    k = Math.imul(k, 0xcc9e2d51);
    k = (k << 15) | (k >>> 17);
    k = Math.imul(k, 0x1b873593);
    h ^= k;
    h = (h << 13) | (h >>> 19);
    h = (Math.imul(h, 5) + 0xe6546b64) | 0;
  }
  const tail = nblocks << 2;
  let k = 0;
  switch (len & 3) {
    case 3:
      k ^= buf[tail + 2] << 16;
    // falls through
    case 2:
      k ^= buf[tail + 1] << 8;
    // falls through
    case 1:
      k ^= buf[tail];
      k = Math.imul(k, 0xcc9e2d51);
      k = (k << 15) | (k >>> 17);
      k = Math.imul(k, 0x1b873593);
      h ^= k;
  }
  h ^= len;
  h ^= h >>> 16;
  h = Math.imul(h, 0x85ebca6b);
  h ^= h >>> 13;
  h = Math.imul(h, 0xc2b2ae35);
  h ^= h >>> 16;
  return h >>> 0;
}

const P1 = 0x9e3779b1;
const P2 = 0x85ebca77;
const P3 = 0xc2b2ae3d;
const P4 = 0x27d4eb2f;
const P5 = 0x165667b1;
const rotl = (x: number, r: number) => (x << r) | (x >>> (32 - r));
const read32 = (i: number) => buf[i] | (buf[i + 1] << 8) | (buf[i + 2] << 16) | (buf[i + 3] << 24);
const round = (acc: number, input: number) => Math.imul(rotl((acc + Math.imul(input, P2)) | 0, 13), P1);

/** xxHash32, seed 0 (ClickHouse `xxHash32`). */
function xxh32(len: number): number {
  let i = 0;
  let h: number;
  if (len >= 16) {
    let v1 = (P1 + P2) | 0;
    let v2 = P2;
    let v3 = 0;
    let v4 = -P1 | 0;
    for (; i + 16 <= len; i += 16) {
      v1 = round(v1, read32(i));
      v2 = round(v2, read32(i + 4));
      v3 = round(v3, read32(i + 8));
      v4 = round(v4, read32(i + 12));
    }
    h = (rotl(v1, 1) + rotl(v2, 7) + rotl(v3, 12) + rotl(v4, 18)) | 0;
  } else {
    h = P5;
  }
  h = (h + len) | 0;
  for (; i + 4 <= len; i += 4) h = Math.imul(rotl((h + Math.imul(read32(i), P3)) | 0, 17), P4);
  for (; i < len; i += 1) h = Math.imul(rotl((h + Math.imul(buf[i], P5)) | 0, 11), P1);
  h ^= h >>> 15;
  h = Math.imul(h, P2);
  h ^= h >>> 13;
  h = Math.imul(h, P3);
  h ^= h >>> 16;
  return h >>> 0;
}

/** The two halves of an id's 64-bit hash, written to `out` (avoids allocating per call). */
export interface Hash64 {
  hi: number;
  lo: number;
}

/** Hashes `s` into `out`: hi = murmurHash3_32(s), lo = xxHash32(s). */
export function hash64(s: string, out: Hash64): Hash64 {
  const len = encode(s);
  out.hi = murmur3(len);
  out.lo = xxh32(len);
  return out;
}

/** Hashes the pair key `a \0 b` (as `hash64(pairText(a, b))`, without building the string). */
export function hash64Pair(a: string, b: string, out: Hash64): Hash64 {
  let len = encode(a);
  if (len >= buf.length) return hash64(pairText(a, b), out);
  buf[len] = 0;
  len = encode(b, len + 1);
  out.hi = murmur3(len);
  out.lo = xxh32(len);
  return out;
}

/** The string hashed for a pair key: ClickHouse `concat(a, '\0', b)` gives the same bytes. */
export const pairText = (a: string, b: string) => `${a}\u0000${b}`;

/** The ClickHouse expressions of the same two halves, for a string expression `expr`. */
export const sqlHash64 = (expr: string) => ({ hi: `murmurHash3_32(${expr})`, lo: `xxHash32(${expr})` });

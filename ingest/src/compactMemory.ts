// Compact in-memory tables for ingest's state: records keyed by a 64-bit id hash in typed arrays (a ring,
// oldest first, with an open-addressing index), a fingerprint set and a string interner. No per-entry objects.
import { hash64, type Hash64 } from './idHash.js';

type Column = Uint8Array | Uint16Array | Uint32Array | Float64Array;
type ColumnType = new (n: number) => Column;

const INITIAL_RECORDS = 1024;
const scratch: Hash64 = { hi: 0, lo: 0 };

function indexSizeFor(records: number): number {
  // load factor at most 0.75 when every record is live
  let size = 16;
  while (size * 3 < records * 4) size *= 2;
  return size;
}

/**
 * Records keyed by a 64-bit hash, kept in insertion order in a ring that grows up to `maxRecords`; past it
 * the oldest record is evicted (`onEvict` is told first). Deleted records stay in the ring as dead slots
 * until the head passes them. Columns beyond the key are declared by subclasses and grow with the ring.
 *
 * Hash collisions: two different ids with the same 64-bit hash are taken for the same record. With n ids
 * held, a new id collides with probability n / 2^64 (3 M ids: 1.6e-13 per event, ~1e-4 over 10^9 events);
 * storing the ids themselves would be exact but costs 3–6× the memory (a 36-char UUID alone is 36+ bytes).
 */
export class HashRing {
  protected cols: Column[];
  private readonly types: ColumnType[];
  private index: Int32Array;
  private mask: number;
  private head = 0;
  /** records in the ring, dead ones included */
  private used = 0;
  private live = 0;
  protected capacity: number;

  constructor(
    readonly maxRecords: number,
    extra: ColumnType[],
    private readonly onEvict?: (rec: number) => void,
  ) {
    // hi, lo, alive
    this.types = [Uint32Array, Uint32Array, Uint8Array, ...extra];
    this.capacity = Math.min(maxRecords, INITIAL_RECORDS);
    this.cols = this.types.map((T) => new T(this.capacity));
    this.index = new Int32Array(indexSizeFor(this.capacity));
    this.mask = this.index.length - 1;
  }

  get size(): number {
    return this.live;
  }

  /** The record of an already-hashed key, or -1. */
  findHash(h: Hash64): number {
    const hi = this.cols[0] as Uint32Array;
    const lo = this.cols[1] as Uint32Array;
    for (let s = h.hi & this.mask; ; s = (s + 1) & this.mask) {
      const v = this.index[s];
      if (v === 0) return -1;
      if (hi[v - 1] === h.hi && lo[v - 1] === h.lo) return v - 1;
    }
  }

  find(key: string): number {
    return this.findHash(hash64(key, scratch));
  }

  /** A new record for a hashed key known to be absent (check with findHash first); its columns are zero. */
  insertHash(h: Hash64): number {
    if (this.used === this.capacity) {
      if (this.capacity < this.maxRecords) this.grow(Math.min(this.maxRecords, this.capacity * 2));
      else this.dropOldest();
    }
    const rec = (this.head + this.used) % this.capacity;
    for (let c = 3; c < this.cols.length; c += 1) this.cols[c][rec] = 0;
    (this.cols[0] as Uint32Array)[rec] = h.hi;
    (this.cols[1] as Uint32Array)[rec] = h.lo;
    (this.cols[2] as Uint8Array)[rec] = 1;
    this.used += 1;
    this.live += 1;
    let s = h.hi & this.mask;
    while (this.index[s] !== 0) s = (s + 1) & this.mask;
    this.index[s] = rec + 1;
    return rec;
  }

  /** Forgets a record now (not told to `onEvict`). */
  deleteRecord(rec: number): void {
    const alive = this.cols[2] as Uint8Array;
    if (!alive[rec]) return;
    this.unindex(rec);
    alive[rec] = 0;
    this.live -= 1;
  }

  /** The oldest live record, or -1. Dead records at the head are dropped on the way. */
  oldest(): number {
    const alive = this.cols[2] as Uint8Array;
    while (this.used > 0 && !alive[this.head]) this.advance();
    return this.used > 0 ? this.head : -1;
  }

  /** Evicts the oldest record (live or dead); a live one is told to `onEvict`. */
  dropOldest(): void {
    if (this.used === 0) return;
    const rec = this.head;
    if ((this.cols[2] as Uint8Array)[rec]) {
      this.onEvict?.(rec);
      this.deleteRecord(rec);
    }
    this.advance();
  }

  /** Approximate bytes held by the typed arrays. */
  bytes(): number {
    return this.index.byteLength + this.cols.reduce((n, c) => n + c.byteLength, 0);
  }

  private advance(): void {
    this.head = (this.head + 1) % this.capacity;
    this.used -= 1;
  }

  private unindex(rec: number): void {
    const hi = this.cols[0] as Uint32Array;
    let i = hi[rec] & this.mask;
    while (this.index[i] !== rec + 1) i = (i + 1) & this.mask;
    // backward-shift deletion keeps linear probing free of tombstones
    let j = i;
    for (;;) {
      j = (j + 1) & this.mask;
      const v = this.index[j];
      if (v === 0) break;
      const home = hi[v - 1] & this.mask;
      const between = i <= j ? i < home && home <= j : i < home || home <= j;
      if (!between) {
        this.index[i] = v;
        i = j;
      }
    }
    this.index[i] = 0;
  }

  /** Re-lays the ring from index 0 in a larger capacity (live records only) and rebuilds the index. */
  private grow(capacity: number): void {
    const alive = this.cols[2] as Uint8Array;
    const next = this.types.map((T) => new T(capacity));
    let n = 0;
    for (let k = 0; k < this.used; k += 1) {
      const rec = (this.head + k) % this.capacity;
      if (!alive[rec]) continue;
      for (let c = 0; c < next.length; c += 1) next[c][n] = this.cols[c][rec];
      n += 1;
    }
    this.cols = next;
    this.capacity = capacity;
    this.head = 0;
    this.used = n;
    this.live = n;
    this.index = new Int32Array(indexSizeFor(capacity));
    this.mask = this.index.length - 1;
    const hi = this.cols[0] as Uint32Array;
    for (let rec = 0; rec < n; rec += 1) {
      let s = hi[rec] & this.mask;
      while (this.index[s] !== 0) s = (s + 1) & this.mask;
      this.index[s] = rec + 1;
    }
  }
}

/**
 * A set of 32-bit fingerprints (open addressing, grows, never shrinks): "this id may exist". A false
 * positive (probability about size / 2^32 per test) only costs a look-up in ClickHouse, never a wrong answer.
 */
export class FingerprintSet {
  private table = new Uint32Array(64);
  private count = 0;

  get size(): number {
    return this.count;
  }

  add(fp: number): void {
    const f = fp >>> 0 || 1; // 0 marks an empty slot
    if ((this.count + 1) * 4 > this.table.length * 3) this.rehash(this.table.length * 2);
    const mask = this.table.length - 1;
    let s = Math.imul(f, 0x9e3779b1) >>> 0;
    for (s &= mask; this.table[s] !== 0; s = (s + 1) & mask) if (this.table[s] === f) return;
    this.table[s] = f;
    this.count += 1;
  }

  has(fp: number): boolean {
    const f = fp >>> 0 || 1;
    const mask = this.table.length - 1;
    for (let s = (Math.imul(f, 0x9e3779b1) >>> 0) & mask; this.table[s] !== 0; s = (s + 1) & mask)
      if (this.table[s] === f) return true;
    return false;
  }

  bytes(): number {
    return this.table.byteLength;
  }

  private rehash(size: number): void {
    const old = this.table;
    this.table = new Uint32Array(size);
    this.count = 0;
    for (const f of old) if (f !== 0) this.add(f);
  }
}

/**
 * Small sets of repeated strings (campaigns, partners, links, currencies) as indices; index 0 is ''. Past
 * `max` distinct strings a new one is not kept and reads back as '' (a bound for values no dimension checks).
 */
export class Interner {
  private readonly ids = new Map<string, number>([['', 0]]);
  private readonly values: string[] = [''];

  constructor(private readonly max = Number.MAX_SAFE_INTEGER) {}

  id(s: string): number {
    let i = this.ids.get(s);
    if (i === undefined) {
      if (this.values.length > this.max) return 0;
      i = this.values.length;
      this.values.push(s);
      this.ids.set(s, i);
    }
    return i;
  }

  value(i: number): string {
    return this.values[i];
  }
}

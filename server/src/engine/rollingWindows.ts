// The aggregation engine: it applies accepted events' aggregates (streamed from ingest) to in-memory 10 s buckets and
// keeps running sums per window; ClickHouse, the store of record, is what it loads from and reconciles with.
//
// Window alignment: the current bucket is B = floor(now / 10 s) × 10 s. A rolling window of length W holds the
// buckets whose start is in (B − W, B]; its previous window holds (B − 2W, B − W]; campaign-to-date holds every
// bucket with start ≤ B. Late rows land in the bucket their event time belongs to.
//
// Memory is bounded: only the 10 s buckets of the last 2 h (RECENT_MS) and any in the future are kept — enough for
// 1 m … 1 h and their previous windows, the 1 h series and the alert baselines, which slide over those buckets. The
// 24 h window and its previous window are running sums too: entering buckets come from memory; the buckets sliding
// out of them (B − 24 h, B − 48 h) are read back from agg_10s in the tick's one query, together with the change log,
// so both tables are read from one moment: once that read's change-log rows are applied, the engine has added for
// every bucket exactly what agg_10s holds for it, and subtracting agg_10s's totals subtracts exactly what was added
// (late rows for old buckets included). A late row for a bucket older than 2 h updates the sums it belongs to
// (24 h, previous 24 h, campaign-to-date) and is not kept.
import type { ClickHouseClient } from '@clickhouse/client';
import type { Logger } from 'pino';
import {
  BUCKET_MS,
  bucketOf,
  TOTAL_FIELDS,
  WINDOW_MS,
  windowRangeEndingAt,
  type AggRow,
  type LiveBatch,
  type WindowName,
} from '@pulseroom/schema';
import { loadInitialAggregates, readTick, serverNow, type BucketRange } from '../queries/deltas.js';
import { Reconciler, type StoreBatch } from './reconcile.js';

export { BUCKET_MS, bucketOf, FIELD_INDEX } from '@pulseroom/schema';
export const ROLLING = ['1m', '5m', '15m', '1h', '24h'] as const satisfies readonly Exclude<WindowName, 'ctd'>[];
export type RollingWindow = (typeof ROLLING)[number];
const LENGTHS = ROLLING.map((w) => WINDOW_MS[w]);
/** The previous 24 h window reaches back 48 h. */
export const KEEP_MS = 2 * WINDOW_MS['24h'];
/** 10 s buckets kept in memory: the last 2 h (the 1 h window and its previous hour), and any in the future. */
export const RECENT_MS = 2 * WINDOW_MS['1h'];
/** Windows that slide over the buckets in memory, and those whose slid-out buckets are read back from agg_10s. */
const SHORT = LENGTHS.map((L, i) => (2 * L <= RECENT_MS ? i : -1)).filter((i) => i >= 0);
const LONG = LENGTHS.map((L, i) => (2 * L > RECENT_MS ? i : -1)).filter((i) => i >= 0);
// init's bands and the slide's read-back assume exactly one long window, 24 h, longer than what memory keeps.
if (LONG.length !== 1 || ROLLING[LONG[0]] !== '24h' || LENGTHS[LONG[0]] < RECENT_MS)
  throw new Error('the engine expects 24 h as its only long window');
export const NF = TOTAL_FIELDS.length;
/** A full recompute instead of stepping when the clock jumps further than this many buckets. */
const MAX_STEPS = 360;

export function addInto(into: Float64Array | number[], v: ArrayLike<number>, sign = 1): void {
  for (let i = 0; i < NF; i++) into[i] += sign * v[i];
}

/**
 * A key's 10 s buckets in one growable slab (one typed array per bucket costs ~3× the memory of its figures).
 * Views handed out are valid until the next `getOrCreate`.
 */
export class BucketStore {
  private readonly slots = new Map<number, number>(); // bucket index (start / 10 s, a small integer) → slot
  private data = new Float64Array(NF * 4);
  private readonly free: number[] = [];
  private used = 0;

  get size(): number {
    return this.slots.size;
  }

  /** Bytes of the slab (the figures; the slot map comes on top). */
  get capacityBytes(): number {
    return this.data.byteLength;
  }

  get(b: number): Float64Array | undefined {
    const slot = this.slots.get(b / BUCKET_MS);
    return slot === undefined ? undefined : this.data.subarray(slot * NF, slot * NF + NF);
  }

  getOrCreate(b: number): Float64Array {
    let slot = this.slots.get(b / BUCKET_MS);
    if (slot === undefined) {
      slot = this.free.pop();
      if (slot === undefined) {
        slot = this.used++;
        if (this.used * NF > this.data.length) {
          const grown = new Float64Array(Math.max(this.data.length * 2, this.used * NF));
          grown.set(this.data);
          this.data = grown;
        }
      }
      this.slots.set(b / BUCKET_MS, slot);
    }
    return this.data.subarray(slot * NF, slot * NF + NF);
  }

  delete(b: number): void {
    const slot = this.slots.get(b / BUCKET_MS);
    if (slot === undefined) return;
    this.slots.delete(b / BUCKET_MS);
    if (this.slots.size === 0) {
      // A key gone quiet (a campaign that ended) gives its slab back.
      this.data = new Float64Array(NF * 4);
      this.free.length = 0;
      this.used = 0;
      return;
    }
    this.data.fill(0, slot * NF, slot * NF + NF);
    this.free.push(slot);
  }

  *[Symbol.iterator](): IterableIterator<[number, Float64Array]> {
    for (const [i, slot] of this.slots) yield [i * BUCKET_MS, this.data.subarray(slot * NF, slot * NF + NF)];
  }
}

/** One (partner, platform) of a campaign: its 10 s buckets and running sums. */
export class KeyState {
  readonly buckets = new BucketStore();
  readonly ctd = new Float64Array(NF);
  readonly cur = ROLLING.map(() => new Float64Array(NF));
  readonly prev = ROLLING.map(() => new Float64Array(NF));
  constructor(
    readonly partner_id: string,
    readonly platform: string,
  ) {}
}

export class CampaignState {
  readonly keys = new Map<string, KeyState>();
  constructor(readonly id: string) {}
  key(partnerId: string, platform: string): KeyState {
    const k = `${partnerId}\u0000${platform}`;
    let s = this.keys.get(k);
    if (!s) this.keys.set(k, (s = new KeyState(partnerId, platform)));
    return s;
  }
}

export interface CampaignChange {
  keys: Set<KeyState>;
  /** Buckets that received rows since the last frame. */
  buckets: Set<number>;
  /** The windows slid (a new current bucket): every figure may have changed. */
  slid: boolean;
}

/** What changed since the last frame: the live hub pushes it. */
export interface Frame {
  /** App clock of the frame and its current bucket. */
  at: number;
  bucket: number;
  changes: Map<string, CampaignChange>;
  /** Newest acceptance time (ingest's clock) among the streamed batches of the frame, 0 when none. */
  newestAcceptedMs: number;
}

/** One read of the store: what it confirmed, corrected and applied. */
export interface ReconcileResult {
  /** Change-log rows read. */
  rows: number;
  /** Batches the store confirmed (streamed or not). */
  confirmedIds: string[];
  corrections: number;
  /** Batches applied from the store with comments or posts in them (the feed reads those from `events`). */
  storeBatches: StoreBatch[];
  durationMs: number;
  /** Change-log batches are still waiting (the read was one page of a backlog): reconcile again at once. */
  more: boolean;
}

export interface EngineDeps {
  client: ClickHouseClient;
  clock: () => number;
  logger: Logger;
  overlapMs: number;
  /**
   * How long a batch of a streaming ingest run may sit in the store before the stream brings it (0 in one process,
   * where the stream is a function call that comes before the insert).
   */
  streamGraceMs?: number;
  /** Change-log rows one read takes at most (whole batches; default TICK_PAGE_ROWS). */
  pageRows?: number;
}

export class AggregationEngine {
  /** Current bucket start (epoch ms, app clock). */
  bucket = 0;
  readonly campaigns = new Map<string, CampaignState>();
  private readonly reconciler: Reconciler;
  private watermarkMs = 0;
  private changes = new Map<string, CampaignChange>();
  private newestAcceptedMs = 0;
  ready = false;
  lastTickAt = 0;
  /** Batches whose streamed rows differed from the store, or that the stream never brought (since start). */
  corrections = 0;
  /** What the latest corrections were (at most 20), for logs and failing tests. */
  readonly corrected: string[] = [];

  constructor(private readonly deps: EngineDeps) {
    this.reconciler = new Reconciler(deps.streamGraceMs ?? 0);
  }

  campaign(id: string): CampaignState {
    let c = this.campaigns.get(id);
    if (!c) this.campaigns.set(id, (c = new CampaignState(id)));
    return c;
  }

  /** Streamed batches not confirmed by the store yet. */
  get unconfirmed(): number {
    return this.reconciler.waiting;
  }

  /**
   * Loads agg_10s once: the buckets of the last 2 h (and future ones) one by one; older ones summed per key into bands
   * that land in the same running sums (campaign-to-date only; previous 24 h; 24 h). Batches inserted since
   * `batchesSinceMs` (default: the overlap) are known as applied, so the stream does not apply them again.
   */
  async init(batchesSinceMs?: number): Promise<void> {
    const t0 = performance.now();
    this.bucket = bucketOf(this.deps.clock());
    const B = this.bucket;
    // Buckets older than 2 h are summed per key into the sums they belong to: ≤ B − 48 h → campaign-to-date only
    // (bucket 0); (B − 48 h, B − 24 h] → the previous 24 h (as bucket B − 24 h); (B − 24 h, B − 2 h] → the 24 h window
    // (as bucket B − 2 h).
    const DAY = WINDOW_MS['24h'];
    const bands = [
      { upToMs: B - 2 * DAY, asMs: 0 },
      { upToMs: B - DAY, asMs: B - DAY },
      { upToMs: B - RECENT_MS, asMs: B - RECENT_MS },
    ];
    const reach =
      batchesSinceMs === undefined ? this.deps.overlapMs : Math.max(this.deps.overlapMs, Date.now() - batchesSinceMs);
    const load = await loadInitialAggregates(this.deps.client, B - RECENT_MS + BUCKET_MS, reach, bands);
    for (const r of load.rows) this.applyRow(r);
    for (const [id, at] of load.batches) this.reconciler.confirmed.set(id, at);
    this.watermarkMs = load.serverNowMs;
    this.ready = true;
    this.lastTickAt = this.deps.clock();
    this.deps.logger.info(
      { rows: load.rows.length, campaigns: this.campaigns.size, ms: Math.round(performance.now() - t0) },
      'aggregation engine loaded',
    );
  }

  private applyRow(r: AggRow): KeyState {
    const key = this.campaign(r.campaign_id).key(r.partner_id, r.platform);
    const v = r.values;
    const b = r.bucket_ms;
    const B = this.bucket;
    if (b <= B) addInto(key.ctd, v);
    if (b > B - RECENT_MS) addInto(key.buckets.getOrCreate(b), v);
    for (let i = 0; i < LENGTHS.length; i++) {
      const L = LENGTHS[i];
      if (b <= B && b > B - L) addInto(key.cur[i], v);
      else if (b <= B - L && b > B - 2 * L) addInto(key.prev[i], v);
    }
    return key;
  }

  /** Applies rows and notes what they changed for the next frame. */
  private applyRows(rows: readonly AggRow[]): void {
    for (const r of rows) {
      const key = this.applyRow(r);
      const c = this.change(r.campaign_id);
      c.keys.add(key);
      c.buckets.add(r.bucket_ms);
    }
  }

  private change(id: string): CampaignChange {
    let c = this.changes.get(id);
    if (!c) this.changes.set(id, (c = { keys: new Set(), buckets: new Set(), slid: false }));
    return c;
  }

  /**
   * A batch of accepted events from the stream: applied at once (the next frame pushes it). False when already applied.
   */
  applyStream(batch: LiveBatch): boolean {
    // Before the start-up load there are no windows to apply to: the first reconcile takes the batch from the store.
    if (!this.ready || !this.reconciler.streamedBatch(batch)) return false;
    this.applyRows(batch.rows);
    this.newestAcceptedMs = Math.max(this.newestAcceptedMs, batch.accepted_at);
    return true;
  }

  /** What changed since the last frame (the windows themselves slide in `reconcile`, which reads what leaves them). */
  takeFrame(): Frame {
    const at = this.deps.clock();
    const frame = { at, bucket: this.bucket, changes: this.changes, newestAcceptedMs: this.newestAcceptedMs };
    this.changes = new Map();
    this.newestAcceptedMs = 0;
    this.lastTickAt = at;
    return frame;
  }

  /** The clock has entered a bucket the windows have not slid to yet: `reconcile` slides them. */
  get behind(): boolean {
    return bucketOf(this.deps.clock()) > this.bucket;
  }

  /**
   * The bucket ranges that slide out of the long windows when the current bucket moves to `to`: for each long window,
   * (from − L, to − L] then (from − 2L, to − 2L].
   */
  private slideRanges(to: number): BucketRange[] {
    const from = this.bucket;
    if (to <= from) return [];
    return LONG.flatMap((i) => {
      const L = LENGTHS[i];
      return [
        { loMs: from - L, hiMs: to - L },
        { loMs: from - 2 * L, hiMs: to - 2 * L },
      ];
    });
  }

  /**
   * Moves every running sum forward to the current bucket `to`. `out` holds, per key, what the engine added for the
   * buckets of the ranges `slideRanges(to)` named. The windows never move back: when the clock steps back they stay
   * where they are until it catches up.
   */
  private slideTo(to: number, out: Map<KeyState, Float64Array[]>): boolean {
    const from = this.bucket;
    if (to <= from) return false;
    const stepping = (to - from) / BUCKET_MS <= MAX_STEPS;
    for (const c of this.campaigns.values()) {
      for (const k of c.keys.values()) {
        if (stepping) {
          for (let nb = from + BUCKET_MS; nb <= to; nb += BUCKET_MS) {
            const enter = k.buckets.get(nb);
            if (enter) {
              addInto(k.ctd, enter);
              for (const cur of k.cur) addInto(cur, enter);
            }
            for (const i of SHORT) {
              const L = LENGTHS[i];
              const leaving = k.buckets.get(nb - L);
              if (leaving) {
                addInto(k.cur[i], leaving, -1);
                addInto(k.prev[i], leaving);
              }
              const gone = k.buckets.get(nb - 2 * L);
              if (gone) addInto(k.prev[i], gone, -1);
            }
            k.buckets.delete(nb - RECENT_MS);
          }
        } else {
          // A jump: every bucket that enters is in memory (all buckets after from − 2 h are); the short windows are
          // recomputed.
          for (const i of SHORT) {
            k.cur[i].fill(0);
            k.prev[i].fill(0);
          }
          const stale: number[] = [];
          for (const [b, v] of k.buckets) {
            if (b > from && b <= to) {
              addInto(k.ctd, v);
              for (const i of LONG) addInto(k.cur[i], v);
            }
            if (b <= to - RECENT_MS) {
              stale.push(b);
              continue;
            }
            for (const i of SHORT) {
              const L = LENGTHS[i];
              if (b <= to && b > to - L) addInto(k.cur[i], v);
              else if (b <= to - L && b > to - 2 * L) addInto(k.prev[i], v);
            }
          }
          for (const b of stale) k.buckets.delete(b);
        }
        // The long windows: what slid out, as the engine added it.
        const o = out.get(k);
        if (o) {
          LONG.forEach((i, j) => {
            const leaving = o[2 * j];
            const gone = o[2 * j + 1];
            if (leaving) {
              addInto(k.cur[i], leaving, -1);
              addInto(k.prev[i], leaving);
            }
            if (gone) addInto(k.prev[i], gone, -1);
          });
        }
      }
    }
    this.bucket = to;
    return true;
  }

  /**
   * One read of the store: the change log since the last confirmed batch, compared with what the stream brought
   * (confirmed, corrected, or applied when no stream brought it), and agg_10s's totals of the buckets leaving the
   * 24 h windows, so the windows slide to the current bucket.
   */
  async reconcile(): Promise<ReconcileResult> {
    const t0 = performance.now();
    const since = this.watermarkMs - this.deps.overlapMs;
    this.reconciler.prune(since);
    // The clock is read first: the one query also reads the buckets the slide moves out of the long windows.
    const to = bucketOf(this.deps.clock());
    const ranges = this.slideRanges(to);
    const read = await readTick(
      this.deps.client,
      since,
      [...this.reconciler.confirmed.keys()],
      ranges,
      this.deps.pageRows,
    );

    // From here on nothing awaits: the comparison sees the stream's batches as they are now.
    const plan = this.reconciler.plan(read);
    this.applyRows(plan.apply);
    if (plan.corrections > 0) {
      this.corrections += plan.corrections;
      this.corrected.push(...plan.corrected);
      this.corrected.splice(0, Math.max(0, this.corrected.length - 20));
      this.deps.logger.warn(
        { corrections: plan.corrections, corrected: plan.corrected },
        'the store differs from the stream: corrected from the store',
      );
    }
    if (plan.watermarkMs > this.watermarkMs && Number.isFinite(plan.watermarkMs)) this.watermarkMs = plan.watermarkMs;

    // With batches still unread, agg_10s holds rows the engine has not applied: the windows slide once they are in.
    if (!read.more && ranges.length > 0) {
      const out = new Map<KeyState, Float64Array[]>();
      const add = (
        r: { campaign_id: string; partner_id: string; platform: string; values: ArrayLike<number> },
        range: number,
        sign: number,
      ) => {
        const key = this.campaign(r.campaign_id).key(r.partner_id, r.platform);
        let o = out.get(key);
        if (!o) out.set(key, (o = []));
        addInto((o[range] ??= new Float64Array(NF)), r.values, sign);
      };
      for (const r of read.ranges) add(r, r.range, 1);
      // agg_10s as the engine has it: plus what it holds that the read did not see, minus what the read saw that it
      // does not hold.
      const inRanges = (rows: AggRow[], sign: number) => {
        for (const r of rows)
          ranges.forEach((g, i) => r.bucket_ms > g.loMs && r.bucket_ms <= g.hiMs && add(r, i, sign));
      };
      inRanges(plan.unseen, 1);
      inRanges(plan.unapplied, -1);
      if (this.slideTo(to, out)) for (const id of this.campaigns.keys()) this.change(id).slid = true;
    }
    return {
      rows: read.rows.length,
      confirmedIds: plan.confirmed,
      corrections: plan.corrections,
      storeBatches: plan.storeBatches,
      durationMs: performance.now() - t0,
      more: read.more,
    };
  }

  /**
   * What the engine holds: keys, 10 s bucket entries in memory (bounded by keys × (2 h / 10 s + future buckets)), and
   * the bytes of their slabs.
   */
  memoryStats(): { keys: number; buckets: number; slabBytes: number } {
    let keys = 0;
    let buckets = 0;
    let slabBytes = 0;
    for (const c of this.campaigns.values()) {
      for (const k of c.keys.values()) {
        keys++;
        buckets += k.buckets.size;
        slabBytes += k.buckets.capacityBytes;
      }
    }
    return { keys, buckets, slabBytes };
  }

  /** ClickHouse's clock, for readiness checks. */
  serverNow(): Promise<number> {
    return serverNow(this.deps.client);
  }

  /** Time range [from, to) the current or previous window of `w` covers (bucket-aligned). */
  windowRange(w: WindowName, previous = false): { from: number; to: number } {
    return windowRangeEndingAt(w, this.bucket + BUCKET_MS, previous);
  }

  /**
   * Sum of a key's buckets with start in (fromExclusive, toInclusive]; only the buckets of the last 2 h (RECENT_MS) are
   * in memory.
   */
  rangeTotals(k: KeyState, fromExclusive: number, toInclusive: number, into = new Float64Array(NF)): Float64Array {
    for (let b = bucketOf(fromExclusive) + BUCKET_MS; b <= toInclusive; b += BUCKET_MS) {
      const v = k.buckets.get(b);
      if (v) addInto(into, v);
    }
    return into;
  }
}

export const windowIndex = (w: Exclude<WindowName, 'ctd'>) => ROLLING.indexOf(w as RollingWindow);

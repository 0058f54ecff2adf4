// The engine's bookkeeping against the store: which batches it applied from the stream, which ClickHouse has confirmed,
// and what to correct when the two differ.
//
// Every batch ClickHouse stores shows up once in its change log (agg_delta: a batch's rows per key and bucket). A batch
// the engine had from the stream is confirmed when the change log holds exactly the rows it applied; a batch that
// differs, or that the stream never brought, is corrected from the change log and counted
// (`pulseroom_live_reconcile_corrections_total`). Batches of writers that do not stream (a backfill, `npm run load`, a
// spool replayed after a restart) are applied from the change log too, and are not corrections.
import { aggKey, BUCKET_MS, FIELD_INDEX, TOTAL_FIELDS, type AggRow, type LiveBatch } from '@pulseroom/schema';
import type { DeltaRow, TickRead } from '../queries/deltas.js';

const SENTIMENT_SUM = FIELD_INDEX.sentiment_sum;

/** A batch applied from the store that holds comments or posts: the feed reads them from `events`. */
export interface StoreBatch {
  campaign_id: string;
  batch_id: string;
  /** Comments and posts the batch holds in this campaign. */
  items: number;
  fromMs: number;
  toMs: number;
}

export interface ReconcilePlan {
  /** Rows to apply now: batches the stream did not bring and the differences of those it brought otherwise. */
  apply: AggRow[];
  corrections: number;
  /** What each correction was, for the log: the batch and how it differed. */
  corrected: string[];
  /** Batches applied from the store, per campaign, with comments or posts in them. */
  storeBatches: StoreBatch[];
  /** Batches confirmed by this read. */
  confirmed: string[];
  /**
   * What the engine holds that the read did not (+) and what the read holds that the engine does not (−): the slide
   * subtracts agg_10s's totals of the buckets leaving the 24 h windows, corrected by these.
   */
  unseen: AggRow[];
  unapplied: AggRow[];
  /** Insert time (ClickHouse clock) up to which every batch is confirmed. */
  watermarkMs: number;
}

/** The run of a spool segment token (`<run>-<seq>`), '' for other batch ids. */
export const runOf = (batchId: string) => {
  const i = batchId.lastIndexOf('-');
  return i > 0 && /^\d+$/.test(batchId.slice(i + 1)) ? batchId.slice(0, i) : '';
};

function sameValues(a: ArrayLike<number>, b: ArrayLike<number>): boolean {
  for (let i = 0; i < TOTAL_FIELDS.length; i++) {
    if (a[i] === b[i]) continue;
    // The one float: sums of Float32 scores, added in another order by ClickHouse.
    if (i === SENTIMENT_SUM && Math.abs(a[i] - b[i]) <= 1e-6 * Math.max(1, Math.abs(a[i]), Math.abs(b[i]))) continue;
    return false;
  }
  return true;
}

/** The first row that differs and its non-zero fields, for the log. */
function describe(rows: AggRow[]): string {
  const r = rows[0];
  const fields = TOTAL_FIELDS.flatMap((f, i) => (r.values[i] !== 0 ? [`${f} ${r.values[i]}`] : [])).join(', ');
  return `${rows.length} keys, first ${r.campaign_id}/${r.partner_id}/${r.platform} at ${r.bucket_ms}: ${fields}`;
}

const zeroRow = (r: AggRow): AggRow => ({ ...r, values: new Array<number>(TOTAL_FIELDS.length).fill(0) });

export class Reconciler {
  /** Batches the store holds and the engine has applied, by insert time (pruned once older than the read's reach). */
  readonly confirmed = new Map<string, number>();
  /** Batches applied from the stream that the store has not shown yet: their rows by key. */
  private readonly streamed = new Map<string, Map<string, AggRow>>();
  /** Spool runs seen on the stream: their batches are expected from it. */
  private readonly runs = new Set<string>();

  constructor(private readonly graceMs: number) {}

  get waiting(): number {
    return this.streamed.size;
  }

  /** Records a streamed batch; false when the store already had it (the engine must not apply it again). */
  streamedBatch(b: LiveBatch): boolean {
    if (this.confirmed.has(b.batch_id)) return false;
    const run = runOf(b.batch_id);
    if (run) this.runs.add(run);
    let held = this.streamed.get(b.batch_id);
    if (!held) this.streamed.set(b.batch_id, (held = new Map()));
    for (const r of b.rows) {
      const k = aggKey(r);
      const h = held.get(k) ?? zeroRow(r);
      for (let i = 0; i < r.values.length; i++) h.values[i] += r.values[i];
      held.set(k, h);
    }
    return true;
  }

  /** Compares one read of the change log with what the stream brought; the caller applies `apply`. */
  plan(read: TickRead): ReconcilePlan {
    const byBatch = new Map<string, DeltaRow[]>();
    for (const r of read.rows) {
      const list = byBatch.get(r.batch_id);
      if (list) list.push(r);
      else byBatch.set(r.batch_id, [r]);
    }
    const plan: ReconcilePlan = {
      apply: [],
      corrections: 0,
      corrected: [],
      storeBatches: [],
      confirmed: [],
      unseen: [],
      unapplied: [],
      watermarkMs: 0,
    };
    let newest = 0;
    let oldestDeferred = Infinity;
    // A segment ClickHouse refused rows of is stored in parts (`<segment>:<from>-<to>`, see ingest's flusher), without
    // the refused rows: what the stream brought of it gives way to the parts, each applied as the store has it.
    for (const id of byBatch.keys()) {
      const parent = id.includes(':') ? id.slice(0, id.indexOf(':')) : '';
      const held = parent ? this.streamed.get(parent) : undefined;
      if (!held) continue;
      for (const r of held.values()) plan.apply.push({ ...r, values: r.values.map((v) => -v) });
      this.streamed.delete(parent);
      this.confirmed.set(parent, read.nowMs);
      plan.corrections++;
      plan.corrected.push(`${parent}: stored in parts without the rows ClickHouse refused`);
    }
    for (const [id, rows] of byBatch) {
      const inserted = Math.max(...rows.map((r) => r.inserted_ms));
      const young = read.nowMs - inserted < this.graceMs;
      const held = this.streamed.get(id);
      if (held) {
        const diff = this.difference(rows, held);
        if (diff.length > 0 && young) {
          oldestDeferred = Math.min(oldestDeferred, ...rows.map((r) => r.inserted_ms));
          plan.unapplied.push(...rows);
          continue;
        }
        if (diff.length > 0) {
          plan.corrections++;
          plan.corrected.push(`${id}: streamed otherwise than stored, ${describe(diff)}`);
        }
        plan.apply.push(...diff);
        this.streamed.delete(id);
      } else {
        const expected = this.runs.has(runOf(id));
        if (expected && young) {
          oldestDeferred = Math.min(oldestDeferred, ...rows.map((r) => r.inserted_ms));
          plan.unapplied.push(...rows);
          continue;
        }
        if (expected) {
          plan.corrections++;
          plan.corrected.push(`${id}: stored but never streamed, ${describe(rows)}`);
        }
        plan.apply.push(...rows);
        this.collectFeed(plan.storeBatches, id, rows);
      }
      this.confirmed.set(id, inserted);
      plan.confirmed.push(id);
      newest = Math.max(newest, inserted);
    }
    for (const held of this.streamed.values()) for (const r of held.values()) plan.unseen.push(r);
    plan.watermarkMs = Math.min(newest, read.resumeMs, oldestDeferred - 1);
    return plan;
  }

  /** Store rows minus streamed rows, key by key (only the keys that differ). */
  private difference(rows: DeltaRow[], held: Map<string, AggRow>): AggRow[] {
    const store = new Map<string, AggRow>();
    for (const r of rows) {
      const k = aggKey(r);
      const s = store.get(k) ?? zeroRow(r);
      for (let i = 0; i < TOTAL_FIELDS.length; i++) s.values[i] += r.values[i];
      store.set(k, s);
    }
    const out: AggRow[] = [];
    for (const k of new Set([...store.keys(), ...held.keys()])) {
      const s = store.get(k) ?? zeroRow(held.get(k)!);
      const h = held.get(k) ?? zeroRow(s);
      if (!sameValues(s.values, h.values)) out.push({ ...s, values: s.values.map((v, i) => v - h.values[i]) });
    }
    return out;
  }

  private collectFeed(out: StoreBatch[], batchId: string, rows: DeltaRow[]): void {
    const byCampaign = new Map<string, StoreBatch>();
    for (const r of rows) {
      const n = r.values[FIELD_INDEX.comments_n] + r.values[FIELD_INDEX.posts];
      if (n <= 0) continue;
      const b = byCampaign.get(r.campaign_id) ?? {
        campaign_id: r.campaign_id,
        batch_id: batchId,
        items: 0,
        fromMs: r.bucket_ms,
        toMs: r.bucket_ms,
      };
      b.items += n;
      b.fromMs = Math.min(b.fromMs, r.bucket_ms);
      b.toMs = Math.max(b.toMs, r.bucket_ms + BUCKET_MS);
      byCampaign.set(r.campaign_id, b);
    }
    out.push(...byCampaign.values());
  }

  /** Forgets confirmed batches inserted before `sinceMs`: the change log is never read that far back again. */
  prune(sinceMs: number): void {
    for (const [id, at] of this.confirmed) if (at <= sinceMs) this.confirmed.delete(id);
  }
}

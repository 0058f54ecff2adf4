// The background flusher: seals the active spool segment on size or age and inserts sealed segments into
// ClickHouse, oldest first, one batch each, retrying with exponential backoff while the store is down.
import type { Logger } from 'pino';
import type { Store } from '@pulseroom/schema/server';
import type { IngestMetrics } from './metrics.js';
import { insertEventBatch, insertEventText } from './queries.js';
import type { SealedSegment, Spool } from './spool.js';

export interface FlusherOptions {
  flushRows: number;
  flushMs: number;
  /**
   * First retry delay and the ceiling of the exponential backoff. The ceiling is short (5 s): once the store is
   * back, a dashboard must not sit half a minute behind; one failing insert every 5 s costs the store nothing.
   */
  backoffMinMs?: number;
  backoffMaxMs?: number;
}

export interface FlusherStatus {
  healthy: boolean;
  failures: number;
  lastError: string | null;
  lastFlushAt: number | null;
  nextAttemptAt: number | null;
  /** Rows ClickHouse could not read, set aside in the spool's quarantine directory since this start. */
  quarantinedRows: number;
}

/**
 * ClickHouse refused the rows themselves (a value its parser cannot read), not the connection or its state: sending
 * the same text again can never succeed, and retrying it forever would hold every later segment back.
 */
export function isDataError(err: unknown): boolean {
  const type = (err as { type?: unknown } | null)?.type;
  return (
    typeof type === 'string' &&
    /^(CANNOT_PARSE_\w+|CANNOT_READ_\w+|TYPE_MISMATCH|INCORRECT_DATA|VALUE_IS_OUT_OF_RANGE_OF_DATA_TYPE|TOO_LARGE_STRING_SIZE)$/.test(
      type,
    )
  );
}

export class Flusher {
  private timer: NodeJS.Timeout | null = null;
  private running: Promise<void> | null = null;
  private failures = 0;
  private nextAttemptAt = 0;
  private lastError: string | null = null;
  private lastFlushAt: number | null = null;
  private quarantined = 0;
  private readonly backoffMin: number;
  private readonly backoffMax: number;
  private stopped = false;

  constructor(
    private readonly spool: Spool,
    private readonly store: Store,
    private readonly opts: FlusherOptions,
    private readonly logger: Logger,
    private readonly metrics: IngestMetrics,
    private readonly clock: () => number,
  ) {
    this.backoffMin = opts.backoffMinMs ?? 200;
    this.backoffMax = opts.backoffMaxMs ?? 5_000;
  }

  start(): void {
    if (this.timer) return;
    const every = Math.max(10, Math.min(250, Math.floor(this.opts.flushMs / 4)));
    this.timer = setInterval(() => void this.tick(), every);
    this.timer.unref();
  }

  /** New rows arrived: a full segment is sealed and flushed now rather than at the next tick. */
  nudge(): void {
    if (this.spool.activeState().rows >= this.opts.flushRows) void this.tick();
  }

  status(): FlusherStatus {
    return {
      healthy: this.failures === 0,
      failures: this.failures,
      lastError: this.lastError,
      lastFlushAt: this.lastFlushAt,
      nextAttemptAt: this.failures ? this.nextAttemptAt : null,
      quarantinedRows: this.quarantined,
    };
  }

  /**
   * One round: seal if due, then insert what is sealed (unless backing off). Rounds never overlap; rows that came due
   * while one ran (a nudge then finds it running) go in the next round straight away, not at the next timer period.
   */
  tick(force = false): Promise<void> {
    if (this.running) return this.running;
    this.running = this.round(force).finally(() => {
      this.running = null;
      if (!this.stopped && this.sealDue(false) && !this.backingOff()) void this.tick();
    });
    return this.running;
  }

  /** The active segment holds rows and is full or old enough to be sealed (any rows at all when forced). */
  private sealDue(force: boolean): boolean {
    const a = this.spool.activeState();
    return a.rows > 0 && (force || a.rows >= this.opts.flushRows || a.ageMs >= this.opts.flushMs);
  }

  /** An insert failed and the next attempt is not due yet. */
  private backingOff(): boolean {
    return this.failures > 0 && this.clock() < this.nextAttemptAt;
  }

  private async round(force: boolean): Promise<void> {
    if (this.sealDue(force)) await this.spool.seal();
    for (const seg of [...this.spool.sealedSegments()]) {
      if (!force && this.backingOff()) return;
      const t0 = performance.now();
      let inserted = 0;
      try {
        // Straight from the segment's text; the row count must match what was appended, or the rows are parsed
        // and sent the ordinary way (a segment written by another version).
        try {
          const text = await this.spool.readText(seg);
          if (text.rows === seg.rows) {
            if (text.rows > 0) await insertEventText(this.store.client, seg.token, text.text, seg.format);
            inserted = text.rows;
          } else {
            const rows = await this.spool.readCompact(seg);
            if (rows.length > 0) await insertEventBatch(this.store.client, seg.token, rows);
            inserted = rows.length;
          }
        } catch (err) {
          if (!isDataError(err)) throw err;
          inserted = await this.isolate(seg, err);
        }
      } catch (err) {
        this.failures++;
        this.metrics.flushFailures.inc();
        this.lastError = err instanceof Error ? err.message : String(err);
        const delay = Math.min(this.backoffMax, this.backoffMin * 2 ** Math.min(this.failures - 1, 16));
        this.nextAttemptAt = this.clock() + delay * (0.75 + Math.random() * 0.5);
        this.logger.warn(
          {
            err: this.lastError,
            batch: seg.token,
            rows: seg.rows,
            failures: this.failures,
            retryInMs: Math.round(delay),
          },
          'insert into ClickHouse failed; events stay in the spool',
        );
        return;
      }
      this.metrics.flushSeconds.observe((performance.now() - t0) / 1000);
      this.metrics.flushedRows.inc(inserted);
      if (this.failures > 0) this.logger.info({ after: this.failures }, 'ClickHouse is back; draining the spool');
      this.failures = 0;
      this.lastError = null;
      this.lastFlushAt = this.clock();
      // Deleted only after the insert succeeded: a crash in between re-sends the batch, and its token makes that a
      // no-op.
      await this.spool.remove(seg);
      this.logger.debug({ batch: seg.token, rows: inserted }, 'flushed');
    }
  }

  /**
   * A segment ClickHouse refuses as data: its rows are inserted in halves, and halves of those, until the rows it
   * cannot read are alone; those go to `<spool>/quarantine/<batch>.jsonl` with ClickHouse's message (fsync'd, for a
   * person to fix and send again), the others are stored. Each range has its own deduplication token from the
   * segment's and the range, so a crash half-way re-sends the same ranges and stores nothing twice.
   */
  private async isolate(seg: SealedSegment, cause: unknown): Promise<number> {
    const rows = await this.spool.readCompact(seg);
    this.logger.error(
      { batch: seg.token, rows: rows.length, err: cause instanceof Error ? cause.message : String(cause) },
      'ClickHouse cannot read this spool segment; isolating the rows it refuses',
    );
    const refused: { error: string; row: Record<string, unknown> }[] = [];
    const insertRange = async (from: number, to: number): Promise<number> => {
      const part = rows.slice(from, to).map((r) => ({ ...r }));
      try {
        await insertEventBatch(this.store.client, `${seg.token}:${from}-${to}`, part);
        return part.length;
      } catch (err) {
        if (!isDataError(err)) throw err;
        if (to - from === 1) {
          refused.push({ error: err instanceof Error ? err.message : String(err), row: rows[from] });
          return 0;
        }
        const mid = (from + to) >> 1;
        return (await insertRange(from, mid)) + (await insertRange(mid, to));
      }
    };
    const stored = rows.length > 0 ? await insertRange(0, rows.length) : 0;
    if (refused.length > 0) {
      const file = await this.spool.quarantine(seg, refused.map((r) => JSON.stringify(r)).join('\n') + '\n');
      this.quarantined += refused.length;
      this.metrics.quarantinedRows.inc(refused.length);
      this.logger.error(
        { batch: seg.token, refused: refused.length, stored, file },
        'rows ClickHouse cannot read were set aside; the rest of the segment is stored',
      );
    }
    return stored;
  }

  /**
   * Seals and inserts everything waiting, trying until `deadlineMs`; what is left stays in the spool for the next
   * start.
   */
  async drain(deadlineMs: number): Promise<boolean> {
    const until = this.clock() + deadlineMs;
    for (;;) {
      await this.tick(true);
      const d = this.spool.depth();
      if (d.rows === 0) return true;
      if (this.clock() >= until) return false;
      await new Promise((r) => setTimeout(r, Math.min(500, Math.max(10, until - this.clock()))));
    }
  }

  async stop(deadlineMs = 5000): Promise<boolean> {
    this.stopped = true;
    if (this.timer) clearInterval(this.timer);
    this.timer = null;
    if (this.running) await this.running;
    return this.drain(deadlineMs);
  }
}

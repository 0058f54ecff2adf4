// Records tracking-link clicks after the visitor has been redirected: the shopper never waits for the disk.
import type { Logger } from 'pino';
import { inTimeBounds, type ClickEvent } from '@pulseroom/schema';
import { TRACKING_LINK_SOURCE } from './auth.js';
import type { IngestMetrics } from './metrics.js';
import type { Pipeline } from './pipeline.js';
import { validateEvents, type ParsedBatch } from './validate.js';

/** Clicks waiting to be recorded (queued or being written); past this the newest are dropped, logged and counted. */
export const MAX_CLICKS_WAITING = 20_000;

/**
 * A redirect is not an acknowledgement: nobody retries a click, so the 302 goes out first and the click follows. The
 * clicks of one event-loop turn go through the pipeline as one batch (built by the product, so not re-validated by zod;
 * one spool write and fsync), so under load a redirect costs a fraction of an ingest call. The batch starts in the same
 * turn's check phase, so a click is normally in ingest's memory (and visible to a postback naming its click_id) before
 * the visitor's next request is read. What a crash can lose is the clicks of the last few milliseconds, never an
 * acknowledged event.
 */
export class ClickRecorder {
  private queue: ClickEvent[] = [];
  private writing = 0;
  private readonly inflight = new Set<Promise<void>>();

  constructor(
    private readonly pipeline: () => Pipeline | null,
    private readonly metrics: IngestMetrics,
    private readonly logger: Logger,
  ) {}

  /**
   * Queues a click event built by `clickEventFor` (valid by construction: ids and link fields from the validated
   * dimensions, header text cut and cleaned to the schema's rules); returns false when it was dropped.
   */
  record(event: ClickEvent): boolean {
    if (this.queue.length + this.writing >= MAX_CLICKS_WAITING) {
      this.metrics.redirects.inc({ recorded: 'false' });
      this.logger.warn(
        { waiting: this.queue.length + this.writing },
        'tracking-link click dropped: too many clicks waiting for the spool',
      );
      return false;
    }
    if (this.queue.length === 0) setImmediate(() => this.flush());
    this.queue.push(event);
    return true;
  }

  /** Resolves once every click queued so far has been written (or given up). */
  async drain(): Promise<void> {
    if (this.queue.length) this.flush();
    while (this.inflight.size) await Promise.allSettled([...this.inflight]);
  }

  private flush(): void {
    const batch = this.queue;
    if (batch.length === 0) return;
    this.queue = [];
    this.writing += batch.length;
    const done = this.write(batch).finally(() => {
      this.writing -= batch.length;
      this.inflight.delete(done);
    });
    this.inflight.add(done);
  }

  private async write(batch: ClickEvent[]): Promise<void> {
    const pipeline = this.pipeline();
    let recorded = 0;
    try {
      if (!pipeline) throw new Error('ingest is stopped');
      const answer = await pipeline.accept(TRACKING_LINK_SOURCE, builtClicks(batch), clickPath);
      recorded = answer.accepted + answer.duplicates;
      if (answer.rejected.length)
        this.logger.warn({ rejected: answer.rejected.slice(0, 5) }, 'tracking-link clicks not recorded');
    } catch (err) {
      // The visitors reached the shop; the lost clicks are logged and counted.
      this.logger.error({ err, clicks: batch.length }, 'tracking-link clicks not recorded');
    }
    if (recorded) this.metrics.redirects.inc({ recorded: 'true' }, recorded);
    if (batch.length - recorded) this.metrics.redirects.inc({ recorded: 'false' }, batch.length - recorded);
  }
}

const clickPath = (i: number) => `clicks[${i}]`;

/**
 * The batch as validation would pass it, without running zod over events the product built itself (the pipeline
 * still checks their references, de-duplicates and enriches them). Their time comes from the injected clock, not
 * from construction: a click whose `ts` the schema would refuse goes through zod, and is rejected as it would be.
 */
export function builtClicks(batch: ClickEvent[]): ParsedBatch {
  const parsed: ParsedBatch = { valid: [], rejected: [], rejectedTypes: [] };
  let odd: number[] | null = null;
  for (let i = 0; i < batch.length; i++) {
    const e = batch[i];
    if (e.type === 'click' && Number.isInteger(e.ts) && inTimeBounds(e.ts)) parsed.valid.push({ index: i, event: e });
    else (odd ??= []).push(i);
  }
  if (odd) {
    for (const i of odd) {
      const one = validateEvents([batch[i]], () => clickPath(i));
      for (const v of one.valid) parsed.valid.push({ index: i, event: v.event });
      for (const r of one.rejected) parsed.rejected.push({ ...r, index: i });
      parsed.rejectedTypes.push(...one.rejectedTypes);
    }
    parsed.valid.sort((a, b) => a.index - b.index);
  }
  return parsed;
}

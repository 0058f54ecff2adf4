// Records tracking-link clicks after the visitor has been redirected: the shopper never waits for the disk.
import type { Logger } from 'pino';
import { TRACKING_LINK_SOURCE } from './auth.js';
import type { IngestMetrics } from './metrics.js';
import type { Pipeline } from './pipeline.js';
import { validateEvents } from './validate.js';

/** Clicks waiting to be recorded (queued or being written); past this the newest are dropped, logged and counted. */
export const MAX_CLICKS_WAITING = 20_000;

/**
 * A redirect is not an acknowledgement: nobody retries a click, so the 302 goes out first and the click follows.
 * The clicks of one event-loop turn go through the pipeline as one batch (one validation pass, one spool write
 * and fsync), so under load a redirect costs a fraction of an ingest call. The batch starts in the same turn's check
 * phase, so a click is normally in ingest's memory (and visible to a postback naming its click_id) before the
 * visitor's next request is read. What a crash can lose is the clicks of the last few milliseconds, never an acknowledged event.
 */
export class ClickRecorder {
  private queue: Record<string, unknown>[] = [];
  private writing = 0;
  private readonly inflight = new Set<Promise<void>>();

  constructor(
    private readonly pipeline: () => Pipeline | null,
    private readonly metrics: IngestMetrics,
    private readonly logger: Logger,
  ) {}

  /** Queues a click event (built by `clickEventFor`); returns false when it was dropped. */
  record(event: Record<string, unknown>): boolean {
    if (this.queue.length + this.writing >= MAX_CLICKS_WAITING) {
      this.metrics.redirects.inc({ recorded: 'false' });
      this.logger.warn({ waiting: this.queue.length + this.writing }, 'tracking-link click dropped: too many clicks waiting for the spool');
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

  private async write(batch: Record<string, unknown>[]): Promise<void> {
    const pipeline = this.pipeline();
    let recorded = 0;
    try {
      if (!pipeline) throw new Error('ingest is stopped');
      const answer = await pipeline.accept(TRACKING_LINK_SOURCE, validateEvents(batch, (i) => `clicks[${i}]`), (i) => `clicks[${i}]`);
      recorded = answer.accepted + answer.duplicates;
      if (answer.rejected.length) this.logger.warn({ rejected: answer.rejected.slice(0, 5) }, 'tracking-link clicks not recorded');
    } catch (err) {
      // The visitors reached the shop; the lost clicks are logged and counted.
      this.logger.error({ err, clicks: batch.length }, 'tracking-link clicks not recorded');
    }
    if (recorded) this.metrics.redirects.inc({ recorded: 'true' }, recorded);
    if (batch.length - recorded) this.metrics.redirects.inc({ recorded: 'false' }, batch.length - recorded);
  }
}

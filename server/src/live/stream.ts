// The stream between processes: ingest appends each accepted batch to a Redis Stream (LIVE_STREAM_KEY); every server
// node reads it through a consumer group of its own (all nodes need every batch) and acknowledges an entry once the
// store has confirmed its batch. A node that stops and comes back under the same name gets the entries it had not
// acknowledged and everything added meanwhile: batches the store already holds are skipped (the engine loaded them),
// the others applied, so nothing is lost and nothing counted twice.
import type { Logger } from 'pino';
import { createClient } from 'redis';
import { LIVE_STREAM_KEY, type LiveBatch } from '@pulseroom/schema';

/** How far before the oldest unacknowledged entry the engine's start-up load looks for stored batches (clock skew). */
const RESUME_SLACK_MS = 60_000;
const READ_COUNT = 200;
const BLOCK_MS = 500;

type Redis = ReturnType<typeof createClient>;
interface Entry {
  id: string;
  message: Record<string, string> | null;
}

const msOfId = (id: string) => Number(id.split('-')[0]);

export interface RedisLiveStreamDeps {
  url: string;
  /** This node's consumer group. */
  group: string;
  logger: Logger;
  /** Applies a batch; false when the store already had it (its entry is acknowledged at once). */
  accept: (batch: LiveBatch) => boolean;
}

export class RedisLiveStream {
  private reader: Redis | null = null;
  private writer: Redis | null = null;
  private running = false;
  private reading: Promise<void> = Promise.resolve();
  /** Entries of batches applied and not yet confirmed by the store. */
  private readonly entriesOf = new Map<string, string[]>();

  constructor(private readonly deps: RedisLiveStreamDeps) {}

  /** Connects and makes this node's group; returns when the engine's load should look back to for stored batches. */
  async open(): Promise<number | undefined> {
    this.writer = createClient({ url: this.deps.url });
    this.reader = this.writer.duplicate();
    await Promise.all([this.writer.connect(), this.reader.connect()]);
    try {
      await this.writer.xGroupCreate(LIVE_STREAM_KEY, this.deps.group, '$', { MKSTREAM: true });
      return undefined; // a new node: it reads what comes from now on
    } catch (e) {
      if (!String((e as Error).message).includes('BUSYGROUP')) throw e;
    }
    const pending = await this.writer.xPending(LIVE_STREAM_KEY, this.deps.group);
    const groups = (await this.writer.xInfoGroups(LIVE_STREAM_KEY)) as unknown as {
      name: string;
      'last-delivered-id': string;
    }[];
    const last = groups.find((g) => g.name === this.deps.group)?.['last-delivered-id'] ?? '0-0';
    const from = Number(pending.pending) > 0 && typeof pending.firstId === 'string' ? pending.firstId : last;
    return msOfId(from) - RESUME_SLACK_MS;
  }

  /** Reads: first this node's unacknowledged entries, then new ones as they come. */
  start(): void {
    this.running = true;
    this.reading = this.readLoop();
  }

  private async readLoop(): Promise<void> {
    let pendingFrom: string | null = '0'; // own unacknowledged entries first, page by page; then new ones ('>')
    while (this.running) {
      let entries: Entry[] = [];
      try {
        const id = pendingFrom ?? '>';
        const reply = (await this.reader!.xReadGroup(
          this.deps.group,
          'c',
          { key: LIVE_STREAM_KEY, id },
          { COUNT: READ_COUNT, BLOCK: pendingFrom === null ? BLOCK_MS : undefined },
        )) as unknown as { messages: Entry[] }[] | null;
        entries = reply?.[0]?.messages ?? [];
      } catch (e) {
        if (!this.running) return;
        this.deps.logger.warn({ err: e }, 'reading the live stream failed; retrying');
        await new Promise((r) => setTimeout(r, 1_000));
        continue;
      }
      if (pendingFrom !== null) pendingFrom = entries.length > 0 ? entries[entries.length - 1].id : null;
      const done: string[] = [];
      for (const e of entries) {
        const text = e.message?.b;
        if (!text) {
          done.push(e.id); // trimmed before this node read it: the reconcile takes its batch from the store
          continue;
        }
        const batch = JSON.parse(text) as LiveBatch;
        if (this.deps.accept(batch)) {
          const ids = this.entriesOf.get(batch.batch_id);
          if (ids) ids.push(e.id);
          else this.entriesOf.set(batch.batch_id, [e.id]);
        } else done.push(e.id);
      }
      if (done.length > 0) await this.ack(done);
    }
  }

  /** The store confirmed these batches: their entries are acknowledged. */
  confirm(batchIds: string[]): void {
    const ids: string[] = [];
    for (const b of batchIds) {
      const e = this.entriesOf.get(b);
      if (!e) continue;
      ids.push(...e);
      this.entriesOf.delete(b);
    }
    if (ids.length > 0) void this.ack(ids);
  }

  private async ack(ids: string[]): Promise<void> {
    try {
      await this.writer?.xAck(LIVE_STREAM_KEY, this.deps.group, ids);
    } catch (e) {
      this.deps.logger.warn(
        { err: e },
        'acknowledging live stream entries failed (they come again after a restart and are skipped)',
      );
    }
  }

  async stop(): Promise<void> {
    this.running = false;
    await this.reading;
    await Promise.all([this.reader, this.writer].map((c) => c?.quit().catch(() => undefined)));
    this.reader = this.writer = null;
  }
}

// Ingest's end of the live stream between processes: each group of accepted events (fsync'd in the spool) is
// appended to a Redis Stream that every server node reads (server/src/live/stream.ts). The stream is the fast path
// only: the store stays the record, so an entry Redis never got is taken from ClickHouse by the servers' reconcile.
import type { Logger } from 'pino';
import { createClient } from 'redis';
import { LIVE_STREAM_KEY, type LiveBatch } from '@pulseroom/schema';

/**
 * Entries kept (approximately): minutes of a launch at full rate, so a server node restarted within them resumes
 * from the stream; one away longer takes what it missed from the store.
 */
export const LIVE_STREAM_MAX_ENTRIES = 20_000;

const connect = (url: string) => createClient({ url });
type Redis = ReturnType<typeof connect>;

export class RedisLivePublisher {
  private failing = false;

  private constructor(
    private readonly redis: Redis,
    private readonly logger: Logger,
  ) {}

  static async open(url: string, logger: Logger): Promise<RedisLivePublisher> {
    const redis = connect(url);
    redis.on('error', (err) => logger.debug({ err }, 'redis connection error'));
    await redis.connect();
    return new RedisLivePublisher(redis, logger);
  }

  /** Appends without waiting: the answer to the source never waits for Redis. */
  publish(batch: LiveBatch): void {
    this.redis
      .xAdd(
        LIVE_STREAM_KEY,
        '*',
        { b: JSON.stringify(batch) },
        { TRIM: { strategy: 'MAXLEN', strategyModifier: '~', threshold: LIVE_STREAM_MAX_ENTRIES } },
      )
      .then(
        () => {
          if (this.failing) this.logger.info('live stream: redis is back');
          this.failing = false;
        },
        (err: unknown) => {
          if (!this.failing)
            this.logger.warn({ err }, 'live stream: cannot append to redis; servers take these events from the store');
          this.failing = true;
        },
      );
  }

  async close(): Promise<void> {
    await this.redis.quit().catch(() => undefined);
  }
}

// The live server's configuration, read from the environment once through zod; nothing else reads process.env.
import { z } from 'zod';
import { envBool, envInt, envNumber, envPort, LOG_LEVELS, parseConfig, storeEnv } from '@pulseroom/schema';

export const serverEnv = {
  ...storeEnv,
  PORT: envPort(8080),
  LOG_LEVEL: z.enum(LOG_LEVELS).default('info'),
  /** An admin dashboard token accepted as-is (only its hash is kept in memory). */
  PULSEROOM_ADMIN_TOKEN: z.string().min(16, 'expected at least 16 characters').optional(),
  REDIS_URL: z
    .url({ protocol: /^rediss?$/, error: 'expected a redis:// URL such as redis://localhost:6379' })
    .optional(),
  /** Directory of the built web app served at / (unset: API only). */
  PULSEROOM_WEB_DIR: z.string().optional(),
  /** A frame: what the stream changed is pushed every this many ms, at most one delta per room and frame. */
  PULSEROOM_FRAME_MS: envInt(100, 20, 5_000),
  /**
   * How often the engine reconciles with the store (and reads what no stream brought) when events are streamed to it.
   */
  PULSEROOM_RECONCILE_MS: envInt(2_000, 100, 60_000),
  /**
   * With no stream (a server without REDIS_URL beside a separate ingest), how often it reads the store's change log.
   */
  PULSEROOM_TICK_MS: envInt(250, 50, 10_000),
  /**
   * How long a stored batch may wait for the Redis stream to bring it before it counts as missed and is taken from the
   * store.
   */
  PULSEROOM_STREAM_GRACE_MS: envInt(1_000, 0, 60_000),
  /**
   * This node's name on the Redis stream (its consumer group; default host:PORT): a restarted node resumes where it
   * stopped.
   */
  PULSEROOM_NODE_ID: z
    .string()
    .regex(/^[\w.:-]{1,100}$/, 'expected letters, digits and . : _ -')
    .optional(),
  /** How far back each read re-reads agg_delta: covers inserts committed after their now64() was taken. */
  PULSEROOM_DELTA_OVERLAP_MS: envInt(30_000, 0, 600_000),
  /** How long a resolved dashboard token is trusted before it is looked up again. */
  PULSEROOM_TOKEN_CACHE_MS: envInt(1_000, 0, 60_000),
  /** Dimension cache refresh (campaigns, partners, deals). */
  PULSEROOM_DIMENSIONS_REFRESH_MS: envInt(2_000, 0, 600_000),
  /** /api requests per minute per client address (counted before the token is checked)… */
  PULSEROOM_API_RATE_PER_MIN: envInt(3_000, 1, 1_000_000),
  /** …and per dashboard token. */
  PULSEROOM_API_RATE_PER_TOKEN_PER_MIN: envInt(3_000, 1, 1_000_000),
  /** Alerts are evaluated every this many ms. */
  ALERT_EVAL_MS: envInt(5_000, 100, 600_000),
  /** The same alert kind for the same partner (or campaign) fires at most once per cooldown. */
  ALERT_COOLDOWN_MS: envInt(30 * 60_000, 0, 7 * 86_400_000),
  /** Net sentiment (points, −100..100) of the last 15 min vs the hour before. */
  ALERT_SENTIMENT_SWING_POINTS: envNumber(40, 1, 200),
  ALERT_SENTIMENT_MIN_COMMENTS: envInt(20, 1),
  /**
   * Engagement/clicks of the last 15 min vs the partner's own 15-min average over the 1 h 45 min before (the engine
   * keeps 2 h of 10 s buckets).
   */
  ALERT_SPIKE_FACTOR: envNumber(3, 1.01, 1000),
  ALERT_DROP_FACTOR: envNumber(0.3, 0, 0.99),
  ALERT_MIN_BASELINE_INTERACTIONS: envInt(50, 1),
  ALERT_MIN_BASELINE_CLICKS: envInt(10, 1),
  ALERT_MIN_SPIKE_CLICKS: envInt(30, 1),
  /** Unattributed conversions in the last 15 min: at least this many and this factor over the hour before. */
  ALERT_UNATTRIBUTED_MIN: envInt(5, 1),
  ALERT_UNATTRIBUTED_FACTOR: envNumber(2, 1, 1000),
  ALERTS_ENABLED: envBool(true),
  /** A source with no event for this long is named as late on the war room and the wall (a source may set its own). */
  SOURCE_EXPECTED_EVERY_S: envInt(300, 10, 7 * 86_400),
  /** The daily quota of the Google Cloud project behind each YouTube connector's key (as ingest reads it). */
  YOUTUBE_DAILY_QUOTA: envInt(10_000, 1, 1_000_000_000),
  /**
   * How often the sources of campaigns on screen are checked (one read of their last events for all): a source that
   * turns late or recovers is pushed to the dashboards within about this long.
   */
  SOURCE_CHECK_MS: envInt(5_000, 50, 600_000),
  /**
   * The dashboard's public address (https://pulseroom.example.com): links in Slack messages and webhooks start with it.
   */
  PULSEROOM_PUBLIC_URL: z
    .url({ protocol: /^https?$/, error: 'expected an http(s) URL such as https://pulseroom.example.com' })
    .optional(),
  /** Outbound alerts per channel: the first alert of a kind goes at once, at most this many messages a window… */
  ALERT_NOTIFY_MAX_PER_WINDOW: envInt(5, 1, 1_000),
  /** …and the rest of a storm goes as one summary when the window ends. */
  ALERT_NOTIFY_WINDOW_MS: envInt(60_000, 10, 3_600_000),
  /** Retries of a delivery (5xx, 429, network errors): attempts in all, first backoff (doubling), longest wait. */
  ALERT_NOTIFY_MAX_ATTEMPTS: envInt(6, 1, 20),
  ALERT_NOTIFY_RETRY_BASE_MS: envInt(1_000, 1, 600_000),
  ALERT_NOTIFY_RETRY_MAX_MS: envInt(300_000, 1, 3_600_000),
  ALERT_NOTIFY_TIMEOUT_MS: envInt(10_000, 100, 120_000),
};
export const serverConfig = z.object(serverEnv);
export type ServerConfig = z.infer<typeof serverConfig>;

export function loadServerConfig(env: Record<string, string | undefined> = process.env): ServerConfig {
  return parseConfig(serverConfig, env);
}

/** Defaults for everything (tests override what they need). */
export function defaultServerConfig(overrides: Partial<ServerConfig> = {}): ServerConfig {
  return { ...parseConfig(serverConfig, {}), ...overrides };
}

// The ingest service's configuration: read from the environment once, through zod, with errors naming the variable.
import { join, resolve } from 'node:path';
import { z } from 'zod';
import { envBool, envInt, envPort, LOG_LEVELS, parseConfig, storeEnv, type FxRates } from '@pulseroom/schema';
import { dataKeyOf, persistedKey } from '@pulseroom/schema/server';

/** Units of USD per 1 unit of each currency: a sensible default; production sets PULSEROOM_FX_RATES. */
export const DEFAULT_FX_RATES: FxRates = {
  EUR: 1.08,
  GBP: 1.27,
  CAD: 0.73,
  AUD: 0.66,
  NZD: 0.6,
  JPY: 0.0067,
  CHF: 1.13,
  SEK: 0.095,
  NOK: 0.093,
  DKK: 0.145,
  PLN: 0.25,
  CZK: 0.043,
  MXN: 0.058,
  BRL: 0.2,
  INR: 0.012,
  SGD: 0.74,
  HKD: 0.128,
  KRW: 0.00074,
  CNY: 0.14,
  ZAR: 0.055,
  AED: 0.272,
};

const fxRates = z.record(
  z.string().regex(/^[A-Z]{3}$/, 'expected ISO 4217 currency codes as keys'),
  z
    .number({ error: 'expected a positive number of USD per unit' })
    .positive('expected a positive number of USD per unit'),
);

const apiUrl = (fallback: string) =>
  z
    .url({ protocol: /^https?$/, error: 'expected an http(s) base URL' })
    .default(fallback)
    .transform((u) => u.replace(/\/+$/, ''));

export const ingestEnv = z.object({
  ...storeEnv,
  INGEST_PORT: envPort(8081),
  LOG_LEVEL: z.enum(LOG_LEVELS).default('info'),
  /**
   * Accepted events are streamed to the live servers through this Redis (unset: the servers read them from the store).
   */
  REDIS_URL: z
    .url({ protocol: /^rediss?$/, error: 'expected a redis:// URL such as redis://localhost:6379' })
    .optional(),
  /** Where acknowledged events wait for ClickHouse; default <PULSEROOM_DATA_DIR>/spool. */
  INGEST_SPOOL_DIR: z.string().min(1).optional(),
  /** Flush a spool segment to ClickHouse once it holds this many rows… */
  INGEST_FLUSH_ROWS: envInt(10_000, 1, 1_000_000),
  /**
   * …or once its oldest row waited this long (the screen moves with the stream; the store is history, CSV and the
   * reconcile).
   */
  INGEST_FLUSH_MS: envInt(1_000, 10, 600_000),
  /** Above this many bytes waiting in the spool, new events get 503 + Retry-After. */
  INGEST_SPOOL_MAX_BYTES: envInt(1024 ** 3, 1024, Number.MAX_SAFE_INTEGER),
  /** Requests per key per minute (0 = unlimited). */
  INGEST_RATE_LIMIT_PER_MIN: envInt(6000, 0, 10_000_000),
  /** Requests per client address per minute on /v1, counted before the key is checked (0 = unlimited). */
  INGEST_RATE_LIMIT_PER_IP_PER_MIN: envInt(60_000, 0, 10_000_000),
  /** How long event ids are remembered for de-duplication, and how many at most. */
  INGEST_DEDUPE_WINDOW_HOURS: envInt(72, 1, 24 * 365),
  INGEST_DEDUPE_MAX_IDS: envInt(3_000_000, 1000, 100_000_000),
  /** How long a verified source key is trusted before the sources table is asked again. */
  INGEST_AUTH_CACHE_MS: envInt(30_000, 0, 3_600_000),
  /** Threads scoring comment sentiment (0 = score in the request thread). */
  INGEST_SENTIMENT_THREADS: envInt(1, 0, 16),
  /** Trust X-Forwarded-For (behind a proxy) for the visitor hash of tracking-link clicks. */
  INGEST_TRUST_PROXY: envBool(false),
  /** Exchange rates, USD per unit of each currency, as JSON: {"EUR":1.08,…}. */
  PULSEROOM_FX_RATES: z
    .string()
    .optional()
    .transform((s, ctx) => {
      if (s === undefined) return DEFAULT_FX_RATES;
      try {
        return JSON.parse(s) as unknown;
      } catch {
        ctx.addIssue({ code: 'custom', message: 'expected JSON such as {"EUR":1.08,"GBP":1.27}' });
        return z.NEVER;
      }
    })
    .pipe(fxRates),
  /** Poll the registered posts of the YouTube, Instagram and TikTok connectors in this process. */
  CONNECTORS_ENABLED: envBool(true),
  /** How often the connectors look for posts due for a poll. */
  CONNECTOR_TICK_MS: envInt(1000, 10, 60_000),
  /** How often the connectors re-read their posts and credentials from the store. */
  CONNECTOR_REFRESH_MS: envInt(10_000, 100, 3_600_000),
  /** Platform calls in flight at once, over every connector. */
  CONNECTOR_CONCURRENCY: envInt(8, 1, 256),
  /** A platform call that has not answered by then counts as failed (and is retried with backoff). */
  CONNECTOR_TIMEOUT_MS: envInt(15_000, 100, 300_000),
  /** Comment pages read per post and poll at most (the newest first; older ones were read before). */
  CONNECTOR_MAX_COMMENT_PAGES: envInt(5, 1, 100),
  /** Each API's base URL (tests and the benchmark point them at local fixture servers). */
  YOUTUBE_API_URL: apiUrl('https://www.googleapis.com/youtube/v3'),
  INSTAGRAM_API_URL: apiUrl('https://graph.instagram.com/v23.0'),
  TIKTOK_API_URL: apiUrl('https://open.tiktokapis.com'),
  /** The daily quota of the Google Cloud project behind each YouTube connector's key, in units. */
  YOUTUBE_DAILY_QUOTA: envInt(10_000, 1, 1_000_000_000),
  /** Key of the keyed hashes of personal identifiers; generated and kept in the data dir when unset. */
  PULSEROOM_HASH_KEY: z.string().min(16, 'expected at least 16 characters').optional(),
});
export type IngestEnv = z.infer<typeof ingestEnv>;

export interface IngestConfig extends IngestEnv {
  spoolDir: string;
  hashKey: string;
  /** Opens the webhook signing secrets sealed in the sources table. */
  secretsKey: string;
}

/** Parses the environment and resolves derived settings (spool dir, hash key). */
export function loadIngestConfig(env: Record<string, string | undefined> = process.env): IngestConfig {
  return resolveIngestConfig(parseConfig(ingestEnv, env));
}

/** Fills in the spool dir and the keys; a generated key is persisted so hashes and sealed secrets outlive restarts. */
export function resolveIngestConfig(parsed: IngestEnv): IngestConfig {
  const spoolDir = resolve(parsed.INGEST_SPOOL_DIR ?? join(parsed.PULSEROOM_DATA_DIR, 'spool'));
  const hashKey = parsed.PULSEROOM_HASH_KEY ?? persistedKey(parsed.PULSEROOM_DATA_DIR, 'hash.key');
  return { ...parsed, spoolDir, hashKey, secretsKey: dataKeyOf(parsed) };
}

/** A full config from defaults plus overrides: for tests and embedding. */
export function ingestConfigFor(overrides: Record<string, string | undefined>): IngestConfig {
  return loadIngestConfig(overrides);
}

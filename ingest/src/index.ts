// The ingest service as a library: createIngest() gives the router to mount, its metrics, readiness and lifecycle.
import type { Router } from 'express';
import type { Logger } from 'pino';
import type { Registry } from 'prom-client';
import type { DimensionCache, Store } from '@pulseroom/schema/server';
import { SourceAuth } from './auth.js';
import type { IngestConfig } from './config.js';
import { SentimentPool } from './enrich/sentiment.js';
import { Flusher } from './flusher.js';
import { IngestMetrics } from './metrics.js';
import { Pipeline } from './pipeline.js';
import { eventIdsReceivedSince, lastClicksSince, storeAnswers } from './queries.js';
import { createRouter } from './routes.js';
import { Spool, type ReplayInfo } from './spool.js';
import { IngestState, UNIQUE_CLICK_WINDOW_MS } from './state.js';

export type { IngestConfig } from './config.js';
export { loadIngestConfig, resolveIngestConfig, ingestEnv } from './config.js';
export type { BatchAnswer } from './pipeline.js';

export interface IngestDeps {
  store: Store;
  dims: DimensionCache;
  config: IngestConfig;
  logger: Logger;
  clock?: () => number;
}

export interface Readiness {
  ok: boolean;
  checks: Record<string, unknown>;
}

export interface Ingest {
  router: Router;
  registry: Registry;
  ready(): Promise<Readiness>;
  /** Opens the spool, replays what an earlier run left, rebuilds the memory of ids and clicks, starts the flusher. */
  start(): Promise<void>;
  /** Stops accepting, flushes the spool to ClickHouse (what cannot be flushed stays for the next start), closes. */
  stop(): Promise<void>;
}

const REBUILD_RETRY_MS = 5000;
const PRUNE_EVERY_MS = 60_000;

export function createIngest(deps: IngestDeps): Ingest {
  const { store, dims, config } = deps;
  const clock = deps.clock ?? Date.now;
  const logger = deps.logger.child({ service: 'ingest' });
  let spool: Spool | null = null;
  let state: IngestState | null = null;
  let pipeline: Pipeline | null = null;
  let flusher: Flusher | null = null;
  let sentiment: SentimentPool | null = null;
  let replay: ReplayInfo | null = null;
  let memoryRebuilt = false;
  let timers: NodeJS.Timeout[] = [];

  const metrics = new IngestMetrics(
    () => spool?.depth() ?? null,
    () => state?.sizes() ?? {},
  );
  const auth = new SourceAuth(store.client, config.INGEST_AUTH_CACHE_MS, clock);
  const router = createRouter({ pipeline: () => pipeline, state: () => state, auth, dims, config, metrics, logger, clock });

  /**
   * The recent-id memory and the IAB click memory must outlive a restart: what ClickHouse holds is
   * loaded once it answers (the spool's rows were applied on replay already).
   */
  async function rebuildMemory(): Promise<boolean> {
    if (!state) return false;
    try {
      const now = clock();
      const ids = await eventIdsReceivedSince(store.client, now - config.INGEST_DEDUPE_WINDOW_HOURS * 3_600_000, config.INGEST_DEDUPE_MAX_IDS);
      for (let i = ids.length - 1; i >= 0; i--) state.recent.add(ids[i].source_id, ids[i].event_id, ids[i].last_at);
      for (const c of await lastClicksSince(store.client, now - UNIQUE_CLICK_WINDOW_MS)) state.seedLastClick(c.visitor_hash, c.link_code, c.ts);
      memoryRebuilt = true;
      logger.info({ eventIds: ids.length }, 'de-duplication memory rebuilt from the store');
      return true;
    } catch (err) {
      logger.warn({ err: err instanceof Error ? err.message : String(err) }, `cannot rebuild the de-duplication memory from the store yet; retrying every ${REBUILD_RETRY_MS / 1000} s`);
      return false;
    }
  }

  return {
    router,
    registry: metrics.registry,

    async start() {
      if (pipeline) return;
      const startedAt = clock();
      const opened = await Spool.open({ dir: config.spoolDir, maxBytes: config.INGEST_SPOOL_MAX_BYTES, sealRows: config.INGEST_FLUSH_ROWS, clock });
      spool = opened.spool;
      replay = opened.replay;
      const replayed = new Set(spool.sealedSegments().map((s) => s.token));
      state = new IngestState({ dedupeWindowMs: config.INGEST_DEDUPE_WINDOW_HOURS * 3_600_000, dedupeMaxIds: config.INGEST_DEDUPE_MAX_IDS, startedAt, replayedBatches: replayed });
      for (const seg of spool.sealedSegments()) for (const row of await spool.readSegment(seg)) state.apply(row);
      if (replay.segments > 0 || replay.tornBytes > 0) logger.info({ ...replay }, 'replaying the spool left by an earlier run');

      if (!(await rebuildMemory())) {
        const retry = setInterval(() => {
          void rebuildMemory().then((ok) => ok && clearInterval(retry));
        }, REBUILD_RETRY_MS);
        retry.unref();
        timers.push(retry);
      }
      sentiment =
        config.INGEST_SENTIMENT_THREADS > 0 ? SentimentPool.create({ threads: config.INGEST_SENTIMENT_THREADS, onWorkerError: (err) => logger.warn({ err }, 'a sentiment worker died') }) : null;
      flusher = new Flusher(spool, store, { flushRows: config.INGEST_FLUSH_ROWS, flushMs: config.INGEST_FLUSH_MS }, logger, metrics, clock);
      const f = flusher;
      pipeline = new Pipeline({
        store, dims, config, logger, clock, state, spool, metrics, sentiment,
        storeHealthy: () => f.status().healthy,
        appended: () => f.nudge(),
      });
      flusher.start();
      const s = state;
      const prune = setInterval(() => s.prune(clock()), PRUNE_EVERY_MS);
      prune.unref();
      timers.push(prune);
      logger.info({ spoolDir: config.spoolDir, waiting: spool.depth() }, 'ingest started');
    },

    async stop() {
      if (!pipeline) return;
      pipeline = null; // new requests get 503 from here on
      for (const t of timers) clearInterval(t);
      timers = [];
      const drained = await flusher!.stop(5000);
      await spool!.close();
      if (!drained) logger.warn({ waiting: spool!.depth() }, 'ClickHouse did not take everything; the rest waits in the spool for the next start');
      await sentiment?.close();
      sentiment = null;
      logger.info('ingest stopped');
    },

    async ready() {
      const checks: Record<string, unknown> = {};
      let storeOk = false;
      try {
        storeOk = await Promise.race([storeAnswers(store.client), new Promise<boolean>((r) => setTimeout(() => r(false), 2000).unref())]);
      } catch (err) {
        checks.store_error = err instanceof Error ? err.message : String(err);
      }
      checks.store = storeOk ? 'ok' : 'unreachable';
      const depth = spool?.depth() ?? null;
      const spoolOk = !!spool && depth!.bytes < config.INGEST_SPOOL_MAX_BYTES;
      checks.spool = depth ? { ...depth, max_bytes: config.INGEST_SPOOL_MAX_BYTES } : 'not started';
      checks.flusher = flusher?.status() ?? 'not started';
      checks.started = !!pipeline;
      checks.dedupe_memory = memoryRebuilt ? 'rebuilt' : 'waiting for the store';
      if (replay) checks.replayed = replay;
      return { ok: storeOk && spoolOk && !!pipeline, checks };
    },
  };
}

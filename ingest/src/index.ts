// The ingest service as a library: createIngest() gives the router to mount, its metrics, readiness and lifecycle.
import type { IncomingMessage, ServerResponse } from 'node:http';
import type { Router } from 'express';
import type { Logger } from 'pino';
import type { Registry } from 'prom-client';
import { DEFAULT_ATTRIBUTION_DAYS, liveBatchOf, type LiveBatch } from '@pulseroom/schema';
import {
  unavailable,
  type DimensionCache,
  type RouteEntry,
  type SourceRow,
  type Store,
} from '@pulseroom/schema/server';
import { SourceAuth } from './auth.js';
import { createConnectorRunner, type ConnectorRunner } from './connectors/index.js';
import type { IngestConfig } from './config.js';
import { SentimentPool } from './enrich/sentiment.js';
import { Flusher } from './flusher.js';
import { IngestMetrics } from './metrics.js';
import { Pipeline, type BatchAnswer } from './pipeline.js';
import {
  allDealRevenueBefore,
  clickFingerprintsSince,
  clickHashesSince,
  eventIdHashesReceivedSince,
  lastClicksSince,
  orderFingerprints,
  storeAnswers,
  storedOrders,
  waitingChanges,
} from './queries.js';
import { ClickRecorder } from './clickRecorder.js';
import { fastRedirect, trustNone, type TrustProxy } from './redirects.js';
import { createRouter } from './routes.js';
import { Spool, type ReplayInfo } from './spool.js';
import { IngestState, UNIQUE_CLICK_WINDOW_MS } from './state.js';
import { validateEvents } from './validate.js';

export type { IngestConfig } from './config.js';
export { loadIngestConfig, resolveIngestConfig, ingestEnv } from './config.js';
export type { BatchAnswer } from './pipeline.js';
export type { ConnectorRunner } from './connectors/index.js';

export interface IngestDeps {
  store: Store;
  dims: DimensionCache;
  config: IngestConfig;
  logger: Logger;
  clock?: () => number;
  /** Whose X-Forwarded-For the redirect fast path believes (as the app's `trust proxy`); none by default. */
  trustProxy?: TrustProxy;
  /** Caps of the order and click memories (tests of eviction set them low). */
  memoryLimits?: { maxOrders?: number; maxClicks?: number };
}

export interface Readiness {
  ok: boolean;
  checks: Record<string, unknown>;
}

export interface Ingest {
  /** The ingest routes (`routes`: the list the route contract test walks). */
  router: Router & { routes: RouteEntry[] };
  /**
   * `GET /r/<code>` of a known link, for a node:http server to call before its Express app: answers and returns
   * true, or returns false and leaves the request to the app (whose router answers it the same way, more slowly).
   */
  redirect: (req: IncomingMessage, res: ServerResponse) => boolean;
  registry: Registry;
  /**
   * Calls `listener` with every group of accepted events as soon as the spool has fsync'd them (their aggregates and
   * feed items: the live stream); returns the unsubscribe.
   */
  onAccepted(listener: (batch: LiveBatch) => void): () => void;
  ready(): Promise<Readiness>;
  /** Opens the spool, replays what an earlier run left, rebuilds the memory of ids and clicks, starts the flusher. */
  start(): Promise<void>;
  /** Stops accepting, flushes the spool to ClickHouse (what cannot be flushed stays for the next start), closes. */
  stop(): Promise<void>;
  /** Events from a source inside this process (the platform connectors): the path /v1/events takes, minus HTTP. */
  accept(source: SourceRow, events: Record<string, unknown>[]): Promise<BatchAnswer>;
  /** The platform connectors polling in this process (null until started, or when CONNECTORS_ENABLED is off). */
  connectors(): ConnectorRunner | null;
}

const REBUILD_RETRY_MS = 5000;
const PRUNE_EVERY_MS = 60_000;
/** A deal's attribution window when it sets none (schema/src/dimensions.ts). */

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
  let connectors: ConnectorRunner | null = null;
  let memoryRebuilt = false;
  let timers: NodeJS.Timeout[] = [];

  const metrics = new IngestMetrics(
    () => spool?.depth() ?? null,
    () => state?.sizes() ?? {},
  );
  const auth = new SourceAuth(store.client, config.INGEST_AUTH_CACHE_MS, clock, config.secretsKey);
  const acceptedListeners = new Set<(batch: LiveBatch) => void>();
  const prefix = (i: number) => `events[${i}]`;
  const accept = (source: SourceRow, events: Record<string, unknown>[]): Promise<BatchAnswer> => {
    if (!pipeline) throw unavailable('STARTING', 'ingest is not started', 5);
    return pipeline.accept(source, validateEvents(events, prefix), prefix);
  };
  const clicks = new ClickRecorder(() => pipeline, metrics, logger);
  const router = createRouter({
    pipeline: () => pipeline,
    client: store.client,
    state: () => state,
    auth,
    dims,
    config,
    metrics,
    logger,
    clock,
    clicks,
  });

  /**
   * The recent-id memory, the IAB click memory and the click, order and deal-revenue memories must outlive a
   * restart: what ClickHouse holds is loaded once it answers (the spool's rows were applied on replay already).
   * Ids travel as hashes (idHash.ts), not strings. Once loaded, memory is authoritative: a conversion with
   * a new order id or click id needs no look-up (pipeline.ts prefetch).
   */
  async function rebuildMemory(): Promise<boolean> {
    if (!state) return false;
    const s = state;
    try {
      const now = clock();
      const ids = await eventIdHashesReceivedSince(
        store.client,
        now - config.INGEST_DEDUPE_WINDOW_HOURS * 3_600_000,
        config.INGEST_DEDUPE_MAX_IDS,
      );
      const h = { hi: 0, lo: 0 };
      for (let i = ids.length - 1; i >= 0; i--) {
        h.hi = ids[i][0];
        h.lo = ids[i][1];
        s.recent.addHash(h, ids[i][2]);
      }
      for (const c of await lastClicksSince(store.client, now - UNIQUE_CLICK_WINDOW_MS))
        s.seedLastClick(c.visitor_hash, c.link_code, c.ts);

      const replayed = [...s.opts.replayedBatches];
      const orders = await storedOrders(store.client, s.orderCapacity, s.opts.startedAt, replayed);
      for (const [
        campaign_id,
        order_id,
        partner_id,
        currency,
        orig_currency,
        attributed,
        converted,
        ts,
        amount_minor,
        orig_amount_minor,
        commission_minor,
        refunded,
        reversed,
        platform,
        status,
        status_ts,
      ] of orders) {
        s.loadOrder({
          campaign_id,
          order_id,
          partner_id,
          platform,
          status,
          status_ts,
          currency,
          orig_currency,
          attributed,
          converted,
          ts,
          amount_minor,
          orig_amount_minor,
          commission_minor,
          baseRefundedMinor: refunded,
          baseReversedMinor: reversed,
        });
      }
      for (const w of await waitingChanges(store.client)) s.addWaiting(w);
      if (orders.length >= s.orderCapacity)
        for (const [hi] of await orderFingerprints(store.client, s.orderCapacity)) s.loadOrderFingerprint(hi);

      // clicks that any deal's attribution window can still reach (a later, longer window falls back to look-ups)
      const windowDays = Math.max(
        DEFAULT_ATTRIBUTION_DAYS,
        ...dims.allCampaigns().flatMap((c) => dims.dealsOf(c.id).map((d) => d.attribution_window_days)),
      );
      const clicksSince = now - (windowDays + 1) * 86_400_000;
      const clicks = await clickHashesSince(store.client, clicksSince, s.clickCapacity);
      for (let i = clicks.length - 1; i >= 0; i--) {
        const [hi, lo, campaign_id, partner_id, link_code, ts, bot] = clicks[i];
        h.hi = hi;
        h.lo = lo;
        s.loadClick(h, { campaign_id, partner_id, link_code, ts, bot });
      }
      if (clicks.length >= s.clickCapacity)
        for (const [hi] of await clickFingerprintsSince(store.client, clicksSince, s.clickCapacity))
          s.loadClickFingerprint(hi);

      const ledger = await allDealRevenueBefore(store.client, s.opts.startedAt, replayed);
      for (const r of ledger) s.setLedgerBase(r.campaign_id, r.partner_id, r.revenue_minor);
      // only now is "not in memory" the same as "not stored"
      s.ordersLoaded();
      s.clicksLoaded(clicksSince);
      s.ledgerLoaded();
      memoryRebuilt = true;
      logger.info(
        { eventIds: ids.length, orders: orders.length, clicks: clicks.length, deals: ledger.length },
        'ingest memory rebuilt from the store',
      );
      return true;
    } catch (err) {
      logger.warn(
        { err: err instanceof Error ? err.message : String(err) },
        `cannot rebuild the de-duplication memory from the store yet; retrying every ${REBUILD_RETRY_MS / 1000} s`,
      );
      return false;
    }
  }

  return {
    router,
    onAccepted(listener) {
      acceptedListeners.add(listener);
      return () => acceptedListeners.delete(listener);
    },
    redirect: fastRedirect({ dims, clicks, metrics, clock }, deps.trustProxy ?? trustNone),
    registry: metrics.registry,
    accept: async (source, events) => accept(source, events),
    connectors: () => connectors,

    async start() {
      if (pipeline) return;
      const startedAt = clock();
      const opened = await Spool.open({
        dir: config.spoolDir,
        maxBytes: config.INGEST_SPOOL_MAX_BYTES,
        sealRows: config.INGEST_FLUSH_ROWS,
        clock,
      });
      spool = opened.spool;
      replay = opened.replay;
      const replayed = new Set(spool.sealedSegments().map((s) => s.token));
      state = new IngestState({
        dedupeWindowMs: config.INGEST_DEDUPE_WINDOW_HOURS * 3_600_000,
        dedupeMaxIds: config.INGEST_DEDUPE_MAX_IDS,
        ...deps.memoryLimits,
        startedAt,
        replayedBatches: replayed,
      });
      for (const seg of spool.sealedSegments()) for (const row of await spool.readSegment(seg)) state.apply(row);
      if (replay.segments > 0 || replay.tornBytes > 0)
        logger.info({ ...replay }, 'replaying the spool left by an earlier run');

      if (!(await rebuildMemory())) {
        const retry = setInterval(() => {
          void rebuildMemory().then((ok) => ok && clearInterval(retry));
        }, REBUILD_RETRY_MS);
        retry.unref();
        timers.push(retry);
      }
      sentiment =
        config.INGEST_SENTIMENT_THREADS > 0
          ? SentimentPool.create({
              threads: config.INGEST_SENTIMENT_THREADS,
              onWorkerError: (err) => logger.warn({ err }, 'a sentiment worker died'),
            })
          : null;
      flusher = new Flusher(
        spool,
        store,
        { flushRows: config.INGEST_FLUSH_ROWS, flushMs: config.INGEST_FLUSH_MS },
        logger,
        metrics,
        clock,
      );
      const f = flusher;
      pipeline = new Pipeline({
        store,
        dims,
        config,
        logger,
        clock,
        state,
        spool,
        metrics,
        sentiment,
        storeHealthy: () => f.status().healthy,
        appended: () => f.nudge(),
        accepted: (batchId, rows) => {
          if (acceptedListeners.size === 0) return;
          const batch = liveBatchOf(batchId, rows, clock());
          for (const listener of acceptedListeners) {
            try {
              listener(batch);
            } catch (err) {
              logger.error({ err }, 'a live stream listener failed');
            }
          }
        },
      });
      flusher.start();
      if (config.CONNECTORS_ENABLED) {
        connectors = createConnectorRunner(config, { client: store.client, logger, clock, accept, metrics });
        connectors.start();
      }
      const s = state;
      const prune = setInterval(() => s.prune(clock()), PRUNE_EVERY_MS);
      prune.unref();
      timers.push(prune);
      logger.info({ spoolDir: config.spoolDir, waiting: spool.depth() }, 'ingest started');
    },

    async stop() {
      if (!pipeline) return;
      await connectors?.stop();
      connectors = null;
      await clicks.drain(); // redirects already answered: their clicks go to the spool before it closes
      pipeline = null; // new requests get 503 from here on
      for (const t of timers) clearInterval(t);
      timers = [];
      const drained = await flusher!.stop(5000);
      await spool!.close();
      if (!drained)
        logger.warn(
          { waiting: spool!.depth() },
          'ClickHouse did not take everything; the rest waits in the spool for the next start',
        );
      await sentiment?.close();
      sentiment = null;
      logger.info('ingest stopped');
    },

    async ready() {
      const checks: Record<string, unknown> = {};
      let storeOk = false;
      try {
        storeOk = await Promise.race([
          storeAnswers(store.client),
          new Promise<boolean>((r) => setTimeout(() => r(false), 2000).unref()),
        ]);
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

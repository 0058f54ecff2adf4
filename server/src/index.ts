// The live server: aggregation engine, live loop, Socket.IO hub, REST API, health and metrics, wired from injected
// dependencies.
import { existsSync } from 'node:fs';
import { hostname } from 'node:os';
import { join, resolve } from 'node:path';
import type { Server as HttpServer } from 'node:http';
import express from 'express';
import compression from 'compression';
import helmet from 'helmet';
import { Registry } from 'prom-client';
import type { Logger } from 'pino';
import type { LiveBatch } from '@pulseroom/schema';
import {
  newId,
  RouteTable,
  routeNotFound,
  sendError,
  toHttpError,
  type DimensionCache,
  type RouteEntry,
  type Store,
} from '@pulseroom/schema/server';
import { TokenResolver } from './access.js';
import { AlertRules } from './alertRules.js';
import { createApi } from './api.js';
import type { ServerConfig } from './config.js';
import { AggregationEngine } from './engine/rollingWindows.js';
import { LiveFeed } from './live/feed.js';
import { MoneyBook } from './money/moneyBook.js';
import { LiveHub } from './live/hub.js';
import { LiveLoop } from './live/loop.js';
import { RedisLiveStream } from './live/stream.js';
import { AlertNotifier } from './notify/notifier.js';
import { createMetrics } from './promMetrics.js';
import { SourceFreshnessReader } from './sourceFreshness.js';

export type { ServerConfig } from './config.js';
export { loadServerConfig, defaultServerConfig, serverConfig, serverEnv } from './config.js';
export { AggregationEngine } from './engine/rollingWindows.js';

export interface LiveServerDeps {
  store: Store;
  dims: DimensionCache;
  config: ServerConfig;
  logger: Logger;
  /** App clock (event time); tests pass a controllable one. */
  clock?: () => number;
  /** Built web app to serve at / with an SPA fallback to index.html. */
  webDir?: string;
  /** Routers mounted after /api and before the web app and its fallback (the ingest API in the one-process start). */
  extraRouters?: (express.RequestHandler & { routes?: RouteEntry[] })[];
  /** Other registries served at /metrics with the server's (the ingest API's in the one-process start). */
  extraRegistries?: Registry[];
  /** Start the live loop in start() (default true); tests may drive it by hand with `tickOnce`. */
  autoTick?: boolean;
  /** Ingest runs in this process and hands each accepted batch to `accept` (the one-process product). */
  inlineStream?: boolean;
}

export async function createLiveServer(deps: LiveServerDeps) {
  const { store, dims, config, logger } = deps;
  const clock = deps.clock ?? Date.now;
  const metrics = createMetrics({ defaultMetrics: true });
  // The stream comes from ingest in this process (a function call: `accept`), from Redis between processes, or not at
  // all (a server that only reads the store: it then reads the change log every PULSEROOM_TICK_MS instead of
  // reconciling).
  const streaming = deps.inlineStream === true || Boolean(config.REDIS_URL);
  const engine = new AggregationEngine({
    client: store.client,
    clock,
    logger,
    overlapMs: config.PULSEROOM_DELTA_OVERLAP_MS,
    streamGraceMs: deps.inlineStream ? 0 : config.PULSEROOM_STREAM_GRACE_MS,
  });
  const feed = new LiveFeed({ client: store.client, logger });
  const money = new MoneyBook(store.client, dims);
  // One read of the sources' last events serves the pushes and the REST route alike.
  const sources = new SourceFreshnessReader({
    client: store.client,
    defaultEveryS: config.SOURCE_EXPECTED_EVERY_S,
    ttlMs: config.SOURCE_CHECK_MS,
  });
  const resolver = new TokenResolver(store.client, config.PULSEROOM_TOKEN_CACHE_MS, config.PULSEROOM_ADMIN_TOKEN);
  const hub = new LiveHub({
    engine,
    feed,
    dims,
    resolver,
    client: store.client,
    logger,
    metrics,
    shared: Boolean(config.REDIS_URL),
    frameMs: config.PULSEROOM_FRAME_MS,
    money,
    clock,
    sources,
    sourceCheckMs: config.SOURCE_CHECK_MS,
  });
  const alerts = new AlertRules({ engine, dims: dims, client: store.client, config, clock, logger });
  const notifier = new AlertNotifier({ client: store.client, dims, config, logger });
  let dimsChanged = false;
  const offDims = dims.onChange(() => {
    dimsChanged = true;
  });
  let isAlertLeader: () => Promise<boolean> = async () => true;
  let stream: RedisLiveStream | null = null;
  const loop = new LiveLoop({
    engine,
    feed,
    hub,
    alerts,
    metrics,
    logger,
    frameMs: config.PULSEROOM_FRAME_MS,
    reconcileMs: streaming ? config.PULSEROOM_RECONCILE_MS : config.PULSEROOM_TICK_MS,
    alertEvalMs: config.ALERT_EVAL_MS,
    isAlertLeader: () => isAlertLeader(),
    notify: (fired) => notifier.notify(fired),
    takeDimsChanged: () => {
      const changed = dimsChanged;
      dimsChanged = false;
      return changed;
    },
    onConfirmed: (ids) => stream?.confirm(ids),
  });
  let running = false;

  const app = express();
  app.disable('x-powered-by');
  app.set('trust proxy', 'loopback');
  // No upgrade-insecure-requests: a TV wall on a LAN address is served over plain http.
  app.use(
    helmet({
      contentSecurityPolicy: {
        directives: { 'upgrade-insecure-requests': null, 'connect-src': ["'self'", 'ws:', 'wss:'] },
      },
      hsts: false,
    }),
  );
  const ops = new RouteTable<express.RequestHandler>('', 'public');
  ops.add(app, '/healthz', {
    get: [
      (_req, res) => {
        res.json({ ok: true });
      },
    ],
  });
  ops.add(app, '/readyz', {
    get: [
      (_req, res) => {
        const stale =
          running && Date.now() - loop.lastReconcileOk > Math.max(10_000, config.PULSEROOM_RECONCILE_MS * 5);
        if (!engine.ready || stale) {
          res.status(503).json({
            ok: false,
            reason: !engine.ready
              ? 'aggregation engine still loading'
              : 'reconciles with the store are failing (is ClickHouse reachable?)',
          });
          return;
        }
        res.json({ ok: true, campaigns: engine.campaigns.size, rooms: hub.rooms.size });
      },
    ],
  });
  const exposed = deps.extraRegistries?.length
    ? Registry.merge([metrics.registry, ...deps.extraRegistries])
    : metrics.registry;
  ops.add(app, '/metrics', {
    get: [
      async (_req, res) => {
        res.setHeader('Content-Type', exposed.contentType);
        res.send(await exposed.metrics());
      },
    ],
  });
  const api = createApi({ store, dims, engine, hub, resolver, config, logger, clock, notifier, sources, money });
  app.use('/api', api);
  for (const r of deps.extraRouters ?? []) app.use(r);
  const webDir = deps.webDir ?? config.PULSEROOM_WEB_DIR;
  if (webDir) {
    const root = resolve(webDir);
    if (!existsSync(join(root, 'index.html')))
      logger.warn({ webDir: root }, 'no index.html in the web directory: build the web app (npm run build)');
    // The web app's files compressed (gzip or brotli as the browser asks): on a phone's slow link the bytes are the
    // first paint. Mounted after /api and the ingest routes, which answer first: only the app's files pass here.
    app.use(compression());
    app.use(
      express.static(root, {
        index: 'index.html',
        maxAge: '1h',
        setHeaders: (res, path) => path.endsWith('index.html') && res.setHeader('Cache-Control', 'no-cache'),
      }),
    );
    // SPA fallback: any other GET that is not an API, ingest, link or socket path gets the app shell.
    app.use((req, res, next) => {
      if (req.method !== 'GET' || /^\/(api|v1|r|socket\.io)(\/|$)/.test(req.path)) return next();
      res.setHeader('Cache-Control', 'no-cache');
      res.sendFile(join(root, 'index.html'), (err) => err && next());
    });
  }
  // Whatever is left is not a route: JSON, as every other error of this server.
  app.use((req, _res, next) => next(routeNotFound(req.method, req.path)));
  app.use((err: unknown, _req: express.Request, res: express.Response, _next: express.NextFunction) => {
    const e = toHttpError(err);
    if (e.status >= 500) logger.error({ err }, 'request failed');
    sendError(res, e);
  });

  let redisClients: { quit(): Promise<unknown> }[] = [];

  return {
    app,
    /** Every route this app answers (the REST API, the ingest routers mounted in it, health and metrics). */
    routes: [...ops.entries, ...api.routes, ...(deps.extraRouters ?? []).flatMap((r) => r.routes ?? [])],
    registry: metrics.registry,
    engine,
    hub,
    notifier,
    /** Writes when each token was last used now instead of at the next half-minute (tests, shutdown). */
    flushTokenUsage: () => resolver.flushUsage(),
    /** One reconcile and one frame by hand (tests with a controllable clock). */
    tickOnce: () => loop.tickOnce(),
    /** A batch of accepted events from ingest in this process (after its spool's fsync). */
    accept: (batch: LiveBatch) => loop.accept(batch),
    attach(http: HttpServer): void {
      hub.attach(http);
    },
    async start(): Promise<void> {
      let resumeFromMs: number | undefined;
      if (config.REDIS_URL && hub.io) {
        const { createClient } = await import('redis');
        const { createAdapter } = await import('@socket.io/redis-adapter');
        const pub = createClient({ url: config.REDIS_URL });
        const sub = pub.duplicate();
        await Promise.all([pub.connect(), sub.connect()]);
        hub.io.adapter(createAdapter(pub, sub));
        redisClients = [pub, sub];
        isAlertLeader = alertLease(pub, alerts, config, logger, () => notifier.resume());
        logger.info('socket.io redis adapter on');
        stream = new RedisLiveStream({
          url: config.REDIS_URL,
          group: config.PULSEROOM_NODE_ID ?? `${hostname()}:${config.PORT}`,
          logger,
          accept: (b) => loop.accept(b),
        });
        resumeFromMs = await stream.open();
      }
      await engine.init(resumeFromMs);
      await feed.init(clock());
      await alerts.init();
      // One process is its own leader: it finishes what it left pending; with Redis, the lease holder does.
      if (!config.REDIS_URL) notifier.resume();
      if (deps.autoTick !== false) {
        running = true;
        loop.start();
      }
      stream?.start();
    },
    async stop(): Promise<void> {
      running = false;
      await stream?.stop();
      await loop.stop();
      await notifier.stop();
      offDims();
      await hub.close();
      await resolver.stop();
      await Promise.all(redisClients.map((c) => c.quit().catch(() => undefined)));
    },
  };
}

/** With Redis, one node raises alerts: the holder of a short lease, renewed while it lives. */
interface LeaseStore {
  set(key: string, value: string, options: { NX: true; PX: number }): Promise<unknown>;
  get(key: string): Promise<unknown>;
  pExpire(key: string, ms: number): Promise<unknown>;
}

function alertLease(
  redis: LeaseStore,
  alerts: AlertRules,
  config: ServerConfig,
  logger: Logger,
  onLead: () => void,
): () => Promise<boolean> {
  const nodeId = newId('node');
  const key = 'pulseroom:alerts-leader';
  const lease = Math.max(5_000, 3 * config.ALERT_EVAL_MS);
  let leading = false;
  return async () => {
    try {
      if ((await redis.set(key, nodeId, { NX: true, PX: lease })) === 'OK' || (await redis.get(key)) === nodeId) {
        await redis.pExpire(key, lease);
        if (!leading) {
          await alerts.init(); // cooldowns as the previous leader left them
          onLead(); // and its unfinished deliveries
        }
        leading = true;
      } else leading = false;
    } catch (e) {
      logger.warn({ err: e }, 'redis unreachable: not raising alerts on this node meanwhile');
      leading = false;
    }
    return leading;
  };
}

export type LiveServerHandle = Awaited<ReturnType<typeof createLiveServer>>;

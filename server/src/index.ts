// The live server: aggregation engine, Socket.IO hub, REST API, health and metrics, wired from injected dependencies.
import { existsSync } from 'node:fs';
import { join, resolve } from 'node:path';
import type { Server as HttpServer } from 'node:http';
import express from 'express';
import compression from 'compression';
import helmet from 'helmet';
import { Registry } from 'prom-client';
import type { Logger } from 'pino';
import { newId, RouteTable, routeNotFound, sendError, toHttpError, type DimensionCache, type RouteEntry, type Store } from '@pulseroom/schema/server';
import { TokenResolver } from './access.js';
import { AlertRules } from './alertRules.js';
import { createApi } from './api.js';
import type { ServerConfig } from './config.js';
import { AggregationEngine, type TickResult } from './engine/rollingWindows.js';
import { LiveHub } from './liveHub.js';
import { createMetrics } from './promMetrics.js';

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
  /** Start the tick loop in start() (default true); tests may drive engine ticks by hand with `tickOnce`. */
  autoTick?: boolean;
}

export async function createLiveServer(deps: LiveServerDeps) {
  const { store, dims, config, logger } = deps;
  const clock = deps.clock ?? Date.now;
  const metrics = createMetrics({ defaultMetrics: true });
  const engine = new AggregationEngine({ client: store.client, clock, logger, overlapMs: config.PULSEROOM_DELTA_OVERLAP_MS });
  const resolver = new TokenResolver(store.client, config.PULSEROOM_TOKEN_CACHE_MS, config.PULSEROOM_ADMIN_TOKEN);
  const hub = new LiveHub({ engine, dims, resolver, client: store.client, config, logger, metrics });
  const alerts = new AlertRules({ engine, dims: dims, client: store.client, config, clock, logger });

  let running = false;
  let timer: NodeJS.Timeout | null = null;
  let ticking: Promise<TickResult | null> | null = null;
  /** The running tick's ClickHouse read (it settles before the tick pushes). */
  let reading: Promise<unknown> = Promise.resolve();
  let lastTickOk = 0;
  let dimsChanged = false;
  const offDims = dims.onChange(() => {
    dimsChanged = true;
  });

  /** One tick: read and apply what changed, push deltas and feed, evaluate alerts. Never runs twice at once. */
  async function tickOnce(): Promise<TickResult | null> {
    if (ticking) return ticking;
    ticking = (async () => {
      const stop = metrics.tickSeconds.startTimer();
      try {
        const read = engine.tick();
        reading = read.catch(() => undefined);
        const result = await read;
        stop();
        if (result.more) nudge(); // a backlog: the next page as soon as this tick is done
        metrics.tickRows.observe(result.rows);
        const changed = dimsChanged;
        dimsChanged = false;
        hub.onTick(result, changed);
        lastTickOk = Date.now();
        // One node raises alerts (with Redis, the holder of a short lease); every node pushes them to its sockets.
        const fired = (await isAlertLeader()) ? await alerts.evaluate(result.feed) : [];
        for (const a of fired) metrics.alerts.inc({ kind: a.kind });
        hub.pushAlerts(fired);
        return result;
      } catch (e) {
        stop();
        metrics.tickErrors.inc();
        logger.error({ err: e }, 'aggregation tick failed; retrying');
        return null;
      } finally {
        ticking = null;
      }
    })();
    return ticking;
  }

  // A nudge (new rows were just inserted) ticks now instead of at the next period; one arriving mid-tick ticks again
  // right after, so rows inserted while the tick read are not left waiting for a whole period. It resolves once the
  // tick it caused has read ClickHouse: the one-process product's flusher waits for that before its next insert, so
  // in the one chDB session the read does not queue behind that insert.
  let nudged = false;
  const loop = () => {
    if (!running) return;
    if (timer) clearTimeout(timer);
    timer = null;
    nudged = false;
    const t0 = Date.now();
    void tickOnce().finally(() => {
      if (running && !nudged) timer = setTimeout(loop, Math.max(0, config.PULSEROOM_TICK_MS - (Date.now() - t0)));
    });
  };
  function nudge(): Promise<void> {
    if (!running) return Promise.resolve();
    if (!ticking) {
      loop();
      return reading.then(() => undefined);
    }
    const current = ticking;
    if (!nudged) {
      nudged = true;
      void current.finally(() => {
        if (nudged) loop();
      });
    }
    // The loop above runs first (it was registered first), so `reading` is then the read of the chained tick.
    return current.then(() => reading).then(() => undefined);
  }

  const app = express();
  app.disable('x-powered-by');
  app.set('trust proxy', 'loopback');
  // No upgrade-insecure-requests: a TV wall on a LAN address is served over plain http.
  app.use(helmet({ contentSecurityPolicy: { directives: { 'upgrade-insecure-requests': null, 'connect-src': ["'self'", 'ws:', 'wss:'] } }, hsts: false }));
  const ops = new RouteTable<express.RequestHandler>('', 'public');
  ops.add(app, '/healthz', { get: [(_req, res) => {
    res.json({ ok: true });
  }] });
  ops.add(app, '/readyz', { get: [(_req, res) => {
    const stale = running && Date.now() - lastTickOk > Math.max(5_000, config.PULSEROOM_TICK_MS * 20);
    if (!engine.ready || stale) {
      res.status(503).json({ ok: false, reason: !engine.ready ? 'aggregation engine still loading' : 'aggregation ticks are failing (is ClickHouse reachable?)' });
      return;
    }
    res.json({ ok: true, campaigns: engine.campaigns.size, rooms: hub.rooms.size });
  }] });
  const exposed = deps.extraRegistries?.length ? Registry.merge([metrics.registry, ...deps.extraRegistries]) : metrics.registry;
  ops.add(app, '/metrics', { get: [async (_req, res) => {
    res.setHeader('Content-Type', exposed.contentType);
    res.send(await exposed.metrics());
  }] });
  const api = createApi({ store, dims, engine, hub, resolver, config, logger, clock });
  app.use('/api', api);
  for (const r of deps.extraRouters ?? []) app.use(r);
  const webDir = deps.webDir ?? config.PULSEROOM_WEB_DIR;
  if (webDir) {
    const root = resolve(webDir);
    if (!existsSync(join(root, 'index.html'))) logger.warn({ webDir: root }, 'no index.html in the web directory: build the web app (npm run build)');
    // The web app's files compressed (gzip or brotli as the browser asks): on a phone's slow link the bytes are the
    // first paint. Mounted after /api and the ingest routes, which answer first: only the app's files pass here.
    app.use(compression());
    app.use(express.static(root, { index: 'index.html', maxAge: '1h', setHeaders: (res, path) => path.endsWith('index.html') && res.setHeader('Cache-Control', 'no-cache') }));
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
  let isAlertLeader: () => Promise<boolean> = async () => true;

  return {
    app,
    /** Every route this app answers (the REST API, the ingest routers mounted in it, health and metrics). */
    routes: [...ops.entries, ...api.routes, ...(deps.extraRouters ?? []).flatMap((r) => r.routes ?? [])],
    registry: metrics.registry,
    engine,
    hub,
    /** Writes when each token was last used now instead of at the next half-minute (tests, shutdown). */
    flushTokenUsage: () => resolver.flushUsage(),
    /** One tick by hand (tests with a controllable clock). */
    tickOnce,
    /** New rows are in ClickHouse (the one-process product's flusher says so): tick now rather than at the next period. */
    nudge,
    attach(http: HttpServer): void {
      hub.attach(http);
    },
    async start(): Promise<void> {
      if (config.REDIS_URL && hub.io) {
        const { createClient } = await import('redis');
        const { createAdapter } = await import('@socket.io/redis-adapter');
        const pub = createClient({ url: config.REDIS_URL });
        const sub = pub.duplicate();
        await Promise.all([pub.connect(), sub.connect()]);
        hub.io.adapter(createAdapter(pub, sub));
        redisClients = [pub, sub];
        const nodeId = newId('node');
        const key = 'pulseroom:alerts-leader';
        const lease = Math.max(5_000, 3 * config.ALERT_EVAL_MS);
        let leading = false;
        isAlertLeader = async () => {
          try {
            if ((await pub.set(key, nodeId, { NX: true, PX: lease })) === 'OK' || (await pub.get(key)) === nodeId) {
              await pub.pExpire(key, lease);
              if (!leading) await alerts.init(); // cooldowns as the previous leader left them
              leading = true;
            } else leading = false;
          } catch (e) {
            logger.warn({ err: e }, 'redis unreachable: not raising alerts on this node meanwhile');
            leading = false;
          }
          return leading;
        };
        logger.info('socket.io redis adapter on');
      }
      await engine.init();
      await alerts.init();
      lastTickOk = Date.now();
      if (deps.autoTick !== false) {
        running = true;
        loop();
      }
    },
    async stop(): Promise<void> {
      running = false;
      if (timer) clearTimeout(timer);
      if (ticking) await ticking;
      offDims();
      await hub.close();
      await resolver.stop();
      await Promise.all(redisClients.map((c) => c.quit().catch(() => undefined)));
    },
  };
}

export type LiveServerHandle = Awaited<ReturnType<typeof createLiveServer>>;

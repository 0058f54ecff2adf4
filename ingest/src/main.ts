// The standalone ingest service (`npm run start:ingest`): ingest's router plus health, readiness, metrics and graceful
// shutdown. With --connectors-only (`npm run start:connectors`) it runs the platform connectors alone: no ingest
// routes, its own spool, the same pipeline.
import { createServer } from 'node:http';
import { join } from 'node:path';
import express from 'express';
import helmet from 'helmet';
import { pino } from 'pino';
import { ConfigError } from '@pulseroom/schema';
import {
  applyMigrations,
  DimensionCache,
  openStore,
  routeNotFound,
  sendError,
  storeDiskWarning,
  toHttpError,
  type Store,
} from '@pulseroom/schema/server';
import { loadIngestConfig } from './config.js';
import { createIngest } from './index.js';
import { RedisLivePublisher } from './liveStream.js';

async function openStoreWhenReady(open: () => Promise<Store>, logger: pino.Logger): Promise<Store> {
  for (let attempt = 1; ; attempt++) {
    try {
      return await open();
    } catch (err) {
      if (attempt === 1)
        logger.warn(
          { err: err instanceof Error ? err.message : String(err) },
          'the store does not answer yet; retrying',
        );
      await new Promise((r) => setTimeout(r, Math.min(10_000, 500 * attempt)));
    }
  }
}

/** The connectors alone poll and spool on their own (a spool dir of their own beside ingest's), and serve no routes. */
function connectorsOnlyEnv(env: NodeJS.ProcessEnv): Record<string, string | undefined> {
  const dataDir = env.PULSEROOM_DATA_DIR ?? './data';
  return {
    ...env,
    CONNECTORS_ENABLED: 'true',
    INGEST_SPOOL_DIR: env.INGEST_SPOOL_DIR ?? join(dataDir, 'spool-connectors'),
  };
}

async function main(): Promise<void> {
  const connectorsOnly = process.argv.includes('--connectors-only');
  const config = loadIngestConfig(connectorsOnly ? connectorsOnlyEnv(process.env) : process.env);
  const logger = pino({
    level: config.LOG_LEVEL,
    base: { service: connectorsOnly ? 'pulseroom-connectors' : 'pulseroom-ingest' },
  });
  const diskWarning = storeDiskWarning(config);
  if (diskWarning) logger.warn(diskWarning);
  const store = await openStoreWhenReady(async () => {
    const s = await openStore(config);
    await applyMigrations(s.client);
    return s;
  }, logger);
  const dims = await DimensionCache.open(store.client, 2000);
  const ingest = createIngest({
    store,
    dims,
    config,
    logger,
    trustProxy: config.INGEST_TRUST_PROXY ? () => true : undefined,
  });
  const publisher = config.REDIS_URL ? await RedisLivePublisher.open(config.REDIS_URL, logger) : null;
  if (publisher) ingest.onAccepted((batch) => publisher.publish(batch));
  await ingest.start();

  const app = express();
  app.disable('x-powered-by');
  if (config.INGEST_TRUST_PROXY) app.set('trust proxy', true);
  app.use(helmet());
  app.get('/healthz', (_req, res) => {
    res.json({ ok: true });
  });
  app.get('/readyz', async (_req, res) => {
    const r = await ingest.ready();
    res.status(r.ok ? 200 : 503).json(r);
  });
  app.get('/metrics', async (_req, res) => {
    res.type(ingest.registry.contentType).send(await ingest.registry.metrics());
  });
  if (!connectorsOnly) app.use(ingest.router);
  app.use((req, _res, next) => next(routeNotFound(req.method, req.path)));
  app.use((err: unknown, _req: express.Request, res: express.Response, _next: express.NextFunction) =>
    sendError(res, toHttpError(err)),
  );

  // Tracking links are answered before the app's middleware: a shopper's redirect is the hot path.
  const server = createServer(connectorsOnly ? app : (req, res) => ingest.redirect(req, res) || app(req, res));
  server.listen(config.INGEST_PORT, () =>
    logger.info({ port: config.INGEST_PORT }, connectorsOnly ? 'connectors running' : 'ingest listening'),
  );
  server.keepAliveTimeout = 65_000;

  let stopping = false;
  const shutdown = async (signal: string) => {
    if (stopping) return;
    stopping = true;
    logger.info({ signal }, 'shutting down: flushing the spool');
    server.close();
    server.closeIdleConnections();
    try {
      await ingest.stop();
      await publisher?.close();
      dims.stopRefresh();
      await store.close();
    } catch (err) {
      logger.error({ err }, 'shutdown failed; the spool is replayed at the next start');
    }
    process.exit(0);
  };
  process.on('SIGTERM', () => void shutdown('SIGTERM'));
  process.on('SIGINT', () => void shutdown('SIGINT'));
}

main().catch((err) => {
  if (err instanceof ConfigError) process.stderr.write(`error: ${err.message}\n`);
  else process.stderr.write(`error: ${err instanceof Error ? (err.stack ?? err.message) : String(err)}\n`);
  process.exit(1);
});

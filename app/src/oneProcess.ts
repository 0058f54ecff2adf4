// The one-process product: ingest and the live server on one HTTP server, tracking links answered before the app.
import { createServer, type Server as HttpServer } from 'node:http';
import type { Logger } from 'pino';
import type { DimensionCache, Store } from '@pulseroom/schema/server';
import { createIngest, type Ingest, type IngestConfig } from '@pulseroom/ingest';
import type { TrustProxy } from '@pulseroom/ingest/redirects';
import { createLiveServer, type LiveServerHandle, type ServerConfig } from '@pulseroom/server';

export interface OneProcessDeps {
  store: Store;
  dims: DimensionCache;
  ingestConfig: IngestConfig;
  serverConfig: ServerConfig;
  logger: Logger;
  webDir?: string;
  trustProxy?: TrustProxy;
}

export interface OneProcessProduct {
  http: HttpServer;
  ingest: Ingest;
  live: LiveServerHandle;
  /** Replays the spool, loads the engine and starts ticking (listening is the caller's). */
  start(): Promise<void>;
  /** Stops accepting connections, then the live server and ingest (the spool is flushed). */
  stop(): Promise<void>;
}

export async function createOneProcessProduct(d: OneProcessDeps): Promise<OneProcessProduct> {
  const ingest = createIngest({
    store: d.store,
    dims: d.dims,
    config: d.ingestConfig,
    logger: d.logger.child({ part: 'ingest' }),
    trustProxy: d.trustProxy,
  });
  const live = await createLiveServer({
    store: d.store,
    dims: d.dims,
    config: d.serverConfig,
    logger: d.logger.child({ part: 'server' }),
    webDir: d.webDir,
    extraRouters: [ingest.router],
    extraRegistries: [ingest.registry],
    inlineStream: true,
  });
  // Tracking links are answered before the app's middleware: a shopper's redirect is the hot path.
  const http = createServer((req, res) => ingest.redirect(req, res) || live.app(req, res));
  http.keepAliveTimeout = 65_000;
  live.attach(http);
  return {
    http,
    ingest,
    live,
    async start() {
      // One process: each group of accepted events goes to the live server as a function call, right after its fsync.
      ingest.onAccepted(live.accept);
      await ingest.start();
      await live.start();
    },
    async stop() {
      http.close(); // requests in flight finish; their events reach the spool before ingest stops
      await live.stop();
      await ingest.stop();
    },
  };
}

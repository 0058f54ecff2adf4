// Shared by the end-to-end tests that probe the public surface: ingest and the live server wired in one process as
// `npm start` wires them (tracking links answered first, then the app), on a real chDB store and a loopback port.
import type { Server as HttpServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { pino } from 'pino';
import { DimensionCache, type RouteEntry, type Store } from '@pulseroom/schema/server';
import { openTestStore } from '@pulseroom/schema/testing';
import type { Ingest } from '@pulseroom/ingest';
import { seedLaunch, seedSource, testIngestConfig } from '@pulseroom/ingest/testing';
import { defaultServerConfig, type LiveServerHandle } from '@pulseroom/server';
import { createOneProcessProduct } from '@pulseroom/app/oneProcess';

export interface InProcessProduct {
  store: Store;
  ingest: Ingest;
  live: LiveServerHandle;
  dims: DimensionCache;
  http: HttpServer;
  base: string;
  /** Every route the product answers, from its own route tables. */
  routes: RouteEntry[];
  close(): Promise<void>;
}

/** The launch of `@pulseroom/ingest/testing` and a source key for every campaign, no rate limits in the way. */
export async function startInProcessProduct(opts: { sourceKey: string; webDir?: string }): Promise<InProcessProduct> {
  const store = await openTestStore();
  await seedLaunch(store);
  await seedSource(store, 'probe-src', opts.sourceKey);
  const dims = await DimensionCache.open(store.client, 0);
  const product = await createOneProcessProduct({
    store,
    dims,
    ingestConfig: testIngestConfig({ INGEST_RATE_LIMIT_PER_MIN: '0', INGEST_RATE_LIMIT_PER_IP_PER_MIN: '0' }),
    serverConfig: defaultServerConfig({
      PULSEROOM_API_RATE_PER_MIN: 1_000_000,
      PULSEROOM_API_RATE_PER_TOKEN_PER_MIN: 1_000_000,
      PULSEROOM_TICK_MS: 200,
    }),
    logger: pino({ level: process.env.TEST_LOG_LEVEL ?? 'silent' }),
    webDir: opts.webDir,
  });
  const { http, ingest, live } = product;
  await product.start();
  await new Promise<void>((ok) => http.listen(0, '127.0.0.1', ok));
  return {
    store,
    ingest,
    live,
    dims,
    http,
    base: `http://127.0.0.1:${(http.address() as AddressInfo).port}`,
    routes: live.routes,
    async close() {
      http.closeAllConnections();
      const { corrections, corrected } = live.engine;
      await product.stop();
      dims.stopRefresh();
      await store.close();
      // Every event went live through the stream exactly as it was stored: the store never had to correct a figure.
      if (corrections !== 0) {
        throw new Error(`the live figures needed ${corrections} corrections from the store: ${corrected.join('; ')}`);
      }
    },
  };
}

// Test support: a live server on a real chDB store and a loopback port, with a controllable clock and socket.io
// clients.
import { createServer, type Server as HttpServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import pino from 'pino';
import { io as connect, type Socket } from 'socket.io-client';
import { upsertCampaigns, upsertDeals, upsertPartners, DimensionCache, type Store } from '@pulseroom/schema/server';
import {
  unpackSnapshot,
  type ClientToServerEvents,
  type Delta,
  type ServerToClientEvents,
  type Snapshot,
  type WireSnapshot,
} from '@pulseroom/schema';
import { createLiveServer, type LiveServerHandle } from '../index.js';
import { defaultServerConfig, type ServerConfig } from '../config.js';

export type TestSocket = Socket<ServerToClientEvents, ClientToServerEvents>;

export interface World {
  campaigns: Record<string, unknown>[];
  partners: Record<string, unknown>[];
  deals: Record<string, unknown>[];
}

export async function seedWorld(store: Store, world: World): Promise<void> {
  await upsertCampaigns(store.client, world.campaigns as never);
  await upsertPartners(store.client, world.partners as never);
  await upsertDeals(store.client, world.deals as never);
}

/** A clock tests move by hand. */
export function testClock(start: number) {
  let now = start;
  return { now: () => now, set: (t: number) => (now = t), advance: (ms: number) => (now += ms) };
}

export interface TestServer {
  server: LiveServerHandle;
  dims: DimensionCache;
  http: HttpServer;
  url: string;
  connect(token: string): TestSocket;
  close(): Promise<void>;
}

export interface TestServerOptions {
  clock?: () => number;
  config?: Partial<ServerConfig>;
  autoTick?: boolean;
  inlineStream?: boolean;
  /** The test injects divergences between stream and store on purpose (else close() fails on any correction). */
  allowCorrections?: boolean;
}

export async function startTestServer(store: Store, opts: TestServerOptions = {}): Promise<TestServer> {
  const dims = await DimensionCache.open(store.client, 0);
  // A data key of the tests' own, so sealing a secret never writes a key file into the working directory.
  const config = defaultServerConfig({
    PULSEROOM_DELTA_OVERLAP_MS: 5_000,
    ALERT_EVAL_MS: 100,
    PULSEROOM_SECRETS_KEY: 'test-data-key-of-the-harness',
    ...opts.config,
  });
  const logger = pino({ level: process.env.TEST_LOG_LEVEL ?? 'silent' });
  const server = await createLiveServer({
    store,
    dims,
    config,
    logger,
    clock: opts.clock,
    autoTick: opts.autoTick ?? false,
    inlineStream: opts.inlineStream,
  });
  const http = createServer(server.app);
  server.attach(http);
  await new Promise<void>((resolve) => http.listen(0, '127.0.0.1', resolve));
  await server.start();
  const url = `http://127.0.0.1:${(http.address() as AddressInfo).port}`;
  const sockets: TestSocket[] = [];
  return {
    server,
    dims,
    http,
    url,
    connect(token: string) {
      const s: TestSocket = connect(url, {
        auth: { token },
        transports: ['websocket'],
        forceNew: true,
        reconnection: false,
      });
      sockets.push(s);
      return s;
    },
    async close() {
      for (const s of sockets) s.disconnect();
      await server.stop();
      await new Promise<void>((resolve) => http.close(() => resolve()));
      const { corrections, corrected } = server.engine;
      if (corrections !== 0 && !opts.allowCorrections) {
        throw new Error(`the live figures needed ${corrections} corrections from the store: ${corrected.join('; ')}`);
      }
    },
  };
}

/** Waits for a socket event (or fails after `ms`). */
export function once<T>(socket: TestSocket, event: string, ms = 5_000): Promise<T> {
  return new Promise((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(`no "${event}" within ${ms} ms`)), ms);
    (socket as unknown as { once(e: string, f: (x: T) => void): void }).once(event, (x: T) => {
      clearTimeout(timer);
      resolve(x);
    });
  });
}

/** Waits for a socket's next snapshot, unpacked as the web app unpacks it. */
export async function onceSnapshot(socket: TestSocket, ms = 5_000): Promise<Snapshot> {
  return unpackSnapshot(await once<WireSnapshot>(socket, 'snapshot', ms));
}

/**
 * A socket subscribed to a campaign's campaign-to-date view that follows one platform row's views through the deltas
 * (a platform no other test data uses moves only with what the test inserts); returns the latest value seen.
 */
export async function followPlatformViews(
  t: TestServer,
  token: string,
  campaignId: string,
  platform: string,
): Promise<() => number> {
  const s = t.connect(token);
  const snap = onceSnapshot(s);
  s.emit('subscribe', { campaign_id: campaignId, window: 'ctd' });
  await snap;
  let views = 0;
  s.on('delta', (d: Delta) => {
    // A held row's new counts come as a patch of the fields that moved; a row new to the socket comes whole.
    const moved =
      d.patches?.platform?.metrics?.views?.[platform] ??
      d.groups.platform?.find((x) => x.key === platform)?.metrics.views;
    if (moved !== undefined) views = moved;
  });
  return () => views;
}

/** A JSON request to the test server as `token`: its status and parsed body. */
export async function apiCall(
  t: Pick<TestServer, 'url'>,
  token: string,
  method: string,
  path: string,
  body?: unknown,
): Promise<{ status: number; body: any }> {
  const res = await fetch(`${t.url}${path}`, {
    method,
    headers: { authorization: `Bearer ${token}`, 'content-type': 'application/json' },
    body: body === undefined ? undefined : JSON.stringify(body),
  });
  return { status: res.status, body: await res.json() };
}

export async function waitFor(check: () => boolean, ms = 5_000, what = 'condition'): Promise<void> {
  const until = Date.now() + ms;
  while (!check()) {
    if (Date.now() > until) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 10));
  }
}

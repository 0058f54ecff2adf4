// Test support for the connectors: a real store and ingest, the platform fixture servers, a connector with a sealed
// credential, and a runner on a clock the test moves.
import { pino } from 'pino';
import { resolvePostUrl, type ConnectorPlatform } from '@pulseroom/schema';
import {
  createConnector,
  registerConnectorPost,
  sealSecret,
  updateConnectorPosts,
  type ConnectorPostRow,
  type Store,
} from '@pulseroom/schema/server';
import { openTestStore } from '@pulseroom/schema/testing';
import { query, runIngest, seedLaunch, testIngestConfig, type RunningIngest } from '../testing.js';
import { IngestMetrics } from '../metrics.js';
import { platformClients } from './index.js';
import { startPlatformFixtures, type FixturePost, type PlatformFixtures } from './fixtureServer.js';
import { ConnectorRunner } from './runner.js';

export interface ConnectorWorld {
  store: Store;
  ingest: RunningIngest;
  /** The runners' metrics (calls, events, the YouTube quota plan). */
  metrics: IngestMetrics;
  fixtures: PlatformFixtures;
  clock: { now: number };
  runner: ConnectorRunner;
  /** A new runner on the same store (what a restart starts with: no memory). */
  restart(): ConnectorRunner;
  connector(
    platform: ConnectorPlatform,
    credential: string,
    opts?: { partner?: string; account?: string },
  ): Promise<string>;
  register(sourceId: string, url: string, partner?: string): Promise<ConnectorPostRow>;
  /** Waits until the flusher has put every accepted event in ClickHouse. */
  flushed(): Promise<void>;
  rows<T>(sql: string, params?: Record<string, unknown>): Promise<T[]>;
  close(): Promise<void>;
}

export async function connectorWorld(overrides: Record<string, string> = {}): Promise<ConnectorWorld> {
  const store = await openTestStore();
  await seedLaunch(store);
  const fixtures = await startPlatformFixtures();
  // Real time plus what the test moved it by: the flusher's timers (which read the clock) keep running.
  let offset = 0;
  const clock = {
    get now() {
      return Date.now() + offset;
    },
    set now(v: number) {
      offset = v - Date.now();
    },
  };
  const config = testIngestConfig({
    YOUTUBE_API_URL: fixtures.urls.youtube,
    INSTAGRAM_API_URL: fixtures.urls.instagram,
    TIKTOK_API_URL: fixtures.urls.tiktok,
    CONNECTOR_REFRESH_MS: '100',
    ...overrides,
  });
  const ingest = await runIngest(store, config, () => clock.now);
  const logger = pino({ level: process.env.TEST_LOG_LEVEL ?? 'silent' });
  const metrics = new IngestMetrics(
    () => null,
    () => ({}),
  );
  const make = () =>
    new ConnectorRunner({
      client: store.client,
      config,
      secretsKey: config.secretsKey,
      clients: platformClients(config),
      logger,
      clock: () => clock.now,
      accept: (source, events) => ingest.ingest.accept(source, events),
      random: () => 0.5,
      metrics,
    });
  const world: ConnectorWorld = {
    store,
    ingest,
    metrics,
    fixtures,
    clock,
    runner: make(),
    restart: () => (world.runner = make()),
    async connector(platform, credential, opts = {}) {
      return createConnector(store.client, {
        platform,
        name: `${platform} connector`,
        partner_id: opts.partner ?? 'ben',
        account_id: opts.account ?? '',
        sealedCredential: sealSecret(config.secretsKey, credential),
        campaign_ids: [],
        expected_every_s: 900,
      });
    },
    async register(sourceId, url, partner = 'ben') {
      const ref = resolvePostUrl(url);
      if ('error' in ref) throw new Error(ref.error);
      const post = await registerConnectorPost(store.client, {
        source_id: sourceId,
        campaign_id: 'spring-drop',
        partner_id: partner,
        platform: ref.platform,
        url: ref.url,
        url_id: ref.id,
        media_id: ref.platform === 'instagram' ? '' : ref.id,
      });
      // registered on the test's clock, so the cadence counts from it
      const onClock = { ...post, registered_at: clock.now };
      await updateConnectorPosts(store.client, [onClock]);
      return onClock;
    },
    async flushed() {
      const deadline = Date.now() + 10_000;
      while (Date.now() < deadline) {
        const r = await ingest.ingest.ready();
        const spool = r.checks.spool as { rows?: number; segments?: number } | undefined;
        const flusher = r.checks.flusher as { quarantinedRows?: number } | undefined;
        if (flusher?.quarantinedRows)
          throw new Error(`${flusher.quarantinedRows} rows quarantined: ${JSON.stringify(r)}`);
        if (spool && (spool.rows ?? 0) === 0) return;
        await new Promise((ok) => setTimeout(ok, 50));
      }
      throw new Error('the spool did not drain in 10 s');
    },
    rows: (sql, params = {}) => query(store, sql, params),
    async close() {
      await world.runner.stop();
      await ingest.close();
      await fixtures.close();
      await store.close();
    },
  };
  return world;
}

/** A fixture post with sensible defaults. */
export function fixturePost(id: string, over: Partial<FixturePost> = {}): FixturePost {
  return {
    id,
    caption: '',
    publishedAt: Date.now() - 30 * 60_000,
    views: 0,
    likes: 0,
    shares: 0,
    reach: 0,
    saves: 0,
    comments: [],
    ...over,
  };
}

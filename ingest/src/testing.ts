// Test support for ingest: a small launch (campaigns, partners, deals), a source key, and a running ingest on a random
// port.
import type { AddressInfo } from 'node:net';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import express from 'express';
import { pino } from 'pino';
import {
  DimensionCache,
  hashSecret,
  nextVersion,
  upsertCampaigns,
  upsertDeals,
  upsertPartners,
  type Store,
} from '@pulseroom/schema/server';
import { ingestEnv, resolveIngestConfig, type IngestConfig } from './config.js';
import { createIngest, type Ingest, type IngestDeps } from './index.js';

export const CAMPAIGN = 'spring-drop';
export const OTHER_CAMPAIGN = 'fall-drop';

/** Two campaigns (EUR and USD); partner "ana" with a tiered deal, "ben" with a flat + percent deal. */
export const LAUNCH = {
  campaigns: [
    {
      id: CAMPAIGN,
      name: 'Spring Drop',
      brand: 'Acme',
      start: '2026-01-01T00:00:00Z',
      end: '2027-12-31T00:00:00Z',
      currency: 'EUR',
      timezone: 'Europe/Berlin',
    },
    {
      id: OTHER_CAMPAIGN,
      name: 'Fall Drop',
      brand: 'Acme',
      start: '2026-01-01T00:00:00Z',
      end: '2027-12-31T00:00:00Z',
      currency: 'USD',
    },
  ],
  partners: [
    {
      id: 'ana',
      handle: '@ana',
      display_name: 'Ana',
      platforms: ['instagram'],
      followers: 50_000,
      type: 'affiliate',
      manager_id: 'am-1',
    },
    {
      id: 'ben',
      handle: '@ben',
      display_name: 'Ben',
      platforms: ['tiktok', 'youtube'],
      followers: 5_000,
      type: 'influencer',
    },
  ],
  deals: [
    {
      id: `${CAMPAIGN}--ana`,
      partner_id: 'ana',
      campaign_id: CAMPAIGN,
      commission_percent: 10,
      commission_tiers: [{ threshold: 1000, percent: 20 }],
      attribution_window_days: 7,
      links: [
        {
          code: 'ana-spring',
          destination: 'https://shop.example.com/spring?ref=ana',
          platform: 'instagram',
          utm_source: 'instagram',
          utm_medium: 'affiliate',
          utm_campaign: 'spring',
        },
      ],
      promo_codes: ['ANA10'],
    },
    {
      id: `${CAMPAIGN}--ben`,
      partner_id: 'ben',
      campaign_id: CAMPAIGN,
      commission_percent: 5,
      commission_flat: 2,
      links: [{ code: 'ben-spring', destination: 'https://shop.example.com/spring', platform: 'tiktok' }],
      promo_codes: ['BEN5'],
    },
    {
      id: `${OTHER_CAMPAIGN}--ana`,
      partner_id: 'ana',
      campaign_id: OTHER_CAMPAIGN,
      commission_percent: 8,
      links: [{ code: 'ana-fall', destination: 'https://shop.example.com/fall' }],
    },
  ],
};

export async function seedLaunch(store: Store): Promise<void> {
  await upsertCampaigns(store.client, LAUNCH.campaigns);
  await upsertPartners(store.client, LAUNCH.partners);
  await upsertDeals(store.client, LAUNCH.deals);
}

/** A source with a known key (tests need the key before any service runs). */
export async function seedSource(store: Store, id: string, key: string, campaignIds: string[] = []): Promise<void> {
  await store.client.insert({
    table: 'sources',
    format: 'JSONEachRow',
    values: [
      { id, name: id, key_hash: hashSecret(key), campaign_ids: campaignIds, version: nextVersion(), revoked: 0 },
    ],
  });
}

export function testIngestConfig(overrides: Record<string, string> = {}): IngestConfig {
  const dir = mkdtempSync(join(tmpdir(), 'pulseroom-ingest-'));
  return resolveIngestConfig(
    ingestEnv.parse({
      PULSEROOM_DATA_DIR: dir,
      INGEST_FLUSH_MS: '100',
      INGEST_SENTIMENT_THREADS: '0',
      LOG_LEVEL: 'silent',
      // Nothing in a test reaches the internet: connectors are off, and their APIs a closed local port, unless a test
      // points them at the fixture servers.
      CONNECTORS_ENABLED: 'false',
      YOUTUBE_API_URL: 'http://127.0.0.1:9/youtube/v3',
      INSTAGRAM_API_URL: 'http://127.0.0.1:9/instagram/v23.0',
      TIKTOK_API_URL: 'http://127.0.0.1:9/tiktok',
      ...overrides,
    }),
  );
}

export interface RunningIngest {
  url: string;
  ingest: Ingest;
  dims: DimensionCache;
  config: IngestConfig;
  close(): Promise<void>;
}

/** createIngest on an express app listening on a random port, as the one-process product mounts it. */
export async function runIngest(
  store: Store,
  config: IngestConfig,
  clock?: () => number,
  opts: Pick<IngestDeps, 'memoryLimits'> = {},
): Promise<RunningIngest> {
  const dims = await DimensionCache.open(store.client, 0);
  const ingest = createIngest({
    store,
    dims,
    config,
    logger: pino({ level: process.env.TEST_LOG_LEVEL ?? 'silent' }),
    clock,
    ...opts,
  });
  await ingest.start();
  const app = express();
  app.use(ingest.router);
  const server = app.listen(0);
  await new Promise<void>((r) => server.once('listening', () => r()));
  const url = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  return {
    url,
    ingest,
    dims,
    config,
    async close() {
      server.closeAllConnections();
      await new Promise<void>((r) => server.close(() => r()));
      await ingest.stop();
    },
  };
}

export async function postJson(
  url: string,
  body: unknown,
  key?: string,
): Promise<{ status: number; body: any; headers: Headers }> {
  const res = await fetch(url, {
    method: 'POST',
    headers: { 'content-type': 'application/json', ...(key ? { authorization: `Bearer ${key}` } : {}) },
    body: typeof body === 'string' ? body : JSON.stringify(body),
  });
  const text = await res.text();
  let parsed: unknown = text;
  try {
    parsed = JSON.parse(text);
  } catch {
    // not JSON
  }
  return { status: res.status, body: parsed, headers: res.headers };
}

export async function query<T>(store: Store, sql: string, params: Record<string, unknown> = {}): Promise<T[]> {
  return (await store.client.query({ query: sql, query_params: params, format: 'JSONEachRow' })).json<T>();
}

export type FaultMode = 'up' | 'down' | 'lose-answer';

/**
 * The real client with its transport failing on demand: 'down' fails every call, 'lose-answer' performs the
 * next insert and then fails once (the answer is lost). `ctl.injected` counts the injected failures.
 */
export function faultyStore(store: Store): { store: Store; ctl: { mode: FaultMode; injected: number } } {
  const ctl: { mode: FaultMode; injected: number } = { mode: 'up', injected: 0 };
  const client = new Proxy(store.client, {
    get(target, prop, receiver) {
      const v = Reflect.get(target, prop, receiver);
      if (typeof v !== 'function' || !['insert', 'query', 'command', 'exec', 'ping'].includes(String(prop))) return v;
      return async (...args: unknown[]) => {
        if (ctl.mode === 'down') {
          ctl.injected++;
          throw new Error('connect ECONNREFUSED 127.0.0.1:8123 (injected)');
        }
        const inserting =
          prop === 'insert' || (prop === 'exec' && /^\s*INSERT\b/i.test(String((args[0] as { query?: string }).query)));
        if (ctl.mode === 'lose-answer' && inserting) {
          await (v as (...a: unknown[]) => Promise<unknown>).apply(target, args);
          ctl.mode = 'up';
          ctl.injected++;
          throw new Error('socket hang up (injected after the insert succeeded)');
        }
        return (v as (...a: unknown[]) => Promise<unknown>).apply(target, args);
      };
    },
  });
  return { store: { ...store, client } as Store, ctl };
}

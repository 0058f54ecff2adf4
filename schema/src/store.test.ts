import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { execFileSync, spawnSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { openTestStore } from './testing.js';
import { applyMigrations, readMigrations } from './migrate.js';
import type { Store } from './store.js';
import { upsertCampaigns, upsertDeals, upsertPartners } from './queries/dimensions.js';
import { DimensionCache } from './dimensionCache.js';
import { blankStoredEvent, type StoredEvent } from './events.js';

let store: Store;
beforeAll(async () => {
  store = await openTestStore();
});
afterAll(async () => store?.close());

const q = async <T>(query: string, params: Record<string, unknown> = {}) =>
  (await store.client.query({ query, query_params: params, format: 'JSONEachRow' })).json<T>();

describe('migrations', () => {
  it('run twice without error and change nothing the second time', async () => {
    const before = await q<{ name: string; create_table_query: string }>(
      'SELECT name, create_table_query FROM system.tables WHERE database = currentDatabase() ORDER BY name',
    );
    const again = await applyMigrations(store.client);
    expect(again.applied).toEqual([]);
    expect(again.skipped).toEqual(readMigrations().map((m) => m.name));
    const after = await q(
      'SELECT name, create_table_query FROM system.tables WHERE database = currentDatabase() ORDER BY name',
    );
    expect(after).toEqual(before);
    expect(before.map((t) => t.name)).toEqual(
      expect.arrayContaining([
        'events',
        'agg_10s',
        'agg_delta',
        'campaigns',
        'partners',
        'deals',
        'sources',
        'dashboard_tokens',
        'schema_migrations',
      ]),
    );
  });

  it('gives the three tables every flush writes to the wider merges of 032 (rows rewritten fewer times)', async () => {
    const tables = await q<{ name: string; engine_full: string }>(
      "SELECT name, engine_full FROM system.tables WHERE database = currentDatabase() AND name IN ('events', 'agg_delta', 'agg_10s') ORDER BY name",
    );
    expect(tables.map((t) => t.name)).toEqual(['agg_10s', 'agg_delta', 'events']);
    for (const t of tables) expect(t.engine_full).toMatch(/merge_selector_base = 20\b/);
  });
});

describe('dimensions', () => {
  it('upserts the example launch and the newest version wins', async () => {
    const file = JSON.parse(readFileSync('examples/launch.json', 'utf8'));
    await upsertCampaigns(store.client, file.campaigns);
    await upsertPartners(store.client, file.partners);
    await upsertDeals(store.client, file.deals);
    await upsertPartners(store.client, [{ ...file.partners[0], followers: 123_456 }]);
    const cache = await DimensionCache.open(store.client, 0);
    expect(cache.allCampaigns()).toHaveLength(3);
    expect(cache.allPartners()).toHaveLength(60);
    expect(cache.partner('p001')?.followers).toBe(123_456);
    expect(cache.tier('p001')).toBe('macro');
    const deal = file.deals[0];
    expect(cache.link(deal.links[0].code)?.deal.partner_id).toBe(deal.partner_id);
    expect(cache.promo(deal.campaign_id, deal.promo_codes[0].toLowerCase())?.id).toBe(deal.id);
    expect(cache.partnersOfManager('am-ines').size).toBe(15);
    expect(await cache.refresh()).toBe(false);
  });
});

describe('aggregates', () => {
  const row = (p: Partial<StoredEvent>): StoredEvent => ({
    ...blankStoredEvent(),
    campaign_id: 'c1',
    partner_id: 'p1',
    platform: 'instagram',
    ts: Date.UTC(2026, 10, 25, 10, 0, 3),
    received_at: Date.now(),
    ...p,
  });
  it('the materialized views fill agg_10s and agg_delta, and a re-sent batch is counted once', async () => {
    const batch = [
      row({ event_id: 'a', batch_id: 'b1', type: 'engagement', views: 100, likes: 7, has_reach: 1, reach: 80 }),
      row({ event_id: 'b', batch_id: 'b1', type: 'comment', label: 'pos', sentiment: 0.5 }),
      row({ event_id: 'c', batch_id: 'b1', type: 'click', is_unique: 1 }),
      row({
        event_id: 'd',
        batch_id: 'b1',
        type: 'conversion',
        status: 'approved',
        converted: 1,
        attributed: 1,
        amount_minor: 4999,
        commission_minor: 500,
      }),
      row({
        event_id: 'e',
        batch_id: 'b1',
        type: 'refund',
        status: 'approved',
        converted: 1,
        attributed: 1,
        amount_minor: -999,
        commission_minor: -100,
        ts: Date.UTC(2026, 10, 25, 10, 0, 12),
      }),
    ];
    for (let i = 0; i < 2; i++) {
      await store.client.insert({
        table: 'events',
        values: batch,
        format: 'JSONEachRow',
        clickhouse_settings: {
          insert_deduplication_token: 'b1',
          deduplicate_blocks_in_dependent_materialized_views: 1,
        },
      });
    }
    const [agg] = await q<Record<string, number>>(
      'SELECT sum(views) views, sum(reach_interactions) ri, sum(pos_n) pos, sum(unique_clicks) uc, sum(conversions) conv, sum(revenue_minor) rev, sum(commission_minor) com, sum(refund_minor) ref FROM agg_10s WHERE campaign_id = {c:String}',
      { c: 'c1' },
    );
    expect(agg).toEqual({ views: 100, ri: 7, pos: 1, uc: 1, conv: 1, rev: 4000, com: 400, ref: 999 });
    const delta = await q<{ batch_id: string; bucket: string; views: number }>(
      "SELECT batch_id, bucket, views FROM agg_delta WHERE campaign_id = 'c1' ORDER BY bucket",
    );
    expect(delta.map((d) => [d.batch_id, d.bucket, d.views])).toEqual([
      ['b1', '2026-11-25 10:00:00', 100],
      ['b1', '2026-11-25 10:00:10', 0],
    ]);
    const [{ n }] = await q<{ n: number }>('SELECT count() n FROM events');
    expect(n).toBe(5);
  });
});

describe('command line', () => {
  const run = (args: string[], env: Record<string, string>) =>
    spawnSync(process.execPath, ['--import', 'tsx', ...args], { env: { ...process.env, ...env }, encoding: 'utf8' });
  it('a bad dimension file is rejected whole with the paths of its errors', () => {
    const dir = `${process.env.TMPDIR ?? '/tmp'}/pulseroom-load-${process.pid}`;
    const r = run(['schema/src/cli/load.ts', 'examples/bad-launch.json'], { PULSEROOM_DATA_DIR: dir });
    expect(r.status).toBe(1);
    expect(r.stderr).toContain('nothing written');
    expect(r.stderr).toContain('partners[0].followers: expected a number ≥ 0');
    expect(r.stderr).toContain('deals[0].fixed_fee: expected a number ≥ 0');
  });
  it('a bad environment variable gives one clear message', () => {
    const r = run(['schema/src/cli/migrate.ts'], { CLICKHOUSE_URL: 'not a url' });
    expect(r.status).toBe(1);
    expect(r.stderr.trim()).toBe(
      'error: invalid configuration:\n  CLICKHOUSE_URL: expected an http(s) URL such as http://localhost:8123 (got "not a url")',
    );
  });
  it('loads the example launch into an embedded store', () => {
    const dir = `${process.env.TMPDIR ?? '/tmp'}/pulseroom-load-ok-${process.pid}`;
    const out = execFileSync(process.execPath, ['--import', 'tsx', 'schema/src/cli/load.ts', 'examples/launch.json'], {
      env: { ...process.env, PULSEROOM_DATA_DIR: dir },
      encoding: 'utf8',
    });
    expect(out).toContain('loaded 3 campaigns, 60 partners, 110 deals');
  });
});

describe('access', () => {
  it('stores keys and tokens only hashed, and finds them by hash', async () => {
    const { createSource, findSourceByKeyHash, createToken, findTokenByHash, revokeToken, listTokens } =
      await import('./queries/access.js');
    const { hashSecret } = await import('./secrets.js');
    const src = await createSource(store.client, { name: 'tiktok webhook', campaign_ids: ['c1'] });
    expect((await findSourceByKeyHash(store.client, hashSecret(src.key)))?.campaign_ids).toEqual(['c1']);
    const raw = JSON.stringify(await q('SELECT * FROM sources'));
    expect(raw).not.toContain(src.key);
    const tok = await createToken(store.client, { role: 'manager', manager_id: 'am-li' });
    expect(await findTokenByHash(store.client, hashSecret(tok.token))).toEqual({
      token_id: tok.id,
      role: 'manager',
      campaign_ids: [],
      manager_id: 'am-li',
      label: '',
      expires_at: 0,
    });
    expect(JSON.stringify(await listTokens(store.client))).not.toContain(tok.token);
    await revokeToken(store.client, tok.id);
    expect(await findTokenByHash(store.client, hashSecret(tok.token))).toBeNull();
  });
});

describe('settings', () => {
  it('a deduplication token given to one insert does not leak into the next', async () => {
    await store.client.command({
      query:
        'CREATE TABLE IF NOT EXISTS leak_check (n UInt32) ENGINE = MergeTree ORDER BY n SETTINGS non_replicated_deduplication_window = 100',
    });
    await store.client.insert({
      table: 'leak_check',
      values: [{ n: 1 }],
      format: 'JSONEachRow',
      clickhouse_settings: { insert_deduplication_token: 'once' },
    });
    for (const n of [2, 3, 4])
      await store.client.insert({ table: 'leak_check', values: [{ n }], format: 'JSONEachRow' });
    expect(await q<{ n: number }>('SELECT n FROM leak_check ORDER BY n')).toEqual([
      { n: 1 },
      { n: 2 },
      { n: 3 },
      { n: 4 },
    ]);
  });
});

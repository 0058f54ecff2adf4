import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { openTestStore } from '@pulseroom/schema/testing';
import type { Store } from '@pulseroom/schema/server';
import {
  CAMPAIGN,
  postJson,
  query,
  runIngest,
  seedLaunch,
  seedSource,
  testIngestConfig,
  type RunningIngest,
  faultyStore,
} from './testing.js';

const KEY = 'prk_outage_test_key_dddddddddddddddd';
let real: Store;
let ctl: ReturnType<typeof faultyStore>['ctl'];
let run: RunningIngest;

beforeAll(async () => {
  real = await openTestStore();
  await seedLaunch(real);
  await seedSource(real, 'outage-src', KEY);
  const faults = faultyStore(real);
  ctl = faults.ctl;
  run = await runIngest(faults.store, testIngestConfig({ INGEST_FLUSH_MS: '100', INGEST_RATE_LIMIT_PER_MIN: '0' }));
});
afterAll(async () => {
  ctl.mode = 'up';
  await run?.close();
  await real?.close();
});

const batch = (prefix: string, n: number) =>
  Array.from({ length: n }, (_, i) => ({
    event_id: `${prefix}-${i}`,
    type: 'engagement',
    ts: Date.now(),
    campaign_id: CAMPAIGN,
    partner_id: 'ben',
    content_id: prefix,
    views: 10,
    likes: 1,
  }));

async function stored(prefix: string, n: number): Promise<{ event_id: string; n: number }[]> {
  const until = Date.now() + 15_000;
  for (;;) {
    const rows = await query<{ event_id: string; n: number }>(
      real,
      'SELECT event_id, count() AS n FROM events WHERE content_id = {p:String} GROUP BY event_id',
      { p: prefix },
    );
    if (rows.length >= n || Date.now() > until) return rows;
    await new Promise((r) => setTimeout(r, 100));
  }
}

describe('store outage', () => {
  it('keeps acknowledging from the spool while ClickHouse is down, then stores everything exactly once', async () => {
    expect((await postJson(`${run.url}/v1/events`, { events: batch('before', 20) }, KEY)).body.accepted).toBe(20);
    expect(await stored('before', 20)).toHaveLength(20);

    ctl.mode = 'down';
    const during = await Promise.all([
      postJson(`${run.url}/v1/events`, { events: batch('during', 30) }, KEY),
      postJson(`${run.url}/v1/events`, { events: [...batch('during', 30).slice(20), ...batch('during2', 10)] }, KEY),
      postJson(
        `${run.url}/v1/conversions`,
        { order_id: 'o-outage', amount: 12.5, currency: 'EUR', campaign_id: CAMPAIGN, promo_code: 'BEN5' },
        KEY,
      ),
    ]);
    expect(during.map((r) => r.status)).toEqual([200, 200, 200]);
    expect(during[0].body.accepted + during[1].body.accepted).toBe(40);
    const t0 = performance.now();
    const redirect = await fetch(`${run.url}/r/ben-spring`, { redirect: 'manual' });
    expect(redirect.status).toBe(302); // the shopper never waits for the store
    expect(performance.now() - t0).toBeLessThan(1000);
    const outageClick = new URL(redirect.headers.get('location')!).searchParams.get('click_id')!;
    const ready = await run.ingest.ready();
    expect(ready.ok).toBe(false);
    expect(ready.checks.store).toBe('unreachable');
    await new Promise((r) => setTimeout(r, 1200));
    expect(((await run.ingest.ready()).checks.flusher as { failures: number }).failures).toBeGreaterThan(0);
    expect(await stored('during', 0)).toHaveLength(0);

    ctl.mode = 'up';
    const rows = await stored('during', 30);
    expect(rows).toHaveLength(30);
    expect(rows.every((r) => r.n === 1)).toBe(true);
    expect((await stored('during2', 10)).every((r) => r.n === 1)).toBe(true);
    const clicks = await query<{ n: number }>(real, 'SELECT count() AS n FROM events WHERE click_id = {c:String}', {
      c: outageClick,
    });
    expect(clicks[0].n).toBe(1);
    const [conv] = await query<{ partner_id: string; amount_minor: number; commission_minor: number }>(
      real,
      "SELECT partner_id, amount_minor, commission_minor FROM events WHERE order_id = 'o-outage'",
    );
    expect(conv).toEqual({ partner_id: 'ben', amount_minor: 1250, commission_minor: 263 }); // 5 % of 12.50 + 2.00 flat
    expect(await run.ingest.registry.getSingleMetricAsString('pulseroom_ingest_flush_failures_total')).toMatch(
      / [1-9]\d*$/m,
    );
  });

  it('a batch whose insert succeeded but whose answer was lost is re-sent and stored once (deduplication token)', async () => {
    ctl.mode = 'lose-answer';
    expect((await postJson(`${run.url}/v1/events`, { events: batch('lost', 25) }, KEY)).body.accepted).toBe(25);
    const rows = await stored('lost', 25);
    await new Promise((r) => setTimeout(r, 600)); // the retry has happened by now
    expect(ctl.mode).toBe('up');
    const again = await query<{ n: number; views: number }>(
      real,
      "SELECT count() AS n, sum(views) AS views FROM events WHERE content_id = 'lost'",
    );
    expect(rows).toHaveLength(25);
    expect(again[0]).toEqual({ n: 25, views: 250 });
    // The materialized views were de-duplicated too: the aggregates count the batch once.
    const [agg] = await query<{ views: number }>(
      real,
      "SELECT sum(views) AS views FROM agg_delta WHERE campaign_id = {c:String} AND partner_id = 'ben'",
      { c: CAMPAIGN },
    );
    expect(agg.views).toBe((20 + 40 + 25) * 10);
  });
});

// Live path on the real clock with the loop running and no stream (a server beside a separate ingest without Redis): a
// batch inserted into the store reaches a subscribed socket's delta (lag printed); a reconnect gets a fresh snapshot;
// filters narrow every figure.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { SummaryResponse } from '@pulseroom/schema';
import { createToken, type Store } from '@pulseroom/schema/server';
import { openTestStore } from '@pulseroom/schema/testing';
import { insertBatch, randomEvent, rng } from './testing/events.js';
import {
  followPlatformViews,
  onceSnapshot,
  seedWorld,
  startTestServer,
  waitFor,
  type TestServer,
} from './testing/harness.js';
import { EVENT_PARTNERS, testWorld } from './testing/world.js';

const r = rng(11);
let store: Store;
let t: TestServer;
let admin: string;

beforeAll(async () => {
  store = await openTestStore();
  await seedWorld(store, testWorld());
  await insertBatch(
    store.client,
    Array.from({ length: 500 }, () =>
      randomEvent(r, { campaign_id: 'c1', partners: EVENT_PARTNERS }, Date.now() - r.int(0, 3_600_000)),
    ),
  );
  t = await startTestServer(store, { autoTick: true });
  admin = (await createToken(store.client, { role: 'admin' })).token;
});
afterAll(async () => {
  await t?.close();
  await store?.close();
});

describe('live', () => {
  it('with no stream, a batch inserted into the store shows up in a delta at the next read of the change log', async () => {
    const views = await followPlatformViews(t, admin, 'c1', 'twitch');
    const lags: number[] = [];
    for (let i = 0; i < 8; i++) {
      const before = views();
      const t0 = Date.now();
      await insertBatch(store.client, [
        {
          campaign_id: 'c1',
          partner_id: 'pa1',
          platform: 'twitch',
          type: 'engagement',
          ts: Date.now(),
          views: 1000 + i,
        },
      ]);
      await waitFor(() => views() >= before + 1000 + i, 3_000, 'the delta');
      lags.push(Date.now() - t0);
      await new Promise((res) => setTimeout(res, 100 + r.int(0, 200)));
    }
    lags.sort((a, b) => a - b);
    console.log(
      `insert → delta lag over ${lags.length} batches: p50 ${lags[Math.floor(lags.length / 2)]} ms, max ${lags[lags.length - 1]} ms (change log read every 250 ms)`,
    );
    const metrics = await (await fetch(`${t.url}/metrics`)).text();
    // Taken from the store, and not counted as corrections: nothing streams here.
    expect(Number(/pulseroom_reconcile_rows_sum (\d+)/.exec(metrics)?.[1] ?? 0)).toBeGreaterThan(0);
    expect(metrics).toMatch(/pulseroom_live_reconcile_corrections_total 0\b/);
    console.log(
      metrics
        .split('\n')
        .filter((l) => /^pulseroom_(reconcile_duration_seconds|push_lag_seconds|reconcile_rows)_(sum|count)/.test(l))
        .join('\n'),
    );
  });

  it('a reconnect gets a fresh snapshot equal to the summary', async () => {
    const s = t.connect(admin);
    const snap = onceSnapshot(s);
    s.emit('subscribe', { campaign_id: 'c1', window: 'ctd' });
    await snap;
    s.disconnect();
    await insertBatch(store.client, [
      { campaign_id: 'c1', partner_id: 'pa2', platform: 'blog', type: 'click', ts: Date.now(), is_unique: 1 },
    ]);
    await new Promise((res) => setTimeout(res, 600));
    const again = t.connect(admin);
    const snap2 = onceSnapshot(again);
    again.emit('subscribe', { campaign_id: 'c1', window: 'ctd' });
    const fresh = await snap2;
    const summary = (await (
      await fetch(`${t.url}/api/campaigns/c1/summary?window=ctd&group=partner`, {
        headers: { authorization: `Bearer ${admin}` },
      })
    ).json()) as SummaryResponse;
    expect(fresh.groups.partner.find((x) => x.key === 'pa2')!.metrics.unique_clicks).toBe(
      summary.rows.find((x) => x.key === 'pa2')!.metrics.unique_clicks,
    );
    expect(fresh.series.length).toBe(360);
  });

  it('a filter narrows every figure of the subscription', async () => {
    const s = t.connect(admin);
    const snap = onceSnapshot(s);
    s.emit('subscribe', {
      campaign_id: 'c1',
      window: 'ctd',
      filter: { platform: ['tiktok'], type: ['influencer', 'hybrid'] },
    });
    const f = await snap;
    expect(f.groups.platform.map((x) => x.key)).toEqual(['tiktok']);
    expect(f.partners.map((p) => p.id)).toEqual(['pa1', 'pa4', 'pb2']);
    const sum = f.groups.partner.reduce((a, x) => a + x.metrics.views, 0);
    expect(f.groups.campaign[0].metrics.views).toBe(sum);
    const bad = await new Promise<{ ok: boolean; error?: { code: string; message: string } }>((res) =>
      s.emit('subscribe', { campaign_id: 'c1', window: '2h' } as never, res),
    );
    expect(bad.error).toEqual({
      code: 'INVALID_REQUEST',
      message: 'window: expected a window: 1m, 5m, 15m, 1h, 24h, ctd',
    });
  });
});

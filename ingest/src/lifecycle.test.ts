// A conversion's lifecycle through ingest into ClickHouse: each status change its own row, the same status again a
// duplicate, changes and refunds that come before their order applied when it arrives, and the aggregates (agg_10s)
// holding every order once, in its current status — checked against figures computed by hand.
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
} from './testing.js';
import type { IngestConfig } from './config.js';

const KEY = 'prk_lifecycle_test_key_llllllllllllllll';
let store: Store;
let run: RunningIngest;
let config: IngestConfig;
const T0 = Date.now() - 3_600_000;

beforeAll(async () => {
  store = await openTestStore();
  await seedLaunch(store);
  await seedSource(store, 'shop', KEY);
  config = testIngestConfig({ INGEST_RATE_LIMIT_PER_MIN: '0' });
  run = await runIngest(store, config);
});
afterAll(async () => {
  await run?.close();
  await store?.close();
});

async function send(...events: Record<string, unknown>[]): Promise<{ accepted: number; duplicates: number }> {
  const res = await postJson(`${run.url}/v1/events`, { events }, KEY);
  expect(res.status, JSON.stringify(res.body)).toBe(200);
  expect(res.body.rejected).toEqual([]);
  return res.body;
}

const sale = (id: string, order: string, status: string, amount: number, at: number, extra = {}) => ({
  type: 'conversion',
  event_id: id,
  ts: T0 + at,
  campaign_id: CAMPAIGN,
  partner_id: 'ben',
  order_id: order,
  amount,
  currency: 'EUR',
  status,
  ...extra,
});
const change = (id: string, order: string, status: string, at: number, reason?: string) => ({
  type: 'status',
  event_id: id,
  ts: T0 + at,
  campaign_id: CAMPAIGN,
  order_id: order,
  status,
  reason,
});
const refund = (id: string, order: string, amount: number, at: number) => ({
  type: 'refund',
  event_id: id,
  ts: T0 + at,
  campaign_id: CAMPAIGN,
  order_id: order,
  amount,
  currency: 'EUR',
});

/** What agg_10s holds for an order's partner: the figures the dashboards read. */
async function totals(orderPrefix: string, rows: number): Promise<Record<string, number>> {
  const until = Date.now() + 8000;
  for (;;) {
    const [n] = await query<{ n: number }>(
      store,
      'SELECT count() AS n FROM events WHERE startsWith(order_id, {p:String})',
      { p: orderPrefix },
    );
    if (Number(n.n) >= rows || Date.now() > until) break;
    await new Promise((r) => setTimeout(r, 50));
  }
  // the aggregates of exactly this scenario's rows: agg_delta by the batches that hold them
  const [t] = await query<Record<string, number>>(
    store,
    `SELECT sum(conversions) AS conversions, sum(revenue_minor) AS revenue, sum(commission_minor) AS commission,
            sum(pending_n) AS pending_n, sum(pending_minor) AS pending, sum(rejected_n) AS rejected_n
     FROM agg_delta WHERE campaign_id = {c:String} AND partner_id = 'ben'
       AND batch_id IN (SELECT batch_id FROM events WHERE startsWith(order_id, {p:String}))`,
    { c: CAMPAIGN, p: orderPrefix },
  );
  return Object.fromEntries(Object.entries(t).map(([k, v]) => [k, Number(v)]));
}

async function history(order: string): Promise<string[]> {
  const rows = await query<Record<string, any>>(
    store,
    `SELECT type, from_status, status, amount_minor, commission_minor FROM events WHERE order_id = {o:String}
     ORDER BY received_at, ts, event_id`,
    { o: order },
  );
  return rows.map((r) =>
    [r.type, r.type === 'status' ? `${r.from_status}→${r.status}` : r.status, r.amount_minor, r.commission_minor].join(
      ' ',
    ),
  );
}

describe('conversion lifecycle', () => {
  it('pending → approved → partly refunded → charged back, each a row; the same status again a duplicate', async () => {
    // ben's deal: 5 % + 2.00 flat. 100.00 → commission 7.00; a 30.00 refund reverses 30 % of it (2.10).
    expect(await send(sale('a1', 'A-1', 'pending', 100, 0))).toMatchObject({ accepted: 1 });
    expect(await totals('A-', 1)).toMatchObject({ pending_n: 1, pending: 10_000, conversions: 0, revenue: 0 });

    expect(await send(sale('a2', 'A-1', 'approved', 100, 60_000))).toMatchObject({ accepted: 1, duplicates: 0 });
    expect(await send(sale('a3', 'A-1', 'approved', 100, 61_000))).toMatchObject({ accepted: 0, duplicates: 1 });
    expect(await send(change('a4', 'A-1', 'approved', 62_000))).toMatchObject({ accepted: 0, duplicates: 1 });
    expect(await totals('A-', 2)).toMatchObject({
      pending_n: 0,
      pending: 0,
      conversions: 1,
      revenue: 10_000,
      commission: 700,
    });

    await send(refund('a5', 'A-1', 30, 120_000));
    expect(await totals('A-', 3)).toMatchObject({ conversions: 1, revenue: 7_000, commission: 490 });

    await send(change('a6', 'A-1', 'reversed', 180_000, 'chargeback'));
    expect(await totals('A-', 4)).toEqual({
      conversions: 0,
      revenue: 0,
      commission: 0,
      pending_n: 0,
      pending: 0,
      rejected_n: 0,
    });
    expect(await history('A-1')).toEqual([
      'conversion pending 10000 700',
      'status pending→approved 10000 700',
      'refund approved -3000 -210',
      'status approved→reversed 7000 490',
    ]);
  });

  it('a rejection after approval is a reversal; a rejection of a pending order leaves nothing counted', async () => {
    await send(sale('b1', 'B-1', 'approved', 50, 0), sale('b2', 'B-2', 'pending', 20, 0));
    await send(change('b3', 'B-1', 'rejected', 10_000), change('b4', 'B-2', 'rejected', 10_000));
    expect(await totals('B-', 4)).toEqual({
      conversions: 0,
      revenue: 0,
      commission: 0,
      pending_n: 0,
      pending: 0,
      rejected_n: 1,
    });
    expect((await history('B-1'))[1]).toBe('status approved→reversed 5000 450');
  });

  it('a change and a refund that come before their order are kept, and applied when it arrives', async () => {
    // approved before its pending conversion arrives; a refund before its order
    await send(change('c1', 'C-1', 'approved', 60_000), refund('c2', 'C-2', 10, 30_000));
    expect(await totals('C-', 2)).toMatchObject({ conversions: 0, revenue: 0, pending: 0 });

    await send(sale('c3', 'C-1', 'pending', 40, 0), sale('c4', 'C-2', 'approved', 40, 0));
    // C-1: 40.00 approved (commission 2.00 + 2.00); C-2: 40.00 − 10.00 refunded (commission 4.00 − 1.00)
    expect(await totals('C-', 6)).toMatchObject({ conversions: 2, revenue: 7_000, commission: 700, pending: 0 });
    expect(await history('C-1')).toEqual([
      'status →approved 0 0',
      'conversion pending 4000 400',
      'status pending→approved 4000 400',
    ]);
    expect(await history('C-2')).toEqual([
      'refund  -1000 0',
      'conversion approved 4000 400',
      'refund approved -1000 -100',
    ]);
  });

  it('a change older than the current status is history only; after a restart the status is still known', async () => {
    await send(sale('d1', 'D-1', 'approved', 10, 60_000));
    await send(change('d2', 'D-1', 'pending', 0)); // an old "pending" delivered late: the order stays approved
    expect(await totals('D-', 2)).toMatchObject({ conversions: 1, revenue: 1_000, pending_n: 0, pending: 0 });
    expect((await history('D-1'))[1]).toBe('status pending→pending 1000 250');

    await run.close();
    run = await runIngest(store, config);
    expect(await send(change('d3', 'D-1', 'approved', 90_000))).toMatchObject({ accepted: 0, duplicates: 1 });
    expect(await send(change('d4', 'D-1', 'reversed', 120_000))).toMatchObject({ accepted: 1 });
    expect(await totals('D-', 3)).toMatchObject({ conversions: 0, revenue: 0, commission: 0 });
    // a refund that waited for its order before the restart is still applied after it
    await send(refund('e1', 'E-1', 5, 30_000));
    await totals('E-', 1);
    await run.close();
    run = await runIngest(store, config);
    await send(sale('e2', 'E-1', 'approved', 25, 0));
    expect(await totals('E-', 3)).toMatchObject({ conversions: 1, revenue: 2_000 });
  });
});

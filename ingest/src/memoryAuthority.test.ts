// Memory is authoritative after start-up: new order and click ids cost no ClickHouse look-up, a restart still
// sees what was stored before it, and orders or clicks evicted past the caps are looked up (and found) again.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { openTestStore } from '@pulseroom/schema/testing';
import type { Store } from '@pulseroom/schema/server';
import { CAMPAIGN, postJson, query, runIngest, seedLaunch, seedSource, testIngestConfig } from './testing.js';
import type { IngestConfig } from './index.js';

const KEY = 'prk_memory_authority_test_key_mmmmmmmm';
let store: Store;
let config: IngestConfig;
/** SQL of every query ingest sent through its client. */
const sent: string[] = [];
const lookups = () => sent.filter((q) => /FROM events/.test(q));

beforeAll(async () => {
  store = await openTestStore();
  await seedLaunch(store);
  await seedSource(store, 'shop', KEY);
  config = testIngestConfig({ INGEST_RATE_LIMIT_PER_MIN: '0' });
});
afterAll(async () => {
  await store?.close();
});

/** runIngest with ingest's client recording the SQL of its queries in `sent`. */
async function start(memoryLimits?: { maxOrders?: number; maxClicks?: number }) {
  const client = new Proxy(store.client, {
    get(target, prop, receiver) {
      const v = Reflect.get(target, prop, receiver);
      if (prop !== 'query' || typeof v !== 'function') return v;
      return (params: { query: string }) => {
        sent.push(params.query);
        return v.call(target, params);
      };
    },
  });
  return runIngest({ ...store, client } as Store, config, undefined, { memoryLimits });
}

const conversion = (orderId: string, extra: Record<string, unknown> = {}) => ({
  event_id: `conv-${orderId}-${Math.random()}`,
  type: 'conversion',
  ts: Date.now(),
  campaign_id: CAMPAIGN,
  order_id: orderId,
  amount: 100,
  currency: 'EUR',
  ...extra,
});
const refund = (orderId: string, amount: number) => ({
  event_id: `ref-${orderId}-${Math.random()}`,
  type: 'refund',
  ts: Date.now(),
  campaign_id: CAMPAIGN,
  order_id: orderId,
  amount,
  currency: 'EUR',
});
const click = (clickId: string) => ({
  event_id: `click-${clickId}`,
  type: 'click',
  ts: Date.now() - 60_000,
  campaign_id: CAMPAIGN,
  partner_id: 'ana',
  link_code: 'ana-spring',
  click_id: clickId,
  visitor: clickId,
});

async function stored(where: string): Promise<Record<string, any>[]> {
  const until = Date.now() + 8000;
  for (;;) {
    const rows = await query<Record<string, any>>(
      store,
      `SELECT order_id, type, partner_id, attributed, amount_minor, commission_minor, status FROM events WHERE ${where} ORDER BY received_at`,
    );
    if (rows.length > 0 || Date.now() > until) return rows;
    await new Promise((r) => setTimeout(r, 50));
  }
}

describe('ingest memory', () => {
  it('before a restart: stores clicks and orders (history for the next tests)', async () => {
    const run = await start();
    const r = await postJson(
      `${run.url}/v1/events`,
      { events: [click('ck_before_1'), click('ck_before_2'), click('ck_before_3')] },
      KEY,
    );
    expect(r.body).toMatchObject({ accepted: 3 });
    // three orders of ana (100 EUR each, promo ANA10): 300 EUR of deal revenue before the restart
    for (const id of ['o-old-1', 'o-old-2', 'o-old-3'])
      expect(
        (await postJson(`${run.url}/v1/events`, { events: [conversion(id, { promo_code: 'ANA10' })] }, KEY)).body,
      ).toMatchObject({ accepted: 1 });
    await run.close();
    expect(await stored("type = 'conversion' AND order_id = 'o-old-3'")).toHaveLength(1);
  });

  it('after a restart, a conversion with a new order id and an unknown click id makes no ClickHouse look-up', async () => {
    const run = await start();
    try {
      sent.length = 0;
      const r = await postJson(
        `${run.url}/v1/events`,
        {
          events: [
            conversion('o-new-1', { click_id: 'ck_never_seen', promo_code: 'ANA10' }),
            refund('o-new-unknown', 5),
          ],
        },
        KEY,
      );
      expect(r.body).toMatchObject({ accepted: 2, duplicates: 0 });
      expect(lookups()).toEqual([]);
      // yet what was stored before the restart is known, from memory: a repeat order, the click, the tier base
      sent.length = 0;
      expect((await postJson(`${run.url}/v1/events`, { events: [conversion('o-old-1')] }, KEY)).body).toMatchObject({
        accepted: 0,
        duplicates: 1,
      });
      expect(
        (
          await postJson(
            `${run.url}/v1/events`,
            { events: [conversion('o-click', { click_id: 'ck_before_2', amount: 800 })] },
            KEY,
          )
        ).body,
      ).toMatchObject({ accepted: 1 });
      expect((await postJson(`${run.url}/v1/events`, { events: [refund('o-old-2', 40)] }, KEY)).body).toMatchObject({
        accepted: 1,
      });
      expect(lookups()).toEqual([]);
    } finally {
      await run.close();
    }
    expect(await stored("order_id = 'o-click'")).toMatchObject([
      { partner_id: 'ana', attributed: 1, amount_minor: 80000 },
    ]);
    // 300 (before) + 100 (o-new-1) = 400 EUR so far: 800 more = 600 at 10 % + 200 at 20 % = 100.00
    const [c] = await stored("order_id = 'o-click'");
    expect(c.commission_minor).toBe(6000 + 4000);
    expect(await stored("order_id = 'o-old-2' AND type = 'refund'")).toMatchObject([
      { partner_id: 'ana', status: 'approved', amount_minor: -4000, commission_minor: -400 },
    ]);
  });

  it('past the caps, evicted orders and clicks are looked up and still found; new ids still need none', async () => {
    const run = await start({ maxOrders: 1, maxClicks: 1 });
    try {
      sent.length = 0;
      expect((await postJson(`${run.url}/v1/events`, { events: [conversion('o-new-2')] }, KEY)).body).toMatchObject({
        accepted: 1,
        duplicates: 0,
      });
      expect(lookups()).toEqual([]);
      // o-old-1 did not fit in memory at start-up: found in ClickHouse, so a repeat is a duplicate
      expect((await postJson(`${run.url}/v1/events`, { events: [conversion('o-old-1')] }, KEY)).body).toMatchObject({
        accepted: 0,
        duplicates: 1,
      });
      expect(lookups().filter((q) => q.includes('order_id IN {os:'))).toHaveLength(1);
      // a refund of an evicted order counts what was refunded before (40 of 100 EUR): 80 more is capped at 60
      expect((await postJson(`${run.url}/v1/events`, { events: [refund('o-old-2', 80)] }, KEY)).body).toMatchObject({
        accepted: 1,
      });
      sent.length = 0;
      expect(
        (
          await postJson(
            `${run.url}/v1/events`,
            { events: [conversion('o-click-2', { click_id: 'ck_before_1' })] },
            KEY,
          )
        ).body,
      ).toMatchObject({ accepted: 1 });
      expect(lookups().filter((q) => q.includes('click_id IN {ids:'))).toHaveLength(1);
    } finally {
      await run.close();
    }
    expect(await stored("order_id = 'o-old-2' AND type = 'refund' AND amount_minor != -4000")).toMatchObject([
      { amount_minor: -6000 },
    ]);
    expect(await stored("order_id = 'o-click-2'")).toMatchObject([{ partner_id: 'ana', attributed: 1 }]);
  });
});

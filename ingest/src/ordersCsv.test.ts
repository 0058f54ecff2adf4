// The order backfill: a CSV previewed (nothing written), its bad rows named by row and column, imported through the
// pipeline, and imported again without a change; a later file with new statuses changes those orders.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { openTestStore } from '@pulseroom/schema/testing';
import type { Store } from '@pulseroom/schema/server';
import {
  CAMPAIGN,
  OTHER_CAMPAIGN,
  query,
  runIngest,
  seedLaunch,
  seedSource,
  testIngestConfig,
  type RunningIngest,
} from './testing.js';

const KEY = 'prk_orders_csv_test_key_oooooooooooooooo';
const LIMITED = 'prk_orders_csv_limited_key_ooooooooooooo';
let store: Store;
let run: RunningIngest;

beforeAll(async () => {
  store = await openTestStore();
  await seedLaunch(store);
  await seedSource(store, 'shop-csv', KEY);
  await seedSource(store, 'other-only', LIMITED, [OTHER_CAMPAIGN]);
  run = await runIngest(store, testIngestConfig({ INGEST_RATE_LIMIT_PER_MIN: '0' }));
});
afterAll(async () => {
  await run?.close();
  await store?.close();
});

async function upload(csv: string, q: string, key = KEY): Promise<{ status: number; body: any }> {
  const res = await fetch(`${run.url}/v1/orders.csv?${q}`, {
    method: 'POST',
    headers: { authorization: `Bearer ${key}`, 'content-type': 'text/csv' },
    body: csv,
  });
  return { status: res.status, body: await res.json() };
}

const HEADER = 'order_id,ts,amount,currency,status,partner_id,click_id,promo_code,customer,items';
const day = '2026-11-28T14:03:00Z';
const FILE = [
  HEADER,
  `H-1,${day},89.90,EUR,approved,,,ANA10,new,2`,
  `H-2,${day},120.00,EUR,pending,ben,,,returning,1`,
  `H-3,${day},"12,50",EUR,approved,,,,,`,
  `H-4,yesterday,10.00,EUR,maybe,,,,,`,
  `H-1,${day},89.90,EUR,approved,,,ANA10,new,2`,
  '',
].join('\n');

describe('order CSV backfill', () => {
  it('previews without writing, naming each bad row and column', async () => {
    const preview = await upload(FILE, `campaign_id=${CAMPAIGN}`);
    expect(preview.status).toBe(200);
    expect(preview.body).toMatchObject({ preview: true, rows: 5, new: 2, changes: 0, unchanged: 0 });
    expect(preview.body.errors).toEqual([
      { row: 3, column: 'amount', message: expect.stringMatching(/number/) },
      { row: 4, column: 'ts', message: expect.any(String) },
      { row: 4, column: 'status', message: expect.stringMatching(/approved, pending, rejected, reversed/) },
      { row: 5, column: 'order_id', message: 'the same order and status as row 1' },
    ]);
    await new Promise((r) => setTimeout(r, 300));
    expect(await query(store, "SELECT event_id FROM events WHERE startsWith(order_id, 'H-')")).toEqual([]);
  });

  it('imports the good rows, attributed as any order; the same file again changes nothing', async () => {
    const first = await upload(FILE, `campaign_id=${CAMPAIGN}&confirm=true`);
    expect(first.body).toMatchObject({ rows: 5, new: 2, accepted: 2, duplicates: 0 });
    const again = await upload(FILE, `campaign_id=${CAMPAIGN}&confirm=true`);
    expect(again.body).toMatchObject({ new: 0, unchanged: 2, accepted: 0, duplicates: 2 });
    const until = Date.now() + 8000;
    let rows: Record<string, any>[] = [];
    while (rows.length < 2 && Date.now() < until) {
      rows = await query(
        store,
        "SELECT order_id, partner_id, status, amount_minor, promo_code FROM events WHERE startsWith(order_id, 'H-') ORDER BY order_id",
      );
      await new Promise((r) => setTimeout(r, 50));
    }
    expect(rows).toEqual([
      { order_id: 'H-1', partner_id: 'ana', status: 'approved', amount_minor: 8990, promo_code: 'ANA10' },
      { order_id: 'H-2', partner_id: 'ben', status: 'pending', amount_minor: 12000, promo_code: '' },
    ]);
  });

  it("takes a later file's new status as a change of the order", async () => {
    const later = [HEADER, `H-2,2026-11-29T09:00:00Z,120.00,EUR,approved,ben,,,,`].join('\n');
    expect((await upload(later, `campaign_id=${CAMPAIGN}`)).body).toMatchObject({ new: 0, changes: 1 });
    expect((await upload(later, `campaign_id=${CAMPAIGN}&confirm=true`)).body).toMatchObject({ accepted: 1 });
    const until = Date.now() + 8000;
    let got: Record<string, any>[] = [];
    while (got.length === 0 && Date.now() < until) {
      got = await query(
        store,
        "SELECT type, from_status, status FROM events WHERE order_id = 'H-2' AND type = 'status'",
      );
      await new Promise((r) => setTimeout(r, 50));
    }
    expect(got).toEqual([{ type: 'status', from_status: 'pending', status: 'approved' }]);
  });

  it('refuses a wrong key, a campaign the key may not send for, a file without its columns', async () => {
    expect((await upload(FILE, `campaign_id=${CAMPAIGN}`, 'prk_wrong_key_xxxxxxxxxxxxxxxxxxxxxxxx')).status).toBe(401);
    expect((await upload(FILE, `campaign_id=${CAMPAIGN}`, LIMITED)).status).toBe(403);
    const bad = await upload('order,amount\nx,1\n', `campaign_id=${CAMPAIGN}`);
    expect(bad).toMatchObject({ status: 400, body: { error: { code: 'INVALID_CSV' } } });
    expect(bad.body.error.message).toMatch(/order_id, ts, amount, currency/);
    const noCampaign = await upload(FILE, 'campaign_id=nope');
    expect(noCampaign).toMatchObject({ status: 400, body: { error: { fields: [{ path: 'campaign_id' }] } } });
  });
});

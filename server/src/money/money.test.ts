// Commissions by status and payouts through the server and a real store: REST and the socket give the same figures
// for the same token; a refund moves them live; a period's payouts are marked paid once, exported as CSV, and a
// refund after payout is carried as a negative line into the next one. Figures computed by hand.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  blankStoredEvent,
  liveBatchOf,
  type CommissionsSummary,
  type OrderHistory,
  type PayoutsResponse,
  type StoredEvent,
} from '@pulseroom/schema';
import { createToken, type Store } from '@pulseroom/schema/server';
import { openTestStore } from '@pulseroom/schema/testing';
import { insertBatch } from '../testing/events.js';
import { seedWorld, startTestServer, waitFor, type TestServer, type TestSocket } from '../testing/harness.js';
import { testWorld } from '../testing/world.js';

const DAY = 86_400_000;
const HOUR = 3_600_000;
/** The end of the first payout period (a whole second, some minutes ago: every order below is before it). */
const PERIOD = Math.floor((Date.now() - 10 * 60_000) / 1000) * 1000;
const iso = (ms: number) => new Date(ms).toISOString();

let store: Store;
let t: TestServer;
const tokens: Record<string, string> = {};
let seq = 0;

const sale = (partner: string, order: string, r: Partial<StoredEvent>): StoredEvent => ({
  ...blankStoredEvent(),
  event_id: `m-${order}-${++seq}`,
  source_id: 'shop',
  campaign_id: 'c1',
  partner_id: partner,
  platform: 'instagram',
  order_id: order,
  currency: 'EUR',
  orig_currency: 'EUR',
  attributed: 1,
  converted: 1,
  type: 'conversion',
  ts: PERIOD - HOUR,
  received_at: Date.now(),
  ...r,
});

/** As ingest does: the batch streamed to the server, then stored. */
async function stream(rows: StoredEvent[]): Promise<void> {
  const id = `money-${++seq}`;
  t.server.accept(liveBatchOf(id, rows, Date.now()));
  await insertBatch(store.client, rows, id);
}

const api = async (token: string, path: string, init: RequestInit = {}) => {
  const res = await fetch(`${t.url}/api${path}`, {
    ...init,
    headers: { authorization: `Bearer ${token}`, 'content-type': 'application/json', ...(init.headers ?? {}) },
  });
  const text = await res.text();
  return { status: res.status, text, body: text.startsWith('{') || text.startsWith('[') ? JSON.parse(text) : text };
};

/** A socket subscribed to c1 and the latest `commissions` it received. */
async function follow(token: string): Promise<{ socket: TestSocket; last: () => CommissionsSummary | null }> {
  const socket = t.connect(token);
  let last: CommissionsSummary | null = null;
  socket.on('commissions', (c) => (last = c));
  await new Promise((resolve) => socket.emit('subscribe', { campaign_id: 'c1', window: '1h' }, resolve));
  await waitFor(() => last !== null, 5_000, 'commissions after the snapshot');
  return { socket, last: () => last };
}

const without = ({ at: _at, ...rest }: CommissionsSummary) => rest;
const pick = (c: CommissionsSummary, partner: string) => c.partners.find((p) => p.partner_id === partner)?.states;

beforeAll(async () => {
  store = await openTestStore();
  const world = testWorld();
  world.deals = world.deals.map((d) =>
    d.campaign_id !== 'c1'
      ? d
      : {
          ...d,
          fixed_fee: 0,
          // pa1's commission is locked for 14 days; pa2 has a 300.00 fee over 30 days, 10 of them before PERIOD
          ...(d.partner_id === 'pa1' ? { lock_days: 14 } : {}),
          ...(d.partner_id === 'pa2'
            ? { fixed_fee: 300, start: iso(PERIOD - 10 * DAY), end: iso(PERIOD + 20 * DAY) }
            : {}),
        },
  );
  await seedWorld(store, world);
  t = await startTestServer(store, { autoTick: true, inlineStream: true, config: { PULSEROOM_RECONCILE_MS: 200 } });
  tokens.admin = (await createToken(store.client, { role: 'admin' })).token;
  tokens.mgrA = (await createToken(store.client, { role: 'manager', manager_id: 'am-a' })).token;
  tokens.wall = (await createToken(store.client, { role: 'wall', campaign_ids: ['c1'] })).token;
  tokens.viewer = (await createToken(store.client, { role: 'viewer', campaign_ids: ['c1'] })).token;
  await stream([
    // pa1: 100.00 approved, commission 10.00, locked for 14 days
    sale('pa1', 'P1', { status: 'approved', amount_minor: 10_000, orig_amount_minor: 10_000, commission_minor: 1_000 }),
    // pa2: 200.00 pending, then approved (no lock: payable at once)
    sale('pa2', 'P2', {
      status: 'pending',
      amount_minor: 20_000,
      orig_amount_minor: 20_000,
      commission_minor: 2_000,
      ts: PERIOD - 2 * HOUR,
    }),
    sale('pa2', 'P2', {
      type: 'status',
      from_status: 'pending',
      status: 'approved',
      amount_minor: 20_000,
      commission_minor: 2_000,
      ts: PERIOD - HOUR,
    }),
    // pb1: 50.00 approved; pb2: 30.00 still pending
    sale('pb1', 'P3', { status: 'approved', amount_minor: 5_000, orig_amount_minor: 5_000, commission_minor: 500 }),
    sale('pb2', 'P4', { status: 'pending', amount_minor: 3_000, orig_amount_minor: 3_000, commission_minor: 300 }),
  ]);
});
afterAll(async () => {
  await t?.close();
  await store?.close();
});

describe('commissions by status', () => {
  it('REST and the socket agree, for the admin and for a manager (their partners only)', async () => {
    const admin = await api(tokens.admin, '/campaigns/c1/commissions');
    expect(admin.status).toBe(200);
    const all = admin.body as CommissionsSummary;
    expect(all.total.pending).toEqual({ revenue_minor: 3_000, commission_minor: 300, n: 1 });
    expect(all.total.approved).toEqual({ revenue_minor: 10_000, commission_minor: 1_000, n: 1 });
    expect(all.total.payable).toEqual({ revenue_minor: 25_000, commission_minor: 2_500, n: 2 });
    expect(all.total.paid.n + all.total.reversed.n).toBe(0);

    const mine = (await api(tokens.mgrA, '/campaigns/c1/commissions')).body as CommissionsSummary;
    expect(mine.partners.map((p) => p.partner_id)).toEqual(['pa1', 'pa2']);
    expect(mine.total.payable.commission_minor).toBe(2_000);
    expect(mine.total.pending.n).toBe(0);

    const adminLive = await follow(tokens.admin);
    const mgrLive = await follow(tokens.mgrA);
    expect(without(adminLive.last()!)).toEqual(without(all));
    expect(without(mgrLive.last()!)).toEqual(without(mine));
    // the live pending figure of the rolling windows is the ledger's
    const summary = (await api(tokens.admin, '/campaigns/c1/summary?window=ctd&group=campaign')).body;
    expect(summary.rows[0].metrics.pending_minor).toBe(3_000);
    // and its revenue and commission are the ledger's approved, payable and paid ones
    const counted = (f: 'revenue_minor' | 'commission_minor') =>
      all.total.approved[f] + all.total.payable[f] + all.total.paid[f];
    expect(summary.rows[0].metrics.revenue_minor).toBe(counted('revenue_minor'));
    expect(summary.rows[0].metrics.commission_minor).toBe(counted('commission_minor'));

    // a refund of 10.00 on pb1's order reaches the admin's screen; the manager's figures do not move
    await stream([
      sale('pb1', 'P3', {
        type: 'refund',
        status: 'approved',
        amount_minor: -1_000,
        orig_amount_minor: -1_000,
        commission_minor: -100,
        ts: PERIOD - 30 * 60_000,
      }),
    ]);
    await waitFor(() => adminLive.last()!.total.payable.commission_minor === 2_400, 8_000, 'the refund on the socket');
    expect(pick(adminLive.last()!, 'pb1')!.reversed).toEqual({ revenue_minor: 1_000, commission_minor: 100, n: 1 });
    expect(without((await api(tokens.admin, '/campaigns/c1/commissions')).body)).toEqual(without(adminLive.last()!));
    expect(mgrLive.last()!.total.payable.commission_minor).toBe(2_000);
  });
});

describe('payouts', () => {
  it('lists what is due by the period end, marks it paid once, exports it, and carries a later refund', async () => {
    const due = (await api(tokens.admin, `/campaigns/c1/payouts?period_end=${PERIOD}`)).body as PayoutsResponse;
    const row = (p: string, r = due) => r.rows.find((x) => x.partner_id === p)!;
    // pa2: commission 20.00 + fee 300.00 × 10/30 = 100.00; pb1: 5.00 − 1.00; pa1 locked; pb2 pending
    expect(row('pa2')).toMatchObject({
      commission_minor: 2_000,
      fees_minor: 10_000,
      total_minor: 12_000,
      status: 'due',
    });
    expect(row('pb1')).toMatchObject({
      commission_minor: 400,
      total_minor: 400,
      conversions: 1,
      lines: 2,
      status: 'due',
    });
    expect(row('pa1').status).toBe('nothing_due');
    expect(row('pb2').status).toBe('nothing_due');

    const paid = await api(tokens.admin, '/admin/campaigns/c1/payouts', {
      method: 'POST',
      body: JSON.stringify({ period_end: iso(PERIOD), reference: 'BATCH-1' }),
    });
    expect(paid.status, paid.text).toBe(201);
    expect(paid.body.rows.map((r: { partner_id: string }) => r.partner_id)).toEqual(['pa2', 'pb1']);
    const again = await api(tokens.admin, '/admin/campaigns/c1/payouts', {
      method: 'POST',
      body: JSON.stringify({ period_end: PERIOD }),
    });
    expect(again).toMatchObject({ status: 409, body: { error: { code: 'NOTHING_DUE' } } });

    const after = (await api(tokens.admin, `/campaigns/c1/payouts?period_end=${PERIOD}`)).body as PayoutsResponse;
    expect(row('pa2', after)).toMatchObject({ status: 'paid', total_minor: 12_000, reference: 'BATCH-1' });
    expect(row('pa2', after).payout_id).toMatch(/^po_/);

    const csv = await api(tokens.admin, `/campaigns/c1/payouts.csv?period_end=${PERIOD}`);
    expect(csv.status).toBe(200);
    const lines = (csv.text as string).trim().split('\n');
    expect(lines[0]).toBe(
      '"partner_id","partner_name","period_start","period_end","currency","commission_minor","commission","fees_minor","fees","carried_over_minor","carried_over","total_minor","total","conversions","lines","status","payout_id","paid_at","reference"',
    );
    const pa2 = lines.find((l) => l.startsWith('"pa2"'))!;
    expect(pa2).toContain(
      `"${iso(PERIOD - 10 * DAY)}","${iso(PERIOD)}","EUR",2000,"20.00",10000,"100.00",0,"0.00",12000,"120.00",1,1,"paid"`,
    );

    // paid lines are immutable: a refund of 50.00 on pa2's paid order is a negative line of the next period
    const next = PERIOD + DAY;
    await stream([
      sale('pa2', 'P2', {
        type: 'refund',
        status: 'approved',
        amount_minor: -5_000,
        orig_amount_minor: -5_000,
        commission_minor: -500,
        ts: PERIOD + 5 * 60_000,
      }),
    ]);
    const second = (await api(tokens.admin, `/campaigns/c1/payouts?period_end=${next}`)).body as PayoutsResponse;
    // −5.00 carried; fee 300.00 × 11/30 = 110.00 − 100.00 paid = 10.00; total 5.00
    expect(row('pa2', second)).toMatchObject({
      commission_minor: 0,
      carried_minor: -500,
      fees_minor: 1_000,
      total_minor: 500,
      period_start: PERIOD,
      status: 'due',
    });
    const money = (await api(tokens.admin, '/campaigns/c1/commissions')).body as CommissionsSummary;
    expect(pick(money, 'pa2')!.paid).toEqual({ revenue_minor: 20_000, commission_minor: 2_000, n: 1 });
    expect(pick(money, 'pa2')!.payable).toEqual({ revenue_minor: -5_000, commission_minor: -500, n: 0 });

    const orders = (await api(tokens.mgrA, '/campaigns/c1/orders?partner_id=pa2')).body as OrderHistory[];
    expect(orders[0]).toMatchObject({ order_id: 'P2', status: 'approved', amount_minor: 15_000, state: 'paid' });
    expect(orders[0].payout_id).toBe(row('pa2', after).payout_id);
    expect(orders[0].steps.map((s) => `${s.kind} ${s.from}${s.from ? '→' : ''}${s.status}`)).toEqual([
      'conversion pending',
      'status pending→approved',
      'refund approved',
    ]);
  });

  it('keeps payouts and orders to the scope, and names the bad field', async () => {
    expect((await api(tokens.wall, '/campaigns/c1/payouts')).status).toBe(403);
    expect((await api(tokens.wall, '/campaigns/c1/orders?partner_id=pa1')).status).toBe(403);
    expect((await api(tokens.wall, '/campaigns/c1/commissions')).status).toBe(200);
    const mine = (await api(tokens.mgrA, `/campaigns/c1/payouts?period_end=${PERIOD}`)).body as PayoutsResponse;
    expect(mine.rows.every((r) => r.partner_id.startsWith('pa'))).toBe(true);
    expect((await api(tokens.mgrA, '/campaigns/c1/orders?partner_id=pb1')).status).toBe(403);
    const bad = await api(tokens.admin, '/campaigns/c1/payouts?period_end=yesterday');
    expect(bad).toMatchObject({ status: 400, body: { error: { fields: [{ path: 'period_end' }] } } });
    const viewer = await api(tokens.viewer, '/admin/campaigns/c1/payouts', {
      method: 'POST',
      body: JSON.stringify({ period_end: PERIOD }),
    });
    expect(viewer.status).toBe(403);
    const future = await api(tokens.admin, '/admin/campaigns/c1/payouts', {
      method: 'POST',
      body: JSON.stringify({ period_end: Date.now() + DAY }),
    });
    expect(future).toMatchObject({ status: 400, body: { error: { fields: [{ path: 'period_end' }] } } });
    const nobody = await api(tokens.admin, '/admin/campaigns/c1/payouts', {
      method: 'POST',
      body: JSON.stringify({ period_end: PERIOD, partner_ids: ['nobody'] }),
    });
    expect(nobody).toMatchObject({ status: 400, body: { error: { fields: [{ path: 'partner_ids' }] } } });
  });
});

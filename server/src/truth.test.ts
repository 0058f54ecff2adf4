// TRUTH: after a few thousand random events (late, out-of-order and future ones included), what a socket holds
// (snapshot + deltas) equals the metrics computed in SQL over the raw events, for every window and group.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  computeMetrics,
  emptyTotals,
  feeShare,
  GROUPS,
  patchRows,
  tierOf,
  withPartnerFees,
  type FeeTerm,
  TOTAL_FIELDS,
  WINDOW_MS,
  WINDOWS,
  type Delta,
  type GroupName,
  type GroupRow,
  type Metrics,
  type Snapshot,
  type WindowName,
} from '@pulseroom/schema';
import { createToken } from '@pulseroom/schema/server';
import { openTestStore } from '@pulseroom/schema/testing';
import type { Store } from '@pulseroom/schema/server';
import { insertBatch, randomEvent, rng } from './testing/events.js';
import {
  onceSnapshot,
  seedWorld,
  startTestServer,
  testClock,
  waitFor,
  type TestServer,
  type TestSocket,
} from './testing/harness.js';
import { truthPeriods } from './testing/truth.js';
import { EVENT_PARTNERS, NOW, PARTNERS, testWorld } from './testing/world.js';

const BUCKET = 10_000;
const HOUR = 3_600_000;
const r = rng(20261125);
const world = testWorld();
const clock = testClock(NOW);
let store: Store;
let t: TestServer;

/** Event times: mostly recent, some late (up to 50 h back), a few in the next minute. */
function eventTs(now: number): number {
  const x = r.next();
  if (x < 0.45) return now - r.int(0, 120_000);
  if (x < 0.65) return now - r.int(0, HOUR);
  if (x < 0.8) return now - r.int(0, 26 * HOUR);
  if (x < 0.92) return now - r.int(26 * HOUR, 50 * HOUR);
  if (x < 0.96) return now - r.int(50 * HOUR, 9 * 24 * HOUR);
  return now + r.int(0, 60_000);
}

async function insertRandom(n: number, per = 150) {
  for (let i = 0; i < n; i += per) {
    const rows = Array.from({ length: Math.min(per, n - i) }, () =>
      randomEvent(r, { campaign_id: r.chance(0.9) ? 'c1' : 'c2', partners: EVENT_PARTNERS }, eventTs(clock.now())),
    );
    await insertBatch(store.client, rows);
  }
}

beforeAll(async () => {
  store = await openTestStore();
  await seedWorld(store, world);
  await insertRandom(1200); // history before the server starts: loaded once from agg_10s
  t = await startTestServer(store, { clock: clock.now });
});
afterAll(async () => {
  await t?.close();
  await store?.close();
});

/**
 * A client-side copy: the snapshot with each delta's rows replacing rows of the same key, then its patches merged in.
 */
class Held {
  groups = {} as Record<GroupName, Map<string, GroupRow>>;
  seq = -1;
  gaps = 0;
  window: WindowName = 'ctd';
  terms: Record<string, FeeTerm> = {};
  constructor(readonly socket: TestSocket) {
    socket.on('delta', (d: Delta) => {
      if (d.seq !== this.seq + 1) this.gaps++;
      this.seq = d.seq;
      for (const g of GROUPS) for (const row of d.groups[g] ?? []) this.groups[g].set(row.key, row);
      // Patches: the moved base fields of held rows (new counts, fee shares as the windows slide); the rest is derived.
      for (const g of GROUPS) {
        const patch = d.patches?.[g];
        if (patch) for (const row of patchRows([...this.groups[g].values()], patch)) this.groups[g].set(row.key, row);
      }
      // Partner rows' fee shares: derived from the fee terms and the window's end, as the web client does.
      Object.assign(this.terms, d.fee_terms);
      for (const row of withPartnerFees([...this.groups.partner.values()], this.terms, this.window, d.window_end))
        this.groups.partner.set(row.key, row);
    });
  }
  take(s: Snapshot) {
    this.seq = s.seq;
    this.window = s.window;
    this.terms = { ...s.fee_terms };
    for (const g of GROUPS) this.groups[g] = new Map(s.groups[g].map((row) => [row.key, row]));
  }
}

const partnerById = new Map(PARTNERS.map((p) => [p.id, p]));
const groupOf = (group: GroupName): Record<string, string> =>
  Object.fromEntries(
    PARTNERS.map((p) => [p.id, group === 'type' ? p.type : group === 'tier' ? tierOf(p.followers) : '']),
  );

/** Followers and fees of a group, written independently of the server: every partner has a deal in c1. */
function expectedCost(group: GroupName, key: string, from: number, to: number) {
  let followers = 0;
  let fee = 0;
  let committed = 0;
  const c1 = world.campaigns[0] as { start: string; end: string };
  for (const d of world.deals.filter((x) => x.campaign_id === 'c1') as {
    partner_id: string;
    fixed_fee: number;
    start?: string;
    end?: string;
  }[]) {
    const p = partnerById.get(d.partner_id as never)!;
    const feeMinor = Math.round(d.fixed_fee * 100);
    const share = feeShare(feeMinor, Date.parse(d.start ?? c1.start), Date.parse(d.end ?? c1.end), from, to);
    let part = 0;
    if (group === 'campaign') part = 1;
    else if (group === 'partner') part = p.id === key ? 1 : 0;
    else if (group === 'type') part = p.type === key ? 1 : 0;
    else if (group === 'tier') part = tierOf(p.followers) === key ? 1 : 0;
    else part = (p.platforms as readonly string[]).includes(key) ? 1 / p.platforms.length : 0;
    if (part === 0) continue;
    followers += p.followers;
    fee += share * part;
    committed += feeMinor * part;
  }
  return { followers, feeShareMinor: fee, feeCommittedMinor: committed };
}

function compare(actual: Metrics, expected: Metrics, where: string) {
  for (const f of TOTAL_FIELDS) {
    if (f === 'sentiment_sum') expect(actual[f], `${where} ${f}`).toBeCloseTo(expected[f], 3);
    else expect(actual[f], `${where} ${f}`).toBe(expected[f]);
  }
  for (const f of Object.keys(expected) as (keyof Metrics)[]) {
    const a = actual[f];
    const e = expected[f];
    if (e === null || a === null) expect(a, `${where} ${f}`).toBe(e);
    else expect(a as number, `${where} ${f}`).toBeCloseTo(e as number, 6);
  }
}

/** Waits for every socket to hold the latest delta, then compares every window and group with SQL. */
async function verifyAll(held: Map<WindowName, Held>) {
  const rooms = [...t.server.hub.rooms.values()];
  for (const [w, h] of held) {
    const room = rooms.find((x) => x.window === w && x.req.campaign_id === 'c1')!;
    await waitFor(() => !room.dirty && h.seq === room.seq, 5_000, `deltas of ${w}`);
    expect(h.gaps, `gaps in ${w}`).toBe(0);
  }
  const B = Math.floor(clock.now() / BUCKET) * BUCKET;
  for (const w of WINDOWS) {
    const h = held.get(w)!;
    const L = w === 'ctd' ? 0 : WINDOW_MS[w];
    const range = w === 'ctd' ? { lo: 0, hi: B } : { lo: B - 2 * L, mid: B - L, hi: B };
    for (const g of GROUPS) {
      const periods = await truthPeriods(store.client, { campaign_id: 'c1', group: g, groupOf: groupOf(g), ...range });
      const truth = periods.cur;
      const prevTruth = w === 'ctd' ? null : periods.prev;
      const keys = new Set([...truth.keys(), ...(prevTruth?.keys() ?? []), ...h.groups[g].keys()]);
      for (const key of keys) {
        const row = h.groups[g].get(key);
        expect(row, `${w}/${g}/${key} missing on the socket`).toBeDefined();
        const ctx = expectedCost(g, key, w === 'ctd' ? -Infinity : B + BUCKET - L, B + BUCKET);
        compare(row!.metrics, computeMetrics(truth.get(key) ?? emptyTotals(), ctx), `${w}/${g}/${key}`);
        if (prevTruth) {
          const pctx = expectedCost(g, key, B + BUCKET - 2 * L, B + BUCKET - L);
          compare(
            row!.previous!,
            computeMetrics(prevTruth.get(key) ?? emptyTotals(), pctx),
            `${w}/${g}/${key} previous`,
          );
        } else expect(row!.previous).toBeNull();
      }
    }
  }
}

describe('truth', () => {
  it('snapshot + deltas equal SQL over raw events for every window and group, to the cent', async () => {
    const held = new Map<WindowName, Held>();
    const admin = await createToken(store.client, { role: 'admin' });
    for (const w of WINDOWS) {
      const s = t.connect(admin.token);
      const h = new Held(s);
      const snap = onceSnapshot(s);
      s.emit('subscribe', { campaign_id: 'c1', window: w });
      h.take(await snap);
      held.set(w, h);
    }
    await verifyAll(held); // the snapshots, from the start-up load alone
    // Live: batches arrive while the clock moves (crossing bucket boundaries), each followed by a tick.
    for (let round = 0; round < 10; round++) {
      await insertRandom(220, 110);
      // One jump of 2 h (more than the stepping limit): the windows are recomputed from the kept buckets.
      clock.advance(round === 5 ? 2 * HOUR : r.int(0, 25_000));
      await t.server.tickOnce();
    }
    clock.advance(BUCKET); // one more slide with nothing new
    await t.server.tickOnce();
    for (const [w, h] of held) expect(h.seq, `deltas received in ${w}`).toBeGreaterThan(5);
    await verifyAll(held);

    const [{ n }] = await (
      await store.client.query({ query: 'SELECT count() AS n FROM events', format: 'JSONEachRow' })
    ).json<{ n: number }>();
    expect(Number(n)).toBeGreaterThanOrEqual(3000);
  }, 90_000); // ~10 s alone; the margin is for a shared, loaded machine
});

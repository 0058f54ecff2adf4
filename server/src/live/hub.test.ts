// Fan-out cost: sockets joining a view in one tick share one snapshot build and make no alert query; a window sliding
// over fixed fees sends only aggregate rows' fee shares (receivers derive partner rows' from fee terms), and new data
// sends only the counts it moved in the rows it touched.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  GROUPS,
  patchRows,
  withPartnerFees,
  type Alert,
  type Delta,
  type GroupName,
  type Snapshot,
} from '@pulseroom/schema';
import { createToken, upsertDeals, type Store } from '@pulseroom/schema/server';
import { openTestStore } from '@pulseroom/schema/testing';
import { insertBatch } from '../testing/events.js';
import {
  onceSnapshot,
  seedWorld,
  startTestServer,
  testClock,
  type TestServer,
  type TestSocket,
} from '../testing/harness.js';
import { NOW, testWorld } from '../testing/world.js';

const clock = testClock(NOW);
let store: Store;
let t: TestServer;
let admin: string;

beforeAll(async () => {
  store = await openTestStore();
  await seedWorld(store, testWorld());
  await insertBatch(store.client, [
    {
      campaign_id: 'c1',
      partner_id: 'pa1',
      platform: 'instagram',
      type: 'engagement',
      ts: NOW - 60_000,
      views: 100,
      likes: 5,
    },
    {
      campaign_id: 'c1',
      partner_id: 'pb2',
      platform: 'youtube',
      type: 'engagement',
      ts: NOW - 3_600_000,
      views: 300,
      likes: 9,
    },
  ]);
  t = await startTestServer(store, { clock: clock.now });
  admin = (await createToken(store.client, { role: 'admin' })).token;
});
afterAll(async () => {
  await t?.close();
  await store?.close();
});

async function subscribe(s: TestSocket, window: string): Promise<Snapshot> {
  const snap = onceSnapshot(s);
  s.emit('subscribe', { campaign_id: 'c1', window } as never);
  return snap;
}

describe('live hub fan-out', () => {
  it('sockets joining a view between two ticks share one snapshot build and make no alert query', async () => {
    const { hub } = t.server;
    await subscribe(t.connect(admin), '15m'); // the campaign's alerts load once, here
    const loads = hub.stats.alertLoads;
    expect(loads).toBe(1);
    clock.advance(1);
    await t.server.tickOnce(); // a new tick: the next joiners need a new build
    const builds = hub.stats.snapshotBuilds;
    const sockets = Array.from({ length: 12 }, () => t.connect(admin));
    const snaps = await Promise.all(sockets.map((s) => subscribe(s, '15m')));
    expect(hub.stats.snapshotBuilds - builds).toBe(1);
    expect(hub.stats.alertLoads).toBe(loads);
    for (const s of snaps) expect(s).toEqual(snaps[0]);
    expect(snaps[0].groups.partner.find((r) => r.key === 'pa1')!.metrics.views).toBe(100);
    for (const s of sockets) s.disconnect();
  });

  it('an alert raised or acknowledged on this node is in the next snapshot without a query', async () => {
    const { hub } = t.server;
    const loads = hub.stats.alertLoads;
    const alert: Alert = {
      id: 'al-hub-1',
      campaign_id: 'c1',
      partner_id: 'pa2',
      kind: 'click_spike',
      severity: 'info',
      message: 'Clicks jumped.',
      ts: NOW,
      acknowledged: false,
    };
    hub.pushAlerts([alert]);
    expect((await subscribe(t.connect(admin), '15m')).alerts).toEqual([alert]);
    hub.pushAlerts([{ ...alert, acknowledged: true }]);
    expect((await subscribe(t.connect(admin), '1h')).alerts).toEqual([{ ...alert, acknowledged: true }]);
    // A manager's view sees only their partners' alerts (pa2 is am-a's, not am-b's).
    const mgrB = (await createToken(store.client, { role: 'manager', manager_id: 'am-b' })).token;
    expect((await subscribe(t.connect(mgrB), '15m')).alerts).toEqual([]);
    expect(hub.stats.alertLoads).toBe(loads);
  });

  it("a slide with no new data sends only aggregate rows' fee shares (partner rows' follow from fee terms); new data sends only the counts it moved", async () => {
    const s = t.connect(admin);
    const snap = await subscribe(s, 'ctd');
    const deltas: Delta[] = [];
    s.on('delta', (d) => deltas.push(d));
    // Campaign-to-date grows by one bucket: every fixed fee's share moves, no count does.
    clock.advance(10_000);
    await t.server.tickOnce();
    await waitForLength(deltas, 1);
    const slide = deltas[0];
    expect(slide.groups).toEqual({});
    expect(slide.window_end).toBe(snap.window_end + 10_000);
    // Partner rows: nothing (their fee shares follow from the fee terms the snapshot carried and the window's end).
    // Aggregate rows: one field, fee_minor (cost, ROAS and CPA are derived from it by the receiver).
    expect(Object.keys(slide.patches!).sort()).toEqual(['campaign', 'platform', 'tier', 'type']);
    expect(new Set(Object.values(slide.patches!).flatMap((p) => Object.keys(p!.metrics ?? {})))).toEqual(
      new Set(['fee_minor']),
    );
    expect(slide.fee_terms).toBeUndefined();
    expect(JSON.stringify(slide).length * 4).toBeLessThan(JSON.stringify(snap.groups).length);
    // What a receiver derives equals what the server now holds: a newcomer's snapshot, row for row.
    const derived = Object.fromEntries(
      GROUPS.map((g) => [g, slide.patches?.[g] ? patchRows(snap.groups[g], slide.patches[g]) : snap.groups[g]]),
    );
    derived.partner = withPartnerFees(derived.partner, snap.fee_terms, 'ctd', slide.window_end);
    expect(derived.partner.some((r, i) => r.metrics.fee_minor !== snap.groups.partner[i].metrics.fee_minor)).toBe(true);
    expect(derived).toEqual((await subscribe(t.connect(admin), 'ctd')).groups);

    // One event for pa1 on instagram: its partner, type, tier, platform and campaign rows, as patches of the counts it
    // moved.
    await insertBatch(store.client, [
      {
        campaign_id: 'c1',
        partner_id: 'pa1',
        platform: 'instagram',
        type: 'engagement',
        ts: clock.now() - 1000,
        views: 7,
        likes: 1,
      },
    ]);
    await t.server.tickOnce();
    await waitForLength(deltas, 2);
    const d = deltas[1];
    expect(d.groups).toEqual({});
    const held = (g: GroupName, key: string) => snap.groups[g].find((r) => r.key === key)!.metrics;
    const moved = (g: GroupName, key: string) => ({
      views: { [key]: held(g, key).views + 7 },
      likes: { [key]: held(g, key).likes + 1 },
    });
    expect(JSON.parse(JSON.stringify(d.patches))).toEqual({
      campaign: { metrics: moved('campaign', 'all') },
      partner: { metrics: moved('partner', 'pa1') },
      type: { metrics: moved('type', 'influencer') },
      tier: { metrics: moved('tier', 'nano') },
      platform: { metrics: moved('platform', 'instagram') },
    });
  });

  it('a deal whose fee changes sends its new fee term, and receivers derive the partner row from it', async () => {
    const s = t.connect(admin);
    const snap = await subscribe(s, '24h');
    const deltas: Delta[] = [];
    s.on('delta', (d) => deltas.push(d));
    const deal = testWorld().deals.find((d) => d.id === 'c1--pa1')!;
    await upsertDeals(store.client, [{ ...deal, fixed_fee: (deal.fixed_fee as number) * 2 }] as never);
    await t.dims.reload();
    await t.server.tickOnce();
    await waitForLength(deltas, 1);
    const d = deltas[0];
    expect(Object.keys(d.fee_terms!)).toEqual(['pa1']);
    expect(d.fee_terms!.pa1[0]).toBe(snap.fee_terms.pa1[0] * 2);
    // The partner row's fee share is not on the wire (its committed fee is); receivers derive it from the new term.
    expect(Object.keys(d.patches!.partner!.metrics!)).toEqual(['fee_committed_minor']);
    const partner = withPartnerFees(
      patchRows(snap.groups.partner, d.patches!.partner!),
      { ...snap.fee_terms, ...d.fee_terms },
      '24h',
      d.window_end,
    );
    const fresh = (await subscribe(t.connect(admin), '24h')).groups.partner;
    expect(partner.find((r) => r.key === 'pa1')!.metrics.fee_minor).not.toBe(
      snap.groups.partner.find((r) => r.key === 'pa1')!.metrics.fee_minor,
    );
    expect(partner).toEqual(fresh);
  });
});

async function waitForLength(list: unknown[], n: number): Promise<void> {
  const until = Date.now() + 5_000;
  while (list.length < n) {
    if (Date.now() > until) throw new Error(`waited for ${n} deltas, got ${list.length}`);
    await new Promise((r) => setTimeout(r, 10));
  }
}

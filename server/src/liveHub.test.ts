// Fan-out cost: sockets joining a view in one tick share one snapshot build and make no alert query; a window sliding
// over fixed fees sends only the fields that moved, and new data sends only the rows it touched.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Alert, Delta, Snapshot } from '@pulseroom/schema';
import { createToken, type Store } from '@pulseroom/schema/server';
import { openTestStore } from '@pulseroom/schema/testing';
import { insertBatch } from './testing/events.js';
import { once, seedWorld, startTestServer, testClock, type TestServer, type TestSocket } from './testing/harness.js';
import { NOW, testWorld } from './testing/world.js';

const clock = testClock(NOW);
let store: Store;
let t: TestServer;
let admin: string;

beforeAll(async () => {
  store = await openTestStore();
  await seedWorld(store, testWorld());
  await insertBatch(store.client, [
    { campaign_id: 'c1', partner_id: 'pa1', platform: 'instagram', type: 'engagement', ts: NOW - 60_000, views: 100, likes: 5 },
    { campaign_id: 'c1', partner_id: 'pb2', platform: 'youtube', type: 'engagement', ts: NOW - 3_600_000, views: 300, likes: 9 },
  ]);
  t = await startTestServer(store, { clock: clock.now });
  admin = (await createToken(store.client, { role: 'admin' })).token;
});
afterAll(async () => {
  await t?.close();
  await store?.close();
});

async function subscribe(s: TestSocket, window: string): Promise<Snapshot> {
  const snap = once<Snapshot>(s, 'snapshot');
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
    const alert: Alert = { id: 'al-hub-1', campaign_id: 'c1', partner_id: 'pa2', kind: 'click_spike', severity: 'info', message: 'Clicks jumped.', ts: NOW, acknowledged: false };
    hub.pushAlerts([alert]);
    expect((await subscribe(t.connect(admin), '15m')).alerts).toEqual([alert]);
    hub.pushAlerts([{ ...alert, acknowledged: true }]);
    expect((await subscribe(t.connect(admin), '1h')).alerts).toEqual([{ ...alert, acknowledged: true }]);
    // A manager's view sees only their partners' alerts (pa2 is am-a's, not am-b's).
    const mgrB = (await createToken(store.client, { role: 'manager', manager_id: 'am-b' })).token;
    expect((await subscribe(t.connect(mgrB), '15m')).alerts).toEqual([]);
    expect(hub.stats.alertLoads).toBe(loads);
  });

  it('a slide with no new data sends only the fee fields that moved; new data sends only the rows it touched', async () => {
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
    expect(slide.patches!.partner!.map((p) => p.key).sort()).toEqual(snap.groups.partner.map((r) => r.key).sort());
    const fields = new Set(Object.values(slide.patches!).flatMap((ps) => ps!.flatMap((p) => Object.keys(p.metrics ?? {}))));
    expect([...fields].every((f) => ['fee_minor', 'cost_minor', 'roas', 'cpa_minor'].includes(f))).toBe(true);
    expect(JSON.stringify(slide).length * 4).toBeLessThan(JSON.stringify(snap.groups).length);

    // One event for pa1 on instagram: its partner, type, tier, platform and campaign rows, complete; nothing else in full.
    await insertBatch(store.client, [{ campaign_id: 'c1', partner_id: 'pa1', platform: 'instagram', type: 'engagement', ts: clock.now() - 1000, views: 7, likes: 1 }]);
    await t.server.tickOnce();
    await waitForLength(deltas, 2);
    const d = deltas[1];
    expect(Object.fromEntries(Object.entries(d.groups).map(([g, rows]) => [g, rows!.map((r) => r.key)]))).toEqual({ campaign: ['all'], partner: ['pa1'], type: ['influencer'], tier: ['nano'], platform: ['instagram'] });
    expect(d.groups.partner![0].metrics.views).toBe(snap.groups.partner.find((r) => r.key === 'pa1')!.metrics.views + 7);
    expect(d.patches).toBeUndefined();
  });
});

async function waitForLength(list: unknown[], n: number): Promise<void> {
  const until = Date.now() + 5_000;
  while (list.length < n) {
    if (Date.now() > until) throw new Error(`waited for ${n} deltas, got ${list.length}`);
    await new Promise((r) => setTimeout(r, 10));
  }
}

// FRESHNESS PER SOURCE: from the sources table and the events each sent, GET /api/campaigns/:id/sources names the
// sources that may send for the campaign, when each last did, and which are late for their cadence.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { SourceFreshness } from '@pulseroom/schema';
import { createSource, createToken, type Store } from '@pulseroom/schema/server';
import { openTestStore } from '@pulseroom/schema/testing';
import { onceSnapshot, seedWorld, startTestServer, testClock, waitFor, type TestServer } from './testing/harness.js';
import { NOW, testWorld } from './testing/world.js';

let store: Store;
let t: TestServer;
let viewer = '';
let other = '';
let admin = '';

beforeAll(async () => {
  store = await openTestStore();
  await seedWorld(store, testWorld());
  t = await startTestServer(store, {
    clock: testClock(NOW).now,
    config: { SOURCE_EXPECTED_EVERY_S: 300, SOURCE_CHECK_MS: 100 },
  });
  viewer = (await createToken(store.client, { role: 'viewer', campaign_ids: ['c1'] })).token;
  other = (await createToken(store.client, { role: 'viewer', campaign_ids: ['c2'] })).token;
  admin = (await createToken(store.client, { role: 'admin' })).token;
}, 90_000);
afterAll(async () => {
  await t?.close();
  await store?.close();
});

const get = async (path: string, token: string) => {
  const res = await fetch(`${t.url}${path}`, { headers: { authorization: `Bearer ${token}` } });
  return { status: res.status, body: JSON.parse(await res.text()) };
};
const sentAt = (sourceId: string, at: number, n: number) => {
  const ids = { event_id: `fresh-${sourceId}-${n}`, source_id: sourceId, batch_id: `b-${sourceId}` };
  const values = [{ ...ids, type: 'engagement', ts: at, received_at: at, campaign_id: 'c1' }];
  return store.client.insert({ table: 'events', format: 'JSONEachRow', values });
};

describe('sources of a campaign', () => {
  it('says which source is late for its cadence, by name, from the events it sent', async () => {
    const ig = await createSource(store.client, { name: 'Instagram connector', campaign_ids: ['c1'] });
    const shop = await createSource(store.client, { name: 'Shop webhooks', campaign_ids: [] });
    const hourly = { name: 'Newsletter export', campaign_ids: ['c1'], expected_every_s: 3_600 };
    const slow = await createSource(store.client, hourly);
    const elsewhere = await createSource(store.client, { name: 'Other campaign feed', campaign_ids: ['c2'] });
    const now = Date.now();
    await sentAt(ig.id, now - 6 * 60_000, 1); // quiet for 6 min: past the default 5
    await sentAt(shop.id, now - 20_000, 1);
    await sentAt(slow.id, now - 30 * 60_000, 1); // 30 min, within its own hour

    const r = await get('/api/campaigns/c1/sources', viewer);
    expect(r.status).toBe(200);
    const byName = new Map((r.body as SourceFreshness[]).map((s) => [s.name, s]));
    expect([...byName.keys()].sort()).toEqual(['Instagram connector', 'Newsletter export', 'Shop webhooks']);
    const quiet = { source_id: ig.id, late: true, expected_every_ms: 300_000, last_event_at: now - 6 * 60_000 };
    expect(byName.get('Instagram connector')).toMatchObject(quiet);
    expect(byName.get('Shop webhooks')).toMatchObject({ late: false, last_event_at: now - 20_000 });
    expect(byName.get('Newsletter export')).toMatchObject({ late: false, expected_every_ms: 3_600_000 });
    expect(JSON.stringify(r.body)).not.toContain(elsewhere.id);
    expect(JSON.stringify(r.body)).not.toContain('key');
  });

  it("takes a source's own cadence through the admin API, and names a bad one", async () => {
    const post = (body: unknown) =>
      fetch(`${t.url}/api/admin/sources`, {
        method: 'POST',
        headers: { authorization: `Bearer ${admin}`, 'content-type': 'application/json' },
        body: JSON.stringify(body),
      }).then(async (r) => ({ status: r.status, body: JSON.parse(await r.text()) }));
    const bad = await post({ name: 'Too eager', expected_every_s: 1 });
    expect(bad.status).toBe(400);
    expect(bad.body.error.fields).toEqual([{ path: 'expected_every_s', message: 'expected at least 10 seconds' }]);
    const made = await post({ name: 'Daily CSV', campaign_ids: ['c1'], expected_every_s: 86_400 });
    expect(made.status).toBe(201);
    const listed = (await get('/api/campaigns/c1/sources', viewer)).body as SourceFreshness[];
    const daily = listed.find((s) => s.source_id === made.body.id);
    expect(daily).toMatchObject({ expected_every_ms: 86_400_000, late: false });
  });

  it("answers a campaign outside the token's scope as unknown, with the JSON envelope", async () => {
    const r = await get('/api/campaigns/c1/sources', other);
    expect(r.status).toBe(404);
    expect(r.body.error.code).toBeTruthy();
  });
});

describe('sources on the live stream', () => {
  it('come with the snapshot, and are pushed when one turns late and again when it recovers', async () => {
    const feed = await createSource(store.client, { name: 'Stage feed', campaign_ids: ['c1'], expected_every_s: 10 });
    await sentAt(feed.id, Date.now() - 8_000, 1); // on time for two more seconds
    const s = t.connect(viewer);
    const snap = onceSnapshot(s);
    const pushed: SourceFreshness[][] = [];
    s.on('sources', (p) => p.campaign_id === 'c1' && pushed.push(p.sources));
    s.emit('subscribe', { campaign_id: 'c1', window: '5m' });
    const first = (await snap).sources.find((x) => x.source_id === feed.id);
    expect(first).toMatchObject({ name: 'Stage feed', late: false, expected_every_ms: 10_000 });
    const stateOf = (list: SourceFreshness[] | undefined) => list?.find((x) => x.source_id === feed.id)?.late;
    await waitFor(() => stateOf(pushed.at(-1)) === true, 6_000, 'a push saying the feed is late');
    const pushesWhileLate = pushed.length;
    await new Promise((r) => setTimeout(r, 400));
    // Nothing changed: no push every check.
    expect(pushed.length).toBe(pushesWhileLate);
    await sentAt(feed.id, Date.now(), 2);
    await waitFor(() => stateOf(pushed.at(-1)) === false, 6_000, 'a push saying the feed recovered');
    // The REST route says the same.
    const listed = (await get('/api/campaigns/c1/sources', viewer)).body as SourceFreshness[];
    expect(stateOf(listed)).toBe(false);
    // A socket of another campaign heard nothing of it.
    const o = t.connect(other);
    const heard: unknown[] = [];
    o.on('sources', (p) => heard.push(p));
    const otherSnap = onceSnapshot(o);
    o.emit('subscribe', { campaign_id: 'c2', window: '5m' });
    expect((await otherSnap).sources.some((x) => x.source_id === feed.id)).toBe(false);
    await new Promise((r) => setTimeout(r, 300));
    expect(JSON.stringify(heard)).not.toContain(feed.id);
  }, 20_000);
});

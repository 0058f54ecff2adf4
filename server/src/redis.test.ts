// Two server nodes sharing Socket.IO through the Redis adapter: each pushes its own deltas (no duplicates, no gaps),
// alerts are raised once and reach sockets on every node, and a revocation on one node drops sockets on the other.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Alert, Delta } from '@pulseroom/schema';
import { createToken, type Store } from '@pulseroom/schema/server';
import { openTestStore } from '@pulseroom/schema/testing';
import { insertBatch } from './testing/events.js';
import {
  once,
  onceSnapshot,
  seedWorld,
  startTestServer,
  testClock,
  waitFor,
  type TestServer,
} from './testing/harness.js';
import { NOW, testWorld } from './testing/world.js';
import { alertsOfCampaign } from './queries/alerts.js';
import { hasRedis, startRedis, type TestRedis } from './testing/redis.js';

const clock = testClock(NOW);
let redis: TestRedis | null = null;
let store: Store;
let a: TestServer;
let b: TestServer;

beforeAll(async () => {
  if (!hasRedis) return;
  redis = await startRedis();
  store = await openTestStore();
  await seedWorld(store, testWorld());
  const config = { REDIS_URL: redis.url };
  a = await startTestServer(store, { clock: clock.now, config: { ...config, PULSEROOM_NODE_ID: 'redis-test-a' } });
  b = await startTestServer(store, { clock: clock.now, config: { ...config, PULSEROOM_NODE_ID: 'redis-test-b' } });
});
afterAll(async () => {
  await a?.close();
  await b?.close();
  await store?.close();
  await redis?.stop();
});

describe.skipIf(!hasRedis)('two nodes with the Redis adapter', () => {
  it('deltas once per node, alerts once everywhere, revocation everywhere', async () => {
    const admin = await createToken(store.client, { role: 'admin' });
    const onB = b.connect(admin.token);
    const onA = a.connect(admin.token);
    const seqs: number[] = [];
    const alertsB: Alert[] = [];
    const alertsA: Alert[] = [];
    onB.on('delta', (d: Delta) => seqs.push(d.seq));
    onB.on('alert', (x) => alertsB.push(x));
    onA.on('alert', (x) => alertsA.push(x));
    const snapB = onceSnapshot(onB);
    onB.emit('subscribe', { campaign_id: 'c1', window: 'ctd' });
    const first = await snapB;
    const snapA = onceSnapshot(onA);
    onA.emit('subscribe', { campaign_id: 'c1', window: 'ctd' });
    await snapA;

    for (let i = 0; i < 3; i++) {
      await insertBatch(store.client, [
        {
          campaign_id: 'c1',
          partner_id: 'pa1',
          platform: 'instagram',
          type: 'engagement',
          ts: clock.now() - 1000,
          views: 100,
        },
        {
          campaign_id: 'c1',
          partner_id: 'pa1',
          platform: 'instagram',
          type: 'post',
          ts: clock.now() - 1000,
          content_id: 'reel-9',
          url: 'https://instagram.com/p/reel-9',
          disclosure: 'missing',
        },
      ]);
      clock.advance(1_000);
      await Promise.all([a.server.tickOnce(), b.server.tickOnce()]);
      await new Promise((res) => setTimeout(res, 300));
    }
    await waitFor(() => alertsA.length >= 1 && alertsB.length >= 1, 5_000, 'the alert on both nodes');
    await new Promise((res) => setTimeout(res, 300));
    expect(seqs).toEqual(seqs.map((_, i) => first.seq + i + 1)); // node B's own deltas only: no duplicates from node A
    expect(alertsA.length).toBe(1);
    expect(alertsB.length).toBe(1);
    expect((await alertsOfCampaign(store.client, 'c1', null)).length).toBe(1);

    const viewer = await createToken(store.client, { role: 'viewer', campaign_ids: ['c1'] });
    const v = b.connect(viewer.token);
    await once(v, 'connect');
    const gone = once(v, 'disconnect');
    const res = await fetch(`${a.url}/api/admin/tokens/${viewer.id}`, {
      method: 'DELETE',
      headers: { authorization: `Bearer ${admin.token}` },
    });
    expect(res.status).toBe(200);
    const t0 = Date.now();
    await gone;
    expect(Date.now() - t0).toBeLessThan(1000);
  });
});

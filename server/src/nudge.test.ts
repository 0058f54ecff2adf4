// The one-process product ticks when ingest's flusher has put a batch into ClickHouse, not a tick period later.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createToken, type Store } from '@pulseroom/schema/server';
import { openTestStore } from '@pulseroom/schema/testing';
import { FIELD_INDEX } from './engine/rollingWindows.js';
import { insertBatch } from './testing/events.js';
import { followPlatformViews, seedWorld, startTestServer, waitFor, type TestServer } from './testing/harness.js';
import { testWorld } from './testing/world.js';

let store: Store;
let t: TestServer;
let admin: string;
const PERIOD_MS = 10_000; // the longest the config allows: without a nudge nothing moves for 10 s after the start-up tick

beforeAll(async () => {
  store = await openTestStore();
  await seedWorld(store, testWorld());
  t = await startTestServer(store, { autoTick: true, config: { PULSEROOM_TICK_MS: PERIOD_MS } });
  admin = (await createToken(store.client, { role: 'admin' })).token;
});
afterAll(async () => {
  await t?.close();
  await store?.close();
});

describe('nudge', () => {
  it('a nudge after an insert ticks at once; one arriving mid-tick ticks again right after', async () => {
    const views = await followPlatformViews(t, admin, 'c1', 'twitch');
    await insertBatch(store.client, [{ campaign_id: 'c1', partner_id: 'pa1', platform: 'twitch', type: 'engagement', ts: Date.now(), views: 700 }]);
    t.server.nudge();
    await waitFor(() => views() === 700, PERIOD_MS / 2, 'the nudged delta');

    // Mid-tick: start a tick by hand, insert and nudge while it runs; the nudge must not be lost.
    const running = t.server.tickOnce();
    await insertBatch(store.client, [{ campaign_id: 'c1', partner_id: 'pa1', platform: 'twitch', type: 'engagement', ts: Date.now(), views: 300 }]);
    t.server.nudge();
    await running;
    await waitFor(() => views() === 1000, PERIOD_MS / 2, 'the delta of the nudge that came mid-tick');
  });

  it("resolves once the tick it started has read ClickHouse (ingest's flusher waits for that before its next insert)", async () => {
    await insertBatch(store.client, [{ campaign_id: 'c1', partner_id: 'pa2', platform: 'twitch', type: 'engagement', ts: Date.now(), views: 50 }]);
    await t.server.nudge();
    // No periodic tick for 10 s: only the nudged tick can have applied the batch by now.
    const e = t.server.engine;
    expect(e.rangeTotals(e.campaign('c1').key('pa2', 'twitch'), e.bucket - 60_000, e.bucket)[FIELD_INDEX.views]).toBe(50);
  });
});

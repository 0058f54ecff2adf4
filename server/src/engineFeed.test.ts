// A launch batch carries hundreds of comments: the tick reads only the newest the engine keeps, and keeps the right ones.
import pino from 'pino';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Store } from '@pulseroom/schema/server';
import { openTestStore } from '@pulseroom/schema/testing';
import { AggregationEngine } from './engine/rollingWindows.js';
import { insertBatch } from './testing/events.js';
import { seedWorld, testClock } from './testing/harness.js';
import { NOW, testWorld } from './testing/world.js';

const KEEP = 20;
const clock = testClock(NOW);
let store: Store;

beforeAll(async () => {
  store = await openTestStore();
  await seedWorld(store, testWorld());
});
afterAll(async () => {
  await store?.close();
});

describe('feed read per tick', () => {
  it('returns at most the kept number per campaign and kind, the newest, oldest first; the engine holds the newest', async () => {
    const engine = new AggregationEngine({ client: store.client, clock: clock.now, logger: pino({ level: 'silent' }), overlapMs: 5_000, feedKeep: KEEP });
    await engine.init();
    const comments = Array.from({ length: 150 }, (_, i) => ({ campaign_id: 'c1', partner_id: 'pa1', platform: 'instagram', type: 'comment' as const, ts: NOW - 600_000 + i * 1000, text: `comment ${i}`, label: 'pos' as const, sentiment: 0.5, event_id: `cm${i}` }));
    const posts = Array.from({ length: 3 }, (_, i) => ({ campaign_id: 'c1', partner_id: 'pa1', platform: 'instagram', type: 'post' as const, ts: NOW - 300_000 + i, url: `https://instagram.com/p/${i}`, caption: 'ad', disclosure: 'clear' as const, event_id: `po${i}` }));
    await insertBatch(store.client, comments.slice(0, 90));
    await insertBatch(store.client, [...comments.slice(90), ...posts]);
    const t = await engine.tick();
    const got = t.feed.filter((f) => f.kind === 'comment').map((f) => f.item.event_id);
    expect(got).toEqual(comments.slice(-KEEP).map((c) => c.event_id)); // the newest 20, oldest first
    expect(t.feed.filter((f) => f.kind === 'post')).toHaveLength(3);
    expect(engine.campaign('c1').comments.map((c) => c.event_id)).toEqual(comments.slice(-KEEP).map((c) => c.event_id).reverse());
    // Nothing is left pending: the next tick reads no feed again.
    const next = await engine.tick();
    expect(next.feed).toEqual([]);
  });
});

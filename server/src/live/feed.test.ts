// A launch batch carries hundreds of comments: a batch applied from the store has only the newest the feed keeps read,
// and the right ones kept; a streamed batch's items come with it.
import pino from 'pino';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Store } from '@pulseroom/schema/server';
import { openTestStore } from '@pulseroom/schema/testing';
import { liveBatchOf, blankStoredEvent } from '@pulseroom/schema';
import { AggregationEngine } from '../engine/rollingWindows.js';
import { insertBatch } from '../testing/events.js';
import { seedWorld, testClock } from '../testing/harness.js';
import { NOW, testWorld } from '../testing/world.js';
import { LiveFeed } from './feed.js';

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

const logger = pino({ level: 'silent' });

describe('live feed', () => {
  it('reads at most the kept number per campaign and kind of a stored batch, the newest, oldest first, and holds the newest', async () => {
    const engine = new AggregationEngine({ client: store.client, clock: clock.now, logger, overlapMs: 5_000 });
    const feed = new LiveFeed({ client: store.client, logger, keep: KEEP });
    await engine.init();
    const comments = Array.from({ length: 150 }, (_, i) => ({
      campaign_id: 'c1',
      partner_id: 'pa1',
      platform: 'instagram',
      type: 'comment' as const,
      ts: NOW - 600_000 + i * 1000,
      text: `comment ${i}`,
      label: 'pos' as const,
      sentiment: 0.5,
      event_id: `cm${i}`,
    }));
    const posts = Array.from({ length: 3 }, (_, i) => ({
      campaign_id: 'c1',
      partner_id: 'pa1',
      platform: 'instagram',
      type: 'post' as const,
      ts: NOW - 300_000 + i,
      url: `https://instagram.com/p/${i}`,
      caption: 'ad',
      disclosure: 'clear' as const,
      event_id: `po${i}`,
    }));
    await insertBatch(store.client, comments.slice(0, 90));
    await insertBatch(store.client, [...comments.slice(90), ...posts]);
    await feed.fromStore((await engine.reconcile()).storeBatches);
    const items = feed.take();
    const got = items.filter((f) => f.kind === 'comment').map((f) => f.item.event_id);
    expect(got).toEqual(comments.slice(-KEEP).map((c) => c.event_id)); // the newest 20, oldest first
    expect(items.filter((f) => f.kind === 'post')).toHaveLength(3);
    expect(feed.of('c1').comments.map((c) => c.event_id)).toEqual(
      comments
        .slice(-KEEP)
        .map((c) => c.event_id)
        .reverse(),
    );
    // Nothing is left pending: the next read finds no feed again.
    await feed.fromStore((await engine.reconcile()).storeBatches);
    expect(feed.take()).toEqual([]);
  });

  it("keeps a streamed batch's newest items and puts a late one where its time belongs", async () => {
    const feed = new LiveFeed({ client: store.client, logger, keep: 3 });
    const comment = (id: string, ts: number) => ({
      ...blankStoredEvent(),
      type: 'comment' as const,
      event_id: id,
      campaign_id: 'c9',
      partner_id: 'pa1',
      platform: 'tiktok',
      ts,
      text: id,
      label: 'pos' as const,
      sentiment: 0.5,
    });
    feed.add(
      liveBatchOf('r-1', [comment('a', 1_000), comment('b', 3_000), comment('c', 2_000), comment('d', 4_000)], NOW)
        .feed,
    );
    expect(feed.of('c9').comments.map((c) => c.event_id)).toEqual(['d', 'b', 'c']);
    feed.add(
      liveBatchOf(
        'r-2',
        [{ ...comment('late', 2_500), label: 'neg', sentiment: -0.6, sentiment_terms: ['overpriced', '🙄'] }],
        NOW,
      ).feed,
    );
    expect(feed.of('c9').comments.map((c) => c.event_id)).toEqual(['d', 'b', 'late']);
    // Why it got its label travels with the stream as it does through the store.
    expect(feed.of('c9').comments[2]).toMatchObject({ label: 'neg', terms: ['overpriced', '🙄'] });
    expect(feed.take().map((f) => f.item.event_id)).toEqual(['a', 'c', 'b', 'd', 'late']);
  });
});

// Alerts: each rule fires once with a message saying why, is stored and pushed, respects its cooldown (also across a
// restart), and can be acknowledged.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Alert, StoredEvent } from '@pulseroom/schema';
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

const MIN = 60_000;
const clock = testClock(NOW);
let store: Store;
let t: TestServer;

const ev = (p: Partial<StoredEvent>): Partial<StoredEvent> => ({ campaign_id: 'c1', platform: 'instagram', ...p });
const spread = (n: number, from: number, to: number, make: (ts: number, i: number) => Partial<StoredEvent>) =>
  Array.from({ length: n }, (_, i) => make(Math.round(from + ((to - from) * (i + 0.5)) / n), i));

beforeAll(async () => {
  store = await openTestStore();
  await seedWorld(store, testWorld());
  const now = NOW;
  await insertBatch(store.client, [
    // pa1: positive an hour ago, negative now → sentiment swing
    ...spread(40, now - 70 * MIN, now - 20 * MIN, (ts) =>
      ev({ partner_id: 'pa1', type: 'comment', ts, label: 'pos', sentiment: 0.8, text: 'love it' }),
    ),
    ...spread(40, now - 14 * MIN, now - 1000, (ts) =>
      ev({ partner_id: 'pa1', type: 'comment', ts, label: 'neg', sentiment: -0.7, text: 'broke my skin' }),
    ),
    // pa2: ~100 interactions per 15 min for 1 h 45 min, then 1,000 → engagement spike
    ...spread(21, now - 119 * MIN, now - 16 * MIN, (ts) =>
      ev({ partner_id: 'pa2', platform: 'blog', type: 'engagement', ts, views: 1000, likes: 33 }),
    ),
    ...spread(10, now - 14 * MIN, now - 1000, (ts) =>
      ev({ partner_id: 'pa2', platform: 'blog', type: 'engagement', ts, views: 5000, likes: 100 }),
    ),
    // pa3: ~10 unique clicks per 15 min, then 60 → click spike
    ...spread(70, now - 119 * MIN, now - 16 * MIN, (ts) =>
      ev({ partner_id: 'pa3', platform: 'youtube', type: 'click', ts, is_unique: 1 }),
    ),
    ...spread(60, now - 14 * MIN, now - 1000, (ts) =>
      ev({ partner_id: 'pa3', platform: 'youtube', type: 'click', ts, is_unique: 1 }),
    ),
    // unattributed conversions now, none before
    ...spread(6, now - 10 * MIN, now - 1000, (ts, i) =>
      ev({
        partner_id: '',
        platform: '',
        type: 'conversion',
        ts,
        status: 'approved',
        attributed: 0,
        converted: 1,
        amount_minor: 1000,
        order_id: `u${i}`,
      }),
    ),
    // one big order reaches the campaign's revenue goal (1,000,000 EUR)
    ev({
      partner_id: 'pa4',
      platform: 'tiktok',
      type: 'conversion',
      ts: now - 5000,
      status: 'approved',
      attributed: 1,
      converted: 1,
      amount_minor: 100_000_000,
      commission_minor: 0,
      order_id: 'big',
    }),
  ]);
  t = await startTestServer(store, {
    clock: clock.now,
    config: {
      ALERT_SENTIMENT_MIN_COMMENTS: 20,
      ALERT_MIN_BASELINE_INTERACTIONS: 50,
      ALERT_MIN_BASELINE_CLICKS: 10,
      ALERT_MIN_SPIKE_CLICKS: 30,
    },
  });
});
afterAll(async () => {
  await t?.close();
  await store?.close();
});

describe('alerts', () => {
  it('fire once each with a message saying why, are pushed in scope and can be acknowledged', async () => {
    const admin = await createToken(store.client, { role: 'admin' });
    const mgrB = await createToken(store.client, { role: 'manager', manager_id: 'am-b' });
    const s = t.connect(admin.token);
    const b = t.connect(mgrB.token);
    const pushed: Alert[] = [];
    const pushedB: Alert[] = [];
    s.on('alert', (a) => pushed.push(a));
    b.on('alert', (a) => pushedB.push(a));
    const snap = onceSnapshot(s);
    s.emit('subscribe', { campaign_id: 'c1', window: '15m' });
    await snap;
    const snapB = onceSnapshot(b);
    b.emit('subscribe', { campaign_id: 'c1', window: '15m' });
    await snapB;

    // A post without disclosure arrives live.
    await insertBatch(store.client, [
      ev({
        partner_id: 'pa1',
        type: 'post',
        ts: NOW - 500,
        content_id: 'reel-1',
        url: 'https://instagram.com/p/reel-1',
        caption: 'my new favourite serum',
        disclosure: 'missing',
      }),
    ]);
    await t.server.tickOnce();
    await waitFor(() => pushed.length >= 7, 5_000, 'seven alerts');
    const byKind = Object.fromEntries(pushed.map((a) => [`${a.kind}:${a.partner_id}`, a.message]));
    expect(Object.keys(byKind).sort()).toEqual(
      [
        'click_spike:pa3',
        'disclosure_missing:pa1',
        'engagement_spike:pa2',
        'goal_reached:',
        'sentiment_swing:',
        'sentiment_swing:pa1',
        'unattributed_rising:',
      ].sort(),
    );
    expect(byKind['sentiment_swing:pa1']).toBe(
      'Net sentiment for @pa1 fell from +100 to −100 in the last 15 min (40 comments, vs 40 in the hour before).',
    );
    expect(byKind['engagement_spike:pa2']).toMatch(
      /^@pa2's engagement is \d+\.\d× their usual: 1,000 interactions in the last 15 min vs about \d+ per 15 min before\.$/,
    );
    expect(byKind['click_spike:pa3']).toMatch(
      /^Clicks on @pa3's links jumped to 60 unique clicks in the last 15 min, \d+\.\d× their usual \d+ per 15 min\.$/,
    );
    expect(byKind['goal_reached:']).toMatch(
      /^Revenue goal reached: €1,000,\d{3} of the €1,000,000 goal, campaign to date\.$/,
    );
    expect(byKind['unattributed_rising:']).toMatch(/^6 conversions in the last 15 min could not be attributed/);
    expect(byKind['disclosure_missing:pa1']).toContain('https://instagram.com/p/reel-1');
    expect(pushedB).toEqual([]); // none of these are am-b's partners, and campaign-wide alerts carry campaign totals

    // No duplicates while the cooldown runs, nor after a restart.
    clock.advance(30_000);
    await t.server.tickOnce();
    await t.close();
    t = await startTestServer(store, { clock: clock.now });
    clock.advance(30_000);
    await t.server.tickOnce();
    const stored = await alertsOfCampaign(store.client, 'c1', null);
    expect(stored.length).toBe(7);

    // Acknowledge over the socket: the update is pushed and stored.
    const s2 = t.connect(admin.token);
    const snap2 = onceSnapshot(s2);
    s2.emit('subscribe', { campaign_id: 'c1', window: '5m' });
    expect((await snap2).alerts.length).toBe(7);
    const update = once<Alert>(s2, 'alert');
    const target = stored.find((a) => a.kind === 'disclosure_missing')!;
    const ack = await new Promise((res) => s2.emit('ack_alert', { alert_id: target.id }, res));
    expect(ack).toEqual({ ok: true });
    expect(await update).toMatchObject({ id: target.id, acknowledged: true });
    expect((await alertsOfCampaign(store.client, 'c1', null)).find((a) => a.id === target.id)?.acknowledged).toBe(true);
  });
});

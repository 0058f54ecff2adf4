import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import fc from 'fast-check';
import { openTestStore } from '@pulseroom/schema/testing';
import type { Store } from '@pulseroom/schema/server';
import {
  CAMPAIGN,
  OTHER_CAMPAIGN,
  postJson,
  query,
  runIngest,
  seedLaunch,
  seedSource,
  testIngestConfig,
  type RunningIngest,
} from './testing.js';

const KEY = 'prk_events_test_key_aaaaaaaaaaaaaaaa';
const SCOPED = 'prk_events_test_scoped_bbbbbbbbbbbbb';
let store: Store;
let run: RunningIngest;

beforeAll(async () => {
  store = await openTestStore();
  await seedLaunch(store);
  await seedSource(store, 'src-a', KEY);
  await seedSource(store, 'src-scoped', SCOPED, [CAMPAIGN]);
  run = await runIngest(store, testIngestConfig({ INGEST_RATE_LIMIT_PER_MIN: '0' }));
});
afterAll(async () => {
  await run?.close();
  await store?.close();
});

const TS = '2026-11-24T10:00:00Z';
const engagement = (id: string, extra: Record<string, unknown> = {}) => ({
  event_id: id,
  type: 'engagement',
  ts: TS,
  campaign_id: CAMPAIGN,
  partner_id: 'ana',
  content_id: 'reel-1',
  views: 100,
  likes: 5,
  ...extra,
});
const events = (url: string) => `${url}/v1/events`;

async function waitFor<T>(read: () => Promise<T>, done: (v: T) => boolean, ms = 8000): Promise<T> {
  const until = Date.now() + ms;
  for (;;) {
    const v = await read();
    if (done(v) || Date.now() > until) return v;
    await new Promise((r) => setTimeout(r, 50));
  }
}

const copies = (source: string) =>
  query<{ event_id: string; n: number }>(
    store,
    'SELECT event_id, count() AS n FROM events WHERE source_id = {s:String} GROUP BY event_id ORDER BY event_id',
    { s: source },
  );

describe('POST /v1/events', () => {
  it('answers a mixed batch per event, and ClickHouse holds exactly the valid ones once', async () => {
    const batch = [
      engagement('mix-1'),
      {
        event_id: 'mix-2',
        type: 'conversion',
        ts: TS,
        campaign_id: CAMPAIGN,
        order_id: 'o-mix',
        amount: -5,
        currency: 'EUR',
      },
      {
        event_id: 'mix-3',
        type: 'comment',
        ts: TS,
        campaign_id: CAMPAIGN,
        partner_id: 'ana',
        content_id: 'reel-1',
        text: 'obsessed 😍🔥',
        author: 'someone@example.com',
      },
      engagement('mix-1', { views: 999 }),
      engagement('mix-5', { campaign_id: 'no-such-campaign' }),
      { event_id: 'mix-6', type: 'tweet', ts: TS, campaign_id: CAMPAIGN },
      {
        event_id: 'mix-7',
        type: 'click',
        ts: TS,
        campaign_id: CAMPAIGN,
        link_code: 'ana-spring',
        visitor: 'cookie-1',
        user_agent: 'Mozilla/5.0 (iPhone; CPU iPhone OS 17_0 like Mac OS X) Mobile/15E148',
      },
      {
        event_id: 'mix-8',
        type: 'post',
        ts: TS,
        campaign_id: CAMPAIGN,
        partner_id: 'ben',
        content_id: 'tt-9',
        url: 'https://tiktok.com/@ben/video/9',
        caption: '#ad My new favourite serum',
        branded_content: false,
      },
      engagement('mix-9', { partner_id: 'nobody' }),
    ];
    const r = await postJson(events(run.url), { events: batch }, KEY);
    expect(r.status).toBe(200);
    expect(r.body.accepted).toBe(4);
    expect(r.body.duplicates).toBe(1);
    expect(r.body.rejected).toEqual([
      { index: 1, path: 'events[1].amount', message: 'expected a number ≥ 0' },
      { index: 4, path: 'events[4].campaign_id', message: 'unknown campaign "no-such-campaign"' },
      { index: 5, path: 'events[5].type', message: expect.stringContaining('expected "type" to be one of') },
      { index: 8, path: 'events[8].partner_id', message: 'unknown partner "nobody"' },
    ]);
    const stored = await waitFor(
      () => copies('src-a'),
      (rows) => rows.length >= 4,
    );
    expect(stored).toEqual([
      { event_id: 'mix-1', n: 1 },
      { event_id: 'mix-3', n: 1 },
      { event_id: 'mix-7', n: 1 },
      { event_id: 'mix-8', n: 1 },
    ]);
    const [e1] = await query<{ views: number; batch_id: string }>(
      store,
      "SELECT views, batch_id FROM events WHERE event_id = 'mix-1'",
    );
    expect(e1.views).toBe(100); // the first copy wins
    expect(e1.batch_id).not.toBe('');
    const [c] = await query<Record<string, unknown>>(
      store,
      "SELECT label, lang, author_hash, sentiment, sentiment_terms FROM events WHERE event_id = 'mix-3'",
    );
    expect(c.label).toBe('pos');
    expect(c.sentiment_terms).toEqual(expect.arrayContaining(['obsessed'])); // the "why" shown in the comment stream
    expect(c.author_hash).toMatch(/^[A-Za-z0-9_-]{22}$/);
    expect(JSON.stringify(await query(store, 'SELECT * FROM events'))).not.toContain('someone@example.com');
    const [k] = await query<Record<string, unknown>>(
      store,
      "SELECT partner_id, platform, device, bot, is_unique, utm_source, visitor_hash FROM events WHERE event_id = 'mix-7'",
    );
    expect(k).toMatchObject({
      partner_id: 'ana',
      platform: 'instagram',
      device: 'mobile',
      bot: 0,
      is_unique: 1,
      utm_source: 'instagram',
    });
    expect(k.visitor_hash).not.toContain('cookie');
    const [p] = await query<Record<string, unknown>>(
      store,
      "SELECT disclosure, platform FROM events WHERE event_id = 'mix-8'",
    );
    expect(p.disclosure).toBe('clear');

    // The whole batch re-sent: nothing new.
    const again = await postJson(events(run.url), { events: batch }, KEY);
    expect(again.body).toMatchObject({ accepted: 0, duplicates: 5 });
    expect(again.body.rejected).toHaveLength(4);
  });

  it('counts every event once when each is delivered three times, in different batches and orders', async () => {
    const all = Array.from({ length: 60 }, (_, i) =>
      engagement(`re-${String(i).padStart(2, '0')}`, { views: 10, likes: 1, content_id: 'redelivery' }),
    );
    const shuffle = <T>(xs: T[], seed: number) =>
      xs
        .map((x, i) => [((i + 1) * 7919 * seed) % 1009, x] as const)
        .sort((a, b) => a[0] - b[0])
        .map(([, x]) => x);
    const chunks = <T>(xs: T[], n: number) =>
      Array.from({ length: Math.ceil(xs.length / n) }, (_, i) => xs.slice(i * n, i * n + n));
    let accepted = 0;
    let duplicates = 0;
    for (const [seed, size] of [
      [1, 60],
      [3, 7],
      [5, 13],
    ] as const) {
      // Batches of one delivery round go in parallel, as retrying clients do.
      const answers = await Promise.all(
        chunks(shuffle(all, seed), size).map((b) => postJson(events(run.url), { events: b }, KEY)),
      );
      for (const a of answers) {
        expect(a.status).toBe(200);
        accepted += a.body.accepted;
        duplicates += a.body.duplicates;
      }
    }
    expect({ accepted, duplicates }).toEqual({ accepted: 60, duplicates: 120 });
    const rows = await waitFor(
      () =>
        query<{ n: number; views: number }>(
          store,
          "SELECT count() AS n, sum(views) AS views FROM events WHERE content_id = 'redelivery'",
        ),
      (r) => r[0].n >= 60,
    );
    expect(rows[0]).toEqual({ n: 60, views: 600 });
    const [agg] = await waitFor(
      () =>
        query<{ views: number }>(
          store,
          "SELECT sum(views) AS views FROM agg_10s WHERE campaign_id = {c:String} AND partner_id = 'ana'",
          { c: CAMPAIGN },
        ),
      (r) => r[0].views >= 700,
    );
    expect(agg.views).toBe(700); // 600 here + mix-1's 100
  });

  it('flags bots and applies the IAB 30-minute unique rule', async () => {
    const click = (id: string, ts: string, extra: Record<string, unknown> = {}) => ({
      event_id: id,
      type: 'click',
      ts,
      campaign_id: CAMPAIGN,
      link_code: 'ben-spring',
      visitor: 'v-42',
      ...extra,
    });
    const r = await postJson(
      events(run.url),
      {
        events: [
          click('u-1', '2026-11-24T12:00:00Z'),
          click('u-2', '2026-11-24T12:10:00Z'),
          click('u-3', '2026-11-24T12:39:59Z'),
          click('u-4', '2026-11-24T13:10:00Z'),
          click('u-5', '2026-11-24T12:00:30Z', {
            user_agent: 'Mozilla/5.0 (compatible; Googlebot/2.1; +http://www.google.com/bot.html)',
            visitor: 'v-bot',
          }),
          click('u-6', '2026-11-24T12:00:30Z', {
            visitor: 'v-43',
            user_agent: 'Mozilla/5.0 (iPad; CPU OS 17_0 like Mac OS X) Mobile/15E148',
          }),
        ],
      },
      KEY,
    );
    expect(r.body.accepted).toBe(6);
    const rows = await waitFor(
      () =>
        query<{ event_id: string; is_unique: number; bot: number; device: string }>(
          store,
          "SELECT event_id, is_unique, bot, device FROM events WHERE event_id LIKE 'u-%' ORDER BY event_id",
        ),
      (x) => x.length >= 6,
    );
    expect(rows.map((x) => [x.event_id, x.is_unique, x.bot, x.device])).toEqual([
      ['u-1', 1, 0, 'other'],
      ['u-2', 0, 0, 'other'],
      ['u-3', 0, 0, 'other'], // 29:59 after the previous click: still the same visit
      ['u-4', 1, 0, 'other'], // 30:01 after the previous click
      ['u-5', 0, 1, 'bot'],
      ['u-6', 1, 0, 'tablet'],
    ]);
  });
});

describe('bad requests get 4xx with a message naming the field, never 500', () => {
  it('malformed JSON, missing or unknown key, wrong scope, bad envelope, too large', async () => {
    const url = events(run.url);
    const bad = await postJson(url, '{"events": [', KEY);
    expect(bad.status).toBe(400);
    expect(bad.body.error.code).toBe('MALFORMED_JSON');
    expect((await postJson(url, { events: [engagement('k-1')] })).status).toBe(401);
    const wrongKey = await postJson(url, { events: [engagement('k-1')] }, 'prk_nope');
    expect(wrongKey.status).toBe(401);
    expect(wrongKey.body.error.message).toContain('unknown or revoked source key');
    const scoped = await postJson(
      url,
      { events: [engagement('k-2'), engagement('k-3', { campaign_id: OTHER_CAMPAIGN })] },
      SCOPED,
    );
    expect(scoped.status).toBe(403);
    expect(scoped.body.error.message).toBe(`this key may not send events for campaign "${OTHER_CAMPAIGN}"`);
    expect((await postJson(url, { events: [engagement('k-2')] }, SCOPED)).body.accepted).toBe(1);
    const notArray = await postJson(url, { events: 'x' }, KEY);
    expect(notArray.status).toBe(400);
    expect(notArray.body.error.message).toBe('events: expected "events" to be an array');
    expect((await postJson(url, { events: [] }, KEY)).status).toBe(400);
    expect((await postJson(url, [1, 2], KEY)).status).toBe(400);
    const many = await postJson(url, { events: Array.from({ length: 1001 }, (_, i) => engagement(`big-${i}`)) }, KEY);
    expect(many.status).toBe(413);
    expect(many.body.error.message).toContain('at most 1000 events');
    const huge = await postJson(url, { events: [engagement('huge', { content_id: 'x'.repeat(1_100_000) })] }, KEY);
    expect(huge.status).toBe(413);
  });

  it('arbitrary JSON bodies and events never give a 500', async () => {
    await fc.assert(
      fc.asyncProperty(
        fc.oneof(
          fc.json(),
          fc.array(fc.anything(), { maxLength: 5 }).map((events) => JSON.stringify({ events })),
        ),
        async (body) => {
          const r = await postJson(events(run.url), body, KEY);
          expect([200, 400, 413]).toContain(r.status);
        },
      ),
      { numRuns: 60 },
    );
  });

  it('any text in valid events is stored, never a 500', async () => {
    let i = 0;
    const anyText = fc.string({ unit: 'binary', maxLength: 300 });
    await fc.assert(
      fc.asyncProperty(anyText, anyText, anyText, fc.boolean(), async (a, b, c, branded) => {
        const id = `fz-${i++}`;
        const batch = [
          {
            event_id: `${id}-c`,
            type: 'comment',
            ts: TS,
            campaign_id: CAMPAIGN,
            content_id: 'fz',
            text: a || 'x',
            author: b,
          },
          {
            event_id: `${id}-p`,
            type: 'post',
            ts: TS,
            campaign_id: CAMPAIGN,
            content_id: 'fz',
            url: 'https://example.com/p',
            caption: c,
            branded_content: branded,
          },
          {
            event_id: `${id}-k`,
            type: 'click',
            ts: TS,
            campaign_id: CAMPAIGN,
            link_code: 'ana-spring',
            user_agent: b,
            referrer: c,
            visitor: a,
          },
        ];
        const r = await postJson(events(run.url), { events: batch }, KEY);
        expect(r.status).toBe(r.body.accepted > 0 ? 200 : 400); // nothing taken: 400, still answered per event
        expect(r.body.accepted + new Set(r.body.rejected.map((x: { index: number }) => x.index)).size).toBe(3);
        for (const x of r.body.rejected) expect(x.message).not.toContain('ingest error');
      }),
      { numRuns: 25 },
    );
  });

  it('limits requests per key (429) and answers 503 with Retry-After when the spool is full', async () => {
    const limited = await runIngest(
      store,
      testIngestConfig({
        INGEST_RATE_LIMIT_PER_MIN: '2',
        INGEST_SPOOL_MAX_BYTES: '1024',
        INGEST_FLUSH_MS: '600000',
        INGEST_FLUSH_ROWS: '100000',
      }),
    );
    try {
      const url = events(limited.url);
      const a = await postJson(url, { events: [engagement('lim-1'), engagement('lim-2')] }, KEY);
      expect(a.status).toBe(200);
      const full = await postJson(
        url,
        { events: Array.from({ length: 10 }, (_, i) => engagement(`lim-full-${i}`)) },
        KEY,
      );
      expect(full.status).toBe(503);
      expect(full.headers.get('retry-after')).toBe('30');
      const third = await postJson(url, { events: [engagement('lim-3')] }, KEY);
      expect(third.status).toBe(429);
      expect(third.body.error.code).toBe('RATE_LIMITED');
      const other = await postJson(url, { events: [engagement('lim-4')] }, SCOPED);
      expect(other.status).toBe(200); // another key has its own budget
    } finally {
      await limited.close();
    }
    const stored = await query<{ n: number }>(store, "SELECT count() AS n FROM events WHERE event_id LIKE 'lim-%'");
    expect(stored[0].n).toBe(3); // lim-1, lim-2, lim-4: flushed at stop
  });

  it('serves metrics from its own registry', async () => {
    const text = await run.ingest.registry.metrics();
    expect(text).toMatch(/pulseroom_ingest_events_accepted_total\{type="engagement"\} \d+/);
    expect(text).toMatch(/pulseroom_ingest_events_duplicate_total\{type="engagement",reason="event_id"\} \d+/);
    expect(text).toContain('pulseroom_ingest_flush_seconds_bucket');
    expect(text).toContain('pulseroom_ingest_spool_bytes');
    const ready = await run.ingest.ready();
    expect(ready.ok).toBe(true);
    expect(ready.checks.store).toBe('ok');
  });

  it('after a restart on an emptied spool, new batches are stored (batch tokens are never reused)', async () => {
    const config = run.config;
    await run.close();
    run = await runIngest(store, config);
    const r = await postJson(
      events(run.url),
      { events: [engagement('after-restart-1', { content_id: 'after-restart' })] },
      KEY,
    );
    expect(r.body.accepted).toBe(1);
    const rows = await waitFor(
      () => query<{ n: number }>(store, "SELECT count() AS n FROM events WHERE content_id = 'after-restart'"),
      (x) => x[0].n >= 1,
    );
    expect(rows[0].n).toBe(1);
    expect((await postJson(events(run.url), { events: [engagement('mix-1')] }, KEY)).body).toMatchObject({
      accepted: 0,
      duplicates: 1,
    }); // remembered across the restart
  });
});

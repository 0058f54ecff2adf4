// The HTTP layer against a small express stub of the public API: batches, 429/503 backoff, 302 parsing
// and postbacks with the click id from the redirect.
import { once } from 'node:events';
import type { AddressInfo } from 'node:net';
import type { Server } from 'node:http';
import express from 'express';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { incomingEvent } from '@pulseroom/schema';
import { demoLaunch } from './demoLaunch.js';
import { clickIdFrom, IngestClient, retryAfterMs } from './http.js';
import { byteChunks, runSimulation } from './simulate.js';

interface StubState {
  batches: number;
  eventIds: Set<string>;
  invalid: number;
  types: Record<string, number>;
  maxTs: number;
  /** Newest `ts` of a click sent as an event (not through /r/:code). */
  maxClickTs: number;
  hits: Array<{ code: string; ua: string; referrer?: string; clickId: string; at: number }>;
  postbacks: Array<Record<string, string>>;
  /** Answers to give before the real one: 429 then 503 on the first batches. */
  throttle: number[];
  knownCodes: Set<string>;
}

const state: StubState = {
  batches: 0,
  eventIds: new Set(),
  invalid: 0,
  types: {},
  maxTs: 0,
  maxClickTs: 0,
  hits: [],
  postbacks: [],
  throttle: [],
  knownCodes: new Set(),
};
let server: Server;
let baseUrl = '';
const KEY = 'prk_test';

beforeAll(async () => {
  const app = express();
  app.use(express.json({ limit: '2mb' }));
  app.post('/v1/events', (req, res) => {
    if (req.headers.authorization !== `Bearer ${KEY}`) return res.status(401).json({ error: 'unknown key' });
    const next = state.throttle.shift();
    if (next === 429) return res.status(429).set('Retry-After', '0').json({ error: 'slow down' });
    if (next === 503) return res.status(503).set('Retry-After', '0').json({ error: 'spool full' });
    const events = req.body.events as unknown[];
    if (!Array.isArray(events) || events.length > 1000) return res.status(400).json({ error: 'bad batch' });
    state.batches++;
    let accepted = 0;
    let duplicates = 0;
    const rejected: Array<{ index: number; path: string; message: string }> = [];
    events.forEach((e, index) => {
      const r = incomingEvent.safeParse(e);
      if (!r.success) {
        state.invalid++;
        rejected.push({ index, path: String(r.error.issues[0].path.join('.')), message: r.error.issues[0].message });
        return;
      }
      state.maxTs = Math.max(state.maxTs, r.data.ts);
      if (r.data.type === 'click') state.maxClickTs = Math.max(state.maxClickTs, r.data.ts);
      if (state.eventIds.has(r.data.event_id)) return duplicates++;
      state.eventIds.add(r.data.event_id);
      state.types[r.data.type] = (state.types[r.data.type] ?? 0) + 1;
      accepted++;
    });
    res.json({ accepted, duplicates, rejected });
  });
  app.get('/r/:code', (req, res) => {
    if (!state.knownCodes.has(req.params.code)) return res.status(404).send('unknown link');
    const clickId = `ck_${state.hits.length}`;
    state.hits.push({
      code: req.params.code,
      ua: String(req.headers['user-agent']),
      referrer: req.headers.referer,
      clickId,
      at: Date.now(),
    });
    res.redirect(302, `https://www.sonora-audio.com/halo-buds-pro?utm_source=x&click_id=${clickId}`);
  });
  app.get('/v1/postback', (req, res) => {
    if (req.query.key !== KEY) return res.status(401).json({ error: 'unknown key' });
    state.postbacks.push(req.query as Record<string, string>);
    res.json({ accepted: 1, duplicates: 0, rejected: [] });
  });
  server = app.listen(0, '127.0.0.1');
  await once(server, 'listening');
  baseUrl = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
});

afterAll(() => {
  server?.close();
});

describe('http client', () => {
  it('reads the click id from a Location header', () => {
    expect(clickIdFrom('https://shop.example/p?utm_source=ig&click_id=ck_abc')).toBe('ck_abc');
    expect(clickIdFrom('/landing?click_id=ck_rel')).toBe('ck_rel');
    expect(clickIdFrom('https://shop.example/p')).toBeNull();
    expect(clickIdFrom(null)).toBeNull();
  });

  it('splits a batch to stay under the body limit', () => {
    const events = Array.from({ length: 10 }, (_, i) => ({ i, pad: 'x'.repeat(100) }));
    const chunks = byteChunks(events, 350);
    expect(chunks.flat()).toEqual(events);
    for (const c of chunks) expect(Buffer.byteLength(JSON.stringify(c))).toBeLessThan(400);
  });

  it('reads Retry-After in seconds or as a date', () => {
    expect(retryAfterMs('3')).toBe(3000);
    expect(retryAfterMs(new Date(Date.now() + 2000).toUTCString(), Date.now())).toBeGreaterThan(0);
    expect(retryAfterMs(null)).toBeNull();
  });

  it('backs off on 429 and honours 503 Retry-After, then delivers the batch', async () => {
    state.throttle.push(429, 503);
    const client = new IngestClient({ baseUrl, sourceKey: KEY, backoffMs: 10 });
    const answer = await client.postEvents([
      {
        event_id: 'http-1',
        type: 'comment',
        ts: Date.now() - 1000,
        campaign_id: 'halo-launch',
        content_id: 'x1',
        text: 'love it 😍',
      },
    ]);
    expect(answer).toEqual({ accepted: 1, duplicates: 0, rejected: [] });
    expect(client.retries).toMatchObject({ rateLimited: 1, unavailable: 1 });
  });

  it('does not follow the redirect of a tracking link and sends the UA and referrer', async () => {
    state.knownCodes.add('demo-code');
    const client = new IngestClient({ baseUrl, sourceKey: KEY });
    const r = await client.hitLink(
      'demo-code',
      'Mozilla/5.0 (iPhone; CPU iPhone OS 18_1 like Mac OS X)',
      'https://l.instagram.com/',
    );
    expect(r.status).toBe(302);
    expect(r.clickId).toMatch(/^ck_\d+$/);
    const hit = state.hits.at(-1)!;
    expect(hit.ua).toContain('iPhone');
    expect(hit.referrer).toBe('https://l.instagram.com/');
  });
});

describe('runSimulation against a stub', () => {
  it('plays minutes of launch: valid batches, real link clicks, postbacks with the redirect click id, nothing in the future', async () => {
    const now = Date.now();
    const launch = demoLaunch({ now, seed: 7 });
    for (const d of launch.deals ?? []) for (const l of d.links ?? []) state.knownCodes.add(l.code);
    const t0 = Date.now();
    const stats = await runSimulation({
      baseUrl,
      sourceKey: KEY,
      launch,
      speed: 6000,
      rate: 100_000,
      seed: 7,
      minutes: 5,
      linkHits: 'always',
      postbackMinDelayMs: 0,
      concurrency: 16,
      flushMs: 50,
    });
    const elapsed = Date.now() - t0;
    expect(elapsed).toBeLessThan(25_000);
    expect(state.invalid).toBe(0);
    expect(stats.totals.rejected).toBe(0);
    expect(stats.errors).toEqual([]);
    expect(stats.minutes_played).toBe(5);
    expect(state.maxTs).toBeLessThanOrEqual(Date.now());
    for (const t of ['post', 'engagement', 'comment']) expect(state.types[t]).toBeGreaterThan(0);
    expect(stats.link_hits.redirected).toBeGreaterThan(100);
    expect(stats.link_hits.redirected).toBe(state.hits.length - 1); // minus the client test's hit
    expect(new Set(state.hits.map((h) => h.ua)).size).toBeGreaterThan(stats.link_hits.redirected * 0.5);
    expect(state.hits.some((h) => /bot|curl|python-requests|externalhit/i.test(h.ua))).toBe(true);
    // Every postback carries a click id that came from a 302 (or is a refund by order id).
    const clickIds = new Set(state.hits.map((h) => h.clickId));
    const conversions = state.postbacks.filter((p) => p.status !== 'refunded');
    expect(conversions.length).toBeGreaterThan(0);
    for (const p of conversions) {
      expect(clickIds.has(p.click_id)).toBe(true);
      expect(Number(p.amount)).toBeGreaterThan(0);
      expect(Number(p.ts)).toBeLessThanOrEqual(Date.now());
    }
    expect(stats.postbacks.ok).toBe(stats.postbacks.sent);
    // Promo-code orders went through /v1/events.
    expect(state.types.conversion ?? 0).toBeGreaterThan(0);
    expect(stats.by_type.post.accepted).toBe(state.types.post);
  }, 60_000);

  it('re-sends the same event ids for the same seed (ingest deduplicates them)', async () => {
    const run = () =>
      runSimulation({
        baseUrl,
        sourceKey: KEY,
        launch: demoLaunch({ now: Date.now(), seed: 11 }),
        speed: 1200,
        rate: 100_000,
        seed: 11,
        minutes: 6,
        linkHits: 'never',
        flushMs: 50,
      });
    const first = await run();
    expect(first.totals.accepted).toBe(first.totals.sent);
    const second = await run();
    expect(second.totals.sent).toBe(first.totals.sent);
    expect(second.totals.duplicates).toBe(second.totals.sent);
    expect(second.totals.accepted).toBe(0);
  }, 30_000);

  it('played forever: catches up a launch that began minutes ago, then goes live with real link clicks, and stops on abort', async () => {
    const now = Date.now();
    const launch = demoLaunch({ now, seed: 5 });
    for (const d of launch.deals ?? []) for (const l of d.links ?? []) state.knownCodes.add(l.code);
    const hitsBefore = state.hits.length;
    const clicksBefore = state.types.click ?? 0;
    const controller = new AbortController();
    setTimeout(() => controller.abort(), 2500);
    const startAt = now - 4 * 60_000;
    const stats = await runSimulation({
      baseUrl,
      sourceKey: KEY,
      launch,
      speed: 1,
      rate: 100_000,
      seed: 5,
      startAt,
      signal: controller.signal,
      catchUpSpeed: 600,
      liveWindowMs: 60_000,
      flushMs: 50,
    });
    expect(stats.minutes_played).toBe(5); // minutes 0–4 caught up, minute 4 live
    expect((state.types.click ?? 0) - clicksBefore).toBeGreaterThan(0); // the past as click events
    expect(state.hits.length - hitsBefore).toBeGreaterThan(0); // the present through /r/:code
    expect(state.maxTs).toBeLessThanOrEqual(Date.now());
    expect(stats.last_ts!).toBeGreaterThan(Date.now() - 10_000);
  }, 30_000);

  it('catching up, only visits of the last seconds go through /r/:code: the minutes before keep their clicks at their own time', async () => {
    const now = Date.now();
    const launch = demoLaunch({ now, seed: 6 });
    for (const d of launch.deals ?? []) for (const l of d.links ?? []) state.knownCodes.add(l.code);
    state.maxClickTs = 0;
    const controller = new AbortController();
    setTimeout(() => controller.abort(), 2500);
    await runSimulation({
      baseUrl,
      sourceKey: KEY,
      launch,
      speed: 1,
      rate: 100_000,
      seed: 6,
      startAt: now - 4 * 60_000,
      signal: controller.signal,
      catchUpSpeed: 600,
      flushMs: 50,
    });
    // A GET is stamped on arrival: had the last minutes gone through /r/ at the catch-up moment, their clicks would
    // leave a hole before it and pile into one bucket. As events they keep their times, up to seconds before now.
    expect(state.maxClickTs).toBeGreaterThan(now - 15_000);
  }, 30_000);

  it('stops with a clear error on a wrong key', async () => {
    const launch = demoLaunch({ now: Date.now(), seed: 3 });
    const stats = await runSimulation({
      baseUrl,
      sourceKey: 'prk_wrong',
      launch,
      speed: 1200,
      rate: 100_000,
      seed: 3,
      minutes: 3,
      linkHits: 'never',
      flushMs: 20,
    });
    expect(stats.errors.join('\n')).toMatch(/401/);
    expect(stats.totals.accepted).toBe(0);
  }, 30_000);
});

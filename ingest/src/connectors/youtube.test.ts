import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { nextQuotaReset } from '@pulseroom/schema';
import { connectorWorld, fixturePost, type ConnectorWorld } from './testing.js';

const KEY = 'AIzaFixtureKey0001';
const MIN = 60_000;

describe('YouTube connector against the fixture API', () => {
  let w: ConnectorWorld;
  let source: string;
  const sums = async (content: string) =>
    (
      await w.rows<Record<string, number | string>>(
        `SELECT sum(views) AS views, sum(likes) AS likes, sum(comments) AS comments, count() AS n,
         countIf(correction = 1) AS corrections
       FROM events WHERE type = 'engagement' AND content_id = {c:String}`,
        { c: content },
      )
    ).map((r) => Object.fromEntries(Object.entries(r).map(([k, v]) => [k, Number(v)])));

  beforeAll(async () => {
    w = await connectorWorld();
    w.fixtures.credentials.youtube.add(KEY);
    source = await w.connector('youtube', KEY);
  });
  afterAll(async () => w?.close());

  it('stores the change of the counters, the post with its disclosure, and the comments with sentiment', async () => {
    w.fixtures.posts.youtube.set(
      'dQw4w9WgXcQ',
      fixturePost('dQw4w9WgXcQ', {
        title: 'My spring haul',
        caption: 'Everything I bought this week',
        paid: true,
        views: 1000,
        likes: 50,
        comments: [
          { id: 'Ugw1', text: 'I love this, amazing haul!', author: '@fan', ts: w.clock.now - 5 * MIN },
          { id: 'Ugw2', text: 'This is terrible and overpriced', author: '@critic', ts: w.clock.now - 2 * MIN },
        ],
      }),
    );
    w.fixtures.posts.youtube.set('abcdefghijk', fixturePost('abcdefghijk', { title: 'Unboxing', views: 10 }));
    await w.register(source, 'https://www.youtube.com/watch?v=dQw4w9WgXcQ&t=42s');
    await w.register(source, 'https://youtu.be/abcdefghijk');
    await w.runner.tick();
    await w.flushed();

    expect(await sums('yt-dQw4w9WgXcQ')).toEqual([{ views: 1000, likes: 50, comments: 2, n: 1, corrections: 0 }]);
    const posts = await w.rows<{ content_id: string; disclosure: string; branded_content: number; caption: string }>(
      `SELECT content_id, disclosure, branded_content, caption FROM events WHERE type = 'post' ORDER BY content_id`,
    );
    // the paid product placement flag counts as a clear disclosure; an unlabelled video has none
    expect(posts).toEqual([
      { content_id: 'yt-abcdefghijk', disclosure: 'missing', branded_content: 0, caption: 'Unboxing' },
      {
        content_id: 'yt-dQw4w9WgXcQ',
        disclosure: 'clear',
        branded_content: 1,
        caption: 'My spring haul\n\nEverything I bought this week',
      },
    ]);
    const comments = await w.rows<{ event_id: string; label: string; author_hash: string; source_id: string }>(
      `SELECT event_id, label, author_hash, source_id FROM events WHERE type = 'comment' ORDER BY event_id`,
    );
    expect(comments.map((c) => [c.event_id, c.label, c.source_id])).toEqual([
      ['yt-dQw4w9WgXcQ-c-Ugw1', 'pos', source],
      ['yt-dQw4w9WgXcQ-c-Ugw2', 'neg', source],
    ]);
    expect(comments[0].author_hash).not.toBe('@fan'); // the author is kept only as a keyed hash
    // one videos.list for both ids, one commentThreads page for the video whose comment count rose
    const log = await w.rows<{ endpoint: string; units: number; outcome: string; events: number }>(
      `SELECT endpoint, units, outcome, events FROM connector_polls ORDER BY endpoint DESC`,
    );
    expect(log.map((r) => [r.endpoint, r.units, r.outcome])).toEqual([
      ['videos.list', 1, 'ok'],
      ['commentThreads.list', 1, 'ok'],
    ]);
    expect(log.reduce((n, r) => n + Number(r.events), 0)).toBe(6); // 2 posts, 2 comments, 2 changes
  });

  it('polls a fresh post again after a minute, sending only the change, and nothing when nothing changed', async () => {
    const v = w.fixtures.posts.youtube.get('dQw4w9WgXcQ')!;
    await w.runner.tick(); // not due yet: no call
    const calls = w.fixtures.calls.length;
    w.clock.now += MIN + 1;
    v.views = 1500;
    v.likes = 70;
    await w.runner.tick();
    expect(w.fixtures.calls.length).toBe(calls + 1); // comment count unchanged: no commentThreads call
    w.clock.now += MIN + 1;
    await w.runner.tick(); // the same counters again
    await w.flushed();
    expect(await sums('yt-dQw4w9WgXcQ')).toEqual([{ views: 1500, likes: 70, comments: 2, n: 2, corrections: 0 }]);
  });

  it('stores a counter that went down as a correction with an honest negative change', async () => {
    const v = w.fixtures.posts.youtube.get('dQw4w9WgXcQ')!;
    v.likes = 65; // YouTube removed 5 spam likes
    v.views = 1600;
    w.clock.now += MIN + 1;
    await w.runner.tick();
    await w.flushed();
    const [last] = await w.rows<{ views: string; likes: string; correction: number; event_id: string }>(
      `SELECT views, likes, correction, event_id FROM events WHERE content_id = 'yt-dQw4w9WgXcQ'
       AND type = 'engagement' ORDER BY event_id DESC LIMIT 1`,
    );
    expect(last).toEqual({ views: 100, likes: -5, correction: 1, event_id: 'yt-dQw4w9WgXcQ-e3' });
    expect((await sums('yt-dQw4w9WgXcQ'))[0]).toMatchObject({ views: 1600, likes: 65, corrections: 1 });
  });

  it('after a restart, takes the last counters from ClickHouse: nothing is counted twice', async () => {
    const v = w.fixtures.posts.youtube.get('dQw4w9WgXcQ')!;
    v.views = 1700;
    v.comments.push({ id: 'Ugw3', text: 'Great video', author: '@new', ts: w.clock.now });
    w.restart();
    w.clock.now += MIN + 1;
    await w.runner.tick();
    await w.flushed();
    expect((await sums('yt-dQw4w9WgXcQ'))[0]).toMatchObject({ views: 1700, likes: 65, comments: 3, n: 4 });
    const [c] = await w.rows<{ n: string }>(`SELECT count() AS n FROM events WHERE type = 'comment'`);
    expect(Number(c.n)).toBe(3);
  });

  it('pages through commentThreads.list until the comments it already has', async () => {
    const v = w.fixtures.posts.youtube.get('abcdefghijk')!;
    for (let i = 0; i < 230; i++)
      v.comments.push({ id: `Ugp${i}`, text: `comment number ${i}`, author: '@a', ts: w.clock.now + i });
    const before = w.fixtures.calls.filter((c) => c.endpoint === '/commentThreads').length;
    w.clock.now += MIN + 1;
    await w.runner.tick();
    await w.flushed();
    const pages = w.fixtures.calls.filter((c) => c.endpoint === '/commentThreads').length - before;
    expect(pages).toBe(3); // 100 + 100 + 30
    const [c] = await w.rows<{ n: string }>(
      `SELECT count() AS n FROM events WHERE type = 'comment' AND content_id = 'yt-abcdefghijk'`,
    );
    expect(Number(c.n)).toBe(230);
  });

  it('backs off with jitter on a 500, honours Retry-After on a 429, and resumes', async () => {
    const v = w.fixtures.posts.youtube.get('abcdefghijk')!;
    v.views = 20;
    w.fixtures.fail('youtube', 'server');
    w.clock.now += 15 * MIN;
    await w.runner.tick();
    const after500 = w.fixtures.calls.length;
    await w.runner.tick(); // blocked: the backoff (2 s × jitter) has not passed
    expect(w.fixtures.calls.length).toBe(after500);
    w.clock.now += 2_000;
    w.fixtures.fail('youtube', 'rate', 1, 120);
    await w.runner.tick();
    const after429 = w.fixtures.calls.length;
    expect(after429).toBe(after500 + 1);
    w.clock.now += 100_000; // less than Retry-After: 120
    await w.runner.tick();
    expect(w.fixtures.calls.length).toBe(after429);
    w.clock.now += 21_000;
    await w.runner.tick();
    await w.flushed();
    expect((await sums('yt-abcdefghijk'))[0].views).toBe(20);
    const outcomes = await w.rows<{ outcome: string; http_status: number; retry_after_ms: number }>(
      `SELECT outcome, http_status, retry_after_ms FROM connector_polls WHERE outcome != 'ok' ORDER BY at`,
    );
    expect(outcomes).toEqual([
      { outcome: 'unavailable', http_status: 500, retry_after_ms: 0 },
      { outcome: 'rate_limited', http_status: 429, retry_after_ms: 120_000 },
    ]);
  });

  it('stops for the quota day on quotaExceeded', async () => {
    w.fixtures.fail('youtube', 'quota');
    w.clock.now += 15 * MIN;
    await w.runner.tick();
    const calls = w.fixtures.calls.length;
    w.clock.now += 60 * MIN;
    await w.runner.tick();
    expect(w.fixtures.calls.length).toBe(calls); // nothing until midnight Pacific time
    // the plan's use, in /metrics: units spent today (every call that reached YouTube, the refused one too), the budget
    const plan = w.runner.plans().get(source)!;
    expect(plan).toMatchObject({ budget_units_per_day: 10_000, stretch: 1 });
    const quota = (await w.metrics.connectorQuota.get()).values.filter((v) => v.labels.source_id === source);
    const of = (kind: string) => quota.find((v) => v.labels.kind === kind)?.value;
    expect(of('budget')).toBe(10_000);
    expect(of('used')).toBe(plan.used_today);
    expect(of('used')).toBeGreaterThanOrEqual(8);
    const byOutcome = await w.metrics.connectorCalls.get();
    expect(byOutcome.values.find((v) => v.labels.outcome === 'quota')?.value).toBe(1);

    w.clock.now = nextQuotaReset(w.clock.now) + 1;
    await w.runner.tick();
    expect(w.fixtures.calls.length).toBeGreaterThan(calls);
  });

  it('marks a deleted video and stops polling it', async () => {
    w.fixtures.posts.youtube.delete('abcdefghijk');
    w.clock.now += 15 * MIN;
    await w.runner.tick();
    w.clock.now += 15 * MIN;
    await w.runner.tick();
    const ids = w.fixtures.calls.filter((c) => c.endpoint === '/videos').slice(-1);
    expect(ids).toHaveLength(1);
    const [post] = await w.rows<{ status: string; status_message: string }>(
      `SELECT status, status_message FROM connector_posts FINAL WHERE url_id = 'abcdefghijk'`,
    );
    expect(post.status).toBe('deleted');
    expect(post.status_message).toMatch(/no public video "abcdefghijk"/);
  });

  it('turns the connector to needs_reauth when the key is refused', async () => {
    w.fixtures.credentials.youtube.clear();
    w.clock.now += 15 * MIN;
    await w.runner.tick();
    const [c] = await w.rows<{ status: string; status_message: string }>(
      `SELECT status, status_message FROM connectors FINAL WHERE source_id = {s:String}`,
      { s: source },
    );
    expect(c.status).toBe('needs_reauth');
    expect(c.status_message).toMatch(/keyInvalid: API key not valid/);
    const calls = w.fixtures.calls.length;
    w.clock.now += 15 * MIN;
    await w.runner.tick();
    expect(w.fixtures.calls.length).toBe(calls); // no more calls with a refused key
  });
});

describe('a restart while the last change still waits in the spool', () => {
  let w: ConnectorWorld;
  afterAll(async () => w?.close());

  it('never counts a change twice: the re-sent change is a duplicate, and the counters are read again', async () => {
    // The spool holds accepted events for 3 s before ClickHouse has them: a restart inside that reads stale counters.
    w = await connectorWorld({ INGEST_FLUSH_MS: '3000' });
    w.fixtures.credentials.youtube.add(KEY);
    const source = await w.connector('youtube', KEY);
    const v = fixturePost('zyxwvutsrqp', { title: 'Live drop', views: 500, likes: 20 });
    w.fixtures.posts.youtube.set(v.id, v);
    await w.register(source, `https://youtu.be/${v.id}`);
    await w.runner.tick(); // change 1: 500 views, 20 likes (in the spool, not yet in ClickHouse)
    w.restart();
    v.views = 800;
    v.likes = 30;
    w.clock.now += MIN + 1;
    await w.runner.tick(); // reads no counters from ClickHouse: sends 800/30 as change 1 again → a duplicate
    await w.flushed();
    w.clock.now += MIN + 1;
    await w.runner.tick(); // the counters read again (500/20): change 2 is +300/+10
    await w.flushed();
    const rows = await w.rows<{ event_id: string; views: number; likes: number }>(
      `SELECT event_id, views, likes FROM events WHERE type = 'engagement' ORDER BY event_id`,
    );
    expect(rows.map((r) => [r.event_id, Number(r.views), Number(r.likes)])).toEqual([
      ['yt-zyxwvutsrqp-e1', 500, 20],
      ['yt-zyxwvutsrqp-e2', 300, 10],
    ]);
  });
});

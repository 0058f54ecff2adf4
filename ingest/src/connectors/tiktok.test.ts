import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { connectorWorld, fixturePost, type ConnectorWorld } from './testing.js';

const TOKEN = 'act.fixture-user-token';
const MIN = 60_000;
const id = (i: number) => `73012345678901${String(10000 + i)}`;

describe('TikTok connector against the fixture Display API', () => {
  let w: ConnectorWorld;
  let source: string;

  beforeAll(async () => {
    w = await connectorWorld();
    w.fixtures.credentials.tiktok.add(TOKEN);
    source = await w.connector('tiktok', TOKEN, { partner: 'ben' });
    for (let i = 0; i < 25; i++) {
      w.fixtures.posts.tiktok.set(
        id(i),
        fixturePost(id(i), {
          caption: i === 0 ? 'new routine, no label' : `#ad routine ${i}`,
          views: 1000 + i,
          likes: 100,
          shares: 3,
          comments: [{ id: `c${i}`, text: 'nice', author: 'a', ts: Date.now() }],
        }),
      );
      await w.register(source, `https://www.tiktok.com/@ben.creates/video/${id(i)}?lang=en`);
    }
  });
  afterAll(async () => w?.close());

  it('reads 25 videos in two video/query calls (20 ids each at most)', async () => {
    await w.runner.tick();
    await w.flushed();
    expect(w.fixtures.calls.filter((c) => c.platform === 'tiktok').length).toBe(2);
    const [t] = await w.rows<Record<string, string | number>>(
      `SELECT sum(views) AS views, sum(likes) AS likes, sum(comments) AS comments, sum(shares) AS shares,
         countIf(has_reach = 1) AS with_reach, uniqExact(content_id) AS posts
       FROM events WHERE type = 'engagement' AND platform = 'tiktok'`,
    );
    expect(Object.fromEntries(Object.entries(t).map(([k, v]) => [k, Number(v)]))).toEqual({
      views: 25 * 1000 + 300,
      likes: 2500,
      comments: 25,
      shares: 75,
      with_reach: 0, // TikTok reports no reach: none is claimed
      posts: 25,
    });
    const missing = await w.rows<{ content_id: string }>(
      `SELECT content_id FROM events WHERE type = 'post' AND disclosure = 'missing'`,
    );
    expect(missing).toEqual([{ content_id: `tt-${id(0)}` }]);
  });

  it('honours Retry-After on rate_limit_exceeded, then goes on', async () => {
    w.fixtures.posts.tiktok.get(id(3))!.likes = 130;
    w.fixtures.fail('tiktok', 'rate', 1, 30);
    w.clock.now += 2 * MIN;
    await w.runner.tick();
    const calls = w.fixtures.calls.length;
    w.clock.now += 20_000;
    await w.runner.tick();
    expect(w.fixtures.calls.length).toBe(calls);
    w.clock.now += 11_000;
    await w.runner.tick();
    await w.flushed();
    const [e] = await w.rows<{ likes: string }>(
      `SELECT likes FROM events WHERE content_id = 'tt-${id(3)}' AND type = 'engagement'
       ORDER BY event_id DESC LIMIT 1`,
    );
    expect(Number(e.likes)).toBe(30);
  });

  it('marks a video TikTok no longer returns, and needs_reauth on access_token_invalid', async () => {
    w.fixtures.posts.tiktok.delete(id(7));
    w.clock.now += 15 * MIN;
    await w.runner.tick();
    const [gone] = await w.rows<{ status: string }>(
      `SELECT status FROM connector_posts FINAL WHERE url_id = '${id(7)}'`,
    );
    expect(gone.status).toBe('deleted');
    w.fixtures.credentials.tiktok.clear();
    w.clock.now += 15 * MIN;
    await w.runner.tick();
    const [c] = await w.rows<{ status: string; status_message: string }>(
      `SELECT status, status_message FROM connectors FINAL WHERE source_id = {s:String}`,
      { s: source },
    );
    expect(c).toEqual({
      status: 'needs_reauth',
      status_message: expect.stringMatching(/401 access_token_invalid: The access token is invalid/),
    });
  });
});

import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { connectorWorld, fixturePost, type ConnectorWorld } from './testing.js';

const TOKEN = 'IGQWRfixture-long-lived-token';
const ACCOUNT = '17841400000000001';
const MEDIA = '17900000000000001';
const MIN = 60_000;

describe('Instagram connector against the fixture Graph API', () => {
  let w: ConnectorWorld;
  let source: string;
  const num = (rows: Record<string, unknown>[]) =>
    rows.map((r) => Object.fromEntries(Object.entries(r).map(([k, v]) => [k, typeof v === 'string' ? v : Number(v)])));

  beforeAll(async () => {
    w = await connectorWorld();
    w.fixtures.credentials.instagram.add(TOKEN);
    source = await w.connector('instagram', TOKEN, { partner: 'ana', account: ACCOUNT });
    // 150 older posts of the creator: the lookup of the shortcode pages through the media list
    for (let i = 0; i < 150; i++)
      w.fixtures.posts.instagram.set(
        `1790000000000${1000 + i}`,
        fixturePost(`1790000000000${1000 + i}`, {
          shortcode: `Old${1000 + i}xyz`,
          account: ACCOUNT,
          publishedAt: Date.now() - (i + 2) * 86_400_000,
        }),
      );
  });
  afterAll(async () => w?.close());

  it('finds the media id behind the reel URL, then stores insights, the caption and the comments', async () => {
    w.fixtures.posts.instagram.set(
      MEDIA,
      fixturePost(MEDIA, {
        shortcode: 'C1a2B3c4D5e',
        account: ACCOUNT,
        caption: '#ad Loving the new spring drop from @acme',
        publishedAt: Date.now() - 200 * 86_400_000, // older than the other 150: on the second page
        reach: 500,
        views: 900,
        likes: 40,
        saves: 5,
        shares: 2,
        comments: [
          { id: '18000000000000001', text: 'Obsessed with this look!', author: 'fan1', ts: Date.now() - 4 * MIN },
          { id: '18000000000000002', text: 'so disappointing, broke after a day', author: 'fan2', ts: Date.now() },
        ],
      }),
    );
    const post = await w.register(source, 'https://www.instagram.com/reel/C1a2B3c4D5e/?igsh=abc', 'ana');
    await w.runner.tick();
    await w.flushed();

    const [row] = await w.rows<{ media_id: string; published_at: string }>(
      `SELECT media_id, toString(published_at) AS published_at FROM connector_posts FINAL WHERE id = {id:String}`,
      { id: post.id },
    );
    expect(row.media_id).toBe(MEDIA);
    const pages = w.fixtures.calls.filter((c) => c.endpoint === `/${ACCOUNT}/media`).length;
    expect(pages).toBe(2);
    expect(
      num(
        await w.rows(
          `SELECT sum(reach) AS reach, sum(views) AS views, sum(likes) AS likes, sum(comments) AS comments,
           sum(saves) AS saves, sum(shares) AS shares FROM events WHERE type = 'engagement'
           AND content_id = 'ig-${MEDIA}' AND partner_id = 'ana' AND platform = 'instagram'`,
        ),
      ),
    ).toEqual([{ reach: 500, views: 900, likes: 40, comments: 2, saves: 5, shares: 2 }]);
    const [p] = await w.rows<{ disclosure: string; caption: string }>(
      `SELECT disclosure, caption FROM events WHERE type = 'post' AND content_id = 'ig-${MEDIA}'`,
    );
    expect(p).toEqual({ disclosure: 'clear', caption: '#ad Loving the new spring drop from @acme' });
    const labels = await w.rows<{ label: string }>(
      `SELECT label FROM events WHERE type = 'comment' AND content_id = 'ig-${MEDIA}' ORDER BY event_id`,
    );
    expect(labels.map((l) => l.label)).toEqual(['pos', 'neg']);
  });

  it('reads only the new comments when the count rises', async () => {
    const m = w.fixtures.posts.instagram.get(MEDIA)!;
    m.comments.push({ id: '18000000000000003', text: 'where can I buy it?', author: 'fan3', ts: w.clock.now });
    m.reach = 650;
    w.clock.now += 15 * MIN;
    await w.runner.tick();
    await w.flushed();
    const [c] = await w.rows<{ n: string }>(
      `SELECT count() AS n FROM events WHERE type = 'comment' AND content_id = 'ig-${MEDIA}'`,
    );
    expect(Number(c.n)).toBe(3);
    const [e] = await w.rows<{ reach: string; comments: string }>(
      `SELECT reach, comments FROM events WHERE event_id = 'ig-${MEDIA}-e2'`,
    );
    expect(num([e])).toEqual([{ reach: 150, comments: 1 }]);
  });

  it('says when a shortcode is not among the creator’s posts', async () => {
    const post = await w.register(source, 'https://www.instagram.com/p/NotTheirs01/', 'ana');
    w.clock.now += 15 * MIN;
    await w.runner.tick();
    const [row] = await w.rows<{ status: string; status_message: string }>(
      `SELECT status, status_message FROM connector_posts FINAL WHERE id = {id:String}`,
      { id: post.id },
    );
    expect(row.status).toBe('not_found');
    expect(row.status_message).toMatch(/no media with shortcode "NotTheirs01"/);
  });

  it('backs off on the Graph API rate limit (code 4)', async () => {
    w.fixtures.fail('instagram', 'quota'); // the fixture's "quota" for Instagram is error 4, application request limit
    w.clock.now += 15 * MIN;
    await w.runner.tick();
    const calls = w.fixtures.calls.length;
    await w.runner.tick();
    expect(w.fixtures.calls.length).toBe(calls);
    const [last] = await w.rows<{ outcome: string; error: string }>(
      `SELECT outcome, error FROM connector_polls WHERE source_id = {s:String} ORDER BY at DESC LIMIT 1`,
      { s: source },
    );
    expect(last.outcome).toBe('rate_limited');
    expect(last.error).toMatch(/Application request limit reached/);
  });

  it('marks a deleted media (error 100/33)', async () => {
    w.fixtures.posts.instagram.delete(MEDIA);
    w.clock.now += 15 * MIN;
    await w.runner.tick();
    const [row] = await w.rows<{ status: string; status_message: string }>(
      `SELECT status, status_message FROM connector_posts FINAL WHERE media_id = '${MEDIA}'`,
    );
    expect(row.status).toBe('deleted');
    expect(row.status_message).toMatch(/100\/33.*does not exist/);
  });

  it('turns the source to needs_reauth on an expired token (error 190)', async () => {
    w.fixtures.posts.instagram.set(MEDIA, fixturePost(MEDIA, { shortcode: 'C9z8Y7x6W5v', account: ACCOUNT }));
    await w.register(source, 'https://www.instagram.com/p/C9z8Y7x6W5v/', 'ana');
    w.fixtures.credentials.instagram.clear();
    w.clock.now += 15 * MIN;
    await w.runner.tick();
    const [c] = await w.rows<{ status: string; status_message: string }>(
      `SELECT status, status_message FROM connectors FINAL WHERE source_id = {s:String}`,
      { s: source },
    );
    expect(c.status).toBe('needs_reauth');
    expect(c.status_message).toMatch(/OAuthException 190\/463: Error validating access token: Session has expired/);
  });
});

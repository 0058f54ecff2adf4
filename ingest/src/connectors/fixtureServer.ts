// A local stand-in for the YouTube, Instagram and TikTok APIs (tests and the benchmark): answers in the documented
// shapes of ./fixtures/*.json from posts a test sets up, pages as each API pages, and fails on demand (quota, expired
// token, 429 with Retry-After, 500, a deleted post).
import { readFileSync } from 'node:fs';
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

const FIXTURES = join(dirname(fileURLToPath(import.meta.url)), 'fixtures');
const fixture = (name: string): any => {
  const { _doc: _d, ...body } = JSON.parse(readFileSync(join(FIXTURES, name), 'utf8'));
  return body;
};
const clone = <T>(v: T): T => structuredClone(v);

export interface FixtureComment {
  id: string;
  text: string;
  author: string;
  ts: number;
}

export interface FixturePost {
  /** The platform's id: YouTube/TikTok video id, Instagram media id. */
  id: string;
  /** Instagram only: the shortcode its URL carries, and the account whose media it is. */
  shortcode?: string;
  account?: string;
  caption: string;
  title?: string;
  publishedAt: number;
  paid?: boolean;
  views: number;
  likes: number;
  shares: number;
  reach: number;
  saves: number;
  /** YouTube: the creator hid the like count. */
  hideLikes?: boolean;
  /** YouTube: comments turned off. */
  commentsOff?: boolean;
  /** Oldest first; the comment count is their number. */
  comments: FixtureComment[];
}

export type FixturePlatform = 'youtube' | 'instagram' | 'tiktok';
type FailureKind = 'quota' | 'server' | 'rate' | 'expired';

export interface PlatformFixtures {
  /** Base URLs to set as YOUTUBE_API_URL, INSTAGRAM_API_URL and TIKTOK_API_URL. */
  urls: Record<FixturePlatform, string>;
  posts: Record<FixturePlatform, Map<string, FixturePost>>;
  /** Credentials each platform accepts (API keys, access tokens); one not here is refused as its API refuses. */
  credentials: Record<FixturePlatform, Set<string>>;
  /** The next `times` calls to `platform` fail as `kind` (429s say Retry-After: `retryAfterS`). */
  fail(platform: FixturePlatform, kind: FailureKind, times?: number, retryAfterS?: number): void;
  /** Every call answered: platform, endpoint and status. */
  calls: { platform: FixturePlatform; endpoint: string; status: number; at: number }[];
  close(): Promise<void>;
}

const yt = {
  videos: fixture('youtube.videos.list.json'),
  threads: fixture('youtube.commentThreads.list.json'),
  errors: fixture('youtube.error.json'),
};
const ig = {
  media: fixture('instagram.media.json'),
  insights: fixture('instagram.insights.json'),
  comments: fixture('instagram.comments.json'),
  errors: fixture('instagram.error.json'),
};
const tt = { query: fixture('tiktok.video.query.json'), errors: fixture('tiktok.error.json') };

const iso = (ms: number) => new Date(ms).toISOString().replace(/\.\d{3}Z$/, 'Z');
const igTime = (ms: number) => iso(ms).replace('Z', '+0000');
/** A page token: the offset, opaque to the client as each API's tokens are. */
const token = (offset: number) => Buffer.from(`o${offset}`).toString('base64url');
const offsetOf = (t: string | null) => (t ? Number(Buffer.from(t, 'base64url').toString().slice(1)) || 0 : 0);

export interface FixtureOptions {
  /** 127.0.0.1's port to listen on (0: any free one). */
  port?: number;
  /** Called each time a post's counters are read (the benchmark makes them grow as a live post's do). */
  onRead?: (platform: FixturePlatform, post: FixturePost) => void;
}

export async function startPlatformFixtures(opts: FixtureOptions = {}): Promise<PlatformFixtures> {
  const read = opts.onRead ?? (() => undefined);
  const posts: PlatformFixtures['posts'] = { youtube: new Map(), instagram: new Map(), tiktok: new Map() };
  const credentials: PlatformFixtures['credentials'] = {
    youtube: new Set(),
    instagram: new Set(),
    tiktok: new Set(),
  };
  const failures: { platform: FixturePlatform; kind: FailureKind; retryAfterS?: number }[] = [];
  const calls: PlatformFixtures['calls'] = [];

  const send = (
    res: ServerResponse,
    status: number,
    body: unknown,
    headers: Record<string, string> = {},
  ): { status: number } => {
    res.writeHead(status, { 'content-type': 'application/json; charset=UTF-8', ...headers });
    res.end(JSON.stringify(body));
    return { status };
  };
  const sendError = (res: ServerResponse, e: { status: number; body: unknown }, headers?: Record<string, string>) =>
    send(res, e.status, e.body, headers);

  /** A queued failure for this platform, answered in its API's words. */
  function injected(platform: FixturePlatform, res: ServerResponse): { status: number } | null {
    const i = failures.findIndex((f) => f.platform === platform);
    if (i < 0) return null;
    const [f] = failures.splice(i, 1);
    const retry: Record<string, string> = f.retryAfterS !== undefined ? { 'retry-after': String(f.retryAfterS) } : {};
    const errors = platform === 'youtube' ? yt.errors : platform === 'instagram' ? ig.errors : tt.errors;
    const name = {
      youtube: { quota: 'quotaExceeded', server: 'backendError', rate: 'quotaExceeded', expired: 'keyInvalid' },
      instagram: { quota: 'rateLimited', server: 'serverError', rate: 'rateLimited', expired: 'tokenExpired' },
      tiktok: {
        quota: 'rateLimitExceeded',
        server: 'internalError',
        rate: 'rateLimitExceeded',
        expired: 'accessTokenInvalid',
      },
    }[platform][f.kind];
    // a plain 429 is what a proxy or an API's front end sends when it sheds load
    if (f.kind === 'rate' && platform !== 'tiktok') return send(res, 429, { error: { code: 429 } }, retry);
    return sendError(res, errors[name], retry);
  }

  function youtube(path: string, q: URLSearchParams, req: IncomingMessage, res: ServerResponse) {
    const bearer = req.headers.authorization?.replace(/^Bearer /, '');
    if (!credentials.youtube.has(q.get('key') ?? bearer ?? '')) return sendError(res, yt.errors.keyInvalid);
    if (path === '/videos') {
      const [template] = yt.videos.items;
      const items = (q.get('id') ?? '')
        .split(',')
        .slice(0, 50)
        .flatMap((id) => {
          const p = posts.youtube.get(id);
          if (!p) return [];
          read('youtube', p);
          const item = clone(template);
          item.id = p.id;
          item.snippet.title = p.title ?? '';
          item.snippet.description = p.caption;
          item.snippet.publishedAt = iso(p.publishedAt);
          item.statistics = {
            viewCount: String(p.views),
            ...(p.hideLikes ? {} : { likeCount: String(p.likes) }),
            favoriteCount: '0',
            commentCount: String(p.comments.length),
          };
          item.paidProductPlacementDetails = { hasPaidProductPlacement: p.paid === true };
          return [item];
        });
      return send(res, 200, {
        ...clone(yt.videos),
        items,
        pageInfo: { totalResults: items.length, resultsPerPage: items.length },
      });
    }
    if (path === '/commentThreads') {
      const p = posts.youtube.get(q.get('videoId') ?? '');
      if (!p) return sendError(res, yt.errors.videoNotFound);
      if (p.commentsOff) return sendError(res, yt.errors.commentsDisabled);
      const per = Math.min(100, Number(q.get('maxResults') ?? 20));
      const from = offsetOf(q.get('pageToken'));
      const newestFirst = [...p.comments].reverse();
      const page = newestFirst.slice(from, from + per);
      const [template] = yt.threads.items;
      const items = page.map((c) => {
        const t = clone(template);
        t.id = c.id;
        t.snippet.videoId = p.id;
        t.snippet.topLevelComment.id = c.id;
        Object.assign(t.snippet.topLevelComment.snippet, {
          videoId: p.id,
          textDisplay: c.text,
          textOriginal: c.text,
          authorDisplayName: c.author,
          publishedAt: iso(c.ts),
          updatedAt: iso(c.ts),
        });
        return t;
      });
      const body: Record<string, unknown> = {
        ...clone(yt.threads),
        items,
        pageInfo: { totalResults: items.length, resultsPerPage: per },
      };
      if (from + per < newestFirst.length) body.nextPageToken = token(from + per);
      else delete body.nextPageToken;
      return send(res, 200, body);
    }
    return send(res, 404, { error: { code: 404, message: 'Not Found' } });
  }

  /** Instagram's cursor pages: `data`, and `paging` with `after` and `next` while more remain. */
  function igPage<T>(base: string, q: URLSearchParams, all: T[], per: number, envelope: any) {
    const from = offsetOf(q.get('after'));
    const data = all.slice(from, from + per);
    const body: any = { ...clone(envelope), data };
    if (from + per < all.length) {
      const next = new URL(base);
      q.forEach((v, k) => next.searchParams.set(k, v));
      next.searchParams.set('after', token(from + per));
      body.paging = { cursors: { before: token(from), after: token(from + per) }, next: next.href };
    } else body.paging = { cursors: { before: token(from), after: token(from + data.length) } };
    return body;
  }

  function instagram(path: string, q: URLSearchParams, base: string, res: ServerResponse) {
    const tokenGiven = q.get('access_token') ?? '';
    if (!credentials.instagram.has(tokenGiven)) return sendError(res, ig.errors.tokenExpired);
    const [, id, edge] = path.split('/');
    const per = Math.min(100, Number(q.get('limit') ?? 25));
    if (edge === 'media') {
      const media = [...posts.instagram.values()]
        .filter((p) => p.account === id)
        .sort((a, b) => b.publishedAt - a.publishedAt)
        .map((p) => ({
          id: p.id,
          shortcode: p.shortcode,
          permalink: `https://www.instagram.com/p/${p.shortcode}/`,
          caption: p.caption,
          timestamp: igTime(p.publishedAt),
          media_product_type: 'FEED',
        }));
      return send(res, 200, igPage(`${base}${path}`, q, media, per, ig.media));
    }
    const p = posts.instagram.get(id);
    if (!p) {
      const e = clone(ig.errors.mediaDeleted);
      e.body.error.message = e.body.error.message.replace('MEDIA_ID', id);
      return sendError(res, e);
    }
    if (edge === undefined || edge === '') {
      const fields: Record<string, unknown> = {
        id: p.id,
        caption: p.caption,
        timestamp: igTime(p.publishedAt),
        permalink: `https://www.instagram.com/p/${p.shortcode}/`,
      };
      const wanted = (q.get('fields') ?? 'id').split(',');
      return send(res, 200, Object.fromEntries(wanted.filter((f) => f in fields).map((f) => [f, fields[f]])));
    }
    if (edge === 'insights') {
      read('instagram', p);
      const [template] = ig.insights.data;
      const values: Record<string, number> = {
        reach: p.reach,
        views: p.views,
        likes: p.likes,
        comments: p.comments.length,
        saved: p.saves,
        shares: p.shares,
      };
      const data = (q.get('metric') ?? '').split(',').flatMap((m) => {
        if (!(m in values)) return [];
        const d = clone(template);
        Object.assign(d, { name: m, title: m, id: `${p.id}/insights/${m}/lifetime`, values: [{ value: values[m] }] });
        return [d];
      });
      return send(res, 200, { data });
    }
    if (edge === 'comments') {
      // newest first
      const list = [...p.comments]
        .reverse()
        .map((c) => ({ id: c.id, text: c.text, timestamp: igTime(c.ts), username: c.author }));
      return send(res, 200, igPage(`${base}${path}`, q, list, per, ig.comments));
    }
    return send(res, 400, ig.errors.mediaDeleted.body);
  }

  async function tiktok(path: string, req: IncomingMessage, res: ServerResponse) {
    const tokenGiven = req.headers.authorization?.replace(/^Bearer /, '') ?? '';
    if (!credentials.tiktok.has(tokenGiven)) return sendError(res, tt.errors.accessTokenInvalid);
    if (path !== '/v2/video/query/') return send(res, 404, { error: { code: 'not_found', message: path } });
    let body: any;
    try {
      body = JSON.parse((await readBody(req)) || '{}');
    } catch {
      return send(res, 400, { data: {}, error: { code: 'invalid_params', message: 'invalid JSON', log_id: 'x' } });
    }
    const ids: unknown = body?.filters?.video_ids;
    if (!Array.isArray(ids) || ids.length === 0 || ids.length > 20)
      return send(res, 400, {
        data: {},
        error: { code: 'invalid_params', message: 'filters.video_ids: 1 to 20 ids', log_id: 'x' },
      });
    const [template] = tt.query.data.videos;
    const videos = ids.flatMap((id) => {
      const p = posts.tiktok.get(String(id));
      if (!p) return [];
      read('tiktok', p);
      return [
        {
          ...clone(template),
          id: p.id,
          create_time: Math.floor(p.publishedAt / 1000),
          title: p.title ?? '',
          video_description: p.caption,
          share_url: `https://www.tiktok.com/@creator/video/${p.id}`,
          view_count: p.views,
          like_count: p.likes,
          comment_count: p.comments.length,
          share_count: p.shares,
        },
      ];
    });
    return send(res, 200, { ...clone(tt.query), data: { videos, cursor: 0, has_more: false } });
  }

  const server: Server = createServer((req, res) => {
    const url = new URL(req.url ?? '/', 'http://fixtures.invalid');
    const [, platform, version, ...rest] = url.pathname.split('/');
    const p = platform as FixturePlatform;
    const path = `/${rest.join('/')}`;
    const answer = async (): Promise<{ status: number }> => {
      if (!(p in posts)) return send(res, 404, { error: 'unknown platform' });
      const failed = injected(p, res);
      if (failed) return failed;
      if (p === 'youtube') return youtube(path, url.searchParams, req, res);
      if (p === 'instagram') return instagram(path, url.searchParams, `${urls.instagram}`, res);
      return tiktok(`/${version}${path}`, req, res);
    };
    answer().then(
      ({ status }) => calls.push({ platform: p, endpoint: path, status, at: Date.now() }),
      (e) => send(res, 500, { error: String(e) }),
    );
  });
  server.keepAliveTimeout = 5000;
  await new Promise<void>((r) => server.listen(opts.port ?? 0, '127.0.0.1', r));
  const base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  const urls: Record<FixturePlatform, string> = {
    youtube: `${base}/youtube/v3`,
    instagram: `${base}/instagram/v23.0`,
    tiktok: `${base}/tiktok`,
  };
  return {
    urls,
    posts,
    credentials,
    calls,
    fail(platform, kind, times = 1, retryAfterS) {
      for (let i = 0; i < times; i++) failures.push({ platform, kind, retryAfterS });
    },
    async close() {
      server.closeAllConnections();
      await new Promise<void>((r) => server.close(() => r()));
    },
  };
}

function readBody(req: IncomingMessage): Promise<string> {
  return new Promise((ok, fail) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => ok(Buffer.concat(chunks).toString('utf8')));
    req.on('error', fail);
  });
}

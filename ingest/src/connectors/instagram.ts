// Instagram Graph API with the creator's long-lived token: the media id behind a URL's shortcode (from the creator's
// media), the media's insights (reach, views, likes, comments, saved, shares) and /{media-id}/comments, newest first.
import type { PlatformComment } from './changes.js';
import { byStatus, type Classify } from './platformCalls.js';
import {
  arr,
  count,
  newCommentsOf,
  obj,
  str,
  time,
  type Call,
  type OpenConnector,
  type PlatformClient,
  type PostOutcome,
  type Resolution,
} from './platformClient.js';

/** Graph API error codes (https://developers.facebook.com/docs/graph-api/guides/error-handling). */
export const classifyInstagram: Classify = (status, body) => {
  const e = obj(obj(body).error);
  const code = typeof e.code === 'number' ? e.code : -1;
  const sub = typeof e.error_subcode === 'number' ? e.error_subcode : -1;
  const message = `${status} ${str(e.type) ?? 'error'} ${code}${sub >= 0 ? `/${sub}` : ''}: ${str(e.message) ?? ''}`;
  const reason = String(code);
  // 190: the access token expired or was revoked (the creator must log in again)
  if (code === 190) return { failure: 'auth', message, reason };
  // 4, 17, 32, 613: application, user, page and custom rate limits; 80002: Instagram's business use case limit
  if ([4, 17, 32, 613, 80002].includes(code)) return { failure: 'rate_limited', message, reason };
  // 100 / 33: the object does not exist (the media was deleted)
  if (code === 100 && sub === 33) return { failure: 'not_found', message, reason };
  if (code === 1 || code === 2 || e.is_transient === true) return { failure: 'unavailable', message, reason };
  return { failure: byStatus(status), message, reason };
};

const METRICS = ['reach', 'views', 'likes', 'comments', 'saved', 'shares'] as const;
/** Media pages read at most to find a shortcode: the creator's latest 2,000 posts. */
const MAX_LOOKUP_PAGES = 20;

export function instagramClient(opts: { baseUrl: string; maxCommentPages: number }): PlatformClient {
  const url = (c: OpenConnector, path: string, params: Record<string, string>) => {
    const u = new URL(`${opts.baseUrl}/${path}`);
    for (const [k, v] of Object.entries(params)) u.searchParams.set(k, v);
    u.searchParams.set('access_token', c.credential);
    return u.href;
  };
  /** A `paging.next` URL is followed as given, but only on the API's own host (it carries the token). */
  const nextOf = (body: Record<string, unknown>) => {
    const next = str(obj(body.paging).next);
    return next && new URL(next).origin === new URL(opts.baseUrl).origin ? next : undefined;
  };

  return {
    platform: 'instagram',
    batchSize: 1,
    classify: classifyInstagram,

    async resolve(c, posts, call) {
      const wanted = new Map(posts.map((p) => [p.urlId, p.id]));
      const out = new Map<string, Resolution>();
      let next: string | undefined = url(c, `${c.accountId}/media`, {
        fields: 'id,shortcode,permalink,timestamp',
        limit: '100',
      });
      for (let page = 0; next && page < MAX_LOOKUP_PAGES && out.size < wanted.size; page++) {
        const body = obj(await call({ endpoint: 'user.media', url: next, units: 1, postIds: [...wanted.values()] }));
        for (const m of arr(body.data).map(obj)) {
          const code = str(m.shortcode) ?? str(m.permalink)?.match(/\/(?:p|reel|tv)\/([^/?#]+)/)?.[1];
          const postId = code ? wanted.get(code) : undefined;
          const mediaId = str(m.id);
          if (postId && mediaId) out.set(postId, { kind: 'found', mediaId, publishedAt: time(m.timestamp) });
        }
        next = nextOf(body);
      }
      for (const p of posts)
        if (!out.has(p.id))
          out.set(p.id, {
            kind: 'gone',
            message: `no media with shortcode "${p.urlId}" among the creator's latest posts (another account's post?)`,
          });
      return out;
    },

    async poll(c, [p], call) {
      const postIds = [p.id];
      const caption = p.needsCaption
        ? obj(
            await call({
              endpoint: 'media',
              url: url(c, p.mediaId, { fields: 'id,caption,timestamp,permalink' }),
              units: 1,
              postIds,
            }),
          )
        : null;
      const insights = obj(
        await call({
          endpoint: 'media.insights',
          url: url(c, `${p.mediaId}/insights`, { metric: METRICS.join(',') }),
          units: 1,
          postIds,
        }),
      );
      // A metric Instagram has no data for is left out of `data` (not 0): its counter stays as it was.
      const value = new Map(arr(insights.data).map((d) => [str(obj(d).name), count(obj(arr(obj(d).values)[0]).value)]));
      const counters = {
        reach: value.get('reach'),
        views: value.get('views'),
        likes: value.get('likes'),
        comments: value.get('comments'),
        saves: value.get('saved'),
        shares: value.get('shares'),
      };
      const seen: PostOutcome = {
        kind: 'seen',
        obs: {
          counters,
          ...(caption ? { caption: str(caption.caption) ?? '', publishedAt: time(caption.timestamp) } : {}),
        },
      };
      if ((counters.comments ?? 0) > p.commentsSeen) {
        let next: string | undefined = url(c, `${p.mediaId}/comments`, {
          fields: 'id,text,timestamp,username',
          limit: '50',
        });
        seen.obs.comments = await newCommentsOf(p.lastCommentTs, opts.maxCommentPages, async () => {
          const body = obj(await call({ endpoint: 'media.comments', url: next!, units: 1, postIds }));
          next = nextOf(body);
          const comments: PlatformComment[] = [];
          for (const m of arr(body.data).map(obj)) {
            const id = str(m.id);
            const ts = time(m.timestamp);
            if (id && ts !== undefined) comments.push({ id, text: str(m.text) ?? '', author: str(m.username), ts });
          }
          return { comments, next };
        });
      }
      return new Map([[p.id, seen]]);
    },
  };
}

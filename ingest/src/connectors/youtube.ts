// YouTube Data API v3: videos.list (50 ids a call: statistics, the title and description as caption, the paid
// product placement flag) and commentThreads.list, newest first, only when the comment count rose.
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
} from './platformClient.js';

/** The error reasons of https://developers.google.com/youtube/v3/docs/errors and what each means for us. */
const REASONS: Record<string, ReturnType<Classify>['failure']> = {
  quotaExceeded: 'quota',
  dailyLimitExceeded: 'quota',
  rateLimitExceeded: 'rate_limited',
  userRateLimitExceeded: 'rate_limited',
  keyInvalid: 'auth',
  keyExpired: 'auth',
  authError: 'auth',
  forbidden: 'auth',
  accessNotConfigured: 'auth',
  videoNotFound: 'not_found',
  commentsDisabled: 'rejected',
  backendError: 'unavailable',
};

export const classifyYoutube: Classify = (status, body) => {
  const error = obj(obj(body).error);
  // An invalid key is a 400 "badRequest" whose details say API_KEY_INVALID (Google's newer error model).
  const keyInvalid = arr(error.details).some((d) => str(obj(d).reason) === 'API_KEY_INVALID');
  const reason = keyInvalid ? 'keyInvalid' : (str(obj(arr(error.errors)[0]).reason) ?? '');
  const message = `${status} ${reason || 'error'}: ${str(error.message) ?? 'no message'}`;
  return { failure: REASONS[reason] ?? byStatus(status), message, reason };
};

/** An OAuth access token (ya29.…) goes in the Authorization header; anything else is an API key. */
function authorised(c: OpenConnector, url: URL): RequestInit {
  if (c.credential.startsWith('ya29.')) return { headers: { authorization: `Bearer ${c.credential}` } };
  url.searchParams.set('key', c.credential);
  return {};
}

export function youtubeClient(opts: { baseUrl: string; maxCommentPages: number }): PlatformClient {
  const comments = async (c: OpenConnector, call: Call, videoId: string, postId: string, since: number) =>
    newCommentsOf(since, opts.maxCommentPages, async (token) => {
      const url = new URL(`${opts.baseUrl}/commentThreads`);
      url.searchParams.set('part', 'snippet');
      url.searchParams.set('videoId', videoId);
      url.searchParams.set('order', 'time');
      url.searchParams.set('maxResults', '100');
      url.searchParams.set('textFormat', 'plainText');
      if (token) url.searchParams.set('pageToken', token);
      const init = authorised(c, url);
      const body = obj(
        await call({ endpoint: 'commentThreads.list', url: url.href, init, units: 1, postIds: [postId] }),
      );
      const list: PlatformComment[] = [];
      for (const item of arr(body.items)) {
        const top = obj(obj(obj(item).snippet).topLevelComment);
        const s = obj(top.snippet);
        const id = str(top.id);
        const ts = time(s.publishedAt);
        if (!id || ts === undefined) continue;
        list.push({ id, text: str(s.textDisplay) ?? str(s.textOriginal) ?? '', author: str(s.authorDisplayName), ts });
      }
      return { comments: list, next: str(body.nextPageToken) };
    });

  return {
    platform: 'youtube',
    batchSize: 50,
    classify: classifyYoutube,
    async poll(c, posts, call) {
      const url = new URL(`${opts.baseUrl}/videos`);
      url.searchParams.set('part', 'snippet,statistics,paidProductPlacementDetails');
      url.searchParams.set('id', posts.map((p) => p.mediaId).join(','));
      url.searchParams.set('maxResults', '50');
      const init = authorised(c, url);
      const postIds = posts.map((p) => p.id);
      const body = obj(await call({ endpoint: 'videos.list', url: url.href, init, units: 1, postIds }));
      const byId = new Map(arr(body.items).map((i) => [str(obj(i).id), obj(i)]));
      const out = new Map<string, PostOutcome>();
      for (const p of posts) {
        const item = byId.get(p.mediaId);
        // videos.list leaves out an id it has no video for: deleted, or made private
        if (!item) {
          out.set(p.id, { kind: 'gone', message: `YouTube has no public video "${p.mediaId}" (deleted or private)` });
          continue;
        }
        const stats = obj(item.statistics);
        const snippet = obj(item.snippet);
        const counters = {
          views: count(stats.viewCount),
          likes: count(stats.likeCount),
          comments: count(stats.commentCount),
        };
        const title = str(snippet.title) ?? '';
        const description = str(snippet.description) ?? '';
        const seen: PostOutcome = {
          kind: 'seen',
          obs: {
            counters,
            caption: description ? `${title}\n\n${description}` : title,
            branded: obj(item.paidProductPlacementDetails).hasPaidProductPlacement === true,
            publishedAt: time(snippet.publishedAt),
          },
        };
        if (!p.commentsOff && (counters.comments ?? 0) > p.commentsSeen) {
          try {
            seen.obs.comments = await comments(c, call, p.mediaId, p.id, p.lastCommentTs);
          } catch (e) {
            const reason = (e as { reason?: string }).reason;
            if (reason === 'commentsDisabled') seen.commentsOff = true;
            else if (reason === 'videoNotFound') {
              out.set(p.id, { kind: 'gone', message: `YouTube has no video "${p.mediaId}" any more` });
              continue;
            } else throw e;
          }
        }
        out.set(p.id, seen);
      }
      return out;
    },
  };
}

// TikTok Display API with the creator's user access token (video.list scope): video/query, 20 ids a call, for the
// view, like, comment and share counts and the description (the caption). The Display API reads no comments.
import { byStatus, type CallFailure, type Classify } from './platformCalls.js';
import { arr, count, obj, str, time, type PlatformClient, type PostOutcome } from './platformClient.js';

/** The error codes of https://developers.tiktok.com/doc/tiktok-api-v2-error-handling and what each means for us. */
const CODES: Record<string, CallFailure> = {
  access_token_invalid: 'auth',
  scope_not_authorized: 'auth',
  scope_permission_missed: 'auth',
  rate_limit_exceeded: 'rate_limited',
  internal_error: 'unavailable',
  invalid_params: 'rejected',
};

export const classifyTiktok: Classify = (status, body) => {
  const e = obj(obj(body).error);
  const code = str(e.code) ?? '';
  const message = `${status} ${code || 'error'}: ${str(e.message) ?? ''} (log_id ${str(e.log_id) ?? '?'})`;
  return { failure: CODES[code] ?? byStatus(status), message, reason: code };
};

const FIELDS = 'id,create_time,title,video_description,view_count,like_count,comment_count,share_count';

export function tiktokClient(opts: { baseUrl: string }): PlatformClient {
  return {
    platform: 'tiktok',
    batchSize: 20,
    classify: classifyTiktok,
    async poll(c, posts, call) {
      const body = obj(
        await call({
          endpoint: 'video.query',
          url: `${opts.baseUrl}/v2/video/query/?fields=${FIELDS}`,
          init: {
            method: 'POST',
            headers: { authorization: `Bearer ${c.credential}`, 'content-type': 'application/json' },
            body: JSON.stringify({ filters: { video_ids: posts.map((p) => p.mediaId) } }),
          },
          units: 1,
          postIds: posts.map((p) => p.id),
        }),
      );
      const videos = new Map(arr(obj(body.data).videos).map((v) => [str(obj(v).id), obj(v)]));
      const out = new Map<string, PostOutcome>();
      for (const p of posts) {
        const v = videos.get(p.mediaId);
        // video/query leaves out a video it cannot return: deleted, made private, or not this creator's
        if (!v) {
          out.set(p.id, {
            kind: 'gone',
            message: `TikTok returned no video "${p.mediaId}" (deleted, private, or not this creator's)`,
          });
          continue;
        }
        out.set(p.id, {
          kind: 'seen',
          obs: {
            counters: {
              views: count(v.view_count),
              likes: count(v.like_count),
              comments: count(v.comment_count),
              shares: count(v.share_count),
            },
            caption: str(v.video_description) || str(v.title) || '',
            publishedAt: time(v.create_time),
          },
        });
      }
      return out;
    },
  };
}

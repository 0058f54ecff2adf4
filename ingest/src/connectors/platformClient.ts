// What every platform's client does for the runner: poll a batch of one connector's posts, saying per post what it
// saw (or that it is gone); connector-wide failures (quota, credential, rate limit, outage) are thrown.
import type { ConnectorPlatform } from '@pulseroom/schema';
import type { Observation, PlatformComment } from './changes.js';
import type { CallSpec } from './platformCalls.js';

export interface PostToPoll {
  /** The registered post's id. */
  id: string;
  /** The platform's id of the post ('' while an Instagram shortcode is not looked up yet). */
  mediaId: string;
  /** What the URL named (the shortcode, for Instagram). */
  urlId: string;
  /** The comment count when comments were last read: more now means there are new ones to read. */
  commentsSeen: number;
  /** The newest comment already stored (epoch ms): reading stops at it. */
  lastCommentTs: number;
  commentsOff: boolean;
  /** The post event is not sent yet in this run: a platform whose poll skips the caption reads it this time. */
  needsCaption: boolean;
}

export type PostOutcome =
  { kind: 'seen'; obs: Observation; mediaId?: string; commentsOff?: boolean } | { kind: 'gone'; message: string };

/** The connector as its client needs it: its credential opened, its platform account. */
export interface OpenConnector {
  sourceId: string;
  credential: string;
  accountId: string;
}

export type Call = (spec: Omit<CallSpec, 'classify'>) => Promise<unknown>;

export interface PlatformClient {
  readonly platform: ConnectorPlatform;
  /** Posts one poll reads together (YouTube's videos.list takes 50 ids, TikTok's video/query 20). */
  readonly batchSize: number;
  readonly classify: CallSpec['classify'];
  poll(c: OpenConnector, posts: PostToPoll[], call: Call): Promise<Map<string, PostOutcome>>;
  /** Finds the platform's ids of posts whose URL does not carry it (Instagram shortcodes), once. */
  resolve?(c: OpenConnector, posts: PostToPoll[], call: Call): Promise<Map<string, Resolution>>;
}

export type Resolution = { kind: 'found'; mediaId: string; publishedAt?: number } | { kind: 'gone'; message: string };

/**
 * Reads comments newest first, page after page, until one already stored (not newer than `since`) or `maxPages`:
 * older comments were read by an earlier poll.
 */
export async function newCommentsOf(
  since: number,
  maxPages: number,
  page: (token: string | undefined) => Promise<{ comments: PlatformComment[]; next?: string }>,
): Promise<PlatformComment[]> {
  const out: PlatformComment[] = [];
  let token: string | undefined;
  for (let i = 0; i < maxPages; i++) {
    const p = await page(token);
    const fresh = p.comments.filter((c) => c.ts >= since);
    out.push(...fresh);
    if (fresh.length < p.comments.length || !p.next) break;
    token = p.next;
  }
  return out;
}

export const str = (v: unknown): string | undefined => (typeof v === 'string' ? v : undefined);
export const obj = (v: unknown): Record<string, unknown> =>
  v && typeof v === 'object' && !Array.isArray(v) ? (v as Record<string, unknown>) : {};
export const arr = (v: unknown): unknown[] => (Array.isArray(v) ? v : []);
/** A count sent as a number or as a uint64 string (YouTube); undefined when absent or not a count. */
export function count(v: unknown): number | undefined {
  const n = typeof v === 'string' && /^\d+$/.test(v) ? Number(v) : v;
  return typeof n === 'number' && Number.isSafeInteger(n) && n >= 0 ? n : undefined;
}
export function time(v: unknown): number | undefined {
  if (typeof v === 'number' && Number.isFinite(v)) return v < 1e12 ? v * 1000 : v; // epoch seconds (TikTok) or ms
  if (typeof v !== 'string') return undefined;
  // Instagram writes +0000, which Date.parse reads on V8 but not by the ISO grammar: normalised first
  const t = Date.parse(v.replace(/([+-]\d{2})(\d{2})$/, '$1:$2'));
  return Number.isNaN(t) ? undefined : t;
}
